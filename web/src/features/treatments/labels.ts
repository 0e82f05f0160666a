import type { MantineColor } from '@mantine/core';
import type { Claim, InsuranceStatus } from '../../api/types';
import { formatCalendarDate } from '../../ui/dates';

export const insuranceStatusLabels: Record<InsuranceStatus, string> = {
  self_pay: 'Self-pay',
  awaiting: 'Awaiting insurance',
  settled: 'Insurance settled',
};

export const insuranceStatusColors: Record<InsuranceStatus, MantineColor> = {
  self_pay: 'gray',
  awaiting: 'yellow',
  settled: 'green',
};

export const claimStatusLabels: Record<Claim['status'], string> = {
  submitted: 'Submitted',
  processed: 'Processed',
  denied: 'Denied',
  cancelled: 'Cancelled',
};

export const claimStatusColors: Record<Claim['status'], MantineColor> = {
  submitted: 'blue',
  processed: 'green',
  denied: 'red',
  cancelled: 'dark',
};

export const coverageOrderLabels: Record<number, string> = { 1: 'Primary', 2: 'Secondary', 3: 'Tertiary' };

export function coverageOrderLabel(order: number): string {
  return coverageOrderLabels[order] ?? `Payer ${order}`;
}

/** "Mar 2, 2026 · Dr. Smith": how a visit is named in pickers and links. */
export function treatmentLabel(t: { serviceDate: string; physician: string }): string {
  return `${formatCalendarDate(t.serviceDate)} · ${t.physician}`;
}
