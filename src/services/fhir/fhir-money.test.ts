import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decimalOfCents } from '../../domain/money.ts';
import { FHIR_EXACT_CENTS_LIMIT, fhirMoney } from './fhir-money.ts';

/** The decimal a JSON number must print as: the cents' digits, trailing zeros of the fraction dropped. */
const expectedText = (cents: number) => decimalOfCents(cents).replace(/\.?0+$/, '');

describe('fhirMoney: FHIR Money exactly from integer cents', () => {
  it.each([
    [0, '0.00', 0],
    [1, '0.01', 0.01],
    [10, '0.10', 0.1],
    [100, '1.00', 1],
    [-5, '-0.05', -0.05],
    [12345, '123.45', 123.45],
    [-12345, '-123.45', -123.45],
    [1_000_000_000, '10000000.00', 10_000_000],
    [999_999_999_999_999, '9999999999999.99', 9_999_999_999_999.99],
  ])('%i cents → "%s" → %d', (cents, decimal, value) => {
    expect(decimalOfCents(cents)).toBe(decimal);
    expect(fhirMoney(cents)).toEqual({ value, currency: 'USD' });
    // What goes on the wire: the same digits, no drift (0.1 + 0.2 style noise would show here).
    expect(JSON.stringify(fhirMoney(cents).value)).toBe(expectedText(cents));
  });

  it('refuses what it cannot send exactly, and what is not cents', () => {
    expect(() => fhirMoney(FHIR_EXACT_CENTS_LIMIT + 1)).toThrow(RangeError);
    expect(() => fhirMoney(-FHIR_EXACT_CENTS_LIMIT - 1)).toThrow(RangeError);
    expect(() => fhirMoney(1.5)).toThrow(TypeError);
    expect(() => fhirMoney(Number.NaN)).toThrow(TypeError);
  });

  it('prints back every amount to the cent, across the whole exact range', () => {
    fc.assert(
      fc.property(fc.integer({ min: -FHIR_EXACT_CENTS_LIMIT, max: FHIR_EXACT_CENTS_LIMIT }), (cents) => {
        const { value } = fhirMoney(cents);
        expect(JSON.stringify(value)).toBe(expectedText(cents));
        // And back to the same integer of cents from the digits.
        const [whole = '0', fraction = ''] = JSON.stringify(Math.abs(value!)).split('.');
        expect(Math.sign(cents) * (Number(whole) * 100 + Number(fraction.padEnd(2, '0')))).toBe(cents);
      }),
      { numRuns: 20_000 },
    );
  });
});
