import type { Db } from '../../db/transaction.ts';

/**
 * Our payment for a processor charge, by any id the charge is known by
 * (PaymentIntent or charge): the one way processor events find their payment.
 * The processor account serves the deployment, so the practice comes from
 * the payment; undefined when no payment of ours was charged so.
 */
export async function paymentForCharge(db: Db, references: readonly (string | null | undefined)[]) {
  const known = references.filter((r): r is string => Boolean(r));
  if (known.length === 0) return undefined;
  return db
    .selectFrom('payments')
    .select(['id', 'practiceId', 'patientId', 'status', 'amountCents', 'refundedCents', 'refundingCents'])
    .where('processorReference', 'in', known)
    .executeTakeFirst();
}
