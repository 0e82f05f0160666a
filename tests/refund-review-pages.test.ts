import { sql } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { newId, nowIso } from '../src/db/ids.ts';
import { recordAudit, recordAudits } from '../src/db/repositories/audit.ts';
import { enqueueEvent, enqueueEvents } from '../src/db/repositories/outbox.ts';
import { inTransaction } from '../src/db/transaction.ts';
import type { Actor } from '../src/services/actor.ts';
import { createApiToken } from '../src/services/auth/create-api-token.ts';
import { createPractice } from '../src/services/practices/create-practice.ts';
import { runRefundReview, type RefundReviewResult } from '../src/services/tasks/run-refund-review.ts';
import { patientAccounts } from './helpers/ledger-accounts.ts';
import { makeReviewCase } from './helpers/review-cases.ts';
import { statementsOf } from './helpers/statement-counter.ts';
import { useTestApp } from './helpers/test-app.ts';
import { dialects } from './helpers/test-database.ts';

/**
 * The refund review a page at a time (ADR 0032): one lock statement, one
 * read each of the page's claims, refundable funds and open tasks, the
 * posting path only for cases it has money to apply, multi-row inserts of
 * the tasks, their audit rows and their outbox events. Each test works in a
 * practice of its own, so the review's result is exactly its cases.
 */
describe.each(dialects)('refund review, set-wise by page, on %s', (dialect) => {
  const t = useTestApp(dialect);
  const db = () => t.database.handle.db;
  let practices = 0;

  /** A practice of its own and an admin token's actor in it (the actor the audit rows name). */
  async function practiceActor(): Promise<Actor> {
    const practice = await createPractice(db(), { slug: `review-pages-${++practices}`, name: `Review Pages ${practices}` });
    const { id } = await createApiToken(db(), { practiceId: practice.id, kind: 'cli', id: 'cli', name: 'ledger CLI', role: 'admin' }, { role: 'admin' });
    return { practiceId: practice.id, kind: 'token', id, name: 'admin token', role: 'admin' };
  }

  const asOf = '2026-06-01';
  const sorted = (result: RefundReviewResult) => [...result.created].sort((a, b) => (a.patientId < b.patientId ? -1 : 1));
  const openTasks = (actor: Actor) =>
    db().selectFrom('tasks').selectAll().where('practiceId', '=', actor.practiceId).where('type', '=', 'refund_owed').where('status', '=', 'open').orderBy('patientId').execute();
  const activeApplications = async (patientId: string) =>
    (await db().selectFrom('applications').select(['paymentId', 'treatmentId', 'amountCents']).where('patientId', '=', patientId).where('removedAt', 'is', null).execute()).map((a) => ({
      ...a,
      amountCents: Number(a.amountCents),
    }));
  const openBalance = async (treatmentId: string) => {
    const row = await db().selectFrom('treatments').select(['patientResponsibilityCents', 'appliedCents']).where('id', '=', treatmentId).executeTakeFirstOrThrow();
    return Number(row.patientResponsibilityCents) - Number(row.appliedCents);
  };

  it.each([{ pageSize: undefined }, { pageSize: 2 }, { pageSize: 1 }])(
    'a page mixing every kind of case (page size $pageSize): funds go to balances through the posting path first, to the cent per account',
    async ({ pageSize }) => {
      const actor = await practiceActor();
      // Already has an open task from an earlier run: never a second.
      const withTask = await makeReviewCase(db(), actor, { prepayCents: 2500 });
      const earlier = await runRefundReview(db(), actor, { asOf, days: 45 });
      expect(earlier.created).toEqual([expect.objectContaining({ patientId: withTask.patient.id, amountCents: 2500 })]);

      // $50.00 unapplied and a $20.00 balance: $20.00 applies, $30.00 is owed.
      const partly = await makeReviewCase(db(), actor, { prepayCents: 5000, prCents: 2000, unapply: true });
      // $15.00 unapplied and a $40.00 balance: all of it applies, nothing is owed.
      const whollyApplied = await makeReviewCase(db(), actor, { prepayCents: 1500, prCents: 4000, unapply: true });
      // $30.00 unapplied, no balance: owed as it is.
      const noBalance = await makeReviewCase(db(), actor, { prepayCents: 3000 });
      // A $20.00 balance and a $40.00 copay held for a visit not yet billed: the copay is not the review's to apply.
      const held = await makeReviewCase(db(), actor, { prepayCents: 0, prCents: 2000, heldCopayCents: 4000 });
      // A claim still with the payer; a claim finished after the cut-off (2026-04-17).
      const pending = await makeReviewCase(db(), actor, { prepayCents: 3000, pendingClaim: true });
      const late = await makeReviewCase(db(), actor, { prepayCents: 3000, processedDate: '2026-05-01' });
      await t.expectLedgerBalances();

      const before = {
        partly: await patientAccounts(db(), partly.patient.id),
        whollyApplied: await patientAccounts(db(), whollyApplied.patient.id),
        held: await patientAccounts(db(), held.patient.id),
      };
      expect(before.partly).toEqual({ cash_clearing: 5000, patient_receivable: 2000, patient_unapplied: -5000, patient_credit: 0 });
      expect(before.whollyApplied).toEqual({ cash_clearing: 1500, patient_receivable: 4000, patient_unapplied: -1500, patient_credit: 0 });
      expect(before.held).toEqual({ cash_clearing: 4000, patient_receivable: 2000, patient_unapplied: -4000, patient_credit: 0 });

      const result = await runRefundReview(db(), actor, { asOf, days: 45, pageSize });
      // Reviewed: the four candidates (not the open task's case, the pending claim's or the late one's).
      expect(result).toMatchObject({ asOf, days: 45, reviewed: 4, tasksCreated: 2 });
      expect(sorted(result)).toEqual(
        [
          { taskId: expect.any(String), patientId: partly.patient.id, amountCents: 3000, dueDate: '2026-05-16' },
          { taskId: expect.any(String), patientId: noBalance.patient.id, amountCents: 3000, dueDate: '2026-05-16' },
        ].sort((a, b) => (a.patientId < b.patientId ? -1 : 1)),
      );
      // Tasks listed in patient order, as the pages run.
      expect(result.created.map((c) => c.patientId)).toEqual(sorted(result).map((c) => c.patientId));

      // Applied once each, through applyPayment: an application record and its journal entry.
      expect(await activeApplications(partly.patient.id)).toEqual([{ paymentId: partly.payment.id, treatmentId: partly.visit.id, amountCents: 2000 }]);
      expect(await activeApplications(whollyApplied.patient.id)).toEqual([{ paymentId: whollyApplied.payment.id, treatmentId: whollyApplied.visit.id, amountCents: 1500 }]);
      expect(await activeApplications(noBalance.patient.id)).toEqual([]);
      expect(await activeApplications(held.patient.id)).toEqual([]);
      expect(await patientAccounts(db(), partly.patient.id)).toEqual({ cash_clearing: 5000, patient_receivable: 0, patient_unapplied: -3000, patient_credit: 0 });
      expect(await patientAccounts(db(), whollyApplied.patient.id)).toEqual({ cash_clearing: 1500, patient_receivable: 2500, patient_unapplied: 0, patient_credit: 0 });
      expect(await patientAccounts(db(), noBalance.patient.id)).toEqual({ cash_clearing: 3000, patient_receivable: 0, patient_unapplied: -3000, patient_credit: 0 });
      expect(await patientAccounts(db(), held.patient.id)).toEqual(before.held);
      expect(await openBalance(partly.visit.id)).toBe(0);
      expect(await openBalance(whollyApplied.visit.id)).toBe(2500);
      expect(await openBalance(held.visit.id)).toBe(2000);

      // One open task per case, the earlier one untouched; none for the pending, late or held cases.
      const tasks = await openTasks(actor);
      expect(tasks.map((task) => [task.patientId, Number(task.amountCents), task.dueDate]).sort()).toEqual(
        [
          [withTask.patient.id, 2500, '2026-05-16'],
          [partly.patient.id, 3000, '2026-05-16'],
          [noBalance.patient.id, 3000, '2026-05-16'],
        ].sort(),
      );
      expect(tasks.find((task) => task.patientId === withTask.patient.id)!.id).toBe(earlier.created[0]!.taskId);
      for (const c of [pending, late, held, whollyApplied]) expect(tasks.filter((task) => task.patientId === c.patient.id)).toEqual([]);
      await t.expectLedgerBalances();

      // Nothing more on a second run, whatever the page size: only the held copay's case is looked at again.
      expect(await runRefundReview(db(), actor, { asOf, days: 45, pageSize: 1 })).toMatchObject({ reviewed: 1, tasksCreated: 0, created: [] });
      expect(await activeApplications(held.patient.id)).toEqual([]);
    },
  );

  it('a payment whose visit is another patient\'s, on another page, is read as before: by its visit (the schema allows it)', async () => {
    const actor = await practiceActor();
    const owner = await makeReviewCase(db(), actor, { prepayCents: 0, heldCopayCents: 4000 });
    const other = await makeReviewCase(db(), actor, { prepayCents: 1000 });
    const copayVisit = await db().selectFrom('payments').select('treatmentId').where('id', '=', owner.copay!.id).executeTakeFirstOrThrow();
    // create-payment refuses a visit of another patient; nothing in the schema does. Held for a visit awaiting
    // the payers: not owed; for one that is not: owed.
    await db().updateTable('payments').set({ treatmentId: copayVisit.treatmentId }).where('id', '=', other.payment.id).execute();
    expect(await runRefundReview(db(), actor, { asOf, days: 45, pageSize: 1 })).toMatchObject({ reviewed: 2, tasksCreated: 0, created: [] });
    await db().updateTable('payments').set({ treatmentId: owner.visit.id }).where('id', '=', other.payment.id).execute();
    expect(await runRefundReview(db(), actor, { asOf, days: 45, pageSize: 1 })).toMatchObject({ tasksCreated: 1, created: [expect.objectContaining({ patientId: other.patient.id, amountCents: 1000 })] });
    // Back as the journal has it, for the ledger check after the tests.
    await db().updateTable('payments').set({ treatmentId: null }).where('id', '=', other.payment.id).execute();
  });

  it('each task gets the one task row, audit row and outbox event it always had', async () => {
    const actor = await practiceActor();
    const cases = [await makeReviewCase(db(), actor, { prepayCents: 1234 }), await makeReviewCase(db(), actor, { prepayCents: 5678, prCents: 1000, unapply: true })];
    const result = await runRefundReview(db(), actor, { asOf, days: 45, pageSize: 2 });
    expect(result.tasksCreated).toBe(2);
    for (const created of result.created) {
      const amountCents = created.patientId === cases[0]!.patient.id ? 1234 : 4678;
      const task = await db().selectFrom('tasks').selectAll().where('id', '=', created.taskId).executeTakeFirstOrThrow();
      expect({ ...task, amountCents: Number(task.amountCents) }).toEqual({
        id: created.taskId,
        practiceId: actor.practiceId,
        patientId: created.patientId,
        type: 'refund_owed',
        status: 'open',
        amountCents,
        dueDate: '2026-05-16',
        createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
        resolvedAt: null,
        resolvedBy: null,
        resolution: null,
      });
      const payload = { id: created.taskId, patientId: created.patientId, type: 'refund_owed', status: 'open', amountCents, dueDate: '2026-05-16', asOf, days: 45 };
      const audit = await db().selectFrom('auditEvents').selectAll().where('entityId', '=', created.taskId).execute();
      expect(audit).toEqual([
        {
          id: expect.any(String),
          practiceId: actor.practiceId,
          actorType: 'token',
          actorId: actor.id,
          action: 'task.created',
          entityType: 'task',
          entityId: created.taskId,
          before: null,
          after: JSON.stringify(payload),
          createdAt: expect.any(String),
        },
      ]);
      const events = await db().selectFrom('outboxEvents').selectAll().where('type', '=', 'task.created').where('payload', 'like', `%${created.taskId}%`).execute();
      expect(events.map((e) => ({ ...e, attempts: Number(e.attempts) }))).toEqual([
        { id: expect.any(String), practiceId: actor.practiceId, type: 'task.created', payload: JSON.stringify(payload), createdAt: expect.any(String), deliveredAt: null, attempts: 0 },
      ]);
    }
  });

  it('many pages: every case reviewed once, tasks in patient order; a stop between pages keeps what committed', async () => {
    const actor = await practiceActor();
    const cases = [];
    for (let i = 0; i < 5; i++) cases.push(await makeReviewCase(db(), actor, { prepayCents: 1000 + i }));
    const ids = cases.map((c) => c.patient.id).sort();

    // Stopped after the first page (the server shutting down): that page's tasks stand.
    let checks = 0;
    const stopAfterOnePage = { get aborted() { return checks++ > 0; } } as AbortSignal;
    const stopped = await runRefundReview(db(), actor, { asOf, days: 45, pageSize: 2, signal: stopAfterOnePage });
    expect(stopped).toMatchObject({ reviewed: 2, tasksCreated: 2 });
    expect(stopped.created.map((c) => c.patientId)).toEqual(ids.slice(0, 2));

    const rest = await runRefundReview(db(), actor, { asOf, days: 45, pageSize: 2 });
    expect(rest).toMatchObject({ reviewed: 3, tasksCreated: 3 });
    expect(rest.created.map((c) => c.patientId)).toEqual(ids.slice(2));
    const amounts = Object.fromEntries(cases.map((c, i) => [c.patient.id, 1000 + i]));
    for (const created of [...stopped.created, ...rest.created]) expect(created.amountCents).toBe(amounts[created.patientId]);
    expect((await openTasks(actor)).map((task) => task.patientId)).toEqual(ids);

    // Already stopped before the first page: nothing.
    const aborted = new AbortController();
    aborted.abort();
    expect(await runRefundReview(db(), actor, { asOf, days: 45, signal: aborted.signal })).toMatchObject({ reviewed: 0, tasksCreated: 0 });
    await t.expectLedgerBalances();
  });

  it('refuses a page size it cannot bind', async () => {
    const actor = await practiceActor();
    for (const pageSize of [0, -1, 1.5, 10_001]) {
      await expect(runRefundReview(db(), actor, { asOf, pageSize })).rejects.toMatchObject({ code: 'validation_failed' });
    }
  });

  it('recordAudits and enqueueEvents write exactly the rows recordAudit and enqueueEvent write', async () => {
    const actor = await practiceActor();
    const change = { action: 'probe.changed', entityType: 'probe', entityId: 'one', before: { a: 1 }, after: { a: 2, b: ['x'] } };
    await inTransaction(db(), async (trx) => {
      await recordAudit(trx, actor, change);
      await recordAudits(trx, actor, [{ ...change, entityId: 'two' }, { action: 'probe.created', entityType: 'probe', entityId: 'three', after: 'text' }]);
      await recordAudits(trx, actor, []);
      await enqueueEvent(trx, actor.practiceId, 'probe.one', { n: 1 });
      await enqueueEvents(trx, actor.practiceId, [{ type: 'probe.two', payload: { n: 1 } }, { type: 'probe.three', payload: [null] }]);
      await enqueueEvents(trx, actor.practiceId, []);
    });
    const audit = await db().selectFrom('auditEvents').selectAll().where('practiceId', '=', actor.practiceId).where('entityType', '=', 'probe').execute();
    const byEntity = Object.fromEntries(audit.map(({ id: _id, createdAt: _at, ...row }) => [row.entityId, row]));
    expect(Object.keys(byEntity).sort()).toEqual(['one', 'three', 'two']);
    expect(byEntity.two).toEqual({ ...byEntity.one, entityId: 'two' });
    expect(byEntity.one).toEqual({ practiceId: actor.practiceId, actorType: 'token', actorId: actor.id, action: 'probe.changed', entityType: 'probe', entityId: 'one', before: '{"a":1}', after: '{"a":2,"b":["x"]}' });
    expect(byEntity.three).toMatchObject({ before: null, after: '"text"' });
    expect(new Set(audit.map((a) => a.id)).size).toBe(3);

    const events = await db().selectFrom('outboxEvents').selectAll().where('practiceId', '=', actor.practiceId).where('type', 'like', 'probe.%').execute();
    const byType = Object.fromEntries(events.map(({ id: _id, createdAt: _at, ...row }) => [row.type, { ...row, attempts: Number(row.attempts) }]));
    expect(byType['probe.two']).toEqual({ ...byType['probe.one'], type: 'probe.two' });
    expect(byType['probe.one']).toEqual({ practiceId: actor.practiceId, type: 'probe.one', payload: '{"n":1}', deliveredAt: null, attempts: 0 });
    expect(byType['probe.three']).toMatchObject({ payload: '[null]', deliveredAt: null });
    for (const row of [...audit, ...events]) expect(row.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('insertRows writes a table in statements whose texts do not depend on the exact number of rows (ADR 0052, 0056)', async () => {
    const actor = await practiceActor();
    const change = (n: number) => ({ action: 'probe.changed', entityType: 'probe', entityId: `row-${n}`, after: { n } });
    const { statements } = await statementsOf(dialect, () =>
      inTransaction(db(), async (trx) => {
        await recordAudits(trx, actor, [change(1)]);
        await recordAudits(trx, actor, [change(2), change(3), change(4)]);
      }),
    );
    const inserts = statements.filter((s) => /^insert into "audit_events"/.test(s));
    if (dialect === 'postgres') {
      // One statement a write, the rows as one JSON parameter.
      expect(inserts).toHaveLength(2);
      expect(inserts[1]).toBe(inserts[0]);
    } else {
      // Power-of-two parts, largest first: 1 row, then 2 + 1 — the one-row text made and compiled once.
      expect(inserts).toHaveLength(3);
      expect(inserts[2]).toBe(inserts[0]);
      expect(inserts[1]).toMatch(/values \(\?(, \?)*\), \(\?(, \?)*\)$/);
    }
    const audit = await db().selectFrom('auditEvents').select(['entityId', 'after']).where('practiceId', '=', actor.practiceId).where('entityType', '=', 'probe').orderBy('entityId').execute();
    expect(audit).toEqual([1, 2, 3, 4].map((n) => ({ entityId: `row-${n}`, after: JSON.stringify({ n }) })));
  });

  it.runIf(dialect === 'postgres')('PostgreSQL connections never JIT-compile: the candidate query would compile for each page (ADR 0043)', async () => {
    // Its estimate (a LIMIT over filtered groups) passes jit_above_cost by far: ~1 s of compiling a page for ~0.1 s of work.
    const settings = await Promise.all([1, 2, 3].map(() => sql<{ jit: string }>`show jit`.execute(db())));
    expect(settings.map((s) => s.rows[0]!.jit)).toEqual(['off', 'off', 'off']);
  });

  it.runIf(dialect === 'postgres')('PostgreSQL reads a page so that no plan walks the practice: candidates stop at the page, no test is hashed, facts set-wise, writes in one statement (ADR 0060, 0062)', async () => {
    const actor = await practiceActor();
    const cases = [];
    for (let i = 0; i < 3; i++) cases.push(await makeReviewCase(db(), actor, { prepayCents: 1000 + i }));
    const { result, statements } = await statementsOf(dialect, () => runRefundReview(db(), actor, { asOf, days: 45, pageSize: 1 }));
    expect(result).toMatchObject({ reviewed: 3, tasksCreated: 3 });
    expect(result.created.map((c) => c.patientId)).toEqual(cases.map((c) => c.patient.id).sort());

    const reads = statements.filter((s) => /^(select "(cases|claims|id)"|with "funds")/.test(s));
    // The candidates: their tests a column of each case behind `offset` (as HAVING, PostgreSQL hashed every case of
    // the practice for each page), read before each page and once more to find there is no next one.
    const candidates = reads.filter((s) => /^select "cases"\."patient_id" from \(select "claims"\."patient_id", .* as "is_candidate" from "claims" .* offset \$\d+\) as "cases" where "cases"\."is_candidate" = \$\d+ order by "cases"\."patient_id" limit \$\d+$/.test(s));
    expect(candidates).toHaveLength(4);
    // Each page's lock and facts, by the ids as one array parameter.
    expect(reads.filter((s) => /^select "id" from "patients" where "patients"\."id" = any\(\$1\) .* for no key update$/.test(s))).toHaveLength(3);
    // The facts set-wise (ADR 0062): the page's money-holding payments once and its visits once, joined by the
    // visit's id — not each payment's visit by its key, nor the payments read again for whether a case holds money.
    const facts = reads.filter((s) => /^with "funds" as \(select .* from "payments" where "payments"\."practice_id" = \$\d+ and "payments"\."patient_id" = any\(\$\d+\) .*\), "visits" as \(select .* from "treatments" where "treatments"\."practice_id" = \$\d+ and "treatments"\."patient_id" = any\(\$\d+\)\), "money" as \(select .* from "funds" left join "visits" on "visits"\."id" = "funds"\."treatment_id" group by "funds"\."patient_id"\), .*"cases" as \(select "claims"\."patient_id", .* where "claims"\."practice_id" = \$\d+ and "claims"\."patient_id" = any\(\$\d+\) group by .* from "cases" inner join "money"/.test(s));
    expect(facts).toHaveLength(3);
    for (const read of facts) expect(read).not.toMatch(/join "treatments" on "treatments"\."id" = "payments"\."treatment_id"/);
    expect(reads).toHaveLength(10);
    // Per-case tests as scalar subqueries, never EXISTS: PostgreSQL may run an EXISTS as a hashed subplan that reads
    // every open task, or every treatment with a balance, of the practice on each page.
    for (const read of reads) expect(read).not.toMatch(/exists/);
    // A page's tasks, audit rows and events in one statement (writeTogether's WITH parts), one round trip a page.
    const writes = statements.filter((s) => /^(with .* )?insert into "(tasks|audit_events|outbox_events)"/.test(s));
    expect(writes).toHaveLength(3);
    for (const write of writes) expect(write).toMatch(/^with w0 as \(insert into "tasks" .*\), w1 as \(insert into "audit_events" .*\) insert into "outbox_events"/);
    // The tasks the first page opened are analyzed once, before the next page is planned.
    expect(statements.filter((s) => s === 'analyze tasks')).toHaveLength(1);
  });

  it.runIf(dialect === 'postgres')('a task another transaction opens while the page waits for its lock is seen: no second task', async () => {
    const actor = await practiceActor();
    const first = await makeReviewCase(db(), actor, { prepayCents: 1100 });
    const second = await makeReviewCase(db(), actor, { prepayCents: 2200, prCents: 700, unapply: true });
    const other = new pg.Client({ connectionString: t.database.databaseUrl });
    await other.connect();
    try {
      // Another review (another process) has locked the second case and opened its task, not yet committed.
      await other.query('begin');
      await other.query('select id from patients where id = $1 for no key update', [second.patient.id]);
      const theirs = newId();
      await other.query(
        `insert into tasks (id, practice_id, patient_id, type, status, amount_cents, due_date, created_at) values ($1, $2, $3, 'refund_owed', 'open', 1500, '2026-05-16', $4)`,
        [theirs, actor.practiceId, second.patient.id, nowIso()],
      );
      const run = runRefundReview(db(), actor, { asOf, days: 45 });
      // Our page's lock statement waits for that row (a wait for a state, not a timing). Inside its transaction
      // the other session would see the first pg_stat_activity snapshot it read for good: cleared on each look.
      const waiting = async () => {
        await other.query('select pg_stat_clear_snapshot()');
        return Number((await other.query(`select count(*) as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query ilike '%for no key update%'`)).rows[0].n) > 0;
      };
      for (let i = 0; i < 400 && !(await waiting()); i++) await new Promise((r) => setTimeout(r, 25));
      expect(await waiting()).toBe(true);
      await other.query('commit');

      const result = await run;
      expect(result).toMatchObject({ reviewed: 2, tasksCreated: 1 });
      expect(result.created).toEqual([expect.objectContaining({ patientId: first.patient.id, amountCents: 1100 })]);
      expect((await openTasks(actor)).map((task) => [task.patientId, task.id])).toEqual(
        [
          [first.patient.id, result.created[0]!.taskId],
          [second.patient.id, theirs],
        ].sort((a, b) => (a[0]! < b[0]! ? -1 : 1)),
      );
      // The second case's money still went to its balance first (under the lock), once.
      expect(await activeApplications(second.patient.id)).toEqual([{ paymentId: second.payment.id, treatmentId: second.visit.id, amountCents: 700 }]);
      expect(await patientAccounts(db(), second.patient.id)).toEqual({ cash_clearing: 2200, patient_receivable: 0, patient_unapplied: -1500, patient_credit: 0 });
    } finally {
      await other.end();
    }
    await t.expectLedgerBalances();
  });
});
