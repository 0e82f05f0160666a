import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { connectDatabase, migrateToLatest, type DatabaseHandle, type Dialect } from '../../src/db/connect.ts';

const allDialects: Dialect[] = ['sqlite', 'postgres'];

/**
 * The dialects integration tests run on: both, or those LEDGER_TEST_DIALECTS
 * names (comma-separated), to run one half of the suite.
 */
export const dialects: Dialect[] = chosenDialects(process.env.LEDGER_TEST_DIALECTS);

function chosenDialects(setting: string | undefined): Dialect[] {
  if (!setting?.trim()) return allDialects;
  const chosen = setting.split(',').map((d) => d.trim());
  const unknown = chosen.filter((d) => !(allDialects as string[]).includes(d));
  if (unknown.length > 0) throw new Error(`LEDGER_TEST_DIALECTS: unknown dialect ${unknown.join(', ')} (use sqlite, postgres or both)`);
  return allDialects.filter((d) => chosen.includes(d));
}

/** The PostgreSQL server every test run uses (CI and sessions start it on 127.0.0.1:5432). */
export const adminUrl = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  handle: DatabaseHandle;
  dataDir: string;
  databaseUrl: string | undefined;
  drop(): Promise<void>;
}

/**
 * A fresh, migrated database of the given dialect: a SQLite file in its own
 * temp folder, or a PostgreSQL database with a unique name, dropped after.
 */
export async function createTestDatabase(dialect: Dialect): Promise<TestDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-test-'));
  let databaseUrl: string | undefined;
  let name: string | undefined;
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
  const handle = connectDatabase({ dataDir, databaseUrl });
  await migrateToLatest(handle.db);
  let dropped = false;
  return {
    handle,
    dataDir,
    databaseUrl,
    async drop() {
      if (dropped) return;
      dropped = true;
      await handle.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
      if (name) await dropPostgresDatabase(name);
    },
  };
}

/**
 * Drops a test database once nobody uses it. pg's pool.end() resolves before
 * its sockets have closed, and `drop … with (force)` terminates whatever is
 * still connected with 57P01, which a pool without an error listener (a
 * stray client in a test) raises as an unhandled error. So wait, briefly,
 * for the sessions to go by themselves; force only what is left after that.
 */
export async function dropPostgresDatabase(name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const deadline = Date.now() + 5_000;
    let left: Array<{ pid: number; state: string | null; query: string }> = [];
    for (;;) {
      ({ rows: left } = await admin.query('select pid, state, query from pg_stat_activity where datname = $1', [name]));
      if (left.length === 0 || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    // A session still there is a pool or client a test forgot to close: say which, so it can be found.
    if (left.length > 0) process.stderr.write(`dropping ${name}: ${left.length} session(s) still open, terminating: ${JSON.stringify(left).slice(0, 1000)}\n`);
    await admin.query(`drop database if exists ${name} with (force)`);
  } finally {
    await admin.end();
  }
}
