import { newId, nowIso } from '../ids.ts';
import type { Trx } from '../transaction.ts';

/**
 * Written in the same transaction as the change it announces, so an event is
 * sent if and only if the change committed (webhook delivery reads the outbox).
 */
export async function enqueueEvent(trx: Trx, practiceId: string, type: string, payload: unknown): Promise<void> {
  await eventWrite(trx, practiceId, type, payload).execute();
}

/** The insert of enqueueEvent, for writeTogether with the change it announces. */
export function eventWrite(trx: Trx, practiceId: string, type: string, payload: unknown) {
  return trx.insertInto('outboxEvents').values({ id: newId(), practiceId, type, payload: JSON.stringify(payload), createdAt: nowIso(), deliveredAt: null });
}
