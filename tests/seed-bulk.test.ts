import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../src/services/actor.ts';
import { seedBulk } from '../src/services/demo/seed-bulk.ts';
import { verifyLedger } from '../src/services/ledger/verify-ledger.ts';
import { createPractice } from '../src/services/practices/create-practice.ts';
import { createTestDatabase, dialects, type TestDatabase } from './helpers/test-database.ts';

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
});
