import { CompiledQuery, PostgresAdapter, type Compilable } from 'kysely';
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
 */
export async function writeTogether(trx: Trx, writes: readonly Compilable[]): Promise<void> {
  if (writes.length === 1 || !(trx.getExecutor().adapter instanceof PostgresAdapter)) {
    for (const write of writes) await trx.executeQuery(write);
    return;
  }
  if (writes.length === 0) return;
  const parameters: unknown[] = [];
  const parts = writes.map((write) => {
    const compiled = write.compile();
    const offset = parameters.length;
    parameters.push(...compiled.parameters);
    // Kysely's PostgreSQL compiler numbers placeholders from $1 and passes every value as a parameter, never inline.
    return compiled.sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);
  });
  const main = parts.pop() as string;
  await trx.executeQuery(CompiledQuery.raw(`with ${parts.map((part, i) => `w${i} as (${part})`).join(', ')} ${main}`, parameters));
}
