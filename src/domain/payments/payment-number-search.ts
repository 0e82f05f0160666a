/** Payment numbers are stored as integers and shown as PAY-001 (at least three digits). */
const minDigits = 3;
/** Numbers never grow past this many digits (the search regex caps input at the same length). */
const maxDigits = 15;

export type NumberRange = readonly [low: number, high: number];

/**
 * SPEC 3: payment-number search is a prefix of the shown number ("PAY-01" finds PAY-010…019, "pay" finds
 * every payment). Answers the integer ranges whose formatted numbers start with the typed text, so the
 * query stays an index range scan; null when the text is not a payment number (search names instead).
 * Bare digits also match the unpadded number, so "12" still finds PAY-012.
 */
export function paymentNumberRanges(search: string): NumberRange[] | 'all' | null {
  const text = search.trim().toLowerCase();
  if (/^pay-?$/.test(text)) return 'all';
  const match = /^(pay-?)?(\d{1,15})$/.exec(text);
  if (!match) return null;
  const digits = match[2]!;
  const ranges = formattedPrefixRanges(digits);
  if (!match[1]) {
    // Also a prefix of the plain decimal number: 12, 120…129, 1200…1299, …
    const unpadded = digits.replace(/^0+/, '');
    const value = Number(unpadded);
    for (let length = unpadded.length; unpadded && length <= maxDigits; length++) {
      const scale = 10 ** (length - unpadded.length);
      ranges.push([value * scale, (value + 1) * scale - 1]);
    }
  }
  return mergeRanges(ranges);
}

/** Ranges of n whose zero-padded digits start with `digits`. */
function formattedPrefixRanges(digits: string): NumberRange[] {
  const k = digits.length;
  const value = Number(digits);
  const ranges: NumberRange[] = [];
  // Shown with exactly three digits (n < 1000): leading zeros are part of the text.
  if (k <= minDigits) {
    const scale = 10 ** (minDigits - k);
    ranges.push([value * scale, (value + 1) * scale - 1]);
  }
  // Longer numbers carry no leading zero, so a prefix starting with 0 cannot match them.
  if (!digits.startsWith('0')) {
    for (let length = Math.max(minDigits + 1, k); length <= maxDigits; length++) {
      const scale = 10 ** (length - k);
      ranges.push([value * scale, (value + 1) * scale - 1]);
    }
  }
  return ranges;
}

function mergeRanges(ranges: NumberRange[]): NumberRange[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [low, high] of sorted) {
    const last = merged.at(-1);
    // Stryker disable next-line EqualityOperator,MethodExpression: equivalent, the ranges built above are equal or nested-free and never adjacent
    if (last && low <= last[1] + 1) last[1] = Math.max(last[1], high);
    else merged.push([low, high]);
  }
  return merged;
}
