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
  const netAmountCents = netAmountOf(p);
  const unappliedCents = netAmountCents - p.appliedCents;
  return {
    netAmountCents,
    reference: p.status === 'refunded' ? 'Refunded' : (p.checkNumber ?? formatPaymentNumber(p.number)),
    appliedCents: p.appliedCents,
    unappliedCents,
    overApplied: unappliedCents < 0,
  };
}

/** What is left of a payment after refunds, if it was collected (0 if not). */
function netAmountOf(p: Pick<BillingFacts, 'status' | 'amountCents' | 'refundedCents'>): Cents {
  return collectedStatuses.includes(p.status) ? p.amountCents - p.refundedCents : 0;
}

/** billingView's unapplied amount alone (a CSV export's row, without the rest of the view). */
export function unappliedCentsOf(status: PaymentStatus, amountCents: Cents, refundedCents: Cents, appliedCents: Cents): Cents {
  return netAmountOf({ status, amountCents, refundedCents }) - appliedCents;
}
