import { X12Error, x12Issue, type X12Issue } from './errors.ts';
import { centsIn, parseDecimal, plainCentsAt } from './parse-decimal.ts';
import { dateAt } from './parse-date.ts';
import { idKey, keyAt, ownText, sharedText, type CharCodes, type TextSegment } from './tokenizer.ts';

/**
 * Typed access to a segment's elements, shared by the 835 and 271 readers.
 * Element numbers are the guides' (CLP04 is `element(clp, 4)`). Each reads
 * the segment's offsets directly (element n is `text[offs[n], offs[n + 1] - 1)`
 * when n < count, else empty): amounts, dates, quantities and codes are read
 * in place, and a string is built only for a value the reader keeps.
 */

/** 'CLP04' for element 4 of a CLP. */
export function elementName(segment: TextSegment, index: number): string {
  return `${segment.id}${String(index).padStart(2, '0')}`;
}

/** The element's text, '' when absent. */
export function element(segment: TextSegment, index: number): string {
  if (index >= segment.count) return '';
  const offs = segment.offs;
  return ownText(segment.text, offs[index]!, offs[index + 1]! - 1);
}

/**
 * A short code (a qualifier such as DTM01's '232') as a number, to compare
 * with `codeKey('232')` without building its string: -1 when it is longer
 * than three characters or not ASCII. The empty element is 0.
 */
export function elementKey(segment: TextSegment, index: number): number {
  if (index >= segment.count) return 0;
  const offs = segment.offs;
  const start = offs[index]!;
  const end = offs[index + 1]! - 1;
  return end === start ? 0 : keyAt(segment.codes, start, end);
}

/** A code as a number, the way idKey keys a segment id; the empty code is 0. */
export function codeKey(text: string, start = 0, end = text.length): number {
  return end === start ? 0 : idKey(text, start, end);
}

/** Whether the element is empty (or absent), without building it. */
export function isEmptyElement(segment: TextSegment, index: number): boolean {
  if (index >= segment.count) return true;
  const offs = segment.offs;
  return offs[index] === offs[index + 1]! - 1;
}

/**
 * A code's text (CLP02, CAS02, NM108, a procedure modifier), null when
 * absent or empty: the same string as `optionalElement`, but codes of up to
 * three characters come from a table instead of being built for every claim.
 */
export function optionalCode(segment: TextSegment, index: number): string | null {
  if (index >= segment.count) return null;
  const offs = segment.offs;
  const start = offs[index]!;
  const end = offs[index + 1]! - 1;
  return start === end ? null : codeAt(segment.codes, segment.text, start, end);
}

/** `text[start, end)` as a code: shared when it has a key (read from the text's codes, `codes[i]` being `text.charCodeAt(i)`), built otherwise. */
export function codeAt(codes: CharCodes, text: string, start: number, end: number): string {
  return sharedText(keyAt(codes, start, end), text, start, end);
}

/** The element's text, null when absent or empty. */
export function optionalElement(segment: TextSegment, index: number): string | null {
  if (index >= segment.count) return null;
  const offs = segment.offs;
  const start = offs[index]!;
  const end = offs[index + 1]! - 1;
  return start === end ? null : ownText(segment.text, start, end);
}

/** The element's text; a `missing_element` X12Error when empty. */
export function requiredElement(segment: TextSegment, index: number): string {
  const value = optionalElement(segment, index);
  if (value === null) throw missingElement(segment, index);
  return value;
}

export function missingElement(segment: TextSegment, index: number): X12Error {
  const name = elementName(segment, index);
  return new X12Error('missing_element', `${name} is required but empty`, {
    segmentNumber: segment.segmentNumber,
    expected: name,
  });
}

/** A required amount in cents; `missing_element` or `invalid_amount` X12Error otherwise. */
export function requiredCents(segment: TextSegment, index: number): number {
  if (isEmptyElement(segment, index)) throw missingElement(segment, index);
  const offs = segment.offs;
  return centsAt(segment, index, offs[index]!, offs[index + 1]! - 1);
}

/** An optional amount in cents, null when empty; `invalid_amount` X12Error when malformed. */
export function optionalCents(segment: TextSegment, index: number): number | null {
  if (index >= segment.count) return null;
  const offs = segment.offs;
  const start = offs[index]!;
  const end = offs[index + 1]! - 1;
  return start === end ? null : centsAt(segment, index, start, end);
}

/**
 * The amount in cents of element `index`, which is not empty and lies at
 * `segment.text[start, end)` (a reader that walks the offsets itself has
 * them); an `invalid_amount` X12Error when malformed.
 */
export function centsAt(segment: TextSegment, index: number, start: number, end: number): number {
  // The usual amount from the codes; anything else from the text, as before.
  const plain = plainCentsAt(segment.codes, start, end);
  if (plain === plain) return plain;
  const cents = centsIn(segment.text, start, end);
  // Anything but a good amount goes the string way, which says what is wrong.
  return cents === cents ? cents : scaledAt(segment, index, ownText(segment.text, start, end), 2);
}

/** An optional decimal as an integer of 10^-scale units (scale 4 turns 0.2 into 2000 basis points). */
export function optionalScaled(segment: TextSegment, index: number, scale: number): number | null {
  const text = optionalElement(segment, index);
  return text === null ? null : scaledAt(segment, index, text, scale);
}

// Reached only for an amount the in-place reading refused (it throws the right error) and for the 271's EB08.
function scaledAt(segment: TextSegment, index: number, text: string, scale: number): number {
  return parseDecimal(text, scale, {
    segmentNumber: segment.segmentNumber,
    expected: `${elementName(segment, index)} as a decimal with at most ${scale} decimals`,
  });
}

/** A quantity (units): not money, so a plain number is fine; null and a warning when malformed. */
export function optionalQuantity(segment: TextSegment, index: number, warnings: X12Issue[]): number | null {
  if (index >= segment.count) return null;
  const start = segment.offs[index]!;
  const end = segment.offs[index + 1]! - 1;
  return start === end ? null : quantityAt(segment, index, start, end, warnings);
}

/** The quantity of element `index`, not empty, at `segment.text[start, end)`: `optionalQuantity` for a reader that has the offsets. */
export function quantityAt(segment: TextSegment, index: number, start: number, end: number, warnings: X12Issue[]): number | null {
  const codes = segment.codes;
  // Whole units, as most are, read in place.
  if (end - start <= 9) {
    let units = 0;
    let i = start;
    for (; i < end; i++) {
      const c = codes[i]!;
      if (c < 48 || c > 57) break;
      units = units * 10 + (c - 48);
    }
    if (i === end) return units;
  }
  return quantityText(segment, index, ownText(segment.text, start, end), warnings);
}

// Apart from optionalQuantity so that the code every line runs stays small.
function quantityText(segment: TextSegment, index: number, value: string, warnings: X12Issue[]): number | null {
  if (!/^-?(\d+\.?\d*|\.\d+)$/.test(value.trim())) {
    warnings.push(
      x12Issue('invalid_element', `${elementName(segment, index)} "${value}" is not a quantity; left empty`, {
        segmentNumber: segment.segmentNumber,
        expected: 'a decimal quantity',
        found: value,
      }),
    );
    return null;
  }
  return Number(value);
}

/** A CCYYMMDD date as 'YYYY-MM-DD'; null and an `invalid_date` warning when it is not a real day. */
export function optionalDate(segment: TextSegment, index: number, warnings: X12Issue[]): string | null {
  if (index >= segment.count) return null;
  const start = segment.offs[index]!;
  const end = segment.offs[index + 1]! - 1;
  if (start === end) return null;
  const date = dateAt(segment.codes, segment.text, start, end);
  if (date !== null) return date;
  const text = ownText(segment.text, start, end);
  warnings.push(
    x12Issue('invalid_date', `${elementName(segment, index)} "${text}" is not a CCYYMMDD date; left empty`, {
      segmentNumber: segment.segmentNumber,
      expected: 'CCYYMMDD',
      found: text,
    }),
  );
  return null;
}

/** The parts of a composite element, split on the interchange's component separator. */
export function components(segment: TextSegment, index: number): string[] {
  return element(segment, index).split(segment.delimiters.component);
}

/** The repeats of a repeating element (5010's ISA11); one value when the interchange declares no repetition separator. */
export function repeats(segment: TextSegment, index: number): string[] {
  const value = element(segment, index);
  if (value === '') return [];
  const separator = segment.delimiters.repetition;
  const parts = separator === null ? [value] : value.split(separator);
  return parts.filter((part) => part !== '');
}

export function unexpectedSegment(segment: TextSegment, expected: string, why: string): X12Error {
  return new X12Error('unexpected_segment', `${segment.id} ${why}`, {
    segmentNumber: segment.segmentNumber,
    expected,
    found: segment.id,
  });
}
