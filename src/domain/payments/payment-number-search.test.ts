import { describe, expect, it } from 'vitest';
import { paymentNumberRanges } from './payment-number-search.ts';

const matches = (search: string, n: number) => {
  const ranges = paymentNumberRanges(search);
  if (ranges === 'all') return true;
  return (ranges ?? []).some(([low, high]) => n >= low && n <= high);
};

describe('payment-number search is a prefix of the shown number', () => {
  it('"pay" and "PAY-" find every payment; other text is not a number', () => {
    expect(paymentNumberRanges('pay')).toBe('all');
    expect(paymentNumberRanges(' PAY- ')).toBe('all');
    expect(paymentNumberRanges('Ann')).toBeNull();
    expect(paymentNumberRanges('pay-x')).toBeNull();
    expect(paymentNumberRanges('xpay-1')).toBeNull();
    expect(paymentNumberRanges('1x')).toBeNull();
    expect(paymentNumberRanges('1234567890123456')).toBeNull();
  });

  it('PAY-01 finds PAY-010…019 and not PAY-100 or PAY-1000', () => {
    expect(paymentNumberRanges('PAY-01')).toEqual([[10, 19]]);
    expect(matches('PAY-01', 9)).toBe(false);
    expect(matches('PAY-01', 100)).toBe(false);
  });

  it('PAY-1 finds PAY-100…199, PAY-1000…1999 and so on, never PAY-010', () => {
    const ranges = paymentNumberRanges('pay-1');
    expect(ranges).not.toBe('all');
    expect(ranges).toContainEqual([100, 199]);
    expect(ranges).toContainEqual([1000, 1999]);
    expect(ranges).toContainEqual([10 ** 14, 2 * 10 ** 14 - 1]);
    expect(matches('pay-1', 10)).toBe(false);
    expect(matches('pay-1', 2000)).toBe(false);
    expect(matches('pay1', 150)).toBe(true);
  });

  it('PAY-1234 finds itself and its longer numbers only', () => {
    expect(paymentNumberRanges('PAY-1234')?.[0]).toEqual([1234, 1234]);
    expect(matches('PAY-1234', 12345)).toBe(true);
    expect(matches('PAY-1234', 1235)).toBe(false);
    expect(matches('PAY-1234', 123)).toBe(false);
  });

  it('bare digits also match the unpadded number: 12 finds PAY-012 and PAY-120…129', () => {
    expect(matches('12', 12)).toBe(true);
    expect(matches('12', 125)).toBe(true);
    expect(matches('12', 1299)).toBe(true);
    expect(matches('12', 13)).toBe(false);
    expect(matches('PAY-12', 12)).toBe(false);
    expect(matches('012', 12)).toBe(true);
    expect(matches('012', 120)).toBe(true);
    expect(matches('0', 1000)).toBe(false);
    expect(paymentNumberRanges('0')).toEqual([[0, 99]]);
  });

  it('ranges come out sorted and merged', () => {
    expect(paymentNumberRanges('1')).toEqual([[1, 1], [10, 19], [100, 199], [1000, 1999], [10_000, 19_999], [100_000, 199_999], [1_000_000, 1_999_999], [10_000_000, 19_999_999], [100_000_000, 199_999_999], [1_000_000_000, 1_999_999_999], [10_000_000_000, 19_999_999_999], [100_000_000_000, 199_999_999_999], [1_000_000_000_000, 1_999_999_999_999], [10_000_000_000_000, 19_999_999_999_999], [100_000_000_000_000, 199_999_999_999_999]]);
    expect(paymentNumberRanges('00')).toEqual([[0, 9]]);
  });
});

describe('payment-number search: edges (mutation testing, ADR 0023)', () => {
  it('the whole text must be the number', () => {
    expect(paymentNumberRanges('xpay')).toBeNull();
    expect(paymentNumberRanges('PAY-012')).toEqual([[12, 12]]);
  });

  it('only leading zeros are dropped for the unpadded match, up to fifteen digits, each range once', () => {
    expect(matches('100', 1)).toBe(false);
    expect(matches('100', 100)).toBe(true);
    expect(matches('012', 120_000_000_000_000)).toBe(true);
    const ranges = paymentNumberRanges('099');
    expect(ranges).not.toBe('all');
    expect((ranges as [number, number][]).slice(0, 2)).toEqual([[99, 99], [990, 999]]);
  });
});
