import pg from 'pg';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminUrl, createTestDatabase, dialects, type TestDatabase } from './helpers/test-database.ts';

/**
 * A backend that ends while its client is checked out but between statements (the server restarted, an admin
 * terminated it) must not end the process: pg-pool listens for errors only on idle clients, and an 'error' event
 * with no listener throws. The client's next statement fails instead, and the pool opens a new connection after.
 */
describe.skipIf(!dialects.includes('postgres'))('a pool client whose backend ends while checked out (postgres)', () => {
  let database: TestDatabase;
  let admin: pg.Client;
  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.end();
    await database?.drop();
  });

  it('fails that client\'s next statement, not the process, and the database answers again on a new connection', async () => {
    const db = database.handle.db;
    const failed = await db.connection().execute(async (connection) => {
      const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(connection);
      await admin.query('select pg_terminate_backend($1)', [rows[0]!.pid]);
      // The termination reaches the idle, checked-out client as an 'error' event.
      await new Promise((resolve) => setTimeout(resolve, 300));
      return sql`select 1`.execute(connection).then(
        () => undefined,
        (error: Error) => error,
      );
    });
    expect(failed).toBeInstanceOf(Error);
    const { rows } = await sql<{ one: number }>`select 1 as one`.execute(db);
    expect(rows).toEqual([{ one: 1 }]);
  });
});
