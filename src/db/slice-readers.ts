import { createRequire } from 'node:module';
import SQLite from 'better-sqlite3';
import type pg from 'pg';

/**
 * Reading very many rows (a CSV export) as arrays, a slice at a time, on a connection of the read's own. Kept apart
 * from connect.ts (Kysely, migrations) so that the export thread (csv-thread.ts) loads only the drivers.
 */

/** pg and its ~40 modules, loaded on PostgreSQL only: a SQLite start (the server's, every CLI command's) does without them (ADR 0051). */
let pgModule: typeof pg | undefined;
export const requirePg = (): typeof pg => (pgModule ??= createRequire(import.meta.url)('pg') as typeof pg);

/** Where a read's own connection goes: the SQLite file, or the PostgreSQL server. Plain data: it crosses threads. */
export type SliceSource = { dialect: 'sqlite'; file: string } | { dialect: 'postgres'; connectionString: string };

/** A SELECT as the database takes it (Kysely's CompiledQuery has this shape). */
export interface SliceQuery {
  readonly sql: string;
  readonly parameters: readonly unknown[];
}

// BIGINT (int8) arrives from pg as a string; money must be an exact number.
export const pgTypes = {
  getTypeParser(oid: number, format?: string) {
    if (oid === 20) {
      return (value: string) => {
        const n = Number(value);
        if (!Number.isSafeInteger(n)) throw new RangeError(`int8 out of safe range: ${value}`);
        return n;
      };
    }
    return (requirePg().types.getTypeParser as (oid: number, format?: string) => unknown)(oid, format);
  },
};


/**
 * Every row of one SELECT as arrays (in the select list's order), `size` rows a slice, in one snapshot of the data.
 * One statement for the whole read, so the database plans it and finds its first row once. End the loop early (or
 * call return()) and the statement is closed.
 */
export function readSlices(source: SliceSource, query: SliceQuery, size: number): AsyncGenerator<unknown[][]> {
  return source.dialect === 'sqlite' ? sqliteSlices(source.file, query, size) : postgresCursorSlices(source.connectionString, query, size);
}

/**
 * SQLite: better-sqlite3's raw mode on a read-only connection of the read's own: it reads committed rows only
 * (never another request's open transaction on the main one) and maps the file (mmap), where the main connection
 * copies each page it misses through a read() call. A slice is read synchronously (a few ms); closing the
 * connection unmaps the file again.
 */
async function* sqliteSlices(file: string, query: SliceQuery, size: number): AsyncGenerator<unknown[][]> {
  const reader = new SQLite(file, { readonly: true });
  try {
    reader.pragma('mmap_size = 1073741824');
    const rows = reader.prepare(query.sql).raw(true).iterate(...(query.parameters as unknown[])) as IterableIterator<unknown[]>;
    try {
      for (;;) {
        const slice: unknown[][] = [];
        while (slice.length < size) {
          const next = rows.next();
          if (next.done) break;
          slice.push(next.value);
        }
        if (slice.length > 0) yield slice;
        if (slice.length < size) return;
      }
    } finally {
      rows.return?.();
    }
  } finally {
    reader.close();
  }
}

/**
 * PostgreSQL: a cursor (pg's array row mode) in a read-only repeatable-read transaction, fetched a slice at a time,
 * on a connection of the read's own outside the pool: an export holds its connection for its whole life, and a
 * few exports at once must not take the pool's connections from every other request. The next slice is asked for
 * before this one is handed out, so the database reads it on one core while the caller formats this one on the
 * other. A keyset query a slice instead was planned anew and walked down its index again every slice (ADR 0048).
 */
async function* postgresCursorSlices(connectionString: string, query: SliceQuery, size: number): AsyncGenerator<unknown[][]> {
  const client = new (requirePg().Client)({ connectionString, types: pgTypes as pg.CustomTypesConfig });
  // A connection lost mid-way fails the pending query; without a listener its 'error' event would end the process.
  client.on('error', () => undefined);
  let next: Promise<unknown[][]> | undefined;
  try {
    await client.connect();
    await client.query('begin isolation level repeatable read read only');
    await client.query({ text: `declare slices no scroll cursor for ${query.sql}`, values: query.parameters as unknown[] });
    const fetch = async () => (await client.query({ text: `fetch ${size} from slices`, rowMode: 'array' })).rows as unknown[][];
    next = fetch();
    for (;;) {
      const slice: unknown[][] = await next;
      next = slice.length === size ? fetch() : undefined;
      if (slice.length > 0) yield slice;
      if (!next) return;
    }
  } finally {
    // Left mid-way (the client went away): the slice asked for ahead is dropped. Ending the connection ends the
    // read-only transaction and its cursor.
    await next?.catch(() => undefined);
    await client.end().catch(() => undefined);
  }
}

