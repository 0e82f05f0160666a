import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lateNumber, takenNumber, valueWithNumber, withNumber } from '../src/db/late-number.ts';
import { inTransaction } from '../src/db/transaction.ts';
import { writeTogether } from '../src/db/write-together.ts';
import { newId, nowIso } from '../src/db/ids.ts';
import { paymentNumberShown } from '../src/services/payments/create-payment.ts';
import { createPractice } from '../src/services/practices/create-practice.ts';
import { createTestDatabase, dialects, type TestDatabase } from './helpers/test-database.ts';

/**
 * ADR 0064: a payment's number is taken by the statement that writes it. Rows and text are built with a stand-in,
 * and writeTogether puts the number taken in its place: in the one statement on PostgreSQL, in the values on SQLite.
 */
describe.each(dialects)('a late number on %s', (dialect) => {
  let database: TestDatabase;
  let practiceId = '';
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    practiceId = (await createPractice(database.handle.db, { slug: 'late', name: 'Late Clinic' })).id;
  });
  afterAll(async () => database?.drop());

  const take = (db: TestDatabase['handle']['db']) =>
    db.updateTable('practices').set((eb) => ({ paymentSeq: eb('paymentSeq', '+', 1) })).where('id', '=', practiceId).returning('paymentSeq');

  it('is taken by the writes and put where its stand-in was: a whole value, its shown form and its digits in text', async () => {
    const db = database.handle.db;
    const late = lateNumber(take(db), paymentNumberShown);
    const shown = paymentNumberShown.js(late.standIn);
    const id = newId();
    const untouched = newId();
    await inTransaction(db, (trx) =>
      writeTogether(trx, [
        late,
        trx.insertInto('outboxEvents').values({ id, practiceId, type: 'late.test', payload: JSON.stringify({ number: late.standIn, shown, memo: `${shown} received (cash)` }), createdAt: nowIso(), deliveredAt: null, attempts: late.standIn }),
        trx.insertInto('outboxEvents').values({ id: untouched, practiceId, type: 'late.test', payload: '{"number":12}', createdAt: nowIso(), deliveredAt: null }),
      ]),
    );
    const n = takenNumber(late);
    const seq = await db.selectFrom('practices').select('paymentSeq').where('id', '=', practiceId).executeTakeFirstOrThrow();
    expect(n).toBe(Number(seq.paymentSeq));
    const rows = await db.selectFrom('outboxEvents').select(['id', 'payload', 'attempts']).where('type', '=', 'late.test').execute();
    const written = rows.find((r) => r.id === id)!;
    expect(JSON.parse(written.payload)).toEqual({ number: n, shown: paymentNumberShown.js(n), memo: `${paymentNumberShown.js(n)} received (cash)` });
    expect(Number(written.attempts)).toBe(n);
    expect(rows.find((r) => r.id === untouched)!.payload).toBe('{"number":12}');
    // The JavaScript side of the same: the answer a caller built with the stand-in.
    expect(valueWithNumber(late, { number: shown, n: late.standIn, memo: `${late.standIn}!` })).toEqual({ number: paymentNumberShown.js(n), n, memo: `${n}!` });
    expect(withNumber(late, 'nothing to put')).toBe('nothing to put');
  });

  it('takes the next number each time, and refuses to answer it before the writes ran', async () => {
    const db = database.handle.db;
    const first = lateNumber(take(db), paymentNumberShown);
    const second = lateNumber(take(db), paymentNumberShown);
    expect(() => takenNumber(first)).toThrow(/before the writes/);
    await inTransaction(db, (trx) => writeTogether(trx, [first]));
    await inTransaction(db, (trx) => writeTogether(trx, [second]));
    expect(takenNumber(second)).toBe(takenNumber(first) + 1);
    await expect(inTransaction(db, (trx) => writeTogether(trx, [take(trx), first]))).rejects.toThrow(/goes first/);
  });

  it.runIf(dialect === 'postgres')('shows the number in SQL as formatPaymentNumber does', async () => {
    for (const n of [1, 9, 10, 99, 100, 101, 999, 1000, 12_345, 2_147_483_648]) {
      const { rows } = await sql<{ shown: string }>`select ${sql.raw(paymentNumberShown.sql(`${n}::bigint`))} as shown`.execute(database.handle.db);
      expect(rows[0]!.shown).toBe(paymentNumberShown.js(n));
    }
  });
});
