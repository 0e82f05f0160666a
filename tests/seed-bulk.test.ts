import fs from 'node:fs';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../src/services/actor.ts';
import { seedBulk } from '../src/services/demo/seed-bulk.ts';
import { verifyLedger } from '../src/services/ledger/verify-ledger.ts';
import { createPractice } from '../src/services/practices/create-practice.ts';
import { createTestDatabase, dialects, type TestDatabase } from './helpers/test-database.ts';
import { generate835 } from '../src/x12/generate-835.ts';
import { importRemittance } from '../src/services/remittance/import-remittance.ts';
import { runRefundReview } from '../src/services/tasks/run-refund-review.ts';
import { practiceDate } from '../src/services/practices/practice-settings.ts';
import { addCalendarDays } from '../src/domain/refund-review/add-calendar-days.ts';

// 10,000 rows is the smallest seed that takes the SQLite bulk path (indexes dropped and rebuilt).
const payments = 10_000;

describe.each(dialects)('ledger seed on %s', (dialect) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
  });
  afterAll(async () => database?.drop());

  // The schema as the migrations made it: what the seed drops and rebuilds (indexes, triggers) must come back the same.
  const schema = async () =>
    dialect === 'sqlite'
      ? (await sql<{ type: string; name: string; sql: string | null }>`select type, name, sql from sqlite_master order by type, name`.execute(database.handle.db)).rows
      : (
          await sql<{ type: string; name: string; sql: string }>`
            select 'index' as type, indexname as name, indexdef as sql from pg_indexes where schemaname = current_schema()
            union all
            select 'trigger', t.tgname, pg_get_triggerdef(t.oid) || ' enabled ' || t.tgenabled::text
            from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace where n.nspname = current_schema()
            union all
            select 'column', table_name || '.' || column_name, data_type || ' ' || coalesce(column_default, '') || ' ' || is_nullable
            from information_schema.columns where table_schema = current_schema()
            order by 1, 2`.execute(database.handle.db)
        ).rows;

  it('seeds in bulk with every payment in the journal to the cent, its schema as migrated (indexes, triggers), and verify clean', async () => {
    const db = database.handle.db;
    const { id: practiceId } = await createPractice(db, { slug: 'bulk', name: 'Bulk' });
    const actor: Actor = { practiceId, kind: 'system', id: 'test', name: 'Test', role: 'admin' };
    const before = await schema();

    // A seed that fails part-way leaves nothing behind on SQLite (one transaction, indexes included).
    let calls = 0;
    const failing = seedBulk(db, actor, { patients: 50, payments, dialect }, () => {
      if (++calls === 3) throw new Error('stop here');
    });
    await expect(failing).rejects.toThrow('stop here');
    expect(await schema()).toEqual(before);
    if (dialect === 'sqlite') {
      expect(await db.selectFrom('payments').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).toEqual({ n: 0 });
    }
    const already = Number((await db.selectFrom('payments').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

    await seedBulk(db, actor, { patients: 50, payments, dialect });
    expect(await schema()).toEqual(before);
    const paid = await db
      .selectFrom('payments')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('amountCents').as('cents')])
      .where('practiceId', '=', practiceId)
      .where('status', '=', 'paid')
      .executeTakeFirstOrThrow();
    const all = await db.selectFrom('payments').select((eb) => eb.fn.countAll<number>().as('n')).where('practiceId', '=', practiceId).executeTakeFirstOrThrow();
    expect(Number(all.n)).toBe(already + payments);
    expect(Number(paid.n)).toBeGreaterThan(payments / 4);
    // Every paid payment's money is in cash clearing and the patients' unapplied funds, to the cent.
    const byAccount = await db
      .selectFrom('journalLines')
      .innerJoin('payments', 'payments.id', 'journalLines.paymentId')
      .select((eb) => ['journalLines.account', eb.fn.sum<number>('journalLines.amountCents').as('cents')])
      .where('payments.practiceId', '=', practiceId)
      .groupBy('journalLines.account')
      .orderBy('journalLines.account')
      .execute();
    expect(byAccount.map((r) => ({ account: r.account, cents: Number(r.cents) }))).toEqual([
      { account: 'cash_clearing', cents: Number(paid.cents) },
      { account: 'patient_unapplied', cents: -Number(paid.cents) },
    ]);
    expect(await verifyLedger(db)).toEqual([]);
  }, 120_000);

  it('makes the same rows from the same seed as before its rows were made on a worker thread, numbered from the practice\'s sequence', async () => {
    const db = database.handle.db;
    const { id: practiceId } = await createPractice(db, { slug: 'same-rows', name: 'Same rows' });
    const actor: Actor = { practiceId, kind: 'system', id: 'test', name: 'Test', role: 'admin' };
    await seedBulk(db, actor, { patients: 50, payments: 200, claims: 50, dialect });
    // Figures of the seed (seed 7) taken from the generator as it was on the seed's own thread (ADR 0045).
    const first = await db.selectFrom('payments').select(['number', 'patientName', 'amountCents', 'status', 'type', 'method']).where('practiceId', '=', practiceId).orderBy('number').limit(4).execute();
    expect(first.map((p) => ({ ...p, number: Number(p.number), amountCents: Number(p.amountCents) }))).toEqual([
      { number: 1, patientName: 'lee, fatima', amountCents: 145087, status: 'processing', type: 'private_pay', method: 'card' },
      { number: 2, patientName: 'martin, sophia', amountCents: 9574, status: 'paid', type: 'treatment_prepayment', method: 'online' },
      { number: 3, patientName: 'schmidt, grace', amountCents: 23531, status: 'paid', type: 'private_pay', method: 'cash' },
      { number: 4, patientName: 'smith, chloe', amountCents: 195550, status: 'failed', type: 'private_pay', method: 'card' },
    ]);
    const all = await db
      .selectFrom('payments')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('amountCents').as('cents'), eb.fn.max<number>('number').as('last')])
      .where('practiceId', '=', practiceId)
      .executeTakeFirstOrThrow();
    expect({ n: Number(all.n), cents: Number(all.cents), last: Number(all.last) }).toEqual({ n: 200, cents: 19_007_831, last: 200 });
    const byAccount = await db
      .selectFrom('journalLines')
      .select((eb) => ['account', eb.fn.sum<number>('amountCents').as('cents')])
      .where('practiceId', '=', practiceId)
      .groupBy('account')
      .orderBy('account')
      .execute();
    // Charges: 450,500 cents of visits; the 74 paid payments: 7,352,231 cents received.
    expect(byAccount.map((r) => ({ account: r.account, cents: Number(r.cents) }))).toEqual([
      { account: 'cash_clearing', cents: 7_352_231 },
      { account: 'charges', cents: -450_500 },
      { account: 'insurance_receivable', cents: 450_500 },
      { account: 'patient_unapplied', cents: -7_352_231 },
    ]);
    const patients = await db.selectFrom('patients').select(['firstName', 'lastName']).where('practiceId', '=', practiceId).orderBy('accountId').limit(4).execute();
    expect(patients.map((p) => `${p.firstName} ${p.lastName}`)).toEqual(['Olivia Johnson', 'Jack Thompson', 'Mia Taylor', 'Elijah Martinez']);
    expect(await verifyLedger(db, { practiceId })).toEqual([]);
  }, 120_000);

  it.runIf(dialect === 'sqlite')('checks foreign keys once, at the end: a reference to a missing row rolls the whole seed back', async () => {
    const db = database.handle.db;
    const { id: practiceId } = await createPractice(db, { slug: 'dangling', name: 'Dangling' });
    const actor: Actor = { practiceId, kind: 'system', id: 'test', name: 'Test', role: 'admin' };
    const before = await schema();
    const count = async (table: 'payments' | 'patients') => Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where('practiceId', '=', practiceId).executeTakeFirstOrThrow()).n);
    // A journal line whose entry does not exist, as a damaged file might hold one: the seed's check finds it.
    await sql`pragma foreign_keys = off`.execute(db);
    await sql`insert into journal_lines (id, entry_id, practice_id, account, amount_cents) values ('dangling', 'no-such-entry', ${practiceId}, 'cash_clearing', 1)`.execute(db);
    await sql`pragma foreign_keys = on`.execute(db);
    try {
      await expect(seedBulk(db, actor, { patients: 50, payments, dialect })).rejects.toThrow('journal_lines');
      expect({ payments: await count('payments'), patients: await count('patients') }).toEqual({ payments: 0, patients: 0 });
      expect(await schema()).toEqual(before);
      // Checked row by row again once the seed is over.
      expect((await sql<{ foreignKeys: number }>`pragma foreign_keys`.execute(db)).rows).toEqual([{ foreignKeys: 1 }]);
    } finally {
      await sql`delete from journal_lines where id = 'dangling'`.execute(db);
    }
  }, 120_000);

  it('seeds insured patients whose claims a generated 835 posts, leaving refund-review cases, verify clean', async () => {
    const db = database.handle.db;
    const { id: practiceId } = await createPractice(db, { slug: 'insured', name: 'Insured' });
    const actor: Actor = { practiceId, kind: 'system', id: 'test', name: 'Test', role: 'admin' };
    await seedBulk(db, actor, { patients: 40, payments: 400, claims: 30, dialect });
    const claims = await db.selectFrom('claims').select(['controlNumber', 'status']).where('practiceId', '=', practiceId).orderBy('controlNumber').execute();
    expect(claims.map((c) => c.controlNumber)).toEqual(Array.from({ length: 30 }, (_, i) => `PL${String(i + 1).padStart(7, '0')}`));
    expect(new Set(claims.map((c) => c.status))).toEqual(new Set(['submitted']));
    expect(await verifyLedger(db, { practiceId })).toEqual([]);
    // Seeding claims twice into one practice is refused (their numbers would collide).
    await expect(seedBulk(db, actor, { patients: 5, payments: 0, claims: 5, dialect })).rejects.toThrow('already has claim PL0000001');

    // The generated 835's claims are these: processed or denied, paid 60 days ago.
    const today = await practiceDate(db, practiceId);
    const paid = addCalendarDays(today, -60).replaceAll('-', '');
    const first = generate835({ seed: 3, claims: 20, statuses: ['1', '2', '4', '19'], paymentDate: paid });
    const rest = generate835({ seed: 4, claims: 10, firstClaim: 20, statuses: ['1', '19'], paymentDate: paid });
    expect(first.text).toContain(`*${paid}~`);
    for (const file of [first, rest]) {
      const result = await importRemittance(db, actor, file.text);
      expect({ posted: result.postedCount, exceptions: result.exceptionCount }).toEqual({ posted: file.totals.claimCount, exceptions: 0 });
    }
    expect(await db.selectFrom('claims').select('id').where('practiceId', '=', practiceId).where('status', '=', 'submitted').execute()).toEqual([]);
    expect(await verifyLedger(db, { practiceId })).toEqual([]);

    // Each insured patient with money left over is a refund-review case.
    const review = await runRefundReview(db, actor, { asOf: today });
    expect(review.reviewed).toBeGreaterThanOrEqual(25);
    expect(review.tasksCreated).toBeGreaterThan(0);
    expect(await verifyLedger(db, { practiceId })).toEqual([]);
  }, 120_000);
  it('adds the dashboard totals and the name dictionary set-wise, as the triggers would have, into a practice that has payments already', async () => {
    const db = database.handle.db;
    const { id: practiceId } = await createPractice(db, { slug: 'twice', name: 'Twice' });
    const actor: Actor = { practiceId, kind: 'system', id: 'test', name: 'Test', role: 'admin' };
    const before = await schema();
    // The second seed adds to totals and names the first one left.
    await seedBulk(db, actor, { patients: 30, payments, dialect, seed: 1 });
    await seedBulk(db, actor, { patients: 30, payments, dialect, seed: 2 });
    expect(await schema()).toEqual(before);
    const totals = await db
      .selectFrom('paymentTotals')
      .select((eb) => [eb.fn.sum<number>('payments').as('n'), eb.fn.sum<number>('amountCents').as('cents')])
      .where('practiceId', '=', practiceId)
      .executeTakeFirstOrThrow();
    const rows = await db
      .selectFrom('payments')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('amountCents').as('cents')])
      .where('practiceId', '=', practiceId)
      .executeTakeFirstOrThrow();
    expect({ n: Number(totals.n), cents: Number(totals.cents) }).toEqual({ n: 2 * payments, cents: Number(rows.cents) });
    // The dictionary holds exactly the names the payments carry, once each.
    const names = await db.selectFrom('paymentNames').select('patientName').where('practiceId', '=', practiceId).orderBy('patientName').execute();
    const carried = await db.selectFrom('payments').select('patientName').distinct().where('practiceId', '=', practiceId).orderBy('patientName').execute();
    expect(names).toEqual(carried);
    if (dialect === 'sqlite') {
      // The trigram index agrees with the dictionary (FTS5 raises otherwise).
      await sql`insert into payment_names_trigram (payment_names_trigram, rank) values ('integrity-check', 1)`.execute(db);
    }
    // verify's dashboard_totals check recomputes every total from the rows, and payment_names finds no name missing.
    expect(await verifyLedger(db, { practiceId })).toEqual([]);
    // The triggers are back: a payment changed afterwards moves its totals.
    const kept = async (status: 'paid' | 'voided') =>
      Number((await db.selectFrom('paymentTotals').select((eb) => eb.fn.sum<number>('payments').as('n')).where('practiceId', '=', practiceId).where('status', '=', status).executeTakeFirstOrThrow()).n);
    const counted = async (status: 'paid' | 'voided') =>
      Number((await db.selectFrom('payments').select((eb) => eb.fn.countAll<number>().as('n')).where('practiceId', '=', practiceId).where('status', '=', status).executeTakeFirstOrThrow()).n);
    const paidBefore = await counted('paid');
    await sql`update payments set status = 'voided' where practice_id = ${practiceId} and number = (select min(number) from payments where practice_id = ${practiceId} and status = 'paid')`.execute(db);
    expect({ paid: await kept('paid'), voided: await kept('voided') }).toEqual({ paid: paidBefore - 1, voided: await counted('voided') });
  }, 120_000);

  it.runIf(dialect === 'sqlite')('writes the seed once, not through the WAL, unless another connection has the file open; the file is in WAL mode after', async () => {
    const db = database.handle.db;
    const wal = `${database.handle.file!}-wal`;
    const walSize = () => (fs.existsSync(wal) ? fs.statSync(wal).size : 0);
    const journalMode = async () => (await sql<{ journalMode: string }>`pragma journal_mode`.execute(db)).rows[0]!.journalMode;
    await sql`pragma wal_checkpoint(truncate)`.execute(db);
    const tempStore = async () => (await sql<{ tempStore: number }>`pragma temp_store`.execute(db)).rows[0]!.tempStore;
    const connectionsTempStore = await tempStore();
    const alone = await createPractice(db, { slug: 'alone', name: 'Alone' });
    await sql`pragma wal_checkpoint(truncate)`.execute(db);
    await seedBulk(db, { practiceId: alone.id, kind: 'system', id: 'test', name: 'Test', role: 'admin' }, { patients: 30, payments, dialect });
    expect(walSize()).toBe(0);
    expect(await journalMode()).toBe('wal');
    // The seed's own settings are put back for whatever the connection does next.
    // (The connection keeps statement journals in memory, ADR 0044; the seed's index rebuilds sort through files, ADR 0045.)
    expect(connectionsTempStore).toBe(2);
    expect(await tempStore()).toBe(connectionsTempStore);
    expect((await sql<{ mmapSize: number }>`pragma mmap_size`.execute(db)).rows[0]).toEqual({ mmapSize: 0 });

    // A server (here, a second connection) with the file open: the seed cannot leave WAL and goes through it.
    const other = new SQLite(database.handle.file!);
    try {
      other.prepare('select count(*) from payments').get();
      const shared = await createPractice(db, { slug: 'shared', name: 'Shared' });
      await seedBulk(db, { practiceId: shared.id, kind: 'system', id: 'test', name: 'Test', role: 'admin' }, { patients: 30, payments, dialect });
      expect(walSize()).toBeGreaterThan(1_000_000);
      expect(await journalMode()).toBe('wal');
      expect(other.prepare('select count(*) as n from payments where practice_id = ?').get(shared.id)).toEqual({ n: payments });
      expect(await verifyLedger(db, { practiceId: shared.id })).toEqual([]);
    } finally {
      other.close();
    }
    expect(await verifyLedger(db, { practiceId: alone.id })).toEqual([]);
  }, 120_000);
});
