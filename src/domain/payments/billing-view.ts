import type { Cents } from '../money.ts';
import { collectedStatuses, formatPaymentNumber, type PaymentStatus } from './payment-status.ts';

export interface BillingFacts {
  number: number;
  status: PaymentStatus;
  amountCents: Cents;
  refundedCents: Cents;
  appliedCents: Cents;
  checkNumber: string | null;
}

/**
 * SPEC section 4: a payment as billing sees it. Refunds never remove
 * applications, so unapplied = net − applied can go negative: the payment is
 * then over-applied and waits in a work list until a biller unapplies it.
 */
export function billingView(p: BillingFacts) {
  const collected = collectedStatuses.includes(p.status);
  const netAmountCents = collected ? p.amountCents - p.refundedCents : 0;
  const unappliedCents = netAmountCents - p.appliedCents;
  return {
    netAmountCents,
    reference: p.status === 'refunded' ? 'Refunded' : (p.checkNumber ?? formatPaymentNumber(p.number)),
    appliedCents: p.appliedCents,
    unappliedCents,
    overApplied: unappliedCents < 0,
  };
}
