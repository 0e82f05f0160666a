import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { healthProbeReuseMs } from '../src/server/health-probe.ts';
import { startServer, stopServer, waitForHealth, type ServerProcess } from './helpers/server-processes.ts';
import { adminUrl, createTestDatabase, dialects, type TestDatabase } from './helpers/test-database.ts';

/**
 * `/health` on a real server whose PostgreSQL database stops answering and comes back: the check says so with a
 * 503 within the good probe's reuse window (ADR 0059), and says ok again as soon as the database answers — a
 * failure is never reused. (SQLite's database is a file the server holds open: it cannot go away like this.)
 */
describe.skipIf(!dialects.includes('postgres'))('/health when the database goes away and comes back (postgres)', () => {
  let database: TestDatabase | undefined;
  let server: ServerProcess | undefined;
  let admin: pg.Client | undefined;
  let name = '';

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    name = new URL(database.databaseUrl!).pathname.slice(1);
    await database.handle.close(); // only the server's connections from here on
    server = await startServer({ databaseUrl: database.databaseUrl, dataDir: database.dataDir });
    await waitForHealth(server, { dialect: 'postgres' });
    admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
  }, 150_000);

  afterAll(async () => {
    await admin?.query(`alter database ${name} allow_connections true`).catch(() => undefined);
    await admin?.end();
    if (server) await stopServer(server);
    await database?.drop();
  }, 30_000);

  const health = async () => {
    const response = await fetch(`${server!.url}/health`);
    return { status: response.status, body: (await response.json()) as unknown };
  };

  /** Polls /health until it answers `status`; returns how long that took. */
  async function untilStatus(status: number, withinMs: number): Promise<number> {
    const started = Date.now();
    for (;;) {
      const answer = await health();
      if (answer.status === status) {
        expect(answer.body).toEqual({ status: status === 200 ? 'ok' : 'unavailable', database: 'postgres' });
        return Date.now() - started;
      }
      if (Date.now() - started > withinMs) throw new Error(`/health still answered ${answer.status} after ${withinMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('answers 503 within the reuse window once the database refuses connections, and 200 as soon as it is back', async () => {
    expect(await health()).toEqual({ status: 200, body: { status: 'ok', database: 'postgres' } });

    await admin!.query(`alter database ${name} allow_connections false`);
    await admin!.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [name]);
    // The last good probe started before the database went away; after its window every check probes again.
    await untilStatus(503, healthProbeReuseMs + 3_000);
    // A failure is not reused: every check keeps probing and keeps failing while the database is away.
    for (let i = 0; i < 3; i++) expect((await health()).status).toBe(503);

    await admin!.query(`alter database ${name} allow_connections true`);
    // Back: the next check's probe succeeds, well before a reused failure would have expired.
    await untilStatus(200, healthProbeReuseMs);
    expect(server!.output.join('')).toContain('health check: the database did not answer');
  }, 60_000);
});
