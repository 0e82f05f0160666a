import { describe, expect, it } from 'vitest';
import { decimalOfCents, formatCents, isCents, MAX_AMOUNT_CENTS, sumCents, toCents } from './money.ts';

describe('money is integer cents', () => {
  it('isCents accepts only safe integers', () => {
    expect(isCents(0)).toBe(true);
    expect(isCents(-5)).toBe(true);
    expect(isCents(MAX_AMOUNT_CENTS)).toBe(true);
    expect(isCents(1.5)).toBe(false);
    expect(isCents(2 ** 53)).toBe(false);
    expect(isCents('100')).toBe(false);
    expect(isCents(100n)).toBe(false);
  });

  it('toCents reads numbers, bigints and digit strings, and refuses anything inexact', () => {
    expect(toCents(1234)).toBe(1234);
    expect(toCents(1234n)).toBe(1234);
    expect(toCents('1234')).toBe(1234);
    expect(toCents('-7')).toBe(-7);
    for (const bad of [1.5, 2n ** 60n, '12.5', ' 12', '12 ', 'x12', '12x', '', '9007199254740993', null, undefined, {}]) {
      expect(() => toCents(bad)).toThrow(TypeError);
    }
    expect(() => toCents('1.5')).toThrow(/not an integer amount of cents: 1.5/);
  });

  it('formatCents shows dollars with thousands separators and two-digit cents', () => {
    expect(formatCents(123456)).toBe('$1,234.56');
    expect(formatCents(-5)).toBe('-$0.05');
    expect(formatCents(100)).toBe('$1.00');
    expect(formatCents(0)).toBe('$0.00');
    expect(formatCents(-199)).toBe('-$1.99');
    expect(formatCents(100_000_000)).toBe('$1,000,000.00');
  });

  it('decimalOfCents builds the decimal from the digits', () => {
    expect(decimalOfCents(12345)).toBe('123.45');
    expect(decimalOfCents(-5)).toBe('-0.05');
    expect(decimalOfCents(100)).toBe('1.00');
    expect(decimalOfCents(0)).toBe('0.00');
    expect(decimalOfCents(7)).toBe('0.07');
    expect(() => decimalOfCents(1.5)).toThrow(/not an integer amount of cents: 1.5/);
  });

  it('sumCents adds every value', () => {
    expect(sumCents([])).toBe(0);
    expect(sumCents([100, -30, 5])).toBe(75);
  });
});

describe('toCents: only a string of digits is read as text (mutation testing, ADR 0023)', () => {
  it('refuses an array that would print as digits', () => {
    expect(() => toCents(['12'])).toThrow(TypeError);
  });
});
