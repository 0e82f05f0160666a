import type { Db } from '../../db/transaction.ts';
import { systemActor } from '../actor.ts';
import type { ChargeRefundedSummary } from '../processors/stripe-processor.ts';
import { paymentForCharge } from '../reconciliation/payment-for-charge.ts';
import { returnHeldReceipt } from '../reconciliation/processor-receipts.ts';
import { recordProcessorRefund } from './refund-payment.ts';

/**
 * Handles Stripe's `charge.refunded`: refunds made in Stripe's dashboard are
 * booked here too, so the ledger matches the processor. Refunds we made
 * ourselves are already known by their id and are skipped. What is refunded
 * of a dashboard charge still held on unidentified receipts leaves the
 * holding account (ADR 0029).
 */
export async function reconcileStripeRefunds(db: Db, summary: ChargeRefundedSummary) {
  const payment = await paymentForCharge(db, [summary.paymentIntentId, summary.chargeId]);
  if (!payment) {
    // Stripe lists a charge's refunds newest first, when the event carries them at all.
    const newest = summary.refunds.find((r) => r.status === 'succeeded')?.id ?? null;
    const returned = await returnHeldReceipt(db, 'stripe', { references: [summary.paymentIntentId, summary.chargeId], amountRefundedCents: summary.amountRefundedCents, newestRefundId: newest });
    return { recorded: returned ? 1 : 0 };
  }
  const actor = systemActor(payment.practiceId, 'stripe-webhook');
  let recorded = 0;
  for (const refund of summary.refunds) {
    if (refund.status !== 'succeeded') continue;
    const booked = await recordProcessorRefund(db, actor, payment.id, { amountCents: refund.amountCents, processorReference: refund.id });
    if (booked) recorded++;
  }
  return { recorded };
}
