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
  // Stryker disable next-line ConditionalExpression: equivalent, the map only saves building the formatter again
  if (!formatter) {
    // en-CA formats dates as YYYY-MM-DD; formatToParts keeps us independent of that detail anyway.
    formatter = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** True when `timeZone` is an IANA name this runtime knows (Intl refuses the rest). */
export function isValidTimeZone(timeZone: string): boolean {
  // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator: equivalent, Intl refuses these names too; the guard only spares it absurd input
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
  // Stryker disable next-line ConditionalExpression: equivalent, new Date(aDate) is a copy of it
  const date = typeof instant === 'string' ? new Date(instant) : instant;
  if (Number.isNaN(date.getTime())) throw new RangeError(`not an instant: ${String(instant)}`);
  const parts = formatterFor(timeZone).formatToParts(date);
  // Stryker disable next-line OptionalChaining,StringLiteral: equivalent, formatToParts always gives year, month and day for these options
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  let year = part('year');
  // Years before 1000 or after 9999 are not calendar dates the product stores.
  year = year.padStart(4, '0');
  return `${year}-${part('month')}-${part('day')}`;
}

const dayMs = 86_400_000;

interface KnownDay {
  /** The first instant (ms) on `date`, and the first after it. */
  start: number;
  end: number;
  date: string;
  /** start and end as toISOString writes them, which order as text as they do in time. */
  startText: string;
  endText: string;
}

/**
 * calendarDateIn for many instants of one time zone (a CSV export's rows):
 * the same dates, but each calendar day's bounds are found once (a few Intl
 * calls) and its other instants are recognised by them, where Intl costs
 * ~5–20 µs an instant. A day's bounds are taken only when the instants just
 * inside them are on the date and those just outside are not; otherwise
 * (a clock change at midnight) that instant gets calendarDateIn itself.
 */
export function calendarDatesIn(timeZone: string): (instant: string) => string {
  // Known days by each UTC day they overlap; the last one used is tried first (exports run in date order).
  const known = new Map<number, KnownDay[]>();
  let last: KnownDay = { start: 0, end: 0, date: '', startText: '', endText: '' };
  const dateAt = (ms: number) => calendarDateIn(timeZone, new Date(ms));
  return (instant) => {
    // The stored form (toISOString's 24 characters) is compared as text: no parsing for a row of the same day.
    if (instant.length === 24 && instant[10] === 'T' && instant[23] === 'Z' && instant >= last.startText && instant < last.endText) return last.date;
    const t = Date.parse(instant);
    if (t >= last.start && t < last.end) return last.date;
    if (Number.isNaN(t)) return calendarDateIn(timeZone, instant);
    const day = known.get(Math.floor(t / dayMs))?.find((d) => t >= d.start && t < d.end);
    if (day) return (last = day).date;
    const date = dateAt(t);
    // Midnight of `date` on the wall clock, as UTC; less the offset in force there (a clock change that day moves it).
    const midnight = Date.parse(`${date}T00:00:00Z`);
    const offset = offsetMsAt(timeZone, new Date(t));
    const start = midnight - offsetMsAt(timeZone, new Date(midnight - offset));
    const end = midnight + dayMs - offsetMsAt(timeZone, new Date(midnight + dayMs - offset));
    if (!(start <= t && t < end) || dateAt(start) !== date || dateAt(end - 1) !== date || dateAt(start - 1) === date || dateAt(end) === date) return date;
    last = { start, end, date, startText: new Date(start).toISOString(), endText: new Date(end).toISOString() };
    for (let key = Math.floor(start / dayMs); key <= Math.floor((end - 1) / dayMs); key++) known.set(key, [...(known.get(key) ?? []), last]);
    return date;
  };
}

/** 'YYYY-MM' of a calendar date. */
export function calendarMonth(date: string): string {
  return date.slice(0, 7);
}

const clockFormatters = new Map<string, Intl.DateTimeFormat>();

/** Milliseconds the practice's wall clock is ahead of UTC at `instant` (negative west of Greenwich). */
function offsetMsAt(timeZone: string, instant: Date): number {
  let formatter = clockFormatters.get(timeZone);
  // Stryker disable next-line ConditionalExpression: equivalent, the map only saves building the formatter again
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    clockFormatters.set(timeZone, formatter);
  }
  const parts = Object.fromEntries(formatter.formatToParts(instant).map((p) => [p.type, Number(p.value)]));
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return wall - Math.floor(instant.getTime() / 1000) * 1000;
}

/** The hour (0–23) on the practice's wall clock at `instant`. */
export function wallClockHourIn(timeZone: string, instant: Date = new Date()): number {
  return new Date(instant.getTime() + offsetMsAt(timeZone, instant)).getUTCHours();
}

/** The first instant after `instant` when the practice's wall clock reads `hour`:00 (today's if still ahead, else tomorrow's). */
export function nextWallClockHour(timeZone: string, instant: Date, hour: number): Date {
  const wall = new Date(instant.getTime() + offsetMsAt(timeZone, instant));
  let target = Date.UTC(wall.getUTCFullYear(), wall.getUTCMonth(), wall.getUTCDate(), hour);
  if (target <= wall.getTime()) target += 86_400_000;
  // The offset at the target, not now: a daylight-saving change overnight moves 8 am by an hour.
  const guess = new Date(target - offsetMsAt(timeZone, instant));
  return new Date(target - offsetMsAt(timeZone, guess));
}
