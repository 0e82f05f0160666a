import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../src/services/actor.ts';
import { seedBulk } from '../src/services/demo/seed-bulk.ts';
import { verifyLedger } from '../src/services/ledger/verify-ledger.ts';
import { createPractice } from '../src/services/practices/create-practice.ts';
import { listPayments } from '../src/services/payments/list-payments.ts';
import { listPaymentsQuery } from '../src/contracts/payments.ts';
import { createTestDatabase, dialects, type TestDatabase } from './helpers/test-database.ts';

/**
 * A deep page of the unfiltered list by date starts from the per-day counts of migration 0032 (ADR 0040):
 * it must hold exactly the rows a plain OFFSET gives, i.e. those the keyset cursor reaches page by page.
 */
describe.each(dialects)('deep pages of the payments list on %s', (dialect) => {
  let database: TestDatabase;
  let actor: Actor;
  const payments = 3_000;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    const { id: practiceId } = await createPractice(database.handle.db, { slug: 'deep', name: 'Deep' });
    actor = { practiceId, kind: 'system', id: 'test', name: 'Test', role: 'admin' };
    // Spread over a year of created_at days by the seed, a few payments a day.
    await seedBulk(database.handle.db, actor, { patients: 40, payments, dialect });
  });
  afterAll(async () => database?.drop());

  const list = (query: Record<string, string>) => listPayments(database.handle.db, actor, listPaymentsQuery.parse({ pageSize: '25', ...query }), 'http://test');

  /** Every payment number in the list's order, read by keyset cursor (never by OFFSET). */
  async function byCursor(order: 'asc' | 'desc') {
    const numbers: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await list({ sort: 'createdAt', order, ...(cursor ? { cursor } : {}) });
      numbers.push(...page.items.map((p) => p.number));
      cursor = page.nextCursor;
    } while (cursor);
    return numbers;
  }

  it('answers page N with the rows the cursor reaches, in both orders, to the last page', async () => {
    for (const order of ['desc', 'asc'] as const) {
      const all = await byCursor(order);
      expect(all).toHaveLength(payments);
      for (const page of [40, 41, 42, 77, 119, 120]) {
        const got = await list({ sort: 'createdAt', order, page: String(page) });
        expect([order, page, ...got.items.map((p) => p.number)]).toEqual([order, page, ...all.slice((page - 1) * 25, page * 25)]);
        expect(got.total).toBe(payments);
      }
      // Past the end: the last page, as before.
      const past = await list({ sort: 'createdAt', order, page: '500' });
      expect([past.page, ...past.items.map((p) => p.number)]).toEqual([120, ...all.slice(119 * 25)]);
    }
  });

  it('ledger verify recounts the days; a wrong count is reported', async () => {
    const db = database.handle.db;
    expect(await verifyLedger(db, { practiceId: actor.practiceId })).toEqual([]);
    const day = await db.selectFrom('paymentDays').select(['day', 'payments']).where('practiceId', '=', actor.practiceId).orderBy('day', 'desc').executeTakeFirstOrThrow();
    await db.updateTable('paymentDays').set({ payments: Number(day.payments) + 2 }).where('practiceId', '=', actor.practiceId).where('day', '=', day.day).execute();
    expect((await verifyLedger(db, { practiceId: actor.practiceId })).map((p) => [p.check, p.entity])).toEqual([['payment_days', day.day]]);
    await db.updateTable('paymentDays').set({ payments: day.payments }).where('practiceId', '=', actor.practiceId).where('day', '=', day.day).execute();
    expect(await verifyLedger(db, { practiceId: actor.practiceId })).toEqual([]);
  });
});
