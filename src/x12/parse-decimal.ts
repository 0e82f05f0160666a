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
  if (value === value) return value;
  const why = refusal === TOO_MANY_DECIMALS ? `more than ${scale} decimals` : REFUSALS[refusal]!;
  throw new X12Error('invalid_amount', `"${text}" is not an exact amount: ${why}`, { ...details, found: text });
}

/** Why `decimalIn` last refused a value (read by `parseDecimal` right after, to say so). */
const TWO_POINTS = 0;
const NOT_DECIMAL = 1;
const TOO_MANY_DECIMALS = 2;
const TOO_LARGE = 3;
const NO_DIGITS = 4;
const REFUSALS = ['more than one decimal point', 'not a decimal number', '', 'too large', 'no digits'];
let refusal = NO_DIGITS;

/**
 * The same reading over `text[start, end)`, without building the element's
 * string (the tokenizer hands readers offsets into the segment text): the
 * value, or NaN for anything refused (`parseDecimal` then says why).
 */
export function decimalIn(text: string, start: number, end: number, scale: number): number {
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
      if (fractionDigits >= 0) return refuse(TWO_POINTS);
      fractionDigits = 0;
      continue;
    }
    if (c < 48 || c > 57) return refuse(NOT_DECIMAL);
    sawDigit = true;
    const digit = c - 48;
    if (fractionDigits >= 0) {
      if (fractionDigits >= scale) {
        if (digit !== 0) return refuse(TOO_MANY_DECIMALS);
        continue;
      }
      fractionDigits++;
    }
    if (value !== 0 || digit !== 0) significant++;
    if (significant > MAX_DIGITS) return refuse(TOO_LARGE);
    value = value * 10 + digit;
  }
  if (!sawDigit) return refuse(NO_DIGITS);
  for (let k = Math.max(fractionDigits, 0); k < scale; k++) {
    if (value !== 0) significant++;
    if (significant > MAX_DIGITS) return refuse(TOO_LARGE);
    value *= 10;
  }
  // Never hand out -0: "-0.00" is simply zero.
  return negative && value !== 0 ? -value : value;
}

/**
 * `decimalIn(text, start, end, 2)` for the amounts files are made of — an
 * optional minus, digits, at most one point and two decimals, 13 characters
 * at most, so no value can reach 15 significant digits — read in one short
 * loop; anything else (spaces, a third decimal, no digit, a longer number)
 * goes to `decimalIn`, which decides. Small on purpose: it runs for every
 * amount of a file, and V8 compiles (and inlines) it at every reader that
 * reads one, while the full reading, rarely reached, stays uncompiled.
 */
export function centsIn(text: string, start: number, end: number): number {
  if (end - start > 13) return decimalIn(text, start, end, 2);
  let i = start;
  const negative = i < end && text.charCodeAt(i) === 45; /* - */
  if (negative) i++;
  let value = 0;
  let digits = 0;
  // -1 until the point, then the decimals read.
  let decimals = -1;
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      digits++;
      if (decimals >= 0 && ++decimals > 2) return decimalIn(text, start, end, 2);
    } else if (c === 46 /* . */ && decimals < 0) {
      decimals = 0;
    } else {
      return decimalIn(text, start, end, 2);
    }
  }
  if (digits === 0) return decimalIn(text, start, end, 2);
  if (decimals < 1) value *= 100;
  else if (decimals === 1) value *= 10;
  // Never hand out -0, as decimalIn.
  return negative && value !== 0 ? -value : value;
}

/**
 * centsIn's usual case over a text's character codes (`codes[i]` is the
 * text's `charCodeAt(i)`): the same value for the amounts it reads, NaN for
 * anything else, which the caller then reads from the text with centsIn.
 * Reading a typed array costs a few instructions a character where
 * `charCodeAt` on a string costs several times that.
 */
export function plainCentsAt(codes: Uint8Array | Uint16Array, start: number, end: number): number {
  if (end - start > 13) return NaN;
  let i = start;
  const negative = i < end && codes[i] === 45; /* - */
  if (negative) i++;
  let value = 0;
  let digits = 0;
  // -1 until the point, then the decimals read.
  let decimals = -1;
  for (; i < end; i++) {
    const c = codes[i]!;
    if (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      digits++;
      if (decimals >= 0 && ++decimals > 2) return NaN;
    } else if (c === 46 /* . */ && decimals < 0) {
      decimals = 0;
    } else {
      return NaN;
    }
  }
  if (digits === 0) return NaN;
  if (decimals < 1) value *= 100;
  else if (decimals === 1) value *= 10;
  // Never hand out -0, as decimalIn.
  return negative && value !== 0 ? -value : value;
}

function refuse(why: number): number {
  refusal = why;
  return NaN;
}

/** An X12 amount as integer cents. */
export function parseCents(text: string, details: X12ErrorDetails = {}): number {
  return parseDecimal(text, 2, details);
}
