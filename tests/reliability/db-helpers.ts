import { sql } from 'kysely';
import { newId, nowIso } from '../../src/db/ids.ts';
import type { Db } from '../../src/db/transaction.ts';

/** Row counts of every table, in one query: a refused request must leave them all unchanged. */
// Running totals (migration 0022) gain a row only for a new combination of keys, not per effect; verify checks them.
// So does the name dictionary of the payments search (migration 0027), with its FTS5 table and shadow tables on SQLite,
// and the list's payments per day (migration 0032).
const derived = ['payment_totals', 'refund_totals', 'payment_days'];
const derivedPrefix = 'payment_names';

export async function tableCounter(db: Db, ignore: string[] = []): Promise<() => Promise<Record<string, number>>> {
  const tables = (await db.introspection.getTables())
    .map((t) => t.name)
    .filter((name) => !name.startsWith('kysely_') && !ignore.includes(name) && !derived.includes(name) && !name.startsWith(derivedPrefix))
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

/** A pending delivery of the practice's latest outbox event to the endpoint, as the webhook worker makes one. */
export async function insertDelivery(db: Db, practiceId: string, endpointId: string): Promise<string> {
  const event = await db.selectFrom('outboxEvents').select(['id', 'type']).where('practiceId', '=', practiceId).orderBy('createdAt', 'desc').limit(1).executeTakeFirstOrThrow();
  const id = newId();
  const now = nowIso();
  await db
    .insertInto('webhookDeliveries')
    .values({ id, practiceId, endpointId, eventId: event.id, eventType: event.type, status: 'pending', attemptCount: 0, nextAttemptAt: now, giveUpAt: '2099-01-01T00:00:00.000Z', lockedUntil: null, lastResponseCode: null, deliveredAt: null, createdAt: now })
    .execute();
  return id;
}

/** The direct inserts makeFixtures needs, for one practice. */
export function directInserts(db: Db, practiceId: string) {
  return {
    task: (patientId: string, amountCents: number) => insertTask(db, practiceId, patientId, amountCents),
    delivery: (endpointId: string) => insertDelivery(db, practiceId, endpointId),
  };
}
