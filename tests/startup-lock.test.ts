import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { connectDatabase } from '../src/db/connect.ts';
import { verifyLedger } from '../src/services/ledger/verify-ledger.ts';
import { adminUrl, dialects, dropPostgresDatabase } from './helpers/test-database.ts';
import { runLedger, startServer, stopServer, waitForHealth, type ServerProcess } from './helpers/server-processes.ts';

/**
 * Issue 11 item 7: a server and CLI commands started at once on a fresh,
 * empty database all come up (once this crashed on "table practices already
 * exists"), and the demo practice is made exactly once.
 */
describe.each(dialects)('start-up on a fresh %s database, several processes at once', (dialect) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-startup-'));
  let databaseUrl: string | undefined;
  let name: string | undefined;
  const servers: ServerProcess[] = [];

  afterAll(async () => {
    await Promise.allSettled(servers.map((s) => stopServer(s)));
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (name) await dropPostgresDatabase(name);
  });

  it('migrates once, seeds the demo practice once, and every process comes up', async () => {
    if (dialect === 'postgres') {
      name = `ledger_test_${Date.now()}_${randomBytes(4).toString('hex')}`;
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      await admin.query(`create database ${name}`);
      await admin.end();
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      databaseUrl = url.toString();
    }
    const env = { DATA_DIR: dataDir, DATABASE_URL: databaseUrl ?? '', DEMO_DATA: 'false' };
    // Two servers that both seed demo data, a CLI that seeds it and one that only migrates: all at once.
    servers.push(await startServer({ dataDir, databaseUrl, env: { DEMO_DATA: 'true' } }));
    servers.push(await startServer({ dataDir, databaseUrl, env: { DEMO_DATA: 'true' } }));
    const [demo, migrate] = await Promise.all([runLedger(['demo'], env), runLedger(['migrate'], env), ...servers.map((s) => waitForHealth(s, { timeoutMs: 180_000 }))]);
    expect(demo, demo?.stderr).toMatchObject({ code: 0 });
    expect(migrate, migrate?.stderr).toMatchObject({ code: 0 });
    expect(migrate!.stdout).toContain('is up to date');

    const handle = connectDatabase({ dataDir, databaseUrl });
    try {
      const demoPractices = await handle.db.selectFrom('practices').select('id').where('slug', '=', 'demo').execute();
      expect(demoPractices).toHaveLength(1);
      const migrations = await handle.db.withoutPlugins().selectFrom('kysely_migration' as never).select('name' as never).execute();
      expect(new Set(migrations.map((m) => (m as { name: string }).name)).size).toBe(migrations.length);
      expect(await verifyLedger(handle.db)).toEqual([]);
      // Both servers answer the demo login on the one demo practice.
      for (const server of servers) {
        const login = await fetch(`${server.url}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: 'biller@demo.example', password: 'ledger-demo' }),
        });
        expect(login.status).toBe(200);
      }
    } finally {
      await handle.close();
    }
  }, 240_000);
});
