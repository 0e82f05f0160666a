import type { Compilable, Insertable } from 'kysely';
import type { OutboxEventTable } from '../database.ts';
import { deferRow } from '../deferred-rows.ts';
import { newId, nowIso } from '../ids.ts';
import { insertRows, rowsWrites } from '../insert-rows.ts';
import { preparedInsert } from '../prepared-query.ts';
import type { Trx } from '../transaction.ts';

export interface OutboxEvent {
  type: string;
  payload: unknown;
}

/** The one shape of an outbox row; delivery (webhooks) picks up rows with no deliveredAt. */
function outboxRow(practiceId: string, event: OutboxEvent): Insertable<OutboxEventTable> {
  return { id: newId(), practiceId, type: event.type, payload: JSON.stringify(event.payload), createdAt: nowIso(), deliveredAt: null };
}

/**
 * Written in the same transaction as the change it announces, so an event is
 * sent if and only if the change committed (webhook delivery reads the outbox).
 */
export async function enqueueEvent(trx: Trx, practiceId: string, type: string, payload: unknown): Promise<void> {
  const row = outboxRow(practiceId, { type, payload });
  if (deferRow(trx, 'outboxEvents', row)) return;
  await trx.insertInto('outboxEvents').values(row).execute();
}

const insertEvent = preparedInsert('outboxEvents', { id: true, practiceId: true, type: true, payload: true, createdAt: true, deliveredAt: true, attempts: false });

/** The insert of enqueueEvent, for writeTogether with the change it announces (compiled once: ADR 0050). */
export function eventWrite(trx: Trx, practiceId: string, type: string, payload: unknown) {
  return insertEvent(trx, [outboxRow(practiceId, { type, payload })]);
}

/** Many events of one practice (a batch job's page) as multi-row inserts, in the same transaction as their changes. */
export async function enqueueEvents(trx: Trx, practiceId: string, events: readonly OutboxEvent[]): Promise<void> {
  await insertRows(
    trx,
    'outboxEvents',
    events.map((event) => outboxRow(practiceId, event)),
  );
}

/** enqueueEvents' inserts, not run: for writeTogether with the change they announce (a batch job's page, ADR 0062). */
export function eventsWrites(trx: Trx, practiceId: string, events: readonly OutboxEvent[]): Compilable[] {
  return rowsWrites(
    trx,
    'outboxEvents',
    events.map((event) => outboxRow(practiceId, event)),
  );
}
