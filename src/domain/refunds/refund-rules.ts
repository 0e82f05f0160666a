import { AppError } from '../errors.ts';
import type { Cents } from '../money.ts';
import { statusLabels, type PaymentMethod, type PaymentStatus } from '../payments/payment-status.ts';

export const refundReasons = [
  'patient_request',
  'billing_error',
  'service_not_rendered',
  'duplicate_charge',
  'insurance_adjustment',
  'other',
] as const;
export type RefundReason = (typeof refundReasons)[number];

/**
 * How the money goes back: through the card processor; recorded as cash or
 * check handed back, or as a card refund made outside our processor (a
 * payment taken on a terminal we do not drive); or kept as patient credit.
 */
export type RefundMethod = 'processor' | 'cash' | 'check' | 'recorded' | 'credit';

export interface RefundablePayment {
  status: PaymentStatus;
  method: PaymentMethod | null;
  amountCents: Cents;
  refundedCents: Cents;
  refundingCents: Cents;
}

/** SPEC section 4: only Paid or Partially Refunded payments can be refunded. */
export function assertRefundable(payment: RefundablePayment): void {
  if (payment.status !== 'paid' && payment.status !== 'partially_refunded') {
    throw new AppError(
      'refund_not_allowed',
      `Only Paid or Partially Refunded payments can be refunded; this one is ${statusLabels[payment.status]}.`,
      { status: payment.status },
    );
  }
}

/** What may still be refunded: the amount less what is refunded and what is being refunded right now. */
export function remainingRefundable(payment: RefundablePayment): Cents {
  return payment.amountCents - payment.refundedCents - payment.refundingCents;
}

/** Full refund = the remaining amount; partial = one cent up to the remaining amount, never more. */
export function refundAmount(payment: RefundablePayment, request: { full?: boolean | undefined; amountCents?: Cents | undefined }): Cents {
  assertRefundable(payment);
  const remaining = remainingRefundable(payment);
  if (request.full) {
    if (remaining <= 0) throw new AppError('refund_exceeds_remaining', 'Nothing remains to refund on this payment.');
    return remaining;
  }
  const amount = request.amountCents;
  if (amount === undefined) throw new AppError('validation_failed', 'Send amountCents for a partial refund, or full: true.');
  if (!Number.isSafeInteger(amount) || amount < 1) throw new AppError('validation_failed', 'A refund is at least one cent.');
  if (amount > remaining) {
    throw new AppError(
      'refund_exceeds_remaining',
      `The refund (${amount} cents) is more than the ${remaining} cents that remain on this payment.`,
      { remainingCents: remaining },
    );
  }
  return amount;
}

/**
 * Card and online payments go back through the processor; cash and check are
 * recorded as refunded; credit-funded payments, and refunds issued as credit,
 * become patient credit.
 */
export function refundMethodFor(paymentMethod: PaymentMethod | null, asCredit: boolean, chargedThroughProcessor: boolean): RefundMethod {
  if (asCredit || paymentMethod === 'patient_credit') return 'credit';
  if (paymentMethod === 'card' || paymentMethod === 'online') return chargedThroughProcessor ? 'processor' : 'recorded';
  return paymentMethod === 'check' ? 'check' : 'cash';
}
