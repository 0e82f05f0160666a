import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { decideRefundReview, type RefundReviewFacts } from './decide-refund-review.ts';

// U1: A's ERA processed 2026-03-20, B's 2026-04-06; $15.00 left that no balance can take.
const u1: RefundReviewFacts = {
  claims: [{ processedDate: '2026-03-20' }, { processedDate: '2026-04-06' }],
  unappliedCents: 1500,
  asOf: '2026-05-21',
  hasOpenTask: false,
};

describe('decideRefundReview', () => {
  it("U1: 45 days after B's ERA, one refund-owed task for $15.00", () => {
    expect(decideRefundReview(u1)).toEqual({ due: true, amountCents: 1500, dueDate: '2026-05-21', reason: 'due' });
  });

  it('U1: the day before is too early', () => {
    expect(decideRefundReview({ ...u1, asOf: '2026-05-20' })).toEqual({
      due: false,
      amountCents: 0,
      dueDate: '2026-05-21',
      reason: 'not_yet',
    });
  });

  it('U1: a second run while the task is open creates nothing', () => {
    expect(decideRefundReview({ ...u1, asOf: '2026-06-30', hasOpenTask: true })).toMatchObject({
      due: false,
      reason: 'open_task_exists',
    });
  });

  it('waits from the last processed claim, in any order', () => {
    const decision = decideRefundReview({ ...u1, claims: [...u1.claims].reverse() });
    expect(decision.dueDate).toBe('2026-05-21');
  });

  it('waits while any claim on the case is pending, and skips a case without claims', () => {
    expect(decideRefundReview({ ...u1, claims: [...u1.claims, { processedDate: null }] })).toMatchObject({
      due: false,
      dueDate: null,
      reason: 'claims_pending',
    });
    expect(decideRefundReview({ ...u1, claims: [] })).toMatchObject({ due: false, reason: 'no_claims' });
  });

  it('nothing unapplied, or over-applied, owes nothing', () => {
    expect(decideRefundReview({ ...u1, unappliedCents: 0 }).reason).toBe('nothing_unapplied');
    expect(decideRefundReview({ ...u1, unappliedCents: -500 }).reason).toBe('nothing_unapplied');
  });

  it('honours the configured days', () => {
    expect(decideRefundReview({ ...u1, days: 30, asOf: '2026-05-06' })).toMatchObject({ due: true, dueDate: '2026-05-06' });
    expect(decideRefundReview({ ...u1, days: 0, asOf: '2026-04-06' })).toMatchObject({ due: true, dueDate: '2026-04-06' });
  });

  it('refuses bad dates, days and amounts', () => {
    expect(() => decideRefundReview({ ...u1, asOf: '2026-02-30' })).toThrow(AppError);
    expect(() => decideRefundReview({ ...u1, claims: [{ processedDate: '04/06/2026' }] })).toThrow(AppError);
    expect(() => decideRefundReview({ ...u1, days: -1 })).toThrow(AppError);
    expect(() => decideRefundReview({ ...u1, days: 4.5 })).toThrow(AppError);
    expect(() => decideRefundReview({ ...u1, unappliedCents: 15.5 })).toThrow(AppError);
  });
});

describe('refund review: refusals (mutation testing, ADR 0023)', () => {
  it('names what is wrong', () => {
    expect(() => decideRefundReview({ ...u1, days: -1 })).toThrow(new AppError('validation_failed', 'Refund review days must be a whole number, zero or more, got -1'));
    expect(() => decideRefundReview({ ...u1, unappliedCents: 1.5 })).toThrow(new AppError('invalid_amount', 'Unapplied amount must be whole cents'));
  });
});
