import { describe, expect, it } from 'vitest';
import { calendarDateIn, calendarDatesIn, calendarMonth, defaultTimeZone, isValidTimeZone, nextWallClockHour } from './practice-calendar.ts';

describe('the practice calendar', () => {
  it('puts an instant on the practice wall-clock date, not UTC', () => {
    expect(calendarDateIn('America/New_York', '2026-03-01T03:00:00Z')).toBe('2026-02-28');
    expect(calendarDateIn('UTC', '2026-03-01T03:00:00Z')).toBe('2026-03-01');
    expect(calendarDateIn('Asia/Tokyo', '2026-02-28T16:00:00Z')).toBe('2026-03-01');
    expect(calendarDateIn('Pacific/Kiritimati', '2026-12-31T10:00:00Z')).toBe('2027-01-01');
  });

  it('follows daylight saving: 04:30Z is the previous evening in New York in winter and summer', () => {
    expect(calendarDateIn('America/New_York', '2026-01-15T04:30:00Z')).toBe('2026-01-14');
    expect(calendarDateIn('America/New_York', '2026-07-15T03:30:00Z')).toBe('2026-07-14');
    expect(calendarDateIn('America/New_York', '2026-07-15T04:30:00Z')).toBe('2026-07-15');
  });

  it('accepts a Date as well as an ISO string, and refuses what is not an instant', () => {
    expect(calendarDateIn('America/Los_Angeles', new Date(Date.UTC(2026, 0, 1, 7, 59)))).toBe('2025-12-31');
    expect(() => calendarDateIn('UTC', 'yesterday')).toThrow(RangeError);
  });

  it('gives many instants of a zone the same dates as calendarDateIn, across clock changes and skipped days', () => {
    // Half-hour and 45-minute offsets, half-hour daylight saving, clock changes at midnight, a day that never was
    // (Samoa, 2011-12-30), instants in random order and in order, milliseconds on either side of midnights.
    const zones = ['America/New_York', 'Asia/Kolkata', 'Pacific/Chatham', 'Australia/Lord_Howe', 'America/Sao_Paulo', 'Pacific/Apia', 'Asia/Tehran', 'UTC'];
    const from = Date.UTC(2011, 0, 1);
    const to = Date.UTC(2013, 0, 1);
    let seed = 12345;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const instants: number[] = [];
    for (let t = from; t < to; t += 3_600_000 * 7 + 1) instants.push(t);
    for (let i = 0; i < 2000; i++) instants.push(Math.floor(from + random() * (to - from)));
    for (const zone of zones) {
      const dates = calendarDatesIn(zone);
      // Each day's first and last millisecond, both found by calendarDateIn's own answers.
      const edges: number[] = [];
      let before = calendarDateIn(zone, new Date(from));
      for (let t = from; t < to; t += 3_600_000) {
        const after = calendarDateIn(zone, new Date(t + 3_600_000));
        if (after !== before) {
          let low = t;
          let high = t + 3_600_000;
          while (high - low > 1) {
            const mid = Math.floor((low + high) / 2);
            if (calendarDateIn(zone, new Date(mid)) === before) low = mid;
            else high = mid;
          }
          edges.push(low, high);
        }
        before = after;
      }
      for (const t of [...instants, ...edges]) {
        const iso = new Date(t).toISOString();
        expect(dates(iso), `${zone} ${iso}`).toBe(calendarDateIn(zone, iso));
      }
    }
    expect(() => calendarDatesIn('UTC')('yesterday')).toThrow(RangeError);
  });

  it('knows IANA names and refuses the rest', () => {
    expect(isValidTimeZone(defaultTimeZone)).toBe(true);
    expect(isValidTimeZone('Europe/Berlin')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
    expect(isValidTimeZone('x'.repeat(100))).toBe(false);
  });

  it('gives the month of a date', () => {
    expect(calendarMonth('2026-02-28')).toBe('2026-02');
  });
});

describe('the practice calendar: edges (mutation testing, ADR 0023)', () => {
  it('refuses what is not an instant, naming it', () => {
    expect(() => calendarDateIn('UTC', 'yesterday')).toThrow(new RangeError('not an instant: yesterday'));
  });

  it('pads a year before 1000 to four digits', () => {
    expect(calendarDateIn('UTC', '0999-06-01T12:00:00Z')).toBe('0999-06-01');
  });

  it('the next 8:00 after 8:00 sharp is tomorrow; across a year end it is New Year’s Day', () => {
    expect(nextWallClockHour('America/New_York', new Date('2026-06-01T12:00:00Z'), 8).toISOString()).toBe('2026-06-02T12:00:00.000Z');
    // 22:00 on 31 December in New York: the next 8:00 is 1 January.
    expect(nextWallClockHour('America/New_York', new Date('2027-01-01T03:00:00Z'), 8).toISOString()).toBe('2027-01-01T13:00:00.000Z');
  });
});
