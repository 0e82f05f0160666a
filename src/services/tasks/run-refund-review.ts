import { PostgresAdapter, sql } from 'kysely';
import type { TaskTable } from '../../db/database.ts';
import { newId, nowIso } from '../../db/ids.ts';
import { insertRows } from '../../db/insert-rows.ts';
import { recordAudits } from '../../db/repositories/audit.ts';
import { enqueueEvents } from '../../db/repositories/outbox.ts';
import { inTransaction, type Db, type Trx } from '../../db/transaction.ts';
import { AppError } from '../../domain/errors.ts';
import { addCalendarDays, calendarDateToUtcMs } from '../../domain/refund-review/add-calendar-days.ts';
import { decideRefundReview, DEFAULT_REFUND_REVIEW_DAYS } from '../../domain/refund-review/decide-refund-review.ts';
import type { Actor } from '../actor.ts';
import { applyUnappliedFunds, patientsWithOpenBalance } from '../applications/apply-unapplied-funds.ts';
import { receivedPayment, refundableCentsByPatient } from './refundable-unapplied-funds.ts';
import { hasUnappliedCents } from '../applications/unapplied-cents.ts';

export interface RefundReviewOptions {
  /** The day the review runs for, 'YYYY-MM-DD'. */
  asOf: string;
  /** Days to wait after the last claim of a case is processed (default 45). */
  days?: number | undefined;
  /** Stops between pages (the server is shutting down). */
  signal?: AbortSignal | undefined;
  /** Cases per page, each page one transaction (default 1,000; tests use small pages). */
  pageSize?: number | undefined;
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

/**
 * Cases per page, reviewed in one transaction with a fixed number of
 * statements: big enough that a commit (an fsync on SQLite) and the page's
 * queries are shared by many cases, small enough that the patients it locks
 * (on SQLite, the whole database's write lock) are held briefly.
 */
const DEFAULT_PAGE_SIZE = 1_000;
/** A page's patient ids are bound one value each in its IN lists: stay well under SQLite's 32,766. */
const MAX_PAGE_SIZE = 10_000;

/** A claim is finished on its processed date; one closed without a remittance (cancelled) on the day it was closed. */
const finishedOn = sql<string>`substr(coalesce(claims.processed_date, claims.updated_at), 1, 10)`;

/**
 * SPEC section 6, the refund review: for every case (a patient and their
 * coverages) whose claims are all finished at least `days` days before
 * `asOf`, apply what unapplied funds still can be applied, and when money is
 * left that no balance can take, open one refund-owed task for it — never a
 * second while one is open. One grouped query finds the candidates a page at
 * a time; each page is then reviewed set-wise in one transaction.
 */
export async function runRefundReview(db: Db, actor: Actor, options: RefundReviewOptions): Promise<RefundReviewResult> {
  const days = options.days ?? DEFAULT_REFUND_REVIEW_DAYS;
  if (!Number.isSafeInteger(days) || days < 0) {
    throw new AppError('validation_failed', `Refund review days must be a whole number, zero or more, got ${days}`);
  }
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isSafeInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw new AppError('validation_failed', `Refund review page size must be a whole number from 1 to ${MAX_PAGE_SIZE}, got ${pageSize}`);
  }
  calendarDateToUtcMs(options.asOf); // validates
  // A case is due once its last claim was finished on or before this day.
  const cutoff = addCalendarDays(options.asOf, -days);

  const result: RefundReviewResult = { asOf: options.asOf, days, reviewed: 0, tasksCreated: 0, created: [] };
  let after = '';
  for (;;) {
    const candidates = await candidatePage(db, actor, cutoff, after, pageSize);
    if (candidates.length === 0) return result;
    if (options.signal?.aborted) return result;
    // Counted only once committed: a failure rolls the page back, and the next run reviews it again.
    const created = await inTransaction(db, (trx) => reviewPage(trx, actor, candidates, options.asOf, days));
    result.reviewed += candidates.length;
    result.tasksCreated += created.length;
    result.created.push(...created);
    if (candidates.length < pageSize) return result;
    after = candidates[candidates.length - 1]!;
  }
}

/** The next page of candidate patients after `after`, in id order. */
async function candidatePage(db: Db, actor: Actor, cutoff: string, after: string, pageSize: number): Promise<string[]> {
  const rows = await db
    .selectFrom('claims')
    .select('claims.patientId')
    .where('claims.practiceId', '=', actor.practiceId)
    .where('claims.patientId', '>', after)
    .groupBy('claims.patientId')
    .having(sql<boolean>`sum(case when claims.status = 'submitted' then 1 else 0 end) = 0`)
    .having(sql<boolean>`max(${finishedOn}) <= ${cutoff}`)
    // Only cases holding money, and without an open task (the page re-checks both under its locks).
    .having((eb) =>
      eb.and([
        eb.exists(
          eb
            .selectFrom('payments')
            .select(sql`1`.as('one'))
            .where('payments.practiceId', '=', actor.practiceId)
            .whereRef('payments.patientId', '=', 'claims.patientId')
            .where(receivedPayment())
            .where(hasUnappliedCents),
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
    .limit(pageSize)
    .execute();
  return rows.map((r) => r.patientId);
}

/**
 * Reviews one page of cases inside its transaction with a fixed number of
 * statements (plus the posting path's own for the few cases it has money to
 * apply); returns the tasks it opened, in patient order.
 */
async function reviewPage(trx: Trx, actor: Actor, candidates: readonly string[], asOf: string, days: number): Promise<CreatedTask[]> {
  const locked = await lockPatients(trx, actor, candidates);
  const patientIds = candidates.filter((id) => locked.has(id));
  if (patientIds.length === 0) return [];

  const claims = await trx
    .selectFrom('claims')
    .select(['patientId', 'status', finishedOn.as('finishedOn')])
    .where('practiceId', '=', actor.practiceId)
    .where('patientId', 'in', patientIds)
    .execute();
  const claimsOf = new Map<string, { processedDate: string | null }[]>();
  for (const c of claims) {
    const list = claimsOf.get(c.patientId) ?? [];
    list.push({ processedDate: c.status === 'submitted' ? null : c.finishedOn });
    claimsOf.set(c.patientId, list);
  }

  // Money that can still go to a balance does, before anything is called owed: through the one
  // posting path, but only for the patients it would act on (refundable funds and an open balance).
  const refundable = await refundableCentsByPatient(trx, actor, patientIds);
  const applicable = await patientsWithOpenBalance(trx, actor, [...refundable.keys()]);
  if (applicable.size > 0) {
    const toApply = patientIds.filter((id) => applicable.has(id));
    for (const patientId of toApply) await applyUnappliedFunds(trx, actor, patientId, null);
    const left = await refundableCentsByPatient(trx, actor, toApply);
    for (const patientId of toApply) {
      const cents = left.get(patientId);
      if (cents === undefined) refundable.delete(patientId);
      else refundable.set(patientId, cents);
    }
  }

  const withOpenTask = new Set(
    (
      await trx
        .selectFrom('tasks')
        .select('patientId')
        .where('practiceId', '=', actor.practiceId)
        .where('patientId', 'in', patientIds)
        .where('type', '=', 'refund_owed')
        .where('status', '=', 'open')
        .execute()
    ).map((t) => t.patientId),
  );

  const rows: TaskTable[] = [];
  for (const patientId of patientIds) {
    const decision = decideRefundReview({
      claims: claimsOf.get(patientId) ?? [],
      unappliedCents: refundable.get(patientId) ?? 0,
      asOf,
      days,
      hasOpenTask: withOpenTask.has(patientId),
    });
    if (!decision.due) continue;
    rows.push({
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
    });
  }
  if (rows.length === 0) return [];

  await insertRows(trx, 'tasks', rows);
  const payloads = rows.map((row) => ({ id: row.id, patientId: row.patientId, type: row.type, status: row.status, amountCents: row.amountCents, dueDate: row.dueDate, asOf, days }));
  await recordAudits(
    trx,
    actor,
    payloads.map((payload) => ({ action: 'task.created', entityType: 'task', entityId: payload.id, after: payload })),
  );
  await enqueueEvents(
    trx,
    actor.practiceId,
    payloads.map((payload) => ({ type: 'task.created', payload })),
  );
  return rows.map((row) => ({ taskId: row.id, patientId: row.patientId, amountCents: row.amountCents, dueDate: row.dueDate }));
}

/**
 * Serialises reviews of these cases with one statement and returns the ids
 * it locked (the practice's own). On PostgreSQL the rows stay locked until
 * commit, so a concurrent run waits here and then (READ COMMITTED) reads the
 * tasks this one opened; they are locked in id order, so two runs whose
 * pages overlap cannot deadlock. (FOR NO KEY UPDATE is the lock a no-op
 * update takes: rows inserted elsewhere that refer to the patient, which
 * share-lock its key, are not held up.) On SQLite every transaction of
 * inTransaction began IMMEDIATE and holds the database's one write lock
 * already, so the ids are only read, each by its key: the unary + keeps
 * SQLite (no statistics) off the (practice, name) index, which walked every
 * patient of the practice for each page.
 */
async function lockPatients(trx: Trx, actor: Actor, candidates: readonly string[]): Promise<Set<string>> {
  const byId = trx.selectFrom('patients').select('id').where('id', 'in', candidates);
  const rows =
    trx.getExecutor().adapter instanceof PostgresAdapter
      ? await byId.where('practiceId', '=', actor.practiceId).orderBy('id').forNoKeyUpdate().execute()
      : await byId.where(sql<boolean>`+patients.practice_id = ${actor.practiceId}`).execute();
  return new Set(rows.map((r) => r.id));
}
