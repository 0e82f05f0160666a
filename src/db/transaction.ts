import { ControlledTransaction, SqliteAdapter, type Kysely, type Transaction } from 'kysely';
import type { Database } from './database.ts';
import { deferredMark } from './deferred-rows.ts';
import { asConflict } from './unique-violation.ts';

export type Db = Kysely<Database>;
export type Trx = Transaction<Database>;

/**
 * Savepoints are named by their depth (sp_1 inside a transaction, sp_2 inside that, …), never by a
 * running number: a sibling reuses its released predecessor's name, so the SAVEPOINT/RELEASE text
 * repeats and SQLite's statement cache (keyed on the text, connect.ts) keeps them compiled.
 */
const savepointDepths = new WeakMap<object, number>();

export interface TransactionOptions {
  /**
   * The caller never carries on after fn fails: fn is a whole request's work,
   * whose failure is the request's (a route opts in through idempotently).
   * A service fn calls with the transaction then joins it instead of costing
   * a SAVEPOINT/RELEASE pair (two round trips on PostgreSQL); steps nested
   * deeper keep their savepoints, as their callers may carry on. If a joined
   * step fails, the transaction is doomed even when fn catches the error:
   * without a savepoint its half-done writes cannot be undone alone.
   */
  undivided?: boolean;
}

interface Undivided {
  /** Joined steps running now: only a step called by fn itself joins, deeper ones take savepoints. */
  running: number;
  failure?: { error: unknown };
}

const undividedTransactions = new WeakMap<object, Undivided>();

/**
 * The one way to write: runs fn in a transaction — a new one, or, inside a
 * caller's transaction, a savepoint, so a nested step that fails is undone
 * alone and the caller may carry on (inside an undivided transaction the
 * step joins it instead: see TransactionOptions). On SQLite every
 * transaction opened here begins IMMEDIATE (see connect.ts), so a second
 * writer waits (busy_timeout) instead of failing mid-way, and top-level
 * transactions are committed in groups (group commit, ADR 0025): one fsync
 * for many requests, each still all-or-nothing and answered only after the
 * commit that holds it. A unique violation leaves it as a 409 conflict
 * (unique-violation.ts), never a 500.
 */
export async function inTransaction<T>(db: Db, fn: (trx: Trx) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
  if (db instanceof ControlledTransaction) {
    const undivided = undividedTransactions.get(db);
    if (undivided && undivided.running === 0) return joinStep(db as Trx, undivided, fn);
    return inSavepoint(db as ControlledTransaction<Database>, fn, options);
  }
  // A transaction not opened here (none in src) cannot make savepoints: join it.
  if (db.isTransaction) return fn(db as Trx);
  if (db.getExecutor().adapter instanceof SqliteAdapter) return inGroup(db, fn, options);
  const trx = await db.startTransaction().execute();
  let result: T;
  try {
    result = await run(trx, fn, options);
  } catch (error) {
    // A failed rollback (a lost connection) must not hide why we rolled back.
    await trx.rollback().execute().catch(() => undefined);
    throw asConflict(error);
  }
  try {
    await trx.commit().execute();
  } catch (error) {
    throw asConflict(error);
  }
  return result;
}

/** Runs fn in trx, marked undivided for the duration when asked. */
async function run<T>(trx: ControlledTransaction<Database>, fn: (trx: Trx) => Promise<T>, options: TransactionOptions): Promise<T> {
  if (!options.undivided) return fn(trx);
  const state: Undivided = { running: 0 };
  undividedTransactions.set(trx, state);
  try {
    const result = await fn(trx);
    // fn caught a failed step and carried on: that step's writes may be half done, so nothing of fn may commit.
    if (state.failure) throw state.failure.error;
    return result;
  } finally {
    undividedTransactions.delete(trx);
  }
}

async function joinStep<T>(trx: Trx, state: Undivided, fn: (trx: Trx) => Promise<T>): Promise<T> {
  state.running++;
  try {
    return await fn(trx);
  } catch (error) {
    state.failure ??= { error };
    throw asConflict(error);
  } finally {
    state.running--;
  }
}

async function inSavepoint<T>(trx: ControlledTransaction<Database>, fn: (trx: Trx) => Promise<T>, options: TransactionOptions): Promise<T> {
  const depth = (savepointDepths.get(trx) ?? 0) + 1;
  const name = `sp_${depth}`;
  const inner = await trx.savepoint(name).execute();
  savepointDepths.set(inner, depth);
  // Rows the enclosing batch defers (deferred-rows.ts) are the savepoint's too: undone with it.
  const dropDeferred = deferredMark(trx as Trx, inner as Trx);
  let result: T;
  try {
    result = await run(inner, fn, options);
  } catch (error) {
    dropDeferred();
    await inner.rollbackToSavepoint(name).execute();
    throw asConflict(error);
  }
  await inner.releaseSavepoint(name).execute();
  return result;
}

// ---- SQLite group commit (ADR 0025) ----

interface Job {
  fn: (trx: Trx) => Promise<unknown>;
  options: TransactionOptions;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

interface Group {
  queue: Job[];
  running: boolean;
}

/** At most this many requests share one commit, so the first of them is not kept waiting long. */
const maxGroupSize = 64;
const groups = new WeakMap<Db, Group>();

/**
 * better-sqlite3 is synchronous and Kysely gives the one connection to one
 * transaction at a time, so SQLite writes are serial anyway; what costs is the
 * fsync of every COMMIT. Here the requests waiting to write run one after
 * another, each in its own savepoint, inside one transaction that commits
 * once. A request that fails is rolled back to its savepoint alone; the
 * others' promises resolve only after the COMMIT succeeded (and all reject if
 * it fails), so nothing is acknowledged before it is durable.
 */
function inGroup<T>(db: Db, fn: (trx: Trx) => Promise<T>, options: TransactionOptions): Promise<T> {
  let group = groups.get(db);
  if (!group) {
    group = { queue: [], running: false };
    groups.set(db, group);
  }
  const current = group;
  return new Promise<T>((resolve, reject) => {
    current.queue.push({ fn, options, resolve: resolve as (value: unknown) => void, reject });
    if (current.running) return;
    current.running = true;
    // After this turn's I/O callbacks: every request that arrived together joins the first group.
    setImmediate(() => void drain(db, current));
  });
}

async function drain(db: Db, group: Group): Promise<void> {
  try {
    while (group.queue.length > 0) await commitGroup(db, group);
  } finally {
    group.running = false;
  }
}

async function commitGroup(db: Db, group: Group): Promise<void> {
  let trx: ControlledTransaction<Database>;
  try {
    trx = await db.startTransaction().execute();
  } catch (error) {
    // BEGIN failed (another process held the lock past busy_timeout): the waiting requests fail, none half-done.
    for (const job of group.queue.splice(0)) job.reject(asConflict(error));
    return;
  }
  const succeeded: { job: Job; result: unknown }[] = [];
  let broken: unknown;
  // Requests arriving while the group runs join it (they wait for the connection anyway).
  while (broken === undefined && succeeded.length < maxGroupSize && group.queue.length > 0) {
    const job = group.queue.shift() as Job;
    const name = 'sp_1';
    try {
      const inner = await trx.savepoint(name).execute();
      savepointDepths.set(inner, 1);
      try {
        const result = await run(inner, job.fn, job.options);
        await inner.releaseSavepoint(name).execute();
        succeeded.push({ job, result });
      } catch (error) {
        job.reject(asConflict(error));
        // Undo this request alone; if even that fails the transaction is unusable and the group is lost.
        await inner.rollbackToSavepoint(name).execute();
        await inner.releaseSavepoint(name).execute();
      }
    } catch (error) {
      broken = error;
      job.reject(asConflict(error));
    }
  }
  if (broken === undefined) {
    try {
      await trx.commit().execute();
      for (const { job, result } of succeeded) job.resolve(result);
      return;
    } catch (error) {
      broken = error;
    }
  }
  await trx.rollback().execute().catch(() => undefined);
  for (const { job } of succeeded) job.reject(asConflict(broken));
}

/**
 * Reads that need not wait for each other. On the pool they run at once,
 * each on its own connection; in a transaction (one connection) one after
 * another: pg deprecates a query sent while its client is still busy with
 * another (an error from pg 9), and a transaction cannot read in parallel
 * anyway.
 */
export async function readTogether<T extends readonly unknown[]>(db: Db, reads: { readonly [K in keyof T]: () => Promise<T[K]> }): Promise<T> {
  if (!db.isTransaction) return (await Promise.all(reads.map((read) => read()))) as unknown as T;
  const results: unknown[] = [];
  for (const read of reads) results.push(await read());
  return results as unknown as T;
}
