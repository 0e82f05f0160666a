import { createQueryId, type Compilable, type CompiledQuery, type Insertable, type Kysely } from 'kysely';
import type { Database } from './database.ts';

/** Where a named value goes in a prepared query's parameters. */
class Slot {
  constructor(readonly name: string) {}
}

interface Compiled {
  sql: string;
  query: CompiledQuery['query'];
  /** Per parameter: the value's name, or a constant the query was built with (`payment_seq + 1`'s 1). */
  parameters: ReadonlyArray<{ name: string } | { constant: unknown }>;
}

/**
 * A query built with Kysely and compiled once per database kind, then run with new values: for a hot path (one
 * POST of a payment runs a dozen statements), where building the query tree, camel-casing its names and compiling
 * it to SQL on every call cost more than SQLite spends running some of them (ADR 0050). `build` gets the database
 * and a stand-in for each named value (typed as the values: annotate build's second parameter); use the stand-ins where the values go (where, values, set), never in
 * anything that changes the query's shape (a column list, an `in` list's length). The answer is a Compilable:
 * run it with `db.executeQuery(…)` or hand it to writeTogether. The SQL is the same text each time, so SQLite's
 * statement cache (connect.ts) keeps it prepared and PostgreSQL parses it as Kysely's own would be.
 */
export function preparedQuery<V extends object, R>(
  build: (db: Kysely<Database>, values: V) => Compilable<R>,
): (db: Kysely<Database>, values: V) => Compilable<R> {
  // By adapter: one connection's Kysely and its transactions share it, and the SQL differs by database kind. A
  // Kysely derived with other plugins (withoutPlugins) shares it too, and would get the first caller's SQL: call
  // these with connectDatabase's Kysely (camel-cased) or its transactions only.
  const compiledFor = new WeakMap<object, Compiled>();
  const compile = (db: Kysely<Database>): Compiled => {
    const adapter = db.getExecutor().adapter;
    let compiled = compiledFor.get(adapter);
    if (!compiled) {
      const slots = new Proxy({} as V, { get: (_, name) => new Slot(String(name)) });
      const query = build(db, slots).compile();
      compiled = {
        sql: query.sql,
        query: query.query,
        parameters: query.parameters.map((value) => (value instanceof Slot ? { name: value.name } : { constant: value })),
      };
      compiledFor.set(adapter, compiled);
    }
    return compiled;
  };
  return (db, values) => ({
    compile(): CompiledQuery<R> {
      const { sql, query, parameters } = compile(db);
      return { sql, query, queryId: createQueryId(), parameters: parameters.map((p) => ('name' in p ? (values as Record<string, unknown>)[p.name] : p.constant)) };
    },
  });
}

/**
 * preparedQuery for the rows of one table: every insertable column named once (a Record over them, so a column
 * added to the table and not here fails to compile), true to write it, false to leave it to the table's default;
 * one compiled INSERT per number of rows. Every written column of every row must have a value (null where empty):
 * an insert compiled once cannot leave one out.
 */
const maxPreparedRows = 8;

export function preparedInsert<T extends keyof Database & string>(table: T, columns: Record<keyof Insertable<Database[T]> & string, boolean>) {
  const names = Object.keys(columns).filter((name) => columns[name as keyof typeof columns]);
  const bySize = new Map<number, { keys: string[][]; insert: (db: Kysely<Database>, values: Record<string, unknown>) => Compilable<unknown> }>();
  const prepared = (size: number) => {
    const keys = Array.from({ length: size }, (_, i) => names.map((name) => `${i}.${name}`));
    const insert = preparedQuery((db, v: Record<string, unknown>) =>
      db.insertInto(table).values(keys.map((rowKeys) => Object.fromEntries(rowKeys.map((key, c) => [names[c], v[key]]))) as never),
    );
    const entry = { keys, insert };
    bySize.set(size, entry);
    return entry;
  };
  return (db: Kysely<Database>, rows: readonly Insertable<Database[T]>[]): Compilable<unknown> => {
    // Many rows at once are rare (a big journal entry) and vary in number: built as usual, not kept.
    if (rows.length > maxPreparedRows) return db.insertInto(table).values(rows as never);
    const { keys, insert } = bySize.get(rows.length) ?? prepared(rows.length);
    const values: Record<string, unknown> = {};
    rows.forEach((row, i) => {
      names.forEach((name, c) => {
        const value = (row as Record<string, unknown>)[name];
        if (value === undefined) throw new Error(`preparedInsert(${table}): no value for ${name}`);
        values[keys[i]![c]!] = value;
      });
    });
    return insert(db, values);
  };
}
