import { AppError } from '../errors.ts';

export const paymentStatuses = [
  'draft',
  'pending',
  'processing',
  'paid',
  'failed',
  'cancelled',
  'voided',
  'partially_refunded',
  'refunded',
  /** The cardholder disputed the charge: the amount is held by the processor until the dispute is won or lost. */
  'disputed',
] as const;
export type PaymentStatus = (typeof paymentStatuses)[number];

export const paymentTypes = ['treatment_prepayment', 'office_visit', 'private_pay'] as const;
export type PaymentType = (typeof paymentTypes)[number];

export const paymentMethods = ['cash', 'check', 'card', 'online', 'patient_credit'] as const;
export type PaymentMethod = (typeof paymentMethods)[number];

/** SPEC section 3: every change a payment's status may make. */
const transitions: Record<PaymentStatus, readonly PaymentStatus[]> = {
  draft: ['pending', 'cancelled'],
  pending: ['processing', 'paid', 'failed', 'cancelled'],
  processing: ['paid', 'failed', 'voided'],
  failed: ['pending', 'cancelled'],
  paid: ['partially_refunded', 'refunded'],
  partially_refunded: ['refunded'],
  cancelled: [],
  voided: [],
  refunded: [],
  // Left only when the processor settles the dispute (back to the status before it, or refunded by chargeback).
  disputed: [],
};

/** Reached only by recording a refund, never by setting the status by hand. */
const refundOnly: ReadonlySet<PaymentStatus> = new Set(['partially_refunded', 'refunded']);

export const statusLabels: Record<PaymentStatus, string> = {
  draft: 'Draft',
  pending: 'Pending',
  processing: 'Processing',
  paid: 'Paid',
  failed: 'Failed',
  cancelled: 'Cancelled',
  voided: 'Voided',
  partially_refunded: 'Partially Refunded',
  refunded: 'Refunded',
  disputed: 'Disputed',
};

export function allowedTransitions(from: PaymentStatus): readonly PaymentStatus[] {
  return transitions[from];
}

/** The changes staff may make by hand (status dropdown, POST /payments/:id/status). */
export function manualTransitions(from: PaymentStatus): PaymentStatus[] {
  return transitions[from].filter((s) => !refundOnly.has(s));
}

export function assertManualTransition(from: PaymentStatus, to: PaymentStatus): void {
  if (from === 'disputed') {
    throw new AppError('payment_disputed', 'The cardholder disputed this payment: its status changes only when the processor settles the dispute.', { from, to, allowed: [] });
  }
  const allowed = manualTransitions(from);
  if (allowed.includes(to)) return;
  const names = allowed.map((s) => statusLabels[s]).join(', ');
  const refundable = transitions[from].some((s) => refundOnly.has(s));
  const why = refundOnly.has(to)
    ? `${statusLabels[to]} is reached only by recording a refund.`
    : names
      ? `A ${statusLabels[from]} payment can change to: ${names}.`
      : refundable
        ? `A ${statusLabels[from]} payment changes only through a refund.`
        : `${statusLabels[from]} is a final status.`;
  throw new AppError('invalid_status_change', `Cannot change a ${statusLabels[from]} payment to ${statusLabels[to]}. ${why}`, {
    from,
    to,
    allowed,
  });
}

/** Paid-side statuses: money has moved, so the payment's terms are locked. */
const lockedStatuses: ReadonlySet<PaymentStatus> = new Set(['paid', 'partially_refunded', 'refunded', 'voided', 'disputed']);

export function isEditable(status: PaymentStatus): boolean {
  return !lockedStatuses.has(status);
}

/** Statuses in which the payment's amount is (or was) money received. */
export const collectedStatuses: readonly PaymentStatus[] = ['paid', 'partially_refunded', 'refunded', 'disputed'];
export const outstandingStatuses: readonly PaymentStatus[] = ['draft', 'pending', 'processing'];

export function formatPaymentNumber(n: number): string {
  return `PAY-${String(n).padStart(3, '0')}`;
}
