import type { Money } from '@medplum/fhirtypes';
import { decimalOfCents, type Cents } from '../../domain/money.ts';

/**
 * A JSON number carries a decimal exactly (it prints back the same digits)
 * while it has at most 15 significant digits: so up to 999,999,999,999,999
 * cents. The product's amounts stay far below; past it we refuse rather than
 * send a rounded figure.
 */
export const FHIR_EXACT_CENTS_LIMIT = 999_999_999_999_999;

/**
 * FHIR `Money` from integer cents, built from the integer's digits
 * ("123.45" → 123.45), never by dividing a float: 12345 → {value: 123.45, currency: 'USD'}.
 */
export function fhirMoney(cents: Cents): Money {
  if (Math.abs(cents) > FHIR_EXACT_CENTS_LIMIT) throw new RangeError(`${cents} cents cannot be sent exactly as a FHIR decimal`);
  return { value: Number(decimalOfCents(cents)), currency: 'USD' };
}
