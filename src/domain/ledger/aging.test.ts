import { describe, expect, it } from 'vitest';
import { addToAging, agingBucketOf, daysBetween, emptyAging, sumAging } from './aging.ts';

describe('aging buckets', () => {
  it('counts calendar days from the date of service, across month ends and leap days', () => {
    expect(daysBetween('2026-03-02', '2026-03-02')).toBe(0);
    expect(daysBetween('2024-02-28', '2024-03-01')).toBe(2);
    expect(daysBetween('2026-03-02', '2026-03-01')).toBe(-1);
  });

  it('puts 0–30 days in current, then 31–60, 61–90, 91–120 and over 120, at each edge', () => {
    const asOf = '2026-07-01';
    const at = (days: number) => agingBucketOf(new Date(Date.UTC(2026, 6, 1) - days * 86_400_000).toISOString().slice(0, 10), asOf);
    expect([at(-5), at(0), at(30)]).toEqual(['currentCents', 'currentCents', 'currentCents']);
    expect([at(31), at(60)]).toEqual(['days31To60Cents', 'days31To60Cents']);
    expect([at(61), at(90)]).toEqual(['days61To90Cents', 'days61To90Cents']);
    expect([at(91), at(120)]).toEqual(['days91To120Cents', 'days91To120Cents']);
    expect([at(121), at(400)]).toEqual(['over120Cents', 'over120Cents']);
    expect(agingBucketOf(null, asOf)).toBe('currentCents');
  });

  it('adds and sums to the cent', () => {
    const a = addToAging(addToAging(emptyAging(), '2026-06-30', '2026-07-01', 1501), '2026-01-01', '2026-07-01', -1);
    expect(a).toEqual({ currentCents: 1501, days31To60Cents: 0, days61To90Cents: 0, days91To120Cents: 0, over120Cents: -1, totalCents: 1500 });
    expect(sumAging([a, a]).totalCents).toBe(3000);
    expect(sumAging([a, a]).over120Cents).toBe(-2);
  });
});
