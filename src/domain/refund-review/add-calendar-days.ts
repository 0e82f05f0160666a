import { AppError } from '../errors.ts';

const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/**
 * Adds whole days to a calendar date 'YYYY-MM-DD'. The arithmetic runs on UTC
 * midnights, which have no daylight-saving jumps, and the result is read back
 * in UTC, so the machine's time zone can never shift it by a day.
 */
export function addCalendarDays(date: string, days: number): string {
  if (!Number.isSafeInteger(days)) throw new AppError('validation_failed', `Days must be a whole number, got ${days}`);
  const ms = calendarDateToUtcMs(date) + days * DAY_MS;
  const result = new Date(ms).toISOString().slice(0, 10);
  if (!datePattern.test(result)) throw new AppError('validation_failed', `Date out of range: ${date} + ${days} days`);
  return result;
}

/**
 * Valid dates read before, and their UTC midnights: a batch reads the same few dates again and again (the refund
 * review: the day it runs for, and each case's last processed day and due day, for ~100,000 cases on a handful of
 * days). Only valid dates are kept, so an invalid one is refused every time. Cleared when full.
 */
const readDates = new Map<string, number>();
const READ_DATES_KEPT = 4_096;

/** UTC midnight of a 'YYYY-MM-DD' date; refuses dates that do not exist (2026-02-30). */
export function calendarDateToUtcMs(date: string): number {
  const known = readDates.get(date);
  if (known !== undefined) return known;
  const match = datePattern.exec(date);
  if (match) {
    const y = Number(match[1]);
    const m = Number(match[2]) - 1;
    const d = Number(match[3]);
    const ms = Date.UTC(y, m, d);
    // Date.UTC rolls 2026-02-30 over to March and maps years 0-99 to 19xx: a round trip catches both. (Read back
    // field by field, not through toISOString: the refund review parses a few dates for each of 100,000 cases.)
    const back = new Date(ms);
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, Date.UTC maps years 0-99 to 19xx so the round trip already refuses them
    if (y >= 1 && back.getUTCFullYear() === y && back.getUTCMonth() === m && back.getUTCDate() === d) {
      if (readDates.size >= READ_DATES_KEPT) readDates.clear();
      readDates.set(date, ms);
      return ms;
    }
  }
  throw new AppError('validation_failed', `Not a calendar date (YYYY-MM-DD): ${date}`);
}
