import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { CamelCasePlugin, CompiledQuery, Kysely, Migrator, PostgresDialect, PostgresDriver, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver, type Dialect as KyselyDialect, type MigrationProvider, type SqliteDatabase, type TransactionSettings } from 'kysely';
import type pg from 'pg';
import type { Database } from './database.ts';
import { migrations } from './migrations/index.ts';
import { pgTypes, requirePg, type SliceSource } from './slice-readers.ts';
import { withStartupLock } from './startup-lock.ts';

export type Dialect = 'sqlite' | 'postgres';

export interface DatabaseHandle {
  db: Kysely<Database>;
  dialect: Dialect;
  /** Where the SQLite file lives (undefined on PostgreSQL). */
  file: string | undefined;
  close(): Promise<void>;
}

export interface ConnectOptions {
  dataDir: string;
  databaseUrl?: string | undefined;
  /** How long a SQLite writer waits for another process's write transaction before SQLITE_BUSY. */
  busyTimeoutMs?: number | undefined;
  /** Where an idle PostgreSQL connection's error goes (default: one line on stderr). */
  onPoolError?: ((error: Error) => void) | undefined;
}

function logPoolError(error: Error): void {
  const code = (error as { code?: string }).code;
  process.stderr.write(`${JSON.stringify({ level: 50, time: Date.now(), msg: 'idle database connection lost', code, err: error.message })}\n`);
}

/**
 * SQLite transactions begin IMMEDIATE: the write lock is taken at BEGIN, where
 * busy_timeout makes another writer (a second process, the CLI) wait. A
 * deferred BEGIN takes it at the first write instead, and when another
 * process committed in between SQLite answers SQLITE_BUSY at once, without
 * waiting. Every transaction here writes (inTransaction is the write path).
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/** Kysely's dialect with a driver of ours (Kysely asks a dialect for its driver once per Kysely). */
function withDriver(dialect: KyselyDialect, driver: Driver): KyselyDialect {
  return {
    createDriver: () => driver,
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createAdapter: () => dialect.createAdapter(),
    createIntrospector: (db) => dialect.createIntrospector(db),
  };
}

/**
 * PostgreSQL transactions release their row locks before their commit is
 * flushed, and are answered only after it is (ADR 0041). A payment holds its
 * practice's number row (gapless numbers) until COMMIT; with a synchronous
 * commit that includes the WAL flush (fdatasync, ~4 ms here), so one
 * practice's payments could never exceed one per flush. Committed with
 * synchronous_commit off, COMMIT returns once the commit record is in the
 * WAL buffers and the locks go; then a one-statement transaction that takes
 * a transaction id commits synchronously, which flushes the WAL up to its own
 * commit record — past ours, which precedes it in the one WAL. Concurrent
 * requests' flushes are shared by PostgreSQL. Only after that does COMMIT
 * resolve, so nothing is acknowledged before it is durable. A crash before
 * the flush loses this transaction and every later one (the WAL is one
 * sequence): never a later payment number without an earlier one.
 */
class DurableAfterUnlockPostgresDriver extends PostgresDriver {
  override async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    if (settings.isolationLevel || settings.accessMode) {
      await super.beginTransaction(connection, settings);
      await connection.executeQuery(CompiledQuery.raw('set local synchronous_commit to off'));
      return;
    }
    // One round trip: a parameterless query string may hold two statements.
    await connection.executeQuery(CompiledQuery.raw('begin; set local synchronous_commit to off'));
  }
  override async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await super.commitTransaction(connection);
    await connection.executeQuery(CompiledQuery.raw('select pg_current_xact_id()'));
  }
}

/**
 * Kysely prepares every query anew, and better-sqlite3 compiles the SQL on
 * each prepare(): a fixed cost on every query of every request. The same SQL
 * text gets the same compiled statement here (the most recently used 500;
 * SQLite recompiles a statement itself after a schema change). One
 * connection runs one query at a time, so a statement is never shared by two.
 */
function withStatementCache(sqlite: SQLite.Database, size = 500): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      let statement = cache.get(sql);
      if (statement) {
        cache.delete(sql);
      } else {
        statement = sqlite.prepare(sql);
        if (cache.size >= size) cache.delete(cache.keys().next().value as string);
      }
      cache.set(sql, statement);
      return statement;
    },
  };
}

export function connectDatabase(options: ConnectOptions): DatabaseHandle {
  const plugins = [new CamelCasePlugin()];
  if (options.databaseUrl) {
    // jit off: PostgreSQL compiles a plan to machine code on every execution once its estimated cost passes
    // jit_above_cost, and an estimate can pass it by far for a query that stops after one page (a LIMIT over
    // filtered groups: the refund review's candidates, ~1 s of compiling for ~0.1 s of work, ADR 0043). The
    // app's queries are short; none runs long enough to win that back. A DATABASE_URL's own options replace this.
    const pool = new (requirePg().Pool)({ connectionString: options.databaseUrl, max: 10, types: pgTypes as pg.CustomTypesConfig, options: '-c jit=off' });
    // An idle client can lose its connection (a restart, a terminated backend): the pool drops it and
    // opens another on the next query. Without a listener that 'error' event would crash the process.
    const onPoolError = options.onPoolError ?? logPoolError;
    pool.on('error', (error) => {
      // While closing, a backend ended by the server (57P01) is the expected end, not news.
      if (pool.ending) return;
      onPoolError(error);
    });
    // pg-pool listens for a client's errors only while it is idle in the pool. A client checked out by a request
    // or a job whose backend ends between two of its statements (a restart, a terminated backend) would emit
    // 'error' to no listener, and that ends the process. With this one, its next statement fails and says why,
    // and the pool drops the client when it comes back (pg-pool removes a client that is no longer queryable).
    // The idle case is reported above, once.
    pool.on('connect', (client) => client.on('error', () => undefined));
    const db = new Kysely<Database>({ dialect: withDriver(new PostgresDialect({ pool }), new DurableAfterUnlockPostgresDriver({ pool })), plugins });
    const { databaseUrl } = options;
    sliceSources.set(db, { dialect: 'postgres', connectionString: databaseUrl });
    return remember({ db, dialect: 'postgres', file: undefined, close: () => db.destroy() });
  }
  fs.mkdirSync(options.dataDir, { recursive: true });
  const file = path.join(options.dataDir, 'ledger.db');
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  // FULL: an acknowledged commit survives power loss, not just a crash.
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  // The CLI and the server may share the file; wait for the other writer rather than fail.
  sqlite.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 10_000}`);
  // A statement inside a transaction keeps the pages it changes in a statement journal, to undo itself alone
  // if it fails. Past 64 KB that journal goes to a temporary file: a payment's INSERT (17 indexes, 3 triggers)
  // wrote ~20 pages there, two pwrite calls each — 60 % of the INSERT's time (ADR 0044). In memory instead.
  sqlite.pragma('temp_store = MEMORY');
  const database = withStatementCache(sqlite);
  const db = new Kysely<Database>({ dialect: withDriver(new SqliteDialect({ database }), new ImmediateSqliteDriver({ database })), plugins });
  sliceSources.set(db, { dialect: 'sqlite', file });
  return remember({ db, dialect: 'sqlite', file, close: () => db.destroy() });
}

const sliceSources = new WeakMap<Kysely<Database>, SliceSource>();

/**
 * Where a Kysely made by connectDatabase reads very many rows on a connection of the read's own (slice-readers.ts);
 * undefined for any other Kysely (a transaction, which must not be read past its own connection).
 */
export function sliceSourceOf(db: Kysely<Database>): SliceSource | undefined {
  return sliceSources.get(db);
}

// migrateToLatest takes the Kysely instance (its public shape); this finds the handle behind it for the lock.
const handles = new WeakMap<Kysely<Database>, DatabaseHandle>();
function remember(handle: DatabaseHandle): DatabaseHandle {
  handles.set(handle.db, handle);
  return handle;
}

const provider: MigrationProvider = { getMigrations: async () => migrations };

/**
 * Brings the schema up to date; safe to run on every start and from several
 * processes at once: under the start-up lock, the second process waits and
 * then finds nothing to do (Kysely's own lock does not cover SQLite, where two
 * processes both created the tables).
 */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const migrate = async () => {
    // Migrations are written in snake_case; the camel-case plugin must not touch them.
    // Parallel branches add numbered migrations that may land out of order; each is independent of the others' order.
    const migrator = new Migrator({ db: db.withoutPlugins(), provider, allowUnorderedMigrations: true });
    const { error, results } = await migrator.migrateToLatest();
    if (error) throw error;
    return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  };
  const handle = handles.get(db);
  return handle ? withStartupLock(handle, migrate) : migrate();
}
