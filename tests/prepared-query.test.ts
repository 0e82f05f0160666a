import { afterEach, describe, expect, it, vi } from 'vitest';
import { newId, nowIso } from '../src/db/ids.ts';
import { preparedInsert, preparedQuery } from '../src/db/prepared-query.ts';
import { inTransaction } from '../src/db/transaction.ts';
import { writeTogether } from '../src/db/write-together.ts';
import { createPractice } from '../src/services/practices/create-practice.ts';
import { createTestDatabase, dialects, type TestDatabase } from './helpers/test-database.ts';

/** ADR 0050: a hot path's statements built and compiled once, then run with each call's values. */
describe.each(dialects)('prepared queries on %s', (dialect) => {
  let database: TestDatabase | undefined;
  afterEach(async () => {
    await database?.drop();
    database = undefined;
  });

  it('compile once, bind each call its own values, keep the constants they were built with, and answer camel-cased rows', async () => {
    database = await createTestDatabase(dialect);
    const { db } = database.handle;
    const first = await createPractice(db, { slug: 'first', name: 'First' });
    const second = await createPractice(db, { slug: 'second', name: 'Second' });
    const build = vi.fn((kysely: typeof db, v: { practiceId: string; step: number }) =>
      kysely
        .updateTable('practices')
        .set((eb) => ({ paymentSeq: eb('paymentSeq', '+', v.step) }))
        .where('id', '=', v.practiceId)
        .where('paymentSeq', '>=', 0)
        .returning(['id', 'paymentSeq']),
    );
    const bump = preparedQuery(build);
    const builder = build(db, { practiceId: first.id, step: 5 }).compile();
    build.mockClear();

    const run = async (practiceId: string, step: number) => (await db.executeQuery(bump(db, { practiceId, step }))).rows;
    expect(await run(first.id, 1)).toEqual([{ id: first.id, paymentSeq: 1 }]);
    expect(await run(first.id, 2)).toEqual([{ id: first.id, paymentSeq: 3 }]);
    expect(await run(second.id, 10)).toEqual([{ id: second.id, paymentSeq: 10 }]);
    // Inside a transaction (the same connection's adapter): still the one compiled query.
    const inside = await inTransaction(db, async (trx) => (await trx.executeQuery(bump(trx, { practiceId: second.id, step: 1 }))).rows);
    expect(inside).toEqual([{ id: second.id, paymentSeq: 11 }]);
    expect(build).toHaveBeenCalledTimes(1);

    const compiled = bump(db, { practiceId: second.id, step: 7 }).compile();
    expect(compiled.sql).toBe(builder.sql);
    // The values land where the builder put them; the 0 the query was built with stays.
    expect(compiled.parameters).toEqual([7, second.id, 0]);
    expect(builder.parameters).toEqual([5, first.id, 0]);
  });

  it('insert whole rows, one compiled INSERT per number of rows, alone or through writeTogether, and refuse a row missing a column', async () => {
    database = await createTestDatabase(dialect);
    const { db } = database.handle;
    const practice = await createPractice(db, { slug: 'rows', name: 'Rows' });
    const insertEvents = preparedInsert('outboxEvents', { id: true, practiceId: true, type: true, payload: true, createdAt: true, deliveredAt: true, attempts: false });
    const event = (type: string) => ({ id: newId(), practiceId: practice.id, type, payload: '{}', createdAt: nowIso(), deliveredAt: null });
    await db.executeQuery(insertEvents(db, [event('one')]));
    await db.executeQuery(insertEvents(db, [event('two'), event('three')]));
    await inTransaction(db, (trx) => writeTogether(trx, [insertEvents(trx, [event('four')]), insertEvents(trx, [event('five'), event('six')])]));
    const rows = await db.selectFrom('outboxEvents').select(['type', 'attempts']).where('practiceId', '=', practice.id).orderBy('id').execute();
    // attempts left out: the table's default.
    expect(rows).toEqual(['one', 'two', 'three', 'four', 'five', 'six'].map((type) => ({ type, attempts: 0 })));
    const { deliveredAt: _, ...missing } = event('seven');
    expect(() => insertEvents(db, [missing as ReturnType<typeof event>])).toThrow(/no value for deliveredAt/);
  });
});
