import { PostgresAdapter, sql, type Expression } from 'kysely';
import type { TaskTable } from '../../db/database.ts';
import { newId, nowIso } from '../../db/ids.ts';
import { rowsWrites } from '../../db/insert-rows.ts';
import { auditsWrites } from '../../db/repositories/audit.ts';
import { eventsWrites } from '../../db/repositories/outbox.ts';
import { inTransaction, type Db, type Trx } from '../../db/transaction.ts';
import { writeTogether } from '../../db/write-together.ts';
import { AppError } from '../../domain/errors.ts';
import { addCalendarDays, calendarDateToUtcMs } from '../../domain/refund-review/add-calendar-days.ts';
import { decideRefundReview, DEFAULT_REFUND_REVIEW_DAYS } from '../../domain/refund-review/decide-refund-review.ts';
import type { Actor } from '../actor.ts';
import { applyUnappliedFunds, balancesOpenToFunds, openToFunds } from '../applications/apply-unapplied-funds.ts';
import { receivedPayment, refundableCentsByPatient, refundableSum, refundableVisit } from './refundable-unapplied-funds.ts';
import { hasUnappliedCents, unappliedCents } from '../applications/unapplied-cents.ts';

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
/** A case's claims still with a payer. */
const pendingClaims = sql<number>`sum(case when claims.status = 'submitted' then 1 else 0 end)`;

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
  if (db.getExecutor().adapter instanceof PostgresAdapter) return postgresReview(db, actor, cutoff, pageSize, options, result);
  let after = '';
  for (;;) {
    if (options.signal?.aborted) return result;
    // Counted only once committed: a failure rolls the page back, and the next run reviews it again.
    const page = await inTransaction(db, async (trx) => {
      // Read inside the page's transaction, which began IMMEDIATE and holds SQLite's one write lock:
      // the facts cannot change before the page commits, so they are read once, with the candidates.
      const cases = await candidatePage(trx, actor, cutoff, after, pageSize).select(caseFacts(trx, actor)).execute();
      return { reviewed: cases.map((c) => c.patientId), created: await reviewPage(trx, actor, cases.map(parseFacts), options.asOf, days) };
    });
    if (page.reviewed.length === 0) return result;
    countPage(result, page);
    if (page.reviewed.length < pageSize) return result;
    after = page.reviewed[page.reviewed.length - 1]!;
  }
}

interface ReviewedPage {
  reviewed: readonly string[];
  created: readonly CreatedTask[];
}

function countPage(result: RefundReviewResult, page: ReviewedPage): void {
  result.reviewed += page.reviewed.length;
  result.tasksCreated += page.created.length;
  result.created.push(...page.created);
}

/**
 * PostgreSQL's pages: each page's candidates are found outside its transaction, and from the second page on, the
 * next page is under way while one finishes — its candidates read, its patients locked and its facts read on
 * connections of their own while this page decides and writes (other patients: no page waits for another's locks,
 * and each reads its facts under its own lock). Two pages at most, counted in patient order, each once committed.
 * The first page runs alone: the tasks it opened are analyzed before any other page is planned (the tasks table's
 * statistics predate the run — empty, on a first run — and with them PostgreSQL read every open refund task of the
 * practice for each case, through tasks_list, whose estimate tied with the patient's index); if it opened none, the
 * first page that does is analyzed after it.
 */
async function postgresReview(db: Db, actor: Actor, cutoff: string, pageSize: number, options: RefundReviewOptions, result: RefundReviewResult): Promise<RefundReviewResult> {
  const days = result.days;
  const candidatesAfter = (after: string) => unwaited(candidateIds(db, actor, cutoff, after, pageSize).execute().then((rows) => rows.map((r) => r.patientId)));
  const pageOf = (candidates: string[]) => unwaited(postgresPage(db, actor, candidates, options.asOf, days));

  if (options.signal?.aborted) return result;
  const first = await candidatesAfter('');
  if (first.length === 0) return result;
  const firstPage = await pageOf(first);
  countPage(result, firstPage);
  if (first.length < pageSize) return result;
  // Once a run, when a page has opened tasks and more pages follow (a run of one page needs nothing).
  let analyzed = false;
  const analyzeTasks = async (page: ReviewedPage) => {
    if (analyzed || page.created.length === 0) return;
    analyzed = true;
    await sql`analyze tasks`.execute(db);
  };
  await analyzeTasks(firstPage);

  let next: Promise<string[]> | undefined = candidatesAfter(first[first.length - 1]!);
  let previous: Promise<ReviewedPage> | undefined;
  while (next && !options.signal?.aborted) {
    const candidates: string[] = await next;
    if (candidates.length === 0) break;
    next = candidates.length < pageSize ? undefined : candidatesAfter(candidates[candidates.length - 1]!);
    const page = pageOf(candidates);
    if (previous) {
      const done = await previous;
      countPage(result, done);
      await analyzeTasks(done);
    }
    previous = page;
  }
  if (previous) countPage(result, await previous);
  return result;
}

/** A promise started ahead of its use: if the run stops or fails before it is awaited, its failure is nobody's. */
function unwaited<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/**
 * PostgreSQL: the page's candidates (found outside its transaction) are
 * locked, then their facts read by id under the lock (pageFacts) — the same
 * facts as SQLite's one read, without the candidates' filters, so a case
 * that changed in between is decided on what it is now — and whether the
 * case holds money, the candidates' last test, read here with the facts
 * from the same index entries (ADR 0060). Reviewed: the cases holding money.
 */
async function postgresPage(db: Db, actor: Actor, candidates: readonly string[], asOf: string, days: number): Promise<ReviewedPage> {
  return inTransaction(db, async (trx) => {
    const locked = await lockPatients(trx, actor, candidates);
    if (locked.length === 0) return { reviewed: [], created: [] };
    const cases = (await pageFacts(trx, actor, locked).execute()).map(parseFacts);
    return { reviewed: cases.map((c) => c.patientId), created: await reviewPage(trx, actor, cases, asOf, days) };
  });
}

/**
 * PostgreSQL: the facts of caseFacts for a page of locked patients, read set-wise (ADR 0062), only for the cases
 * holding money (a received payment with some of it unapplied): each patient's money-holding payments once
 * (payments_patient_status, whose entries carry the amounts and the visit) and each patient's visits once
 * (treatments_patient), joined by the visit's id in memory. Per case, caseFacts read each payment's visit again
 * by its key (~4 a case, the same visit each time), the patient's visits again for the open-balance test and the
 * payments again for the money test: a third of a page's buffers. A payment whose visit is another patient's
 * (create-payment refuses it; nothing in the schema does) still finds it, by its key.
 */
function pageFacts(trx: Trx, actor: Actor, ids: readonly string[]) {
  const { practiceId } = actor;
  const elsewhere = trx.selectFrom('treatments as elsewhere').select('elsewhere.insuranceStatus').where(sql<boolean>`${sql.ref('elsewhere.id')} = ${sql.ref('funds.treatmentId')}`);
  return trx
    .with('funds', (db) =>
      db
        .selectFrom('payments')
        .select(['payments.patientId', 'payments.treatmentId', unappliedCents.as('unapplied')])
        .where('payments.practiceId', '=', practiceId)
        .where(anyOf('payments.patientId', ids))
        .where(receivedPayment())
        .where(hasUnappliedCents),
    )
    .with('visits', (db) =>
      db
        .selectFrom('treatments')
        .select(['treatments.id', 'treatments.patientId', 'treatments.insuranceStatus', openToFunds.as('open')])
        .where('treatments.practiceId', '=', practiceId)
        .where(anyOf('treatments.patientId', ids)),
    )
    .with('money', (db) =>
      db
        .selectFrom('funds')
        .leftJoin('visits', 'visits.id', 'funds.treatmentId')
        .select([
          'funds.patientId',
          sql<number | string | null>`sum(${sql.ref('funds.unapplied')}) filter (where ${refundableVisit(sql.ref('funds.treatmentId'), sql`coalesce(${sql.ref('visits.insuranceStatus')}, (${elsewhere}))`)})`.as('refundableCents'),
        ])
        .groupBy('funds.patientId'),
    )
    .with('balances', (db) => db.selectFrom('visits').select(['visits.patientId', sql<boolean>`bool_or(${sql.ref('visits.open')})`.as('hasOpenBalance')]).groupBy('visits.patientId'))
    .with('cases', () => casesOf(trx, actor).where(anyOf('claims.patientId', ids)).select([pendingClaims.as('pendingClaims'), sql<string>`max(${finishedOn})`.as('lastFinished')]))
    .selectFrom('cases')
    .innerJoin('money', 'money.patientId', 'cases.patientId')
    .leftJoin('balances', 'balances.patientId', 'cases.patientId')
    .select([
      'cases.patientId',
      'cases.pendingClaims',
      'cases.lastFinished',
      'money.refundableCents',
      sql<boolean>`coalesce(${sql.ref('balances.hasOpenBalance')}, false)`.as('hasOpenBalance'),
      anyRow(openRefundTask(trx, actor, sql.ref('cases.patientId'))).as('hasOpenTask'),
    ])
    .orderBy('cases.patientId');
}

/** A case: a patient and their claims, one group a patient (claims_patient: practice, patient). */
function casesOf(db: Db, actor: Actor) {
  return db.selectFrom('claims').select('claims.patientId').where('claims.practiceId', '=', actor.practiceId).groupBy('claims.patientId');
}

/**
 * The facts a case is decided on, as columns of its group: its claims (how
 * many are pending, the day the last was finished), its refundable funds
 * (the rule of refundable-unapplied-funds.ts, summed), whether it has a
 * balance the posting path would pay from them, and whether a refund-owed
 * task is open. Correlated subqueries: each patient's rows are read
 * together, once, by the (practice, patient, …) indexes.
 */
function caseFacts(db: Db, actor: Actor) {
  const patient = sql.ref('claims.patientId');
  return [
    pendingClaims.as('pendingClaims'),
    sql<string>`max(${finishedOn})`.as('lastFinished'),
    sql<number | string | null>`${refundableSum(db, actor, patient)}`.as('refundableCents'),
    anyRow(balancesOpenToFunds(db, actor, patient)).as('hasOpenBalance'),
    anyRow(openRefundTask(db, actor, patient)).as('hasOpenTask'),
  ] as const;
}

interface CaseFacts {
  patientId: string;
  pendingClaims: number;
  lastFinished: string;
  refundableCents: number;
  hasOpenBalance: boolean;
  hasOpenTask: boolean;
}

/** The row as both databases return it (SQLite: 0/1 for a truth value; PostgreSQL: a bigint sum may come as text). */
function parseFacts(row: { patientId: string; pendingClaims: number; lastFinished: string; refundableCents: number | string | null; hasOpenBalance: boolean | number; hasOpenTask: boolean | number }): CaseFacts {
  return {
    patientId: row.patientId,
    pendingClaims: Number(row.pendingClaims),
    lastFinished: row.lastFinished,
    refundableCents: Number(row.refundableCents ?? 0),
    hasOpenBalance: Boolean(Number(row.hasOpenBalance)),
    hasOpenTask: Boolean(Number(row.hasOpenTask)),
  };
}

/**
 * Whether a per-patient query finds a row, as a scalar subquery that stops at its first: PostgreSQL may run an
 * EXISTS as a hashed subplan that reads every such row of the practice on each page (the treatments with a
 * balance, the open refund tasks: quadratic over a run, ADR 0060); a scalar subquery it runs case by case, by
 * the patient's index.
 */
function anyRow(query: { limit(limit: number): Expression<unknown> }) {
  return sql<boolean | number>`((${query.limit(1)}) is not null)`;
}

function openRefundTask(db: Db, actor: Actor, patient: Expression<unknown>) {
  return db
    .selectFrom('tasks')
    .select(sql`1`.as('one'))
    .where('tasks.practiceId', '=', actor.practiceId)
    .where(sql<boolean>`${sql.ref('tasks.patientId')} = ${patient}`)
    .where('tasks.type', '=', 'refund_owed')
    .where('tasks.status', '=', 'open');
}

/** Money the case holds: a received payment with some of it unapplied (held for a visit or not). */
function holdsMoney(db: Db, actor: Actor, patient: Expression<unknown>) {
  return db
    .selectFrom('payments')
    .select(sql`1`.as('one'))
    .where('payments.practiceId', '=', actor.practiceId)
    .where(sql<boolean>`${sql.ref('payments.patientId')} = ${patient}`)
    .where(receivedPayment())
    .where(hasUnappliedCents);
}

/**
 * The next page of candidates after `after`, in patient id order: cases
 * whose claims are all finished by the cut-off, holding money, with no open
 * refund-owed task. SQLite's page reads them, with their facts, inside its
 * transaction; PostgreSQL finds its pages with candidateIds.
 */
function candidatePage(db: Db, actor: Actor, cutoff: string, after: string, pageSize: number) {
  const patient = sql.ref('claims.patientId');
  return casesOf(db, actor)
    .where('claims.patientId', '>', after)
    .having(sql<boolean>`${pendingClaims} = 0`)
    .having(sql<boolean>`max(${finishedOn}) <= ${cutoff}`)
    // Only cases holding money, and without an open task.
    .having(sql<boolean>`exists ${holdsMoney(db, actor, patient)}`)
    .having(sql<boolean>`not exists ${openRefundTask(db, actor, patient)}`)
    .orderBy('claims.patientId')
    .limit(pageSize);
}

/**
 * PostgreSQL: the next page of candidate ids, by candidatePage's tests except whether the case holds money (read
 * under the page's lock with its facts, from the same index entries: read here too, each patient's payments
 * were read twice a page, ADR 0060). Made so that its plan walks the cases in patient order (claims_patient) and
 * stops at the page's last: as HAVING, the tests' selectivity is guessed so low that PostgreSQL expects to need
 * every case of the practice for one page, and may hash them all — each page reading every case after it,
 * quadratic over a run. Here they are a column of the groups, behind `offset 0` (which keeps PostgreSQL from
 * pushing the filter back into HAVING), so the page's LIMIT is planned as a small fraction of the groups; the
 * open-task test is a scalar subquery, run only for the groups the page reads.
 */
function candidateIds(db: Db, actor: Actor, cutoff: string, after: string, pageSize: number) {
  const patient = sql.ref('claims.patientId');
  const cases = casesOf(db, actor)
    .where('claims.patientId', '>', after)
    .select(
      sql<boolean>`${pendingClaims} = 0 and max(${finishedOn}) <= ${cutoff} and not ${anyRow(openRefundTask(db, actor, patient))}`.as('isCandidate'),
    )
    .orderBy('claims.patientId')
    .offset(0);
  return db.selectFrom(cases.as('cases')).select('cases.patientId').where('cases.isCandidate', '=', true).orderBy('cases.patientId').limit(pageSize);
}

/**
 * Reviews one page of cases inside its transaction: the posting path for
 * the few cases it has money to apply (and their refundable sums read
 * again), then the one rule per case, then the page's tasks, audit rows and
 * events as one insert each. Returns the tasks it opened, in patient order.
 */
async function reviewPage(trx: Trx, actor: Actor, cases: CaseFacts[], asOf: string, days: number): Promise<CreatedTask[]> {
  // Money that can still go to a balance does, before anything is called owed: through the one posting path,
  // but only for the patients it would act on (refundable funds and an open balance).
  const toApply = cases.filter((c) => c.refundableCents > 0 && c.hasOpenBalance);
  if (toApply.length > 0) {
    for (const c of toApply) await applyUnappliedFunds(trx, actor, c.patientId, null);
    const left = await refundableCentsByPatient(
      trx,
      actor,
      toApply.map((c) => c.patientId),
    );
    for (const c of toApply) c.refundableCents = left.get(c.patientId) ?? 0;
  }

  const rows: TaskTable[] = [];
  for (const c of cases) {
    const decision = decideRefundReview({
      // The claims as the rule reads them: pending, or the last one finished (the others cannot change its answer).
      claims: [{ processedDate: c.pendingClaims > 0 ? null : c.lastFinished }],
      unappliedCents: c.refundableCents,
      asOf,
      days,
      hasOpenTask: c.hasOpenTask,
    });
    if (!decision.due) continue;
    rows.push({
      id: newId(),
      practiceId: actor.practiceId,
      patientId: c.patientId,
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

  const payloads = rows.map((row) => ({ id: row.id, patientId: row.patientId, type: row.type, status: row.status, amountCents: row.amountCents, dueDate: row.dueDate, asOf, days }));
  // The tasks, their audit rows and their events: on PostgreSQL one statement, one round trip (ADR 0062).
  await writeTogether(trx, [
    ...rowsWrites(trx, 'tasks', rows),
    ...auditsWrites(
      trx,
      actor,
      payloads.map((payload) => ({ action: 'task.created', entityType: 'task', entityId: payload.id, after: payload })),
    ),
    ...eventsWrites(
      trx,
      actor.practiceId,
      payloads.map((payload) => ({ type: 'task.created', payload })),
    ),
  ]);
  return rows.map((row) => ({ taskId: row.id, patientId: row.patientId, amountCents: row.amountCents, dueDate: row.dueDate }));
}

/**
 * PostgreSQL: locks the page's patients (the practice's own) until commit
 * and returns their ids, so a concurrent run waits here and then (READ
 * COMMITTED) reads the tasks this one opened; they are locked in id order,
 * so two runs whose pages overlap cannot deadlock. (FOR NO KEY UPDATE is the
 * lock a no-op update takes: rows inserted elsewhere that refer to the
 * patient, which share-lock its key, are not held up.)
 */
async function lockPatients(trx: Trx, actor: Actor, candidates: readonly string[]): Promise<string[]> {
  const rows = await trx.selectFrom('patients').select('id').where(anyOf('patients.id', candidates)).where('practiceId', '=', actor.practiceId).orderBy('id').forNoKeyUpdate().execute();
  return rows.map((r) => r.id);
}

/**
 * PostgreSQL: `column = any($1)`, the page's ids as one array parameter — not an IN list of 1,000 parameters, each
 * a node for Kysely to build and compile and a value for the driver to bind (ADR 0060). The same plans: a
 * scalar-array condition on the patient's index.
 */
function anyOf(column: 'claims.patientId' | 'patients.id' | 'payments.patientId' | 'treatments.patientId', ids: readonly string[]) {
  return sql<boolean>`${sql.ref(column)} = any(${ids})`;
}
