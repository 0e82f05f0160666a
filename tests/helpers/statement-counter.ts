import Database from 'better-sqlite3';
import pg from 'pg';
import type { Dialect } from '../../src/db/connect.ts';

// The methods patched here are called on their own objects: `this` is whatever the caller had.
type Query = (this: any, ...args: unknown[]) => unknown;

/**
 * The SQL statements the app sends while `run` runs, in order: each pg
 * client query on PostgreSQL (a round trip each), each prepared statement's
 * run on SQLite. Nothing else may use the database meanwhile.
 */
export async function statementsOf<T>(dialect: Dialect, run: () => Promise<T>): Promise<{ result: T; statements: string[] }> {
  const statements: string[] = [];
  const restore = dialect === 'postgres' ? watchPostgres(statements) : watchSqlite(statements);
  try {
    const result = await run();
    return { result, statements };
  } finally {
    restore();
  }
}

function watchPostgres(statements: string[]): () => void {
  const proto = pg.Client.prototype as unknown as { query: Query };
  const original = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    const first = args[0];
    statements.push(typeof first === 'string' ? first : String((first as { text?: string } | undefined)?.text));
    return original.apply(this, args);
  };
  return () => {
    proto.query = original;
  };
}

function watchSqlite(statements: string[]): () => void {
  const probe = new Database(':memory:');
  const proto = Object.getPrototypeOf(probe.prepare('select 1')) as Record<'run' | 'all' | 'get' | 'iterate', Query>;
  probe.close();
  const originals = { run: proto.run, all: proto.all, get: proto.get, iterate: proto.iterate };
  for (const name of ['run', 'all', 'get', 'iterate'] as const) {
    const original = originals[name];
    proto[name] = function (this: { source?: string }, ...args: unknown[]) {
      statements.push(String(this.source));
      return original.apply(this, args);
    };
  }
  return () => Object.assign(proto, originals);
}
