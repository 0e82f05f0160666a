import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction, readTogether, type Db } from '../src/db/transaction.ts';
import { createTestDatabase, dialects, type TestDatabase } from './helpers/test-database.ts';

/**
 * readTogether: reads at once on the pool, one at a time in a transaction (one connection: pg deprecates a query
 * sent while its client is busy, an error from pg 9). Timed reads record when each ran.
 */
describe.each(dialects)('readTogether on %s', (dialect) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
  }, 60_000);
  afterAll(async () => database?.drop());

  /** A read that takes ~60 ms on PostgreSQL (pg_sleep), and records when it started and ended. */
  function timedRead(db: Db, log: Array<[number, number]>, answer: number) {
    return async () => {
      const started = performance.now();
      if (dialect === 'postgres') await sql`select pg_sleep(0.06)`.execute(db);
      else await sql`select 1`.execute(db);
      log.push([started, performance.now()]);
      return answer;
    };
  }
  const overlapped = (log: Array<[number, number]>) => log.some(([start], i) => log.some(([s, end], j) => i !== j && s <= start && start < end));

  it('answers each read in order, and in a transaction runs them one after another', async () => {
    const log: Array<[number, number]> = [];
    const answers = await inTransaction(database.handle.db, (trx) => readTogether(trx, [timedRead(trx, log, 1), timedRead(trx, log, 2), timedRead(trx, log, 3)]));
    expect(answers).toEqual([1, 2, 3]);
    expect(log).toHaveLength(3);
    expect(overlapped(log)).toBe(false);
  });

  it.runIf(dialect === 'postgres')('on the pool runs them at once, each on its own connection', async () => {
    const log: Array<[number, number]> = [];
    const db = database.handle.db;
    expect(await readTogether(db, [timedRead(db, log, 'a' as unknown as number), timedRead(db, log, 2)])).toEqual(['a', 2]);
    expect(overlapped(log)).toBe(true);
  });
});
