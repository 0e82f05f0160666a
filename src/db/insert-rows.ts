import { CompiledQuery, PostgresAdapter, sql, type Compilable, type Insertable } from 'kysely';
import type { Database } from './database.ts';
import type { Db } from './transaction.ts';

/** SQLite binds at most 32,766 values per statement (PostgreSQL 65,535); fewer, larger statements mean less parsing per row. */
export const VALUES_PER_STATEMENT = 30_000;

/** The column name the CamelCasePlugin gives a row's key (connect.ts): `createdAt` → `created_at`. */
export const columnName = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** SQL texts of insertValues, by table, columns and row count: made once each. */
const valuesTexts = new Map<string, string>();

/**
 * SQLite: rows of `columns` (the database's names), their `values` one row after another, as multi-row INSERT …
 * VALUES of plain bound values: full statements of VALUES_PER_STATEMENT values, then what is left in power-of-two
 * row counts, so a table has a dozen texts at most, each made once here and compiled once by SQLite (the
 * connection's statement cache, connect.ts), whatever the number of rows. Kysely builds nothing (a query tree of
 * thousands of values cost more than SQLite spent inserting them), and SQLite parses no JSON: ADR 0056 measured
 * the rows as one JSON parameter (`json_each`, ADR 0052) at 2–4× the CPU a row for an 835's claim records, whose
 * `detail` is ~1.7 KB of JSON text. Run it inside the caller's transaction.
 */
export async function insertValues(db: Db, table: string, columns: readonly string[], values: readonly unknown[]): Promise<void> {
  for (const statement of valuesStatements(table, columns, values)) await db.executeQuery(statement);
}

/** insertValues' statements, in order. */
function valuesStatements(table: string, columns: readonly string[], values: readonly unknown[]): CompiledQuery[] {
  const width = columns.length;
  const total = values.length / width;
  const perStatement = Math.max(1, Math.floor(VALUES_PER_STATEMENT / width));
  const statements: CompiledQuery[] = [];
  for (let first = 0, count = 0; first < total; first += count) {
    const left = total - first;
    count = left >= perStatement ? perStatement : 2 ** Math.floor(Math.log2(left));
    const key = `${table} (${columns.join(', ')}) ${count}`;
    let text = valuesTexts.get(key);
    if (text === undefined) {
      text = `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values ${Array(count).fill(`(${Array(width).fill('?').join(', ')})`).join(', ')}`;
      valuesTexts.set(key, text);
    }
    statements.push(CompiledQuery.raw(text, count === total ? (values as unknown[]) : values.slice(first * width, (first + count) * width)));
  }
  return statements;
}

/**
 * Rows that all carry the same columns, in few statements whose text does not
 * depend on the exact number of rows. SQLite: insertValues (power-of-two
 * multi-row VALUES, ADR 0056). PostgreSQL: one INSERT … SELECT of a single
 * parameter, the rows as JSON (ADR 0052), each value given its column's type
 * through json_populate_recordset over the table's row type: one short
 * statement to plan, whatever the number of rows. Run it inside the caller's
 * transaction.
 */
export async function insertRows<T extends keyof Database>(db: Db, table: T, rows: readonly Insertable<Database[T]>[]): Promise<void> {
  for (const write of rowsWrites(db, table, rows)) await db.executeQuery(write);
}

/**
 * insertRows' statements, not run: for writeTogether with other writes of the same change (on PostgreSQL one
 * round trip for them all, ADR 0062). None when there are no rows.
 */
export function rowsWrites<T extends keyof Database>(db: Db, table: T, rows: readonly Insertable<Database[T]>[]): Compilable[] {
  if (rows.length === 0) return [];
  const keys = Object.keys(rows[0]!);
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    const columns = keys.map((key) => sql.ref(key));
    // Each key's column name worked out once, not once a row (a page of the refund review writes ~2,500 rows).
    const names = keys.map(columnName);
    const json = JSON.stringify(
      rows.map((row) => {
        const record: Record<string, unknown> = {};
        for (let i = 0; i < keys.length; i++) record[names[i]!] = (row as Record<string, unknown>)[keys[i]!] ?? null;
        return record;
      }),
    );
    const insert = sql`insert into ${sql.table(table)} (${sql.join(columns)}) select ${sql.join(columns)} from json_populate_recordset(null::${sql.table(table)}, ${json})`;
    return [{ compile: () => insert.compile(db) }];
  }
  const values: unknown[] = [];
  for (const row of rows) for (const key of keys) values.push((row as Record<string, unknown>)[key] ?? null);
  return valuesStatements(columnName(table), keys.map(columnName), values).map((statement) => ({ compile: () => statement }));
}
