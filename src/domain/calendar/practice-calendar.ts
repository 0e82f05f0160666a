/**
 * The practice's calendar (SPEC section 10): every calendar date the product
 * derives from an instant — a paid date, "today" for overdue flags, dashboard
 * months, refund review and statement dates — is the date on the practice's
 * wall clock, never the server's UTC. This is the one place that turns an
 * instant into a date; nothing else slices an ISO string.
 */

/** The time zone a practice gets when nobody chose one. */
export const defaultTimeZone = 'America/New_York';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    // en-CA formats dates as YYYY-MM-DD; formatToParts keeps us independent of that detail anyway.
    formatter = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** True when `timeZone` is an IANA name this runtime knows (Intl refuses the rest). */
export function isValidTimeZone(timeZone: string): boolean {
  if (typeof timeZone !== 'string' || timeZone.length === 0 || timeZone.length > 64) return false;
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The calendar date ('YYYY-MM-DD') of `instant` in `timeZone`; now when no instant is given. */
export function calendarDateIn(timeZone: string, instant: Date | string = new Date()): string {
  const date = typeof instant === 'string' ? new Date(instant) : instant;
  if (Number.isNaN(date.getTime())) throw new RangeError(`not an instant: ${String(instant)}`);
  const parts = formatterFor(timeZone).formatToParts(date);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  let year = part('year');
  // Years before 1000 or after 9999 are not calendar dates the product stores.
  year = year.padStart(4, '0');
  return `${year}-${part('month')}-${part('day')}`;
}

/** 'YYYY-MM' of a calendar date. */
export function calendarMonth(date: string): string {
  return date.slice(0, 7);
}
