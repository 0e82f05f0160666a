import { Text, type TextProps } from '@mantine/core';

/**
 * The only place integer cents become dollars for display. Cents are turned
 * into an exact decimal string and that string is formatted, so no float
 * rounding can creep in however large the amount.
 */
const usd = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});

/** 12345 → "123.45", -5 → "-0.05": an exact decimal string, no float math. */
export function centsToDecimalString(cents: number): string {
  if (!Number.isSafeInteger(cents)) throw new RangeError(`not a whole number of cents: ${cents}`);
  const negative = cents < 0;
  const digits = String(Math.abs(cents)).padStart(3, '0');
  const whole = digits.slice(0, -2);
  const fraction = digits.slice(-2);
  return `${negative ? '-' : ''}${whole}.${fraction}`;
}

export function formatCents(cents: number): string {
  // Intl formats a decimal string exactly (Intl.NumberFormat v3).
  return usd.format(centsToDecimalString(cents) as unknown as number);
}

const wholeUsd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });

/** A chart axis tick: cents as whole dollars ("$1,250"); the figures themselves stay to the cent. */
export function dollarsTick(cents: number): string {
  return wholeUsd.format(Math.round(cents / 100));
}

export interface MoneyProps extends Omit<TextProps, 'children'> {
  cents: number | null | undefined;
  /** Shown when cents is null or undefined. */
  fallback?: string;
  /** Colour negative amounts red. */
  signColor?: boolean;
}

export function Money({ cents, fallback = '—', signColor = false, ...textProps }: MoneyProps) {
  if (cents === null || cents === undefined) {
    return (
      <Text component="span" inherit {...textProps}>
        {fallback}
      </Text>
    );
  }
  return (
    <Text
      component="span"
      inherit
      c={signColor && cents < 0 ? 'red.9' : undefined}
      style={{ fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap' }}
      {...textProps}
    >
      {formatCents(cents)}
    </Text>
  );
}
