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
/** The reasons staff choose from, plus `chargeback`: the processor took the money back (a dispute lost), never chosen by staff. */
export type RefundReason = (typeof refundReasons)[number] | 'chargeback';

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

/** SPEC section 4: only Paid or Partially Refunded payments can be refunded. The one list of those statuses. */
export const refundableStatuses = ['paid', 'partially_refunded'] as const satisfies readonly PaymentStatus[];

export function isRefundableStatus(status: PaymentStatus): boolean {
  return (refundableStatuses as readonly PaymentStatus[]).includes(status);
}

export function assertRefundable(payment: RefundablePayment): void {
  if (payment.status === 'disputed') {
    throw new AppError('payment_disputed', 'The cardholder disputed this payment: no refund until the processor settles the dispute.', { status: payment.status });
  }
  if (!isRefundableStatus(payment.status)) {
    throw new AppError(
      'refund_not_allowed',
      `Only Paid or Partially Refunded payments can be refunded; this one is ${statusLabels[payment.status]}.`,
      { status: payment.status },
    );
  }
}

/**
 * "Refundable": what may still be refunded — the amount less what is refunded
 * and what is being refunded right now; nothing when the status allows no refund.
 */
export function remainingRefundable(payment: RefundablePayment): Cents {
  if (!isRefundableStatus(payment.status)) return 0;
  return payment.amountCents - payment.refundedCents - payment.refundingCents;
}

/** SPEC section 4: after each refund the status follows from the total refunded. */
export function statusAfterRefund(amountCents: Cents, refundedCents: Cents): 'refunded' | 'partially_refunded' {
  return refundedCents >= amountCents ? 'refunded' : 'partially_refunded';
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
 * How a refund goes back. Card and online payments go back through the
 * processor (or are recorded, when charged outside it); cash and check are
 * recorded as refunded; staff may say how a refund-owed task was paid back.
 * The Patient Credit guard: a payment funded from patient credit is never
 * refunded as money — its refund always becomes patient credit again.
 */
export function refundMethodFor(
  paymentMethod: PaymentMethod | null,
  request: { asCredit?: boolean | undefined; recordAs?: 'cash' | 'check' | 'recorded' | undefined },
  chargedThroughProcessor: boolean,
): RefundMethod {
  if (request.asCredit || paymentMethod === 'patient_credit') return 'credit';
  if (request.recordAs) return request.recordAs;
  if (paymentMethod === 'card' || paymentMethod === 'online') return chargedThroughProcessor ? 'processor' : 'recorded';
  return paymentMethod === 'check' ? 'check' : 'cash';
}
