/**
 * An X12 date (CCYYMMDD) as a calendar date 'YYYY-MM-DD', or null when it is
 * not eight digits naming a real day. Pure string work: a Date object would
 * bring a time zone, and date-only values must never shift a day.
 */
export function parseX12Date(text: string): string | null {
  return dateIn(text, 0, text.length);
}

// Remittances repeat the same few hundred days: each is built once, in a small direct-mapped cache.
const DAY_SLOTS = 4096;
const dayKeys = new Int32Array(DAY_SLOTS);
const dayStrings: string[] = new Array<string>(DAY_SLOTS).fill('');

/**
 * The same reading over `text[start, end)`, without building the element's
 * string. The usual case — a day already in the cache — is this short
 * function; a day seen for the first time goes to `newDay`, so the hot code
 * V8 compiles (and inlines into the readers) stays small.
 */
export function dateIn(text: string, start: number, end: number): string | null {
  if (end - start !== 8) return null;
  let key = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return null;
    key = key * 10 + (c - 48);
  }
  // key 0 ("00000000") is no day, so an empty slot never matches a real one.
  const slot = key % DAY_SLOTS;
  return dayKeys[slot] === key && key !== 0 ? dayStrings[slot]! : newDay(text, start, end, key, slot);
}

/**
 * dateIn over a text's character codes (`codes[i]` is `text.charCodeAt(i)`):
 * the same day, its eight digits read from the codes. Written out rather than
 * looped: V8 checks a typed array's kind at every read inside a loop, once
 * for reads in a row.
 */
export function dateAt(codes: Uint8Array | Uint16Array, text: string, start: number, end: number): string | null {
  if (end - start !== 8) return null;
  // A character that is not a digit makes its value negative or over 9: `>>> 0` makes both over 9.
  const d0 = codes[start]! - 48;
  const d1 = codes[start + 1]! - 48;
  const d2 = codes[start + 2]! - 48;
  const d3 = codes[start + 3]! - 48;
  const d4 = codes[start + 4]! - 48;
  const d5 = codes[start + 5]! - 48;
  const d6 = codes[start + 6]! - 48;
  const d7 = codes[start + 7]! - 48;
  if (d0 >>> 0 > 9 || d1 >>> 0 > 9 || d2 >>> 0 > 9 || d3 >>> 0 > 9 || d4 >>> 0 > 9 || d5 >>> 0 > 9 || d6 >>> 0 > 9 || d7 >>> 0 > 9) return null;
  const key = ((((((d0 * 10 + d1) * 10 + d2) * 10 + d3) * 10 + d4) * 10 + d5) * 10 + d6) * 10 + d7;
  const slot = key % DAY_SLOTS;
  return dayKeys[slot] === key && key !== 0 ? dayStrings[slot]! : newDay(text, start, end, key, slot);
}

/** A CCYYMMDD day not in the cache (`key` is its digits as a number): checked, built and kept in `slot`. */
function newDay(text: string, start: number, end: number, key: number, slot: number): string | null {
  const year = Math.floor(key / 10_000);
  const month = Math.floor(key / 100) % 100;
  const day = key % 100;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  const digits = text.slice(start, end);
  // Flattened into a string of its own, so a cached day pins no segment text.
  const date = (' ' + `${digits.slice(0, 4)}-${digits.slice(4, 6)}-${digits.slice(6, 8)}`).slice(1);
  dayKeys[slot] = key;
  dayStrings[slot] = date;
  return date;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return leap ? 29 : 28;
  }
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}
