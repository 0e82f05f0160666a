import type { Insertable } from 'kysely';
import type { Database } from './database.ts';
import type { Db } from './transaction.ts';

/** SQLite binds at most 32,766 values per statement (PostgreSQL 65,535); fewer, larger statements mean less parsing per row. */
export const VALUES_PER_STATEMENT = 30_000;

/**
 * Multi-row inserts of rows that all carry the same columns, as few
 * statements as the bound-value limit allows. Run it inside the caller's
 * transaction: a failure part-way leaves the earlier statements to its rollback.
 */
export async function insertRows<T extends keyof Database>(db: Db, table: T, rows: readonly Insertable<Database[T]>[]): Promise<void> {
  if (rows.length === 0) return;
  const size = Math.max(1, Math.floor(VALUES_PER_STATEMENT / Object.keys(rows[0]!).length));
  for (let i = 0; i < rows.length; i += size) {
    await db
      .insertInto(table)
      .values(rows.slice(i, i + size) as never)
      .execute();
  }
}
