import { TextInput, type TextInputProps } from '@mantine/core';
import { useEffect, useState } from 'react';
import { centsToDecimalString } from './money';

/**
 * Reads what a person typed as dollars ("12.34", "$1,234.5", ".50") and returns
 * exact integer cents by string parsing, never float math. Returns null for
 * text that is not an amount (letters, more than two decimals, a minus sign).
 */
export function parseDollarsToCents(text: string): number | null {
  const cleaned = text.trim().replace(/^\$/, '').replace(/,/g, '').trim();
  const match = /^(\d*)(?:\.(\d{0,2}))?$/.exec(cleaned);
  if (!match) return null;
  const whole = match[1] ?? '';
  const fraction = match[2] ?? '';
  if (whole === '' && fraction === '') return null;
  // Commas are only allowed as thousands separators: "1,234" yes, "12,34" no.
  const original = text.trim().replace(/^\$/, '').trim();
  if (original.includes(',') && !/^\d{1,3}(,\d{3})+(\.\d{0,2})?$/.test(original)) return null;
  const cents = BigInt(whole || '0') * 100n + BigInt(fraction.padEnd(2, '0'));
  if (cents > BigInt(Number.MAX_SAFE_INTEGER)) return null;
  return Number(cents);
}

export interface DollarsInputProps extends Omit<TextInputProps, 'value' | 'onChange' | 'defaultValue'> {
  /** The amount in integer cents; null when empty or not a valid amount. */
  cents: number | null;
  /** Called with the parsed cents (null when invalid or empty) and the raw text. */
  onChange: (cents: number | null, text: string) => void;
}

/** A text box for an amount of dollars that hands back exact cents. */
export function DollarsInput({ cents, onChange, onBlur, ...props }: DollarsInputProps) {
  const [text, setText] = useState(() => (cents === null ? '' : centsToDecimalString(cents)));

  // Follow the value when it is changed from outside (a prefill, a reset).
  useEffect(() => {
    setText((current) => {
      if (parseDollarsToCents(current) === cents) return current;
      return cents === null ? '' : centsToDecimalString(cents);
    });
  }, [cents]);

  return (
    <TextInput
      inputMode="decimal"
      autoComplete="off"
      leftSection="$"
      placeholder="0.00"
      {...props}
      value={text}
      onChange={(event) => {
        const next = event.currentTarget.value;
        setText(next);
        onChange(parseDollarsToCents(next), next);
      }}
      onBlur={(event) => {
        const parsed = parseDollarsToCents(text);
        if (parsed !== null) setText(centsToDecimalString(parsed));
        onBlur?.(event);
      }}
    />
  );
}
