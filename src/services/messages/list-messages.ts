import type { Message } from '../../contracts/messages.ts';
import type { MessageRow } from '../../db/database.ts';
import type { Db } from '../../db/transaction.ts';
import type { Actor } from '../actor.ts';
import { requirePatient } from '../patients/patients.ts';

export function toMessage(row: MessageRow): Message {
  return {
    id: row.id,
    patientId: row.patientId,
    channel: row.channel,
    to: row.toAddress,
    template: row.template,
    paymentId: row.paymentId,
    refundId: row.refundId,
    subject: row.subject,
    body: row.body,
    status: row.status,
    provider: row.provider,
    providerId: row.providerId,
    error: row.error,
    attemptCount: Number(row.attemptCount),
    notBefore: row.nextAttemptAt,
    createdAt: row.createdAt,
    sentAt: row.sentAt,
  };
}

/** GET /patients/:id/messages: every email and SMS sent (or held, failed, suppressed) for the patient, newest first. */
export async function listPatientMessages(db: Db, actor: Actor, patientId: string, limit = 200) {
  await requirePatient(db, actor, patientId);
  const rows = await db
    .selectFrom('messages')
    .selectAll()
    .where('practiceId', '=', actor.practiceId)
    .where('patientId', '=', patientId)
    .orderBy('createdAt', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return { items: rows.map(toMessage) };
}
