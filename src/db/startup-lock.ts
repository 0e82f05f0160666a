import path from 'node:path';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import type { DatabaseHandle } from './connect.ts';

/** pg_advisory_lock key of start-up work (migrations, demo data): any constant no other lock uses. */
export const STARTUP_LOCK_KEY = 727_001_011;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs start-up work (migrations, seeding the demo practice) in one process
 * at a time, so that a server and a CLI command started together on a fresh
 * database do not both create the tables. The second process waits, then
 * finds the work done. Both locks die with their process (a SIGKILL leaves
 * nothing stale): a PostgreSQL session advisory lock; on SQLite an open write
 * transaction on a small lock file next to the database (not on the database
 * itself, whose writer must stay free for the work).
 */
export async function withStartupLock<T>(handle: DatabaseHandle, fn: () => Promise<T>, options: { timeoutMs?: number } = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 180_000;
  if (handle.dialect === 'postgres') {
    return handle.db.connection().execute(async (conn) => {
      await sql`select set_config('lock_timeout', ${`${timeoutMs}ms`}, false)`.execute(conn);
      await sql`select pg_advisory_lock(${STARTUP_LOCK_KEY})`.execute(conn);
      try {
        return await fn();
      } finally {
        await sql`select pg_advisory_unlock(${STARTUP_LOCK_KEY})`.execute(conn);
        await sql`select set_config('lock_timeout', '0', false)`.execute(conn);
      }
    });
  }
  const lock = new SQLite(path.join(path.dirname(handle.file!), 'ledger.startup-lock'), { timeout: 0 });
  try {
    const deadline = Date.now() + timeoutMs;
    // Poll rather than busy-wait inside SQLite: its wait would block this process's event loop.
    for (;;) {
      try {
        lock.exec('begin exclusive');
        break;
      } catch (error) {
        if ((error as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw error;
        await sleep(50);
      }
    }
    try {
      return await fn();
    } finally {
      lock.exec('rollback');
    }
  } finally {
    lock.close();
  }
}
