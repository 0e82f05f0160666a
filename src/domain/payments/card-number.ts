import { AppError } from '../errors.ts';

/** The Luhn checksum every card number carries: a mistyped digit or two swapped digits fail it. */
export function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      // Stryker disable next-line EqualityOperator: equivalent, a doubled digit is even, never 9
      if (digit > 9) digit -= 9;
    }
    // Stryker disable next-line AssignmentOperator: equivalent, a sum and its negation are both multiples of 10 or neither
    sum += digit;
  }
  return sum % 10 === 0;
}

/**
 * A raw card number is checked before any charge: 12–19 digits (spaces and dashes allowed) passing Luhn.
 * A mistyped number is the patient's typo, not the bank's decline, so it is refused as such and nothing
 * is written. A processor's own token (Stripe's `pm_…`) is not a card number and is left to the processor.
 * A processor that takes cards in its own element (Stripe) is never sent a card number by us: refused.
 */
export function checkCardSource(source: string, processorTakesRawNumbers: boolean): void {
  const looksLikeNumber = /^[\d\s-]*$/.test(source);
  if (looksLikeNumber && !processorTakesRawNumbers) {
    throw new AppError('card_number_refused', 'Card numbers are not accepted here: enter the card in the secure card form, which sends it to the processor only. Nothing was charged.');
  }
  if (!processorTakesRawNumbers) return;
  const digits = source.replace(/[\s-]/g, '');
  if (!/^\d{12,19}$/.test(digits) || !passesLuhn(digits)) {
    throw new AppError('card_number_invalid', 'That card number is not valid; check the digits and try again. Nothing was charged.');
  }
}
