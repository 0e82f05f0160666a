import { describe, expect, it } from 'vitest';
import { assertRefundable, isRefundableStatus, refundAmount, refundMethodFor, remainingRefundable, statusAfterRefund } from './refund-rules.ts';
import { allowedTransitions, assertManualTransition } from '../payments/payment-status.ts';

const paid = { status: 'paid' as const, method: 'card' as const, amountCents: 10_000, refundedCents: 2_500, refundingCents: 1_000 };

describe('refund rules (SPEC section 4), one home each', () => {
  it('the status after a refund follows from the total refunded', () => {
    expect(statusAfterRefund(10_000, 1)).toBe('partially_refunded');
    expect(statusAfterRefund(10_000, 9_999)).toBe('partially_refunded');
    expect(statusAfterRefund(10_000, 10_000)).toBe('refunded');
  });

  it('only Paid and Partially Refunded payments are refundable', () => {
    expect(isRefundableStatus('paid')).toBe(true);
    expect(isRefundableStatus('partially_refunded')).toBe(true);
    for (const s of ['draft', 'pending', 'processing', 'failed', 'voided', 'refunded'] as const) {
      expect(isRefundableStatus(s)).toBe(false);
      expect(() => assertRefundable({ ...paid, status: s })).toThrow(/Only Paid or Partially Refunded/);
      expect(remainingRefundable({ ...paid, status: s })).toBe(0);
    }
  });

  it('a Disputed payment is refused with its own code until the processor settles the dispute', () => {
    expect(isRefundableStatus('disputed')).toBe(false);
    expect(remainingRefundable({ ...paid, status: 'disputed' })).toBe(0);
    expect(() => assertRefundable({ ...paid, status: 'disputed' })).toThrow(expect.objectContaining({ code: 'payment_disputed' }));
    expect(() => assertManualTransition('disputed', 'paid')).toThrow(expect.objectContaining({ code: 'payment_disputed' }));
    expect(allowedTransitions('disputed')).toEqual([]);
  });

  it('refundable = amount − refunded − being refunded', () => {
    expect(remainingRefundable(paid)).toBe(6_500);
    expect(remainingRefundable({ ...paid, status: 'partially_refunded' })).toBe(6_500);
    expect(refundAmount(paid, { full: true })).toBe(6_500);
    expect(refundAmount(paid, { amountCents: 6_500 })).toBe(6_500);
    expect(() => refundAmount(paid, { amountCents: 6_501 })).toThrow(/more than the 6500 cents/);
    expect(() => refundAmount(paid, { amountCents: 0 })).toThrow(/at least one cent/);
    expect(() => refundAmount({ ...paid, refundedCents: 9_000 }, { full: true })).toThrow(/Nothing remains/);
  });

  it('the Patient Credit guard: a credit-funded payment is never refunded as money, whatever staff ask', () => {
    expect(refundMethodFor('patient_credit', {}, false)).toBe('credit');
    expect(refundMethodFor('patient_credit', { recordAs: 'cash' }, false)).toBe('credit');
    expect(refundMethodFor('patient_credit', { recordAs: 'check' }, true)).toBe('credit');
    expect(refundMethodFor('patient_credit', { recordAs: 'recorded' }, true)).toBe('credit');
  });

  it('other methods: processor, recorded, cash, check, or credit when asked', () => {
    expect(refundMethodFor('card', {}, true)).toBe('processor');
    expect(refundMethodFor('online', {}, true)).toBe('processor');
    expect(refundMethodFor('card', {}, false)).toBe('recorded');
    expect(refundMethodFor('cash', {}, false)).toBe('cash');
    expect(refundMethodFor(null, {}, false)).toBe('cash');
    expect(refundMethodFor('check', {}, false)).toBe('check');
    expect(refundMethodFor('card', { asCredit: true }, true)).toBe('credit');
    expect(refundMethodFor('card', { recordAs: 'check' }, true)).toBe('check');
    expect(refundMethodFor('cash', { recordAs: 'recorded' }, false)).toBe('recorded');
  });
});

describe('refund rules: refusals carry their code and details (mutation testing, ADR 0023)', () => {
  const caught = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      return error as { code: string; message: string; details: unknown };
    }
    throw new Error('expected a refusal');
  };

  it('a disputed or unrefundable payment', () => {
    expect(caught(() => assertRefundable({ ...paid, status: 'disputed' }))).toMatchObject({
      code: 'payment_disputed',
      message: 'The cardholder disputed this payment: no refund until the processor settles the dispute.',
      details: { status: 'disputed' },
    });
    expect(caught(() => assertRefundable({ ...paid, status: 'voided' }))).toMatchObject({
      code: 'refund_not_allowed',
      message: 'Only Paid or Partially Refunded payments can be refunded; this one is Voided.',
      details: { status: 'voided' },
    });
  });

  it('an amount missing, under a cent or over what remains', () => {
    expect(caught(() => refundAmount(paid, {}))).toMatchObject({ code: 'validation_failed', message: 'Send amountCents for a partial refund, or full: true.' });
    expect(caught(() => refundAmount(paid, { amountCents: 0 }))).toMatchObject({ code: 'validation_failed', message: 'A refund is at least one cent.' });
    expect(caught(() => refundAmount(paid, { amountCents: 0.5 }))).toMatchObject({ code: 'validation_failed' });
    expect(refundAmount(paid, { amountCents: 1 })).toBe(1);
    expect(caught(() => refundAmount(paid, { amountCents: 6_501 }))).toMatchObject({
      code: 'refund_exceeds_remaining',
      message: 'The refund (6501 cents) is more than the 6500 cents that remain on this payment.',
      details: { remainingCents: 6_500 },
    });
    expect(caught(() => refundAmount({ ...paid, refundedCents: 9_000 }, { full: true }))).toMatchObject({ code: 'refund_exceeds_remaining', message: 'Nothing remains to refund on this payment.' });
  });
});
