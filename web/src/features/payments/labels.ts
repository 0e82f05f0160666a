import type { MantineColor } from '@mantine/core';
import {
  collectedStatuses,
  paymentMethods,
  paymentStatuses,
  paymentTypes,
  statusLabels,
  type PaymentMethod,
  type PaymentStatus,
  type PaymentType,
} from '../../../../src/contracts/rules.ts';

// The statuses, types and methods, and the status names, are the domain's own.
export { collectedStatuses, paymentMethods, paymentStatuses, paymentTypes, statusLabels };

export const statusColors: Record<PaymentStatus, MantineColor> = {
  draft: 'gray',
  pending: 'yellow',
  processing: 'blue',
  paid: 'green',
  failed: 'red',
  cancelled: 'dark',
  voided: 'dark',
  partially_refunded: 'orange',
  refunded: 'grape',
  disputed: 'red',
};

export const typeLabels: Record<PaymentType, string> = {
  treatment_prepayment: 'Treatment Pre-Payment',
  office_visit: 'Office Visit',
  private_pay: 'Private Pay',
};

export const methodLabels: Record<PaymentMethod, string> = {
  cash: 'Cash',
  check: 'Check',
  card: 'Card',
  online: 'Online',
  patient_credit: 'Patient Credit',
};

/** A label for a status the server sends, even one this build does not know yet. */
export function statusLabel(status: string): string {
  return statusLabels[status as PaymentStatus] ?? status.replace(/_/g, ' ');
}

export function typeLabel(type: string | null | undefined): string {
  if (!type) return '—';
  return typeLabels[type as PaymentType] ?? type.replace(/_/g, ' ');
}

export function methodLabel(method: string | null | undefined): string {
  if (!method) return '—';
  return methodLabels[method as PaymentMethod] ?? method.replace(/_/g, ' ');
}
