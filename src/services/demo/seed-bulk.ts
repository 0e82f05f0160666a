import { CompiledQuery, SqliteAdapter, sql, type RawBuilder } from 'kysely';
import type { Dialect } from '../../db/connect.ts';
import { fillPaymentTotals } from '../../db/migrations/0022-dashboard-totals.ts';
import { addListCounts } from '../../db/migrations/0032-list-counts.ts';
import { newId, nowIso } from '../../db/ids.ts';
import { columnName as snakeCase, insertValues } from '../../db/insert-rows.ts';
import { inTransaction, type Db, type Trx } from '../../db/transaction.ts';
import type { Actor } from '../actor.ts';
import { practiceDate } from '../practices/practice-settings.ts';
import { bulkColumns, claimNumber, columnsOf, seedChunksOnWorker, type BulkTable, type SeedPlan, type TableRows } from './seed-rows.ts';

const bulkTables = Object.keys(bulkColumns).map(snakeCase);

type Writer = (db: Db, rows: TableRows) => Promise<void>;

/**
 * SQLite: insertValues (insert-rows.ts), multi-row INSERTs of ~30,000 values whose SQL text is made once per
 * row count, so the connection's statement cache (connect.ts) hands back the compiled statement. PostgreSQL: one INSERT …
 * SELECT FROM unnest() per table and chunk, a parameter per column (an array of its values), so the server
 * parses and plans a short statement instead of one with tens of thousands of parameters.
 */
async function bulkWriter(db: Db): Promise<Writer> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) return (trx, rows) => insertValues(trx, snakeCase(rows.table), columnsOf(rows.table).map(snakeCase), rows.values);
  const texts = new Map<string, string>();
  const textOf = (key: string, make: () => string) => {
    let text = texts.get(key);
    if (text === undefined) texts.set(key, (text = make()));
    return text;
  };
  const names = (table: BulkTable) => columnsOf(table).map((c) => `"${snakeCase(c)}"`).join(', ');
  // unnest() needs each array's type: the columns' own, from the catalog.
  const catalog = await sql<{ tableName: string; columnName: string; dataType: string }>`select table_name, column_name, data_type from information_schema.columns where table_schema = current_schema() and table_name in (${sql.join(bulkTables)})`.execute(db);
  const types = new Map(catalog.rows.map((r) => [`${r.tableName}.${r.columnName}`, r.dataType]));
  return async (trx, rows) => {
    const columns = columnsOf(rows.table);
    const total = rows.count;
    if (total === 0) return;
    const table = snakeCase(rows.table);
    const text = textOf(rows.table, () => `insert into "${table}" (${names(rows.table)}) select * from unnest(${columns.map((c, i) => `$${i + 1}::${types.get(`${table}.${snakeCase(c)}`)}[]`).join(', ')})`);
    const arrays = columns.map(() => new Array<unknown>(total));
    for (let i = 0, v = 0; i < total; i++) for (const array of arrays) array[i] = rows.values[v++];
    await trx.executeQuery(CompiledQuery.raw(text, arrays));
  };
}

/**
 * The per-row triggers on payments that a bulk insert takes out of the way, each with the set-wise fill, from
 * the migration that made the trigger, that adds the same rows afterwards (ADR 0038): one grouped INSERT …
 * SELECT instead of an upsert per payment. A trigger not found under its name here (a later migration renamed
 * it) keeps firing row by row and its fill is not run: slower, never counted twice.
 */
const deferredTriggers: Record<Dialect, Record<string, (db: Db, where: RawBuilder<unknown>) => Promise<void>>> = {
  sqlite: { payment_totals_insert: fillPaymentTotals, payment_names_insert: addListCounts },
  postgres: { payment_totals_track: fillPaymentTotals, payment_names_track: addListCounts },
};

/**
 * Runs work, which inserts the payments that `inserted` (a condition on payments) matches and writes no other
 * payments, with the deferred triggers out of the way, then puts them back and fills their tables from those
 * payments. Inside trx only, so other connections never see the triggers missing: SQLite drops and re-creates
 * them (from their own text in sqlite_master; the seed's one transaction holds the write lock anyway),
 * PostgreSQL disables them in this transaction (ALTER TABLE's lock makes other writers to payments wait for its
 * commit).
 */
async function withPaymentTriggersDeferred<T>(trx: Trx, dialect: Dialect, inserted: RawBuilder<unknown>, work: () => Promise<T>): Promise<T> {
  const fills = deferredTriggers[dialect];
  const names = Object.keys(fills);
  const found =
    dialect === 'sqlite'
      ? (await sql<{ name: string; sql: string }>`select name, sql from sqlite_master where type = 'trigger' and tbl_name = 'payments' and name in (${sql.join(names)})`.execute(trx)).rows
      : (await sql<{ name: string; sql: string }>`select tgname as name, '' as sql from pg_trigger where tgrelid = 'payments'::regclass and tgenabled <> 'D' and tgname in (${sql.join(names)})`.execute(trx)).rows;
  for (const t of found) await sql.raw(dialect === 'sqlite' ? `drop trigger "${t.name}"` : `alter table payments disable trigger "${t.name}"`).execute(trx);
  const result = await work();
  for (const t of found) await sql.raw(dialect === 'sqlite' ? t.sql : `alter table payments enable trigger "${t.name}"`).execute(trx);
  for (const t of found) await fills[t.name]!(trx, inserted);
  return result;
}

/** The seed's page cache while it inserts (256 MB), and while it rebuilds indexes and fills the counts (16 MB: the sorter's run size). */
const insertCache = -262_144;
const sortRunCache = -16_384;

/**
 * SQLite spends most of a bulk load keeping a dozen secondary indexes in
 * order row by row (measured: 100,000 payments inserted in 18 s with them,
 * 3 s without, plus a few seconds to build them afterwards by sorting). When
 * the seed at least doubles the table, the plain (non-unique) indexes are
 * dropped and rebuilt inside the seed's one transaction: unique constraints
 * stay checked, and a crash leaves the file as it was, indexes included.
 * Foreign keys are checked once at the end (PRAGMA foreign_key_check, a scan
 * per table) instead of row by row, a quarter of the inserts' cost; a
 * reference to a missing row fails the check and rolls everything back.
 */
async function withSqliteBulkLoad<T>(db: Db, practiceId: string, rowsToAdd: number, work: (db: Db) => Promise<T>): Promise<T> {
  const pragmaText = async (name: string) => String(Object.values((await sql.raw(`pragma ${name}`).execute(db)).rows[0] as Record<string, unknown>)[0]);
  const pragma = async (name: string) => Number(await pragmaText(name));
  // Written once: with no other connection on the file, the seed leaves WAL for a rollback journal, so its pages
  // go straight into the database instead of into the WAL and then again into the database at the checkpoint
  // (ADR 0038). The journal keeps the seed all-or-nothing: killed part-way, the next open rolls it back. Another
  // process with the file open (a server) makes the switch fail at once (busy_timeout 0): the seed stays in WAL.
  let leftWal = false;
  if (!db.isTransaction && (await pragmaText('journal_mode')) === 'wal') {
    const busyTimeout = await pragma('busy_timeout');
    await sql`pragma busy_timeout = 0`.execute(db);
    try {
      leftWal = (await pragmaText('journal_mode = delete')) === 'delete';
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
    } finally {
      await sql.raw(`pragma busy_timeout = ${busyTimeout}`).execute(db);
    }
  }
  const cacheSize = await pragma('cache_size');
  const threads = await pragma('threads');
  const tempStore = await pragma('temp_store');
  const mmapSize = await pragma('mmap_size');
  // A large page cache keeps the B-trees being written in memory instead of rereading them from the file.
  await sql`pragma cache_size = ${sql.raw(String(insertCache))}`.execute(db);
  // CREATE INDEX sorts on helper threads: the second core, idle otherwise. SQLite's sorter hands work to them only
  // when it writes its runs to temp files (with temp_store = memory it sorts everything on the calling thread), and
  // it cuts a run at cache_size bytes: so the rebuild runs with a small cache (sortRunCache), each run sorted
  // on a helper thread while the table scan goes on, and the runs merged by the helpers (ADR 0045).
  await sql`pragma threads = 2`.execute(db);
  await sql`pragma temp_store = file`.execute(db);
  // The tables the index builds scan, once the cache has spilled them to the file (no longer only in a WAL), are
  // read through a memory map, not a read() per page (ADR 0038). better-sqlite3's SQLite caps the map at 2 GB.
  await sql`pragma mmap_size = 4294967296`.execute(db);
  // Foreign key checks can be switched only outside a transaction; inside a caller's they stay row by row.
  const deferKeys = !db.isTransaction && (await pragma('foreign_keys')) === 1;
  if (deferKeys) await sql`pragma foreign_keys = off`.execute(db);
  try {
    return await inTransaction(db, async (trx) => {
      const present = await trx.selectFrom('payments').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      const indexes =
        rowsToAdd >= Math.max(10_000, Number(present.n))
          ? (
              await sql<{ name: string; sql: string }>`select name, sql from sqlite_master where type = 'index' and sql like 'CREATE INDEX%' and tbl_name in (${sql.join(bulkTables)})`.execute(trx)
            ).rows
          : [];
      for (const index of indexes) await sql`drop index ${sql.id(index.name)}`.execute(trx);
      const seq = await trx.selectFrom('practices').select('paymentSeq').where('id', '=', practiceId).executeTakeFirstOrThrow();
      // With the indexes rebuilt (the seed adds at least as many rows as the table held), the fills check the
      // number on each row (the unary + keeps SQLite from searching by it) and read the counts through the list
      // indexes, which lead with practice_id and carry number, instead of through (practice_id, number) and a
      // table lookup a payment (ADR 0058: the day counts 2.1 → 0.4 s at 1,000,000). Without the rebuild a small
      // seed into a large practice searches by number, as before.
      const after = Number(seq.paymentSeq);
      const inserted = indexes.length > 0 ? sql`practice_id = ${practiceId} and +number > ${after}` : sql`practice_id = ${practiceId} and number > ${after}`;
      const result = await withPaymentTriggersDeferred(trx, 'sqlite', inserted, async () => {
        const result = await work(trx);
        // Rebuilt before the deferred triggers' fills, which read the payments through them. The small cache stays
        // for the fills: their GROUP BYs sort the seeded payments too (the dashboard totals' a million rows), and
        // with runs of cache_size bytes the sort goes to the helper threads as the index builds' do (ADR 0058).
        await sql`pragma cache_size = ${sql.raw(String(sortRunCache))}`.execute(trx);
        for (const index of indexes) await sql.raw(index.sql).execute(trx);
        return result;
      });
      if (deferKeys) {
        for (const table of [...bulkTables, 'locations']) {
          const missing = await sql.raw(`pragma foreign_key_check(${table})`).execute(trx);
          if (missing.rows.length > 0) throw new Error(`The seed would leave ${missing.rows.length} ${table} rows referring to rows that do not exist: nothing was seeded.`);
        }
      }
      return result;
    });
  } finally {
    if (deferKeys) await sql`pragma foreign_keys = on`.execute(db);
    await sql.raw(`pragma threads = ${threads}`).execute(db);
    await sql.raw(`pragma temp_store = ${tempStore}`).execute(db);
    await sql.raw(`pragma mmap_size = ${mmapSize}`).execute(db);
    await sql.raw(`pragma cache_size = ${cacheSize}`).execute(db);
    // Back to WAL, as connectDatabase opens every file; should another process hold the file past busy_timeout
    // here, it stays in rollback mode only until its next open, which sets WAL again.
    if (leftWal) {
      try {
        await sql`pragma journal_mode = wal`.execute(db);
      } catch (error) {
        if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
      }
    }
  }
}

/**
 * Fast bulk demo data for load tests: rows written many to a statement
 * (row-at-a-time is 15× slower on PostgreSQL), see bulkWriter. On PostgreSQL each chunk is its own transaction,
 * so a running server keeps working; on SQLite the whole seed is one
 * transaction (chunks are savepoints) with its indexes built at the end, see
 * withSqliteBulkLoad. Each paid payment gets its journal entry, so
 * `ledger verify` still balances.
 */
export async function seedBulk(
  db: Db,
  actor: Actor,
  options: SeedOptions,
  onProgress: (done: number, total: number) => void = () => {},
) {
  if (options.dialect === 'sqlite') return withSqliteBulkLoad(db, actor.practiceId, options.patients + options.payments, (trx) => seedRows(trx, actor, options, onProgress));
  const seeded = await seedRows(db, actor, options, onProgress);
  // PostgreSQL plans from statistics, and answers index-only scans from the visibility map, that autovacuum
  // brings up to date only some time after a bulk load; until then a list can take a plan made for the empty
  // tables, and every "index-only" scan reads the table too. The tables the seed wrote are vacuumed and
  // analyzed at once (analyzed only, inside a caller's transaction, where VACUUM cannot run).
  if (options.dialect === 'postgres') {
    const tables = [...bulkTables, 'payment_names'].join(', ');
    await sql.raw(db.isTransaction ? `analyze ${tables}` : `vacuum (analyze) ${tables}`).execute(db);
  }
  return seeded;
}

export interface SeedOptions {
  patients: number;
  payments: number;
  /**
   * Of the patients added, this many (the first) are insured: a primary coverage, and their visit billed on
   * one submitted claim whose control number is PL and seven digits, PL0000001 up — the CLP01 numbering of
   * the generated 835 (src/x12/generate-835.ts), so a generated file posts to them (the benchmark's import
   * and refund-review rows). Default 0: every bulk patient is self-pay.
   */
  claims?: number;
  seed?: number;
  dialect?: Dialect;
}

async function seedRows(db: Db, actor: Actor, options: SeedOptions, onProgress: (done: number, total: number) => void) {
  const insured = Math.min(options.claims ?? 0, options.patients);
  if (insured > 0) {
    const taken = await db.selectFrom('claims').select('id').where('practiceId', '=', actor.practiceId).where('controlNumber', '=', claimNumber(0)).executeTakeFirst();
    if (taken) throw new Error(`This practice already has claim ${claimNumber(0)}: seed claims into a practice without them.`);
  }
  const write = await bulkWriter(db);
  const practiceId = actor.practiceId;
  let locations = await db.selectFrom('locations').select('id').where('practiceId', '=', practiceId).execute();
  if (locations.length === 0) {
    const rows = ['Main Clinic', 'East Office'].map((name) => ({ id: newId(), practiceId, name, createdAt: nowIso() }));
    await db.insertInto('locations').values(rows).execute();
    locations = rows.map((r) => ({ id: r.id }));
  }
  const existingPatients =
    options.patients === 0 && options.payments > 0 ? await db.selectFrom('patients').select(['id', 'firstName', 'lastName']).where('practiceId', '=', practiceId).limit(10_000).execute() : [];
  if (options.patients === 0 && options.payments > 0 && existingPatients.length === 0) throw new Error('No patients to attach payments to: seed some patients too.');
  const plan: SeedPlan = {
    practiceId,
    actor: { id: actor.id, name: actor.name },
    today: await practiceDate(db, practiceId),
    locationIds: locations.map((l) => l.id),
    patients: options.patients,
    payments: options.payments,
    insured,
    seed: options.seed ?? 7,
    existingPatients,
  };

  const total = options.patients + options.payments;
  const numberColumn = columnsOf('payments').indexOf('number');
  const paymentWidth = columnsOf('payments').length;
  for await (const chunk of seedChunksOnWorker(plan)) {
    await inTransaction(db, async (trx) => {
      if (chunk.kind === 'patients') {
        for (const rows of chunk.rows) await write(trx, rows);
        return;
      }
      const [paymentRows, entryRows, lineRows] = chunk.rows as [TableRows, TableRows, TableRows];
      const count = paymentRows.count;
      const reserved = await trx
        .updateTable('practices')
        .set((eb) => ({ paymentSeq: eb('paymentSeq', '+', count) }))
        .where('id', '=', practiceId)
        .returning('paymentSeq')
        .executeTakeFirstOrThrow();
      const firstNumber = Number(reserved.paymentSeq) - count + 1;
      // The generator numbers a chunk's payments from 0; their numbers are the ones reserved here.
      for (let v = numberColumn; v < paymentRows.values.length; v += paymentWidth) paymentRows.values[v] = firstNumber + (paymentRows.values[v] as number);
      // On SQLite the whole seed runs with the triggers deferred (withSqliteBulkLoad); on PostgreSQL each chunk does.
      const writeAll = async () => {
        await write(trx, paymentRows);
        await write(trx, entryRows);
        await write(trx, lineRows);
      };
      if (options.dialect === 'postgres') await withPaymentTriggersDeferred(trx, 'postgres', sql`practice_id = ${practiceId} and number > ${firstNumber - 1}`, writeAll);
      else await writeAll();
    });
    onProgress(chunk.done, total);
  }
  return { patients: options.patients, payments: options.payments };
}
