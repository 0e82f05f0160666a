import type { Kysely, Transaction } from 'kysely';
import type { Database } from './database.ts';

export type Db = Kysely<Database>;
export type Trx = Transaction<Database>;

/**
 * Runs fn in a transaction: the caller's, when it passes one, else a new one.
 * Services call this so that they are atomic alone and composable inside a
 * caller's transaction (an idempotent request, a batch).
 */
export async function inTransaction<T>(db: Db, fn: (trx: Trx) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db as Trx);
  return db.transaction().execute(fn);
}
