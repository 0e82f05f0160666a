import type { Db } from '../../db/transaction.ts';
import type { Actor } from '../actor.ts';
import { finishHostedCharge } from '../payments/charge-payment.ts';
import type { ChargeAttemptTag, PaymentProcessor } from '../processors/payment-processor.ts';
import { applyPaidPortalPayment } from '../portal/pay-from-portal.ts';

/**
 * A processor's word that one of our charge attempts succeeded (Stripe's
 * `payment_intent.succeeded`): if the payment is still Processing with that
 * attempt, it is booked through the same finish as the browser's call —
 * which reads the charge back from the processor and settles it once — and a
 * portal payment is applied as the portal would. `known`: booked already
 * (by the browser, recovery, or an earlier delivery of the event).
 */
export async function bookConfirmedCharge(db: Db, processor: PaymentProcessor, attempt: ChargeAttemptTag, chargeReference: string): Promise<'booked' | 'known' | 'not_ours'> {
  const payment = await db.selectFrom('payments').select(['practiceId', 'patientId', 'status', 'chargeAttempt']).where('id', '=', attempt.paymentId).executeTakeFirst();
  if (!payment) return 'not_ours';
  if (payment.status !== 'processing' || payment.chargeAttempt !== attempt.key || !processor.hostedCardEntry) return 'known';
  const actor: Actor = { practiceId: payment.practiceId, kind: 'system', id: 'processor-webhook', name: 'Processor webhook', role: 'admin' };
  const status = await finishHostedCharge(db, actor, processor, attempt.paymentId, chargeReference, async (trx, charged) =>
    attempt.channel === 'portal' ? (await applyPaidPortalPayment(trx, actor, payment.patientId, charged.payment)).status : charged.payment.status,
  );
  return status === 'paid' ? 'booked' : 'known';
}
