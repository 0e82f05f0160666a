import type { Db } from '../../db/transaction.ts';

/** Why the last charge of a Failed payment failed, as the processor said (from the audit trail). */
export async function chargeFailureReason(db: Db, practiceId: string, paymentId: string): Promise<string | null> {
  const event = await db
    .selectFrom('auditEvents')
    .select('after')
    .where('practiceId', '=', practiceId)
    .where('entityId', '=', paymentId)
    .where('action', '=', 'payment.charge_failed')
    .orderBy('createdAt', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!event?.after) return null;
  const after = JSON.parse(event.after) as { reason?: unknown };
  return typeof after.reason === 'string' ? after.reason : null;
}
