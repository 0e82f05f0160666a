import { refundReasons, type RefundReason } from '../../../../src/contracts/rules.ts';
import type { PaymentMethod, RefundMethod } from '../../api/types';

export { refundReasons };

export const reasonLabels: Record<RefundReason, string> = {
  patient_request: 'Patient request',
  billing_error: 'Billing error',
  service_not_rendered: 'Service not rendered',
  duplicate_charge: 'Duplicate charge',
  insurance_adjustment: 'Insurance adjustment',
  other: 'Other',
  chargeback: 'Chargeback (dispute lost)',
};

export function reasonLabel(reason: string): string {
  return reasonLabels[reason as RefundReason] ?? reason.replace(/_/g, ' ');
}

export const refundMethodLabels: Record<RefundMethod, string> = {
  processor: 'Card (processor)',
  cash: 'Cash',
  check: 'Check',
  recorded: 'Recorded',
  credit: 'Patient credit',
};

export function refundMethodLabel(method: string): string {
  return refundMethodLabels[method as RefundMethod] ?? method;
}

/** SPEC section 4: "Refund" for payments charged through our card processor, "Mark Refunded" for cash, check and cards taken elsewhere. */
export function refundActionLabel(payment: { chargedThroughProcessor: boolean }): string {
  return payment.chargedThroughProcessor ? 'Refund' : 'Mark Refunded';
}
