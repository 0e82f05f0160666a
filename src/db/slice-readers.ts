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


/**
 * A SELECT's parameters written into its text as literals: COPY takes a query but no parameters. Strings through
 * pg's escapeLiteral (quotes doubled, backslashes as E''), numbers as they are; anything else is refused.
 */
export function withLiterals(query: SliceQuery): string {
  const { escapeLiteral } = requirePg();
  const literal = (value: unknown): string => {
    if (value === null) return 'NULL';
    if (typeof value === 'string') return escapeLiteral(value);
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    if (typeof value === 'bigint') return String(value);
    if (typeof value === 'boolean') return value ? 'true' : 'false';
    throw new TypeError(`a parameter COPY cannot take as a literal: ${typeof value}`);
  };
  // Kysely writes parameters as $1 … $n; a quoted literal or name (sql.lit, an identifier) is passed over whole.
  return query.sql.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"|\$(\d+)/g, (match, n: string | undefined) => {
    if (n === undefined) return match;
    if (Number(n) < 1 || Number(n) > query.parameters.length) throw new RangeError(`no parameter $${n}`);
    return literal(query.parameters[Number(n) - 1]);
  });
}

/** CSV bytes gathered into chunks of about this many before they are handed on. */
const copyChunkBytes = 64 * 1024;
/** Chunks made and not yet taken, past which the connection's socket is paused (PostgreSQL then waits to send). */
const copyChunksAhead = 4;

/**
 * PostgreSQL writes the CSV of a SELECT of text cells itself: `COPY (…) TO STDOUT WITH (FORMAT csv)` on a connection
 * of the read's own (as the cursor's: outside the pool, one snapshot, the one statement). COPY quotes a cell as
 * csv.ts does and writes NULL as nothing, but ends a line with LF: each line comes as one CopyData message (the
 * protocol guarantees it), so its LF is made CRLF here, and a LF inside a quoted cell is left as it is. The lines
 * are gathered into chunks of ~64 KB; a consumer that does not keep up pauses the socket, so PostgreSQL waits and
 * nothing piles up. End the loop early and the connection is closed, which ends the COPY.
 */
export async function* postgresCsvCopy(connectionString: string, query: SliceQuery): AsyncGenerator<Uint8Array> {
  const client = new (requirePg().Client)({ connectionString });
  client.on('error', () => undefined);
  const ready: Uint8Array[] = [];
  let chunk = Buffer.allocUnsafe(copyChunkBytes);
  let used = 0;
  let finished = false;
  let failed: Error | undefined;
  let paused = false;
  let wake: (() => void) | undefined;
  const wakeUp = () => {
    const waiting = wake;
    wake = undefined;
    waiting?.();
  };
  type Socket = { pause(): void; resume(): void; destroy(): void };
  let socket: Socket | undefined;
  const handOn = () => {
    if (used === 0) return;
    ready.push(chunk.subarray(0, used));
    chunk = Buffer.allocUnsafe(copyChunkBytes);
    used = 0;
    if (ready.length >= copyChunksAhead && !paused && socket) {
      paused = true;
      socket.pause();
    }
    wakeUp();
  };
  // pg's Client runs an object with submit() and these handlers as a query (as pg-cursor does).
  const copy = {
    submit(connection: { query(text: string): void; stream: Socket }) {
      socket = connection.stream;
      connection.query(`copy (${withLiterals(query)}) to stdout with (format csv)`);
    },
    handleCopyData(message: { chunk: Buffer }) {
      // The message's bytes are a view of pg's read buffer, which it reuses: copied at once.
      const line = message.chunk;
      const length = line.length > 0 && line[line.length - 1] === 0x0a ? line.length - 1 : line.length;
      if (used + length + 2 > chunk.length) {
        handOn();
        if (length + 2 > chunk.length) chunk = Buffer.allocUnsafe(length + 2);
      }
      line.copy(chunk, used, 0, length);
      chunk[used + length] = 0x0d;
      chunk[used + length + 1] = 0x0a;
      used += length + 2;
      if (used >= copyChunkBytes) handOn();
    },
    handleError(error: Error) {
      failed ??= error;
      wakeUp();
    },
    handleReadyForQuery() {
      handOn();
      finished = true;
      wakeUp();
    },
    handleCommandComplete() {},
    handleRowDescription() {},
    handleDataRow() {},
    handleEmptyQuery() {},
    handlePortalSuspended() {},
  };
  let done = false;
  try {
    await client.connect();
    void client.query(copy as unknown as pg.QueryConfig);
    for (;;) {
      if (failed) throw failed;
      const next = ready.shift();
      if (next) {
        if (paused && ready.length < copyChunksAhead / 2) {
          paused = false;
          socket?.resume();
        }
        yield next;
        continue;
      }
      if (finished) break;
      await new Promise<void>((resolve) => (wake = resolve));
    }
    done = true;
  } finally {
    // Left mid-way (the client went away, or a failure): the socket is closed under the COPY, which PostgreSQL
    // ends at its next write. Done: the connection ends as usual.
    if (done || !socket) await client.end().catch(() => undefined);
    else socket.destroy();
  }
}
