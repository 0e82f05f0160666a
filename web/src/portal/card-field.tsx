import { TextInput } from '@mantine/core';

/**
 * The card to charge. With the built-in sandbox processor this is a test card
 * number; a live Stripe setup would put Stripe's card element here instead.
 */
export function CardField({ value, onChange, error }: { value: string; onChange: (value: string) => void; error?: string | null }) {
  return (
    <TextInput
      label="Card number"
      required
      inputMode="numeric"
      autoComplete="cc-number"
      placeholder="1234 5678 9012 3456"
      maxLength={23}
      value={value}
      error={error ?? undefined}
      onChange={(event) => onChange(event.currentTarget.value)}
    />
  );
}

/** A card number (digits, with the spaces or dashes people type) or a processor's payment-method id (pm_…). */
export function looksLikeCard(value: string): boolean {
  const text = value.trim();
  if (/^pm_[A-Za-z0-9_]+$/.test(text)) return true;
  return /^[\d\s-]+$/.test(text) && text.replace(/\D/g, '').length >= 12;
}
