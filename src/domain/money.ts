/**
 * Money is integer cents everywhere. These helpers are the one place that
 * checks a value really is a safe integer amount of cents.
 */
export type Cents = number;

/** The largest single amount the product accepts: $10,000,000.00. */
export const MAX_AMOUNT_CENTS: Cents = 1_000_000_000;

export function isCents(value: unknown): value is Cents {
  // Stryker disable next-line ConditionalExpression: equivalent, Number.isSafeInteger is false for anything not a number
  return typeof value === 'number' && Number.isSafeInteger(value);
}

/** Parses a database value (number, bigint or numeric string) into cents, refusing anything inexact. */
export function toCents(value: unknown): Cents {
  // Stryker disable next-line ConditionalExpression: equivalent, Number.isSafeInteger is false for anything not a number
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (typeof value === 'bigint') {
    const n = Number(value);
    if (Number.isSafeInteger(n)) return n;
  }
  if (typeof value === 'string' && /^-?\d+$/.test(value)) {
    const n = Number(value);
    if (Number.isSafeInteger(n)) return n;
  }
  throw new TypeError(`not an integer amount of cents: ${String(value)}`);
}

/** "$1,234.56" / "-$0.05": for CLI output and documents; the web formats its own. */
export function formatCents(cents: Cents): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const dollars = Math.trunc(abs / 100).toLocaleString('en-US');
  const rest = String(abs % 100).padStart(2, '0');
  return `${sign}$${dollars}.${rest}`;
}

/**
 * Cents as an exact decimal string built from the integer's digits, never
 * from float division: 12345 → "123.45", -5 → "-0.05", 100 → "1.00".
 */
export function decimalOfCents(cents: Cents): string {
  if (!isCents(cents)) throw new TypeError(`not an integer amount of cents: ${String(cents)}`);
  const sign = cents < 0 ? '-' : '';
  const digits = String(Math.abs(cents)).padStart(3, '0');
  return `${sign}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

export function sumCents(values: readonly Cents[]): Cents {
  let total = 0;
  for (const v of values) total += v;
  return total;
}
