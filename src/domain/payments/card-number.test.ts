import { describe, expect, it } from 'vitest';
import { checkCardSource, passesLuhn } from './card-number.ts';

describe('card numbers are checked before any charge', () => {
  it('Luhn catches a mistyped digit and swapped digits', () => {
    expect(passesLuhn('4242424242424242')).toBe(true);
    expect(passesLuhn('4000000000000077')).toBe(true);
    expect(passesLuhn('79927398713')).toBe(true);
    expect(passesLuhn('4242424242424241')).toBe(false);
    expect(passesLuhn('2424242424242424')).toBe(false);
    expect(passesLuhn('79927398731')).toBe(false);
    // Doubling 5..9 subtracts 9: 59 → 1+9 = 10 passes, without the subtraction 10+9 would not.
    expect(passesLuhn('59')).toBe(true);
    expect(passesLuhn('18')).toBe(true);
  });

  it('a raw number (the sandbox takes them) must be 12–19 digits passing Luhn; spaces and dashes are allowed', () => {
    expect(() => checkCardSource('4242 4242-4242 4242', true)).not.toThrow();
    expect(() => checkCardSource('4242424242424241', true)).toThrow(expect.objectContaining({ code: 'card_number_invalid' }));
    expect(() => checkCardSource('00000000000', true)).toThrow(expect.objectContaining({ code: 'card_number_invalid' }));
    expect(() => checkCardSource('000000000000', true)).not.toThrow();
    expect(() => checkCardSource('0000000000000000000', true)).not.toThrow();
    expect(() => checkCardSource('00000000000000000000', true)).toThrow(expect.objectContaining({ code: 'card_number_invalid' }));
    expect(() => checkCardSource('', true)).toThrow(/not valid/);
    expect(() => checkCardSource('pm_card_visa', true)).toThrow(expect.objectContaining({ code: 'card_number_invalid' }));
  });

  it("a processor with its own card element (Stripe) is never sent a card number; its token is left to it", () => {
    expect(() => checkCardSource('4242 4242 4242 4242', false)).toThrow(expect.objectContaining({ code: 'card_number_refused' }));
    expect(() => checkCardSource('4242424242424241', false)).toThrow(expect.objectContaining({ code: 'card_number_refused' }));
    expect(() => checkCardSource('', false)).toThrow(expect.objectContaining({ code: 'card_number_refused' }));
    expect(() => checkCardSource('pm_card_visa', false)).not.toThrow();
    expect(() => checkCardSource('x4242424242424242', false)).not.toThrow();
    expect(() => checkCardSource('4242424242424242x', false)).not.toThrow();
  });
});
