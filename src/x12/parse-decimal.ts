import { X12Error, type X12ErrorDetails } from './errors.ts';

/**
 * The most significant digits an exact result may have: 15 digits stay below
 * Number.MAX_SAFE_INTEGER (9,007,199,254,740,991) whatever they are.
 */
const MAX_DIGITS = 15;

/**
 * Reads an X12 decimal ("123.4", "-15", ".5", "100.00") as an integer number
 * of 10^-scale units, digit by digit: no float ever holds the value, so
 * "0.29" is exactly 29 cents. Digits past `scale` are accepted only when they
 * are zeros ("1.230" is 123 cents); anything else is an `invalid_amount`
 * X12Error rather than a silent rounding.
 *
 * scale 2 gives cents; scale 4 turns a fraction into basis points ("0.2" is
 * 2000, i.e. 20 %).
 */
export function parseDecimal(text: string, scale: number, details: X12ErrorDetails = {}): number {
  const value = decimalIn(text, 0, text.length, scale);
  return value === value ? value : explain(text, scale, details);
}

/**
 * The same reading over `text[start, end)` without building the element's
 * string (the tokenizer hands readers offsets into the segment text): the
 * value, or NaN for anything `parseDecimal` refuses, which then says why.
 * Digit by digit as there; only the reasons are left out.
 */
export function decimalIn(text: string, start: number, end: number, scale: number): number {
  while (start < end && text.charCodeAt(start) === 32) start++;
  while (end > start && text.charCodeAt(end - 1) === 32) end--;
  let negative = false;
  if (start < end && text.charCodeAt(start) === 45 /* - */) {
    negative = true;
    start++;
  }
  let value = 0;
  let significant = 0;
  let sawDigit = false;
  let fractionDigits = -1;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 46 /* . */) {
      if (fractionDigits >= 0) return NaN;
      fractionDigits = 0;
      continue;
    }
    if (c < 48 || c > 57) return NaN;
    sawDigit = true;
    const digit = c - 48;
    if (fractionDigits >= 0) {
      if (fractionDigits >= scale) {
        if (digit !== 0) return NaN;
        continue;
      }
      fractionDigits++;
    }
    if (value !== 0 || digit !== 0) significant++;
    if (significant > MAX_DIGITS) return NaN;
    value = value * 10 + digit;
  }
  if (!sawDigit) return NaN;
  for (let k = Math.max(fractionDigits, 0); k < scale; k++) {
    if (value !== 0) significant++;
    if (significant > MAX_DIGITS) return NaN;
    value *= 10;
  }
  return negative && value !== 0 ? -value : value;
}

/** The slow reading, with its reasons: only for text `decimalIn` refused (it throws the right X12Error). */
function explain(text: string, scale: number, details: X12ErrorDetails): number {
  let start = 0;
  let end = text.length;
  // Some senders pad numeric elements with spaces.
  while (start < end && text.charCodeAt(start) === 32) start++;
  while (end > start && text.charCodeAt(end - 1) === 32) end--;

  let negative = false;
  if (start < end && text.charCodeAt(start) === 45 /* - */) {
    negative = true;
    start++;
  }

  let value = 0;
  let significant = 0;
  let sawDigit = false;
  // -1 until the decimal point is seen, then the number of fraction digits kept.
  let fractionDigits = -1;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 46 /* . */) {
      if (fractionDigits >= 0) throw invalid(text, 'more than one decimal point', details);
      fractionDigits = 0;
      continue;
    }
    if (c < 48 || c > 57) throw invalid(text, 'not a decimal number', details);
    sawDigit = true;
    const digit = c - 48;
    if (fractionDigits >= 0) {
      if (fractionDigits >= scale) {
        if (digit !== 0) throw invalid(text, `more than ${scale} decimals`, details);
        continue;
      }
      fractionDigits++;
    }
    if (value !== 0 || digit !== 0) significant++;
    if (significant > MAX_DIGITS) throw invalid(text, 'too large', details);
    value = value * 10 + digit;
  }
  if (!sawDigit) throw invalid(text, 'no digits', details);

  for (let k = Math.max(fractionDigits, 0); k < scale; k++) {
    if (value !== 0) significant++;
    if (significant > MAX_DIGITS) throw invalid(text, 'too large', details);
    value *= 10;
  }
  // Never hand out -0: "-0.00" is simply zero.
  return negative && value !== 0 ? -value : value;
}

/** An X12 amount as integer cents. */
export function parseCents(text: string, details: X12ErrorDetails = {}): number {
  return parseDecimal(text, 2, details);
}

function invalid(text: string, why: string, details: X12ErrorDetails): X12Error {
  return new X12Error('invalid_amount', `"${text}" is not an exact amount: ${why}`, {
    ...details,
    found: text,
  });
}
