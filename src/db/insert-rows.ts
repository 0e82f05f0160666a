import { PostgresAdapter, sql, type Insertable } from 'kysely';
import type { Database } from './database.ts';
import type { Db } from './transaction.ts';

/** SQLite binds at most 32,766 values per statement (PostgreSQL 65,535); fewer, larger statements mean less parsing per row. */
export const VALUES_PER_STATEMENT = 30_000;

/** The column name the CamelCasePlugin gives a row's key (connect.ts): `createdAt` → `created_at`. */
const columnName = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * Rows that all carry the same columns, as one INSERT … SELECT of a single
 * parameter, the rows as JSON (ADR 0052): the statement's text depends only
 * on the table and its columns, so it is compiled once (SQLite: the
 * connection's statement cache; PostgreSQL: a short statement to plan),
 * whatever the number of rows — a multi-row VALUES list was new SQL of
 * thousands of parameters for every count, parsed by Kysely and compiled by
 * the database each time. SQLite reads each row array with `->>` (a JSON
 * integer stays an INTEGER, a string TEXT); PostgreSQL gives each value its
 * column's type through json_populate_recordset over the table's row type.
 * Run it inside the caller's transaction.
 */
export async function insertRows<T extends keyof Database>(db: Db, table: T, rows: readonly Insertable<Database[T]>[]): Promise<void> {
  if (rows.length === 0) return;
  const keys = Object.keys(rows[0]!);
  const columns = keys.map((key) => sql.ref(key));
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    const json = JSON.stringify(rows.map((row) => Object.fromEntries(keys.map((key) => [columnName(key), (row as Record<string, unknown>)[key] ?? null]))));
    await sql`insert into ${sql.table(table)} (${sql.join(columns)}) select ${sql.join(columns)} from json_populate_recordset(null::${sql.table(table)}, ${json})`.execute(db);
    return;
  }
  const json = JSON.stringify(rows.map((row) => keys.map((key) => (row as Record<string, unknown>)[key] ?? null)));
  const values = keys.map((_, i) => sql`value ->> ${sql.lit(i)}`);
  await sql`insert into ${sql.table(table)} (${sql.join(columns)}) select ${sql.join(values)} from json_each(${json})`.execute(db);
}
