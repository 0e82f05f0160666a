import { z } from 'zod';
import { MAX_AMOUNT_CENTS } from '../domain/money.ts';

/**
 * Request and response shapes of the API, shared by the server (validation,
 * OpenAPI) and the web app (types). Pure zod: no server code here.
 */

/** A positive amount of integer cents up to $10,000,000.00: no floats, no strings. */
export const amountCents = z
  .number({ error: 'must be a number of cents' })
  .int('must be a whole number of cents (integer), not dollars with decimals')
  .positive('must be more than zero')
  .max(MAX_AMOUNT_CENTS, 'must be at most 1000000000 cents ($10,000,000.00)');

/** Any integer amount of cents (balances can be zero or negative). */
export const cents = z.number().int();

function isRealCalendarDate(value: string): boolean {
  const [y, m, d] = value.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** A calendar date, never shifted by a time zone. */
export const calendarDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD')
  .refine(isRealCalendarDate, 'must be a real calendar date');

/** The earliest date any field accepts: nothing the product records happened before 1900. */
export const EARLIEST_DATE = '1900-01-01';
/** How far ahead a service date or an as-of date may be: a year (a booked visit, a planned review). */
export const MAX_DAYS_AHEAD = 366;

/**
 * The UTC calendar date `days` from now. Used only for plausibility bounds,
 * which allow a day of slack for zones ahead of UTC; the practice's own
 * calendar (its time zone) decides everything else.
 */
export function utcDateFromNow(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/** A date of birth: a real date from 1900-01-01 to today. */
export const dateOfBirth = calendarDate
  .refine((v) => v >= EARLIEST_DATE, `must be on or after ${EARLIEST_DATE}`)
  .refine((v) => v <= utcDateFromNow(1), 'must not be in the future');

/** A date of service: from 1900-01-01 to a year ahead (visits are booked, not decades away). */
export const serviceDate = calendarDate
  .refine((v) => v >= EARLIEST_DATE, `must be on or after ${EARLIEST_DATE}`)
  .refine((v) => v <= utcDateFromNow(MAX_DAYS_AHEAD), `must be at most ${MAX_DAYS_AHEAD} days ahead`);

/** An "as of" day of a report or job run: from 1900-01-01 to at most a year ahead. */
export const asOfDate = calendarDate
  .refine((v) => v >= EARLIEST_DATE, `must be on or after ${EARLIEST_DATE}`)
  .refine((v) => v <= utcDateFromNow(MAX_DAYS_AHEAD), `must be at most ${MAX_DAYS_AHEAD} days ahead`);

export const id = z.string().min(1).max(64);

export const pageQuery = z.object({
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(25),
});

export function listOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() });
}

export const problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  code: z.string(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
