import { describe, expect, it } from 'vitest';
import {
  allowedTransitions,
  assertManualTransition,
  collectedStatuses,
  formatPaymentNumber,
  isEditable,
  manualTransitions,
  outstandingStatuses,
  paymentMethods,
  paymentStatuses,
  paymentTypes,
  statusLabels,
  type PaymentStatus,
} from './payment-status.ts';

const failure = (from: PaymentStatus, to: PaymentStatus) => {
  try {
    assertManualTransition(from, to);
  } catch (error) {
    return error as { code: string; message: string; details: { allowed: string[] } };
  }
  return undefined;
};

describe('payment statuses (SPEC section 3)', () => {
  it('the lists the API exposes', () => {
    expect(paymentStatuses).toEqual(['draft', 'pending', 'processing', 'paid', 'failed', 'cancelled', 'voided', 'partially_refunded', 'refunded', 'disputed']);
    expect(paymentTypes).toEqual(['treatment_prepayment', 'office_visit', 'private_pay']);
    expect(paymentMethods).toEqual(['cash', 'check', 'card', 'online', 'patient_credit']);
    expect(Object.values(statusLabels)).toEqual(['Draft', 'Pending', 'Processing', 'Paid', 'Failed', 'Cancelled', 'Voided', 'Partially Refunded', 'Refunded', 'Disputed']);
    expect(Object.keys(statusLabels)).toEqual([...paymentStatuses]);
  });

  it('every change a status may make', () => {
    expect(Object.fromEntries(paymentStatuses.map((s) => [s, allowedTransitions(s)]))).toEqual({
      draft: ['pending', 'cancelled'],
      pending: ['processing', 'paid', 'failed', 'cancelled'],
      processing: ['paid', 'failed', 'voided'],
      failed: ['pending', 'cancelled'],
      paid: ['partially_refunded', 'refunded'],
      partially_refunded: ['refunded'],
      cancelled: [],
      voided: [],
      refunded: [],
      disputed: [],
    });
  });

  it('refund statuses are never set by hand', () => {
    expect(manualTransitions('paid')).toEqual([]);
    expect(manualTransitions('partially_refunded')).toEqual([]);
    expect(manualTransitions('pending')).toEqual(['processing', 'paid', 'failed', 'cancelled']);
    expect(failure('paid', 'refunded')).toMatchObject({
      code: 'invalid_status_change',
      message: 'Cannot change a Paid payment to Refunded. Refunded is reached only by recording a refund.',
    });
    expect(failure('paid', 'partially_refunded')?.message).toBe('Cannot change a Paid payment to Partially Refunded. Partially Refunded is reached only by recording a refund.');
    expect(failure('paid', 'voided')?.message).toBe('Cannot change a Paid payment to Voided. A Paid payment changes only through a refund.');
  });

  it('allowed changes pass; others say what is allowed or that the status is final', () => {
    expect(() => assertManualTransition('draft', 'pending')).not.toThrow();
    expect(() => assertManualTransition('processing', 'voided')).not.toThrow();
    expect(failure('draft', 'paid')).toMatchObject({
      code: 'invalid_status_change',
      message: 'Cannot change a Draft payment to Paid. A Draft payment can change to: Pending, Cancelled.',
      details: { allowed: ['pending', 'cancelled'] },
    });
    expect(failure('voided', 'paid')?.message).toBe('Cannot change a Voided payment to Paid. Voided is a final status.');
    expect(failure('disputed', 'paid')).toMatchObject({ code: 'payment_disputed', details: { allowed: [] } });
  });

  it('terms lock once money has moved', () => {
    expect(paymentStatuses.filter((s) => !isEditable(s))).toEqual(['paid', 'voided', 'partially_refunded', 'refunded', 'disputed']);
    expect(collectedStatuses).toEqual(['paid', 'partially_refunded', 'refunded', 'disputed']);
    expect(outstandingStatuses).toEqual(['draft', 'pending', 'processing']);
  });

  it('payment numbers show at least three digits', () => {
    expect(formatPaymentNumber(7)).toBe('PAY-007');
    expect(formatPaymentNumber(42)).toBe('PAY-042');
    expect(formatPaymentNumber(1234)).toBe('PAY-1234');
  });
});
