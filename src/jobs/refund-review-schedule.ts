import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { Config } from '../config/config.ts';
import type { DatabaseHandle } from '../db/connect.ts';
import { systemActor } from '../services/actor.ts';
import { runRefundReview } from '../services/tasks/run-refund-review.ts';
import { practiceDate, practiceRefundReviewDays } from '../services/practices/practice-settings.ts';

/** The advisory lock key of this job on PostgreSQL: any constant no other job uses. */
export const REFUND_REVIEW_LOCK_KEY = 7_314_052_611;

const DAY_MS = 86_400_000;

export interface ScheduledRunResult {
  /** false when another instance held the lock, or the run was stopped before it began. */
  ran: boolean;
  practices: number;
  tasksCreated: number;
  failedPractices: number;
}

type Logger = Pick<FastifyBaseLogger, 'info' | 'error'>;

/**
 * One pass of the refund review over every practice, as of `asOf` (default
 * each practice's own today, in its time zone). On PostgreSQL it first takes a session advisory lock on a
 * connection of its own, so of several app processes only one reviews at a
 * time (the others skip; the review is idempotent anyway: at most one open
 * task per case). SQLite has one writer process: it just runs. A practice
 * that fails is logged and the others still run.
 */
export async function runScheduledRefundReview(
  database: DatabaseHandle,
  config: Pick<Config, 'refundReviewDays'>,
  options: { asOf?: string; signal?: AbortSignal; log?: Logger } = {},
): Promise<ScheduledRunResult> {
  const reviewAll = async (): Promise<ScheduledRunResult> => {
    const result: ScheduledRunResult = { ran: true, practices: 0, tasksCreated: 0, failedPractices: 0 };
    const practices = await database.db.selectFrom('practices').select(['id', 'slug']).orderBy('id').execute();
    for (const practice of practices) {
      if (options.signal?.aborted) break;
      // Each practice's own calendar: a job run at 02:00 UTC is still yesterday in New York.
      const asOf = options.asOf ?? (await practiceDate(database.db, practice.id));
      try {
        const run = await runRefundReview(database.db, systemActor(practice.id, 'refund-review'), { asOf, days: await practiceRefundReviewDays(database.db, practice.id, config.refundReviewDays), signal: options.signal });
        result.practices++;
        result.tasksCreated += run.tasksCreated;
        if (run.tasksCreated > 0) options.log?.info({ practice: practice.slug, asOf, tasksCreated: run.tasksCreated }, 'refund review created refund-owed tasks');
      } catch (error) {
        result.failedPractices++;
        options.log?.error({ err: error, practice: practice.slug, asOf }, 'refund review failed for a practice');
      }
    }
    return result;
  };
  if (database.dialect !== 'postgres') return reviewAll();
  return database.db.connection().execute(async (conn) => {
    const lock = sql.lit(REFUND_REVIEW_LOCK_KEY);
    const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_lock(${lock}) as locked`.execute(conn);
    if (!rows[0]?.locked) return { ran: false, practices: 0, tasksCreated: 0, failedPractices: 0 };
    try {
      return await reviewAll();
    } finally {
      await sql`select pg_advisory_unlock(${lock})`.execute(conn);
    }
  });
}

export interface RefundReviewSchedule {
  stop(): Promise<void>;
}

/**
 * Runs the refund review daily in the server: once shortly after start, then
 * every `intervalMs` after the previous run ends (runs never overlap). Errors
 * are logged, never thrown: the server keeps serving. It stops when the app
 * closes, waiting for a run in progress to stop between cases.
 */
export function startRefundReviewSchedule(
  app: FastifyInstance,
  { database, config }: { database: DatabaseHandle; config: Pick<Config, 'refundReviewDays'> },
  { firstRunDelayMs = 15_000, intervalMs = DAY_MS }: { firstRunDelayMs?: number; intervalMs?: number } = {},
): RefundReviewSchedule {
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  const tick = () => {
    timer = undefined;
    running = runScheduledRefundReview(database, config, { signal: abort.signal, log: app.log })
      .then((result) => {
        if (!result.ran) app.log.info('refund review skipped: another instance holds the lock');
      })
      .catch((error: unknown) => app.log.error({ err: error }, 'refund review failed'))
      .finally(() => {
        running = undefined;
        if (!abort.signal.aborted) schedule(intervalMs);
      });
  };
  const schedule = (ms: number) => {
    timer = setTimeout(tick, ms);
    // A pending review never keeps the process alive on its own.
    timer.unref();
  };

  const stop = async () => {
    abort.abort();
    if (timer) clearTimeout(timer);
    timer = undefined;
    await running;
  };
  app.addHook('onClose', stop);
  schedule(firstRunDelayMs);
  return { stop };
}
