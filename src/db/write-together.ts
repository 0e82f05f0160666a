import { CompiledQuery, PostgresAdapter, type Compilable } from 'kysely';
import { isLateNumber, parameterSql, parameterWithNumber, type LateNumber } from './late-number.ts';
import type { Trx } from './transaction.ts';

/**
 * Writes nobody reads back (new rows: a journal entry and its lines, an
 * audit event, an outbox event) in one round trip on PostgreSQL: a single
 * statement whose data-modifying WITH parts each run once, to completion,
 * whatever the outer query reads. The parts see one snapshot, so none may
 * depend on another's rows except through a foreign key (checked at the
 * statement's end), and no two may change one row. On SQLite they run one
 * after another, in order: there a statement is a call into this process,
 * with no round trip to save.
 *
 * A LateNumber first (late-number.ts): the statement takes the number too,
 * and the writes get it in place of its stand-in; afterwards `value` holds it.
 */
/** A write for writeTogether: a statement, or the late number the statement takes first. */
export type Write = Compilable | LateNumber;

export async function writeTogether(trx: Trx, writes: readonly Write[]): Promise<void> {
  const late = isLateNumber(writes[0]) ? writes[0] : undefined;
  const rest = late ? writes.slice(1) : writes;
  if (!rest.every((write): write is Compilable => !isLateNumber(write))) throw new Error('a late number goes first, and only one');
  if (!(trx.getExecutor().adapter instanceof PostgresAdapter) || (!late && rest.length <= 1)) {
    if (late) late.value = firstColumn((await trx.executeQuery(late.take)).rows);
    for (const write of rest) {
      if (!late) {
        await trx.executeQuery(write);
        continue;
      }
      const compiled = write.compile();
      await trx.executeQuery({ ...compiled, parameters: compiled.parameters.map((p) => parameterWithNumber(late, p)) });
    }
    return;
  }
  const parameters: unknown[] = [];
  const taken = '(select taken.number from taken)';
  const partOf = (compiled: CompiledQuery) =>
    // Kysely's PostgreSQL compiler numbers placeholders from $1 and passes every value as a parameter, never inline.
    compiled.sql.replace(/\$(\d+)/g, (_, n: string) => {
      const value = compiled.parameters[Number(n) - 1];
      const placeholder = `$${parameters.length + 1}`;
      if (!late) {
        parameters.push(value);
        return placeholder;
      }
      // A parameter that is the stand-in is not sent: PostgreSQL refuses a parameter it cannot type.
      const { sql, sendsParameter } = parameterSql(late, value, placeholder, taken);
      if (sendsParameter) parameters.push(value);
      return sql;
    });
  const takePart = late ? partOf(late.take.compile()) : '';
  const statements = rest.map((write) => partOf(write.compile()));
  if (late) {
    const parts = [`taken (number) as (${takePart})`, ...statements.map((statement, i) => `w${i} as (${statement})`)];
    late.value = firstColumn((await trx.executeQuery(CompiledQuery.raw(`with ${parts.join(', ')} select number from taken`, parameters))).rows);
    return;
  }
  const main = statements.pop() as string;
  await trx.executeQuery(CompiledQuery.raw(`with ${statements.map((statement, i) => `w${i} as (${statement})`).join(', ')} ${main}`, parameters));
}

function firstColumn(rows: readonly unknown[]): number {
  const [row] = rows as Record<string, unknown>[];
  if (!row) throw new Error('the statement that takes the number answered no row');
  return Number(Object.values(row)[0]);
}
