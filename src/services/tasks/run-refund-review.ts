import { sql } from 'kysely';
import type { TaskTable } from '../../db/database.ts';
import { newId, nowIso } from '../../db/ids.ts';
import { recordAudit } from '../../db/repositories/audit.ts';
import { enqueueEvent } from '../../db/repositories/outbox.ts';
import { inTransaction, type Db, type Trx } from '../../db/transaction.ts';
import { AppError } from '../../domain/errors.ts';
import { addCalendarDays, calendarDateToUtcMs } from '../../domain/refund-review/add-calendar-days.ts';
import { decideRefundReview, DEFAULT_REFUND_REVIEW_DAYS } from '../../domain/refund-review/decide-refund-review.ts';
import type { Actor } from '../actor.ts';
import { applyUnappliedFunds } from '../applications/apply-unapplied-funds.ts';
import { refundableUnappliedFunds, totalCents } from './refundable-unapplied-funds.ts';

export interface RefundReviewOptions {
  /** The day the review runs for, 'YYYY-MM-DD'. */
  asOf: string;
  /** Days to wait after the last claim of a case is processed (default 45). */
  days?: number | undefined;
  /** Stops between cases (the server is shutting down). */
  signal?: AbortSignal | undefined;
}

export interface CreatedTask {
  taskId: string;
  patientId: string;
  amountCents: number;
  dueDate: string;
}

export interface RefundReviewResult {
  asOf: string;
  days: number;
  /** Cases looked at: claims all finished before the cut-off, money left over, no open task. */
  reviewed: number;
  tasksCreated: number;
  created: CreatedTask[];
}

/** Candidate cases are read in pages of this many patients, so a large practice is never loaded at once. */
const BATCH = 500;
/**
 * Cases reviewed in one transaction: one commit (one fsync on SQLite) per
 * hundred cases instead of per case, while the patients' locks it holds stay
 * few and short.
 */
const CASES_PER_TRANSACTION = 100;

/** A claim is finished on its processed date; one closed without a remittance (cancelled) on the day it was closed. */
const finishedOn = sql<string>`substr(coalesce(claims.processed_date, claims.updated_at), 1, 10)`;

/**
 * SPEC section 6, the refund review: for every case (a patient and their
 * coverages) whose claims are all finished at least `days` days before
 * `asOf`, apply what unapplied funds still can be applied, and when money is
 * left that no balance can take, open one refund-owed task for it — never a
 * second while one is open. One grouped query finds the candidates a page at
 * a time; the cases are then reviewed a hundred to a transaction.
 */
export async function runRefundReview(db: Db, actor: Actor, options: RefundReviewOptions): Promise<RefundReviewResult> {
  const days = options.days ?? DEFAULT_REFUND_REVIEW_DAYS;
  if (!Number.isSafeInteger(days) || days < 0) {
    throw new AppError('validation_failed', `Refund review days must be a whole number, zero or more, got ${days}`);
  }
  calendarDateToUtcMs(options.asOf); // validates
  // A case is due once its last claim was finished on or before this day.
  const cutoff = addCalendarDays(options.asOf, -days);

  const result: RefundReviewResult = { asOf: options.asOf, days, reviewed: 0, tasksCreated: 0, created: [] };
  let after = '';
  for (;;) {
    const candidates = await db
      .selectFrom('claims')
      .select('claims.patientId')
      .where('claims.practiceId', '=', actor.practiceId)
      .where('claims.patientId', '>', after)
      .groupBy('claims.patientId')
      .having(sql<boolean>`sum(case when claims.status = 'submitted' then 1 else 0 end) = 0`)
      .having(sql<boolean>`max(${finishedOn}) <= ${cutoff}`)
      // Only cases holding money, and without an open task (each case re-checks both under its lock).
      .having((eb) =>
        eb.and([
          eb.exists(
            eb
              .selectFrom('payments')
              .select(sql`1`.as('one'))
              .where('payments.practiceId', '=', actor.practiceId)
              .whereRef('payments.patientId', '=', 'claims.patientId')
              .where('payments.status', 'in', ['paid', 'partially_refunded'])
              .where(sql<boolean>`payments.amount_cents - payments.refunded_cents - payments.refunding_cents - payments.applied_cents > 0`),
          ),
          eb.not(
            eb.exists(
              eb
                .selectFrom('tasks')
                .select(sql`1`.as('one'))
                .where('tasks.practiceId', '=', actor.practiceId)
                .whereRef('tasks.patientId', '=', 'claims.patientId')
                .where('tasks.type', '=', 'refund_owed')
                .where('tasks.status', '=', 'open'),
            ),
          ),
        ]),
      )
      .orderBy('claims.patientId')
      .limit(BATCH)
      .execute();
    for (let start = 0; start < candidates.length; start += CASES_PER_TRANSACTION) {
      if (options.signal?.aborted) return result;
      const cases = candidates.slice(start, start + CASES_PER_TRANSACTION);
      // Counted only once committed: a failure rolls the group back, and the next run reviews it again.
      const created = await inTransaction(db, async (trx) => {
        const opened: CreatedTask[] = [];
        for (const { patientId } of cases) {
          const task = await reviewCase(trx, actor, patientId, options.asOf, days);
          if (task) opened.push(task);
        }
        return opened;
      });
      result.reviewed += cases.length;
      result.tasksCreated += created.length;
      result.created.push(...created);
    }
    if (candidates.length < BATCH) return result;
    after = candidates[candidates.length - 1]!.patientId;
  }
}

/** Reviews one case inside its group's transaction; returns the task it opened, if any. */
async function reviewCase(trx: Trx, actor: Actor, patientId: string, asOf: string, days: number): Promise<CreatedTask | undefined> {
  // Serialises reviews of this case: on PostgreSQL the update holds the patient's row lock until
  // commit, so a concurrent run waits here and then sees the task this one opened (READ COMMITTED
  // reads it in the check below); on SQLite it takes the write lock up front, so another process
  // waits (busy_timeout) instead of failing on a stale snapshot.
  const locked = await trx
    .updateTable('patients')
    .set((eb) => ({ createdAt: eb.ref('createdAt') }))
    .where('id', '=', patientId)
    .where('practiceId', '=', actor.practiceId)
    .executeTakeFirst();
  if (Number(locked.numUpdatedRows) !== 1) return undefined;

  const claims = await trx
    .selectFrom('claims')
    .select(['status', finishedOn.as('finishedOn')])
    .where('practiceId', '=', actor.practiceId)
    .where('patientId', '=', patientId)
    .execute();
  // Money that can still go to a balance does, before anything is called owed.
  await applyUnappliedFunds(trx, actor, patientId, null);
  const unappliedCents = totalCents(await refundableUnappliedFunds(trx, actor, patientId));
  const openTask = await trx
    .selectFrom('tasks')
    .select('id')
    .where('practiceId', '=', actor.practiceId)
    .where('patientId', '=', patientId)
    .where('type', '=', 'refund_owed')
    .where('status', '=', 'open')
    .executeTakeFirst();
  const decision = decideRefundReview({
    claims: claims.map((c) => ({ processedDate: c.status === 'submitted' ? null : c.finishedOn })),
    unappliedCents,
    asOf,
    days,
    hasOpenTask: openTask !== undefined,
  });
  if (!decision.due) return undefined;

  const row: TaskTable = {
    id: newId(),
    practiceId: actor.practiceId,
    patientId,
    type: 'refund_owed',
    status: 'open',
    amountCents: decision.amountCents,
    dueDate: decision.dueDate!,
    createdAt: nowIso(),
    resolvedAt: null,
    resolvedBy: null,
    resolution: null,
  };
  await trx.insertInto('tasks').values(row).execute();
  const payload = { id: row.id, patientId, type: row.type, status: row.status, amountCents: row.amountCents, dueDate: row.dueDate, asOf, days };
  await recordAudit(trx, actor, { action: 'task.created', entityType: 'task', entityId: row.id, after: payload });
  await enqueueEvent(trx, actor.practiceId, 'task.created', payload);
  return { taskId: row.id, patientId, amountCents: row.amountCents, dueDate: row.dueDate };
}
