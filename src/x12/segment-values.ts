import { X12Error, x12Issue, type X12Issue } from './errors.ts';
import { parseDecimal } from './parse-decimal.ts';
import { parseX12Date } from './parse-date.ts';
import type { X12Segment } from './tokenizer.ts';

/**
 * Typed access to a segment's elements, shared by the 835 and 271 readers.
 * Element numbers are the guides' (CLP04 is `element(clp, 4)`).
 */

/** 'CLP04' for element 4 of a CLP. */
export function elementName(segment: X12Segment, index: number): string {
  return `${segment.id}${String(index).padStart(2, '0')}`;
}

/** The element's text, '' when absent. */
export function element(segment: X12Segment, index: number): string {
  return segment.element(index);
}

/** The element's text, null when absent or empty. */
export function optionalElement(segment: X12Segment, index: number): string | null {
  const value = segment.element(index);
  return value === '' ? null : value;
}

/** The element's text; a `missing_element` X12Error when empty. */
export function requiredElement(segment: X12Segment, index: number): string {
  const value = element(segment, index);
  if (value === '') throw missingElement(segment, index);
  return value;
}

export function missingElement(segment: X12Segment, index: number): X12Error {
  const name = elementName(segment, index);
  return new X12Error('missing_element', `${name} is required but empty`, {
    segmentNumber: segment.segmentNumber,
    expected: name,
  });
}

/** A required amount in cents; `missing_element` or `invalid_amount` X12Error otherwise. */
export function requiredCents(segment: X12Segment, index: number): number {
  return scaledAt(segment, index, requiredElement(segment, index), 2);
}

/** An optional amount in cents, null when empty; `invalid_amount` X12Error when malformed. */
export function optionalCents(segment: X12Segment, index: number): number | null {
  const text = optionalElement(segment, index);
  return text === null ? null : scaledAt(segment, index, text, 2);
}

/** An optional decimal as an integer of 10^-scale units (scale 4 turns 0.2 into 2000 basis points). */
export function optionalScaled(segment: X12Segment, index: number, scale: number): number | null {
  const text = optionalElement(segment, index);
  return text === null ? null : scaledAt(segment, index, text, scale);
}

function scaledAt(segment: X12Segment, index: number, text: string, scale: number): number {
  try {
    return parseDecimal(text, scale);
  } catch {
    // The error's context is built only for a bad amount (it cost a string per amount read): the same parse, now with it, throws.
    return parseDecimal(text, scale, { segmentNumber: segment.segmentNumber, expected: `${elementName(segment, index)} as a decimal with at most ${scale} decimals` });
  }
}

/** A quantity (units): not money, so a plain number is fine; null and a warning when malformed. */
export function optionalQuantity(segment: X12Segment, index: number, warnings: X12Issue[]): number | null {
  const text = optionalElement(segment, index);
  if (text === null) return null;
  if (!/^-?(\d+\.?\d*|\.\d+)$/.test(text.trim())) {
    warnings.push(
      x12Issue('invalid_element', `${elementName(segment, index)} "${text}" is not a quantity; left empty`, {
        segmentNumber: segment.segmentNumber,
        expected: 'a decimal quantity',
        found: text,
      }),
    );
    return null;
  }
  return Number(text);
}

/** A CCYYMMDD date as 'YYYY-MM-DD'; null and an `invalid_date` warning when it is not a real day. */
export function optionalDate(segment: X12Segment, index: number, warnings: X12Issue[]): string | null {
  const text = optionalElement(segment, index);
  if (text === null) return null;
  const date = parseX12Date(text);
  if (date === null) {
    warnings.push(
      x12Issue('invalid_date', `${elementName(segment, index)} "${text}" is not a CCYYMMDD date; left empty`, {
        segmentNumber: segment.segmentNumber,
        expected: 'CCYYMMDD',
        found: text,
      }),
    );
  }
  return date;
}

/** The parts of a composite element, split on the interchange's component separator. */
export function components(segment: X12Segment, index: number): string[] {
  return element(segment, index).split(segment.delimiters.component);
}

/** The repeats of a repeating element (5010's ISA11); one value when the interchange declares no repetition separator. */
export function repeats(segment: X12Segment, index: number): string[] {
  const value = element(segment, index);
  if (value === '') return [];
  const separator = segment.delimiters.repetition;
  const parts = separator === null ? [value] : value.split(separator);
  return parts.filter((part) => part !== '');
}

export function unexpectedSegment(segment: X12Segment, expected: string, why: string): X12Error {
  return new X12Error('unexpected_segment', `${segment.id} ${why}`, {
    segmentNumber: segment.segmentNumber,
    expected,
    found: segment.id,
  });
}
