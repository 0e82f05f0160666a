import { ControlledTransaction, type Kysely, type Transaction } from 'kysely';
import type { Database } from './database.ts';
import { asConflict } from './unique-violation.ts';

export type Db = Kysely<Database>;
export type Trx = Transaction<Database>;

let savepoints = 0;

/**
 * The one way to write: runs fn in a transaction — a new one, or, inside a
 * caller's transaction, a savepoint, so a nested step that fails is undone
 * alone and the caller may carry on. On SQLite every transaction opened here
 * begins IMMEDIATE (see connect.ts), so a second writer waits (busy_timeout)
 * instead of failing mid-way. Every write transaction passes through this
 * function, which is where group commit would batch them later. A unique
 * violation leaves it as a 409 conflict (unique-violation.ts), never a 500.
 */
export async function inTransaction<T>(db: Db, fn: (trx: Trx) => Promise<T>): Promise<T> {
  if (db instanceof ControlledTransaction) {
    const name = `sp_${++savepoints}`;
    const inner = await (db as ControlledTransaction<Database>).savepoint(name).execute();
    let result: T;
    try {
      result = await fn(inner);
    } catch (error) {
      await inner.rollbackToSavepoint(name).execute();
      throw asConflict(error);
    }
    await inner.releaseSavepoint(name).execute();
    return result;
  }
  // A transaction not opened here (none in src) cannot make savepoints: join it.
  if (db.isTransaction) return fn(db as Trx);
  const trx = await db.startTransaction().execute();
  let result: T;
  try {
    result = await fn(trx);
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
