import { sql } from 'kysely';
import { newId, nowIso } from '../../src/db/ids.ts';
import type { Db } from '../../src/db/transaction.ts';

/** Row counts of every table, in one query: a refused request must leave them all unchanged. */
export async function tableCounter(db: Db, ignore: string[] = []): Promise<() => Promise<Record<string, number>>> {
  const tables = (await db.introspection.getTables())
    .map((t) => t.name)
    .filter((name) => !name.startsWith('kysely_') && !ignore.includes(name))
    .sort();
  const query = sql.raw(tables.map((t) => `select '${t}' as t, count(*) as n from ${t}`).join(' union all '));
  return async () => {
    const { rows } = await query.execute(db.withoutPlugins());
    return Object.fromEntries((rows as Array<{ t: string; n: number | string }>).map((r) => [r.t, Number(r.n)]));
  };
}

export function countChanges(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const changed: Record<string, number> = {};
  for (const [t, n] of Object.entries(after)) if (n !== before[t]) changed[t] = n - (before[t] ?? 0);
  return changed;
}

/** A refund-owed task as the refund review makes it (the review waits 45 days after a claim). */
export async function insertTask(db: Db, practiceId: string, patientId: string, amountCents: number): Promise<string> {
  const id = newId();
  await db
    .insertInto('tasks')
    .values({ id, practiceId, patientId, type: 'refund_owed', status: 'open', amountCents, dueDate: '2026-06-01', createdAt: nowIso(), resolvedAt: null, resolvedBy: null, resolution: null })
    .execute();
  return id;
}
