/**
 * An X12 date (CCYYMMDD) as a calendar date 'YYYY-MM-DD', or null when it is
 * not eight digits naming a real day. Pure string work: a Date object would
 * bring a time zone, and date-only values must never shift a day.
 */
export function parseX12Date(text: string): string | null {
  return dateIn(text, 0, text.length);
}

// Remittances repeat the same few hundred days: each is built once (bounded, for a file of junk dates).
const days = new Map<number, string>();
const MAX_CACHED_DAYS = 4096;

/** The same reading over `text[start, end)`, without building the element's string. */
export function dateIn(text: string, start: number, end: number): string | null {
  if (end - start !== 8) return null;
  let key = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return null;
    key = key * 10 + (c - 48);
  }
  const cached = days.get(key);
  if (cached !== undefined) return cached;
  const year = Math.floor(key / 10_000);
  const month = Math.floor(key / 100) % 100;
  const day = key % 100;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  const digits = text.slice(start, end);
  const date = `${digits.slice(0, 4)}-${digits.slice(4, 6)}-${digits.slice(6, 8)}`;
  if (days.size >= MAX_CACHED_DAYS) days.clear();
  // Flattened into a string of its own, so a cached day pins no segment text.
  days.set(key, (' ' + date).slice(1));
  return days.get(key)!;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return leap ? 29 : 28;
  }
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}
