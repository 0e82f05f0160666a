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

  const indexes = async () =>
    dialect === 'sqlite'
      ? (await sql<{ name: string; sql: string | null }>`select name, sql from sqlite_master where type = 'index' order by name`.execute(database.handle.db)).rows
      : (await sql<{ name: string; sql: string }>`select indexname as name, indexdef as sql from pg_indexes where schemaname = current_schema() order by indexname`.execute(database.handle.db)).rows;

  it('seeds in bulk with every payment in the journal to the cent, its indexes intact, and verify clean', async () => {
    const db = database.handle.db;
    const { id: practiceId } = await createPractice(db, { slug: 'bulk', name: 'Bulk' });
    const actor: Actor = { practiceId, kind: 'system', id: 'test', name: 'Test', role: 'admin' };
    const before = await indexes();

    // A seed that fails part-way leaves nothing behind on SQLite (one transaction, indexes included).
    let calls = 0;
    const failing = seedBulk(db, actor, { patients: 50, payments, dialect }, () => {
      if (++calls === 3) throw new Error('stop here');
    });
    await expect(failing).rejects.toThrow('stop here');
    expect(await indexes()).toEqual(before);
    if (dialect === 'sqlite') {
      expect(await db.selectFrom('payments').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).toEqual({ n: 0 });
    }
    const already = Number((await db.selectFrom('payments').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

    await seedBulk(db, actor, { patients: 50, payments, dialect });
    expect(await indexes()).toEqual(before);
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

  it.runIf(dialect === 'sqlite')('checks foreign keys once, at the end: a reference to a missing row rolls the whole seed back', async () => {
    const db = database.handle.db;
    const { id: practiceId } = await createPractice(db, { slug: 'dangling', name: 'Dangling' });
    const actor: Actor = { practiceId, kind: 'system', id: 'test', name: 'Test', role: 'admin' };
    const before = await indexes();
    const count = async (table: 'payments' | 'patients') => Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where('practiceId', '=', practiceId).executeTakeFirstOrThrow()).n);
    // A journal line whose entry does not exist, as a damaged file might hold one: the seed's check finds it.
    await sql`pragma foreign_keys = off`.execute(db);
    await sql`insert into journal_lines (id, entry_id, practice_id, account, amount_cents) values ('dangling', 'no-such-entry', ${practiceId}, 'cash_clearing', 1)`.execute(db);
    await sql`pragma foreign_keys = on`.execute(db);
    try {
      await expect(seedBulk(db, actor, { patients: 50, payments, dialect })).rejects.toThrow('journal_lines');
      expect({ payments: await count('payments'), patients: await count('patients') }).toEqual({ payments: 0, patients: 0 });
      expect(await indexes()).toEqual(before);
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
});
