import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { X12Error } from './errors.ts';
import { centsIn, decimalIn, parseCents, parseDecimal, plainCentsAt } from './parse-decimal.ts';
import { dateAt, dateIn, parseX12Date } from './parse-date.ts';

describe('parseCents', () => {
  it.each([
    ['123.4', 12340],
    ['-15', -1500],
    ['.5', 50],
    ['100.00', 10000],
    ['0', 0],
    ['-0.00', 0],
    ['0.29', 29],
    ['1.230', 123],
    ['5.', 500],
    ['  42.1 ', 4210],
    ['007.05', 705],
    ['9999999999999.99', 999999999999999],
  ])('reads %j as %i cents', (text, cents) => {
    expect(parseCents(text)).toBe(cents);
    expect(Object.is(parseCents(text), -0)).toBe(false);
  });

  it.each(['', '-', '.', '1.234', '1.2.3', '1e5', '+5', '12,50', 'abc', '--1', '1-', '10000000000000.00', 'NaN', 'Infinity'])(
    'refuses %j as an invalid_amount X12Error',
    (text) => {
      let caught: unknown;
      try {
        parseCents(text, { segmentNumber: 7, expected: 'CLP04' });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(X12Error);
      expect((caught as X12Error).code).toBe('invalid_amount');
      expect((caught as X12Error).segmentNumber).toBe(7);
    },
  );

  it.each([
    ['1.2.3', 'more than one decimal point'],
    ['12,50', 'not a decimal number'],
    ['1.234', 'more than 2 decimals'],
    ['10000000000000.00', 'too large'],
    ['99999999999999', 'too large'],
    ['-', 'no digits'],
  ])('says why %j is refused', (text, why) => {
    expect(() => parseCents(text)).toThrow(`"${text}" is not an exact amount: ${why}`);
  });

  it('round-trips every safe amount of cents, in every spelling', () => {
    fc.assert(
      fc.property(fc.integer({ min: -99_999_999_999, max: 99_999_999_999 }), fc.nat(3), (cents, trailingZeros) => {
        const abs = Math.abs(cents);
        const text = `${cents < 0 ? '-' : ''}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}${'0'.repeat(trailingZeros)}`;
        expect(parseCents(text)).toBe(cents === 0 ? 0 : cents);
      }),
    );
  });

  it('reads fractions as basis points at scale 4', () => {
    expect(parseDecimal('0.2', 4)).toBe(2000);
    expect(parseDecimal('.125', 4)).toBe(1250);
    expect(parseDecimal('1', 4)).toBe(10000);
    expect(() => parseDecimal('0.12345', 4)).toThrow(X12Error);
  });
});

describe('parseX12Date', () => {
  it('reads real days only', () => {
    expect(parseX12Date('20240229')).toBe('2024-02-29');
    expect(parseX12Date('20230229')).toBeNull();
    expect(parseX12Date('20002316')).toBeNull();
    expect(parseX12Date('2024021')).toBeNull();
    expect(parseX12Date('2024-2-1')).toBeNull();
    expect(parseX12Date('19000229')).toBeNull();
    expect(parseX12Date('20000229')).toBe('2000-02-29');
  });
});

describe('centsIn (the readers\' amount fast path)', () => {
  // Each the same as the full reading, -0 and NaN included: the fast path only ever answers what decimalIn would.
  const same = (text: string): void => {
    expect(Object.is(centsIn(`*${text}*`, 1, text.length + 1), decimalIn(text, 0, text.length, 2)), JSON.stringify(text)).toBe(true);
  };

  it.each(['', '0', '-', '.', '-.', '.5', '-.5', '12.', '12.3', '12.34', '12.340', '12.345', '-0', '-0.00', '00012.50', ' 12.50', '12.50 ',
    '1..2', '-1-', '+5', '1e3', '9999999999999', '99999999999.99', '999999999999.99', '9999999999999.9', '12345678901234', '0000000000000.5'])(
    'reads %j as decimalIn does',
    same,
  );

  it('reads any string of amount characters as decimalIn does', () => {
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom(...'0123456789.- '), maxLength: 18 }), (text) => same(text)), { numRuns: 3000 });
  });
});

describe('plainCentsAt and dateAt (the same readings over character codes)', () => {
  const codes = (text: string): Uint8Array | Uint16Array => {
    const all = Uint16Array.from(text, (c) => c.charCodeAt(0));
    return all.every((c) => c < 128) ? Buffer.from(text, 'latin1') : all;
  };

  it('reads an amount as centsIn does, or answers NaN for centsIn to decide', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'0123456789.- é'), maxLength: 18 }), (text) => {
        const framed = `*${text}*`;
        const plain = plainCentsAt(codes(framed), 1, text.length + 1);
        if (plain === plain) expect(Object.is(plain, centsIn(framed, 1, text.length + 1)), JSON.stringify(text)).toBe(true);
      }),
      { numRuns: 3000 },
    );
    expect(plainCentsAt(codes('*12.34*'), 1, 6)).toBe(1234);
    expect(plainCentsAt(codes('*-0.00*'), 1, 6)).toBe(0);
    expect(Object.is(plainCentsAt(codes('*-0.00*'), 1, 6), -0)).toBe(false);
    expect(plainCentsAt(codes('* 12.50*'), 1, 7)).toBeNaN();
  });

  it('reads a date as dateIn does', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'0123456789/:é'), minLength: 6, maxLength: 10 }), (text) => {
        const framed = `*${text}*`;
        expect(dateAt(codes(framed), framed, 1, text.length + 1), JSON.stringify(text)).toBe(dateIn(framed, 1, text.length + 1));
      }),
      { numRuns: 3000 },
    );
    for (const day of ['20240229', '20230229', '00000000', '2024022/', '2024022:', '19991231']) expect(dateAt(codes(day), day, 0, 8)).toBe(parseX12Date(day));
  });
});

