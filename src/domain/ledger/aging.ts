import type { Cents } from '../money.ts';
import { calendarDateToUtcMs } from '../refund-review/add-calendar-days.ts';

/** The aging buckets of a receivable, by days since the visit's date of service. */
export const agingBucketKeys = ['currentCents', 'days31To60Cents', 'days61To90Cents', 'days91To120Cents', 'over120Cents'] as const;
export type AgingBucketKey = (typeof agingBucketKeys)[number];
export type AgingTotals = Record<AgingBucketKey, Cents> & { totalCents: Cents };

/** Whole calendar days from `serviceDate` to `asOf` (both 'YYYY-MM-DD'); negative for a visit after `asOf`. */
export function daysBetween(serviceDate: string, asOf: string): number {
  return Math.round((calendarDateToUtcMs(asOf) - calendarDateToUtcMs(serviceDate)) / 86_400_000);
}

/** Current is 0–30 days (and visits dated after `asOf`), then 31–60, 61–90, 91–120, over 120. */
export function agingBucketOf(serviceDate: string | null, asOf: string): AgingBucketKey {
  if (serviceDate === null) return 'currentCents';
  const days = daysBetween(serviceDate, asOf);
  if (days <= 30) return 'currentCents';
  if (days <= 60) return 'days31To60Cents';
  if (days <= 90) return 'days61To90Cents';
  if (days <= 120) return 'days91To120Cents';
  return 'over120Cents';
}

export function emptyAging(): AgingTotals {
  return { currentCents: 0, days31To60Cents: 0, days61To90Cents: 0, days91To120Cents: 0, over120Cents: 0, totalCents: 0 };
}

/** Adds an open amount dated `serviceDate` to `totals` (in place) and returns them. */
export function addToAging(totals: AgingTotals, serviceDate: string | null, asOf: string, amountCents: Cents): AgingTotals {
  totals[agingBucketOf(serviceDate, asOf)] += amountCents;
  totals.totalCents += amountCents;
  return totals;
}

/** Sums aging totals bucket by bucket. */
export function sumAging(all: readonly AgingTotals[]): AgingTotals {
  const sum = emptyAging();
  for (const a of all) {
    for (const key of agingBucketKeys) sum[key] += a[key];
    sum.totalCents += a.totalCents;
  }
  return sum;
}
