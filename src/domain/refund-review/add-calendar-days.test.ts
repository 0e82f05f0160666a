import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { addCalendarDays, calendarDateToUtcMs } from './add-calendar-days.ts';

const originalTz = process.env.TZ;
afterEach(() => {
  if (originalTz === undefined) delete process.env.TZ;
  else process.env.TZ = originalTz;
});

describe('addCalendarDays', () => {
  it('adds days across month, year, leap day and daylight-saving changes', () => {
    expect(addCalendarDays('2026-04-06', 45)).toBe('2026-05-21');
    expect(addCalendarDays('2025-12-20', 45)).toBe('2026-02-03');
    expect(addCalendarDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addCalendarDays('2026-02-28', 1)).toBe('2026-03-01');
    expect(addCalendarDays('2026-03-01', 45)).toBe('2026-04-15'); // over the US spring-forward
    expect(addCalendarDays('2026-10-20', 45)).toBe('2026-12-04'); // over the fall-back
    expect(addCalendarDays('2026-05-21', -45)).toBe('2026-04-06');
    expect(addCalendarDays('2026-05-21', 0)).toBe('2026-05-21');
  });

  it('gives the same day whatever the machine time zone', () => {
    for (const tz of ['America/Los_Angeles', 'Pacific/Kiritimati', 'Pacific/Pago_Pago', 'Europe/London', 'UTC']) {
      process.env.TZ = tz;
      expect(addCalendarDays('2026-03-01', 45)).toBe('2026-04-15');
      expect(addCalendarDays('2026-10-20', 45)).toBe('2026-12-04');
    }
  });

  it('refuses what is not a real calendar date', () => {
    for (const bad of ['2026-02-30', '2026-13-01', '2026-4-6', '0099-01-01', '0000-01-01', '2026-04-06T00:00:00Z', '']) {
      expect(() => calendarDateToUtcMs(bad)).toThrow(AppError);
    }
    expect(() => addCalendarDays('2026-01-01', 1.5)).toThrow(AppError);
  });

  it('property: adding then subtracting returns the date, and n days apart is n * 24 h in UTC', () => {
    const date = fc
      .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2200-12-31T00:00:00Z'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10));
    fc.assert(
      fc.property(date, fc.integer({ min: -20_000, max: 20_000 }), (d, n) => {
        const later = addCalendarDays(d, n);
        expect(addCalendarDays(later, -n)).toBe(d);
        expect(calendarDateToUtcMs(later) - calendarDateToUtcMs(d)).toBe(n * 86_400_000);
      }),
    );
  });
});

describe('calendarDateToUtcMs', () => {
  it('property: takes exactly the strings that name their own UTC day, each field checked (days 29-31, months 0-13, years 0-9999)', () => {
    const pad = (n: number, width: number) => String(n).padStart(width, '0');
    const fields = fc.tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }));
    fc.assert(
      fc.property(fields, ([y, m, d]) => {
        const text = `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
        const ms = Date.UTC(y, m - 1, d);
        // The day's own name, written out in UTC: a date that exists, in years 1-9999.
        const real = y >= 1 && new Date(ms).toISOString().slice(0, 10) === text;
        if (real) expect(calendarDateToUtcMs(text)).toBe(ms);
        else expect(() => calendarDateToUtcMs(text)).toThrow(AppError);
      }),
      { numRuns: 5_000 },
    );
  });
});

describe('calendarDateToUtcMs, read again', () => {
  it('answers a date read before as the first time, refuses an invalid one every time, and stays right past the dates it keeps', () => {
    for (let round = 0; round < 3; round++) {
      expect(calendarDateToUtcMs('2026-02-28')).toBe(Date.UTC(2026, 1, 28));
      expect(() => calendarDateToUtcMs('2026-02-29')).toThrow(/Not a calendar date/);
      expect(addCalendarDays('2026-02-28', 45)).toBe('2026-04-14');
    }
    // More distinct days than are kept (4,096): every one still right, then the first again.
    for (let day = 0; day < 5_000; day++) {
      const ms = Date.UTC(2000, 0, 1) + day * 86_400_000;
      expect(calendarDateToUtcMs(new Date(ms).toISOString().slice(0, 10))).toBe(ms);
    }
    expect(calendarDateToUtcMs('2000-01-01')).toBe(Date.UTC(2000, 0, 1));
  });
});

describe('calendar days: refusals (mutation testing, ADR 0023)', () => {
  it('names what is wrong', () => {
    expect(() => addCalendarDays('2026-01-01', 1.5)).toThrow(new AppError('validation_failed', 'Days must be a whole number, got 1.5'));
    expect(() => addCalendarDays('9999-12-31', 1)).toThrow(new AppError('validation_failed', 'Date out of range: 9999-12-31 + 1 days'));
    expect(() => calendarDateToUtcMs('2026-02-30')).toThrow(new AppError('validation_failed', 'Not a calendar date (YYYY-MM-DD): 2026-02-30'));
    expect(() => calendarDateToUtcMs('2026-01-01T00:00')).toThrow(/Not a calendar date/);
    expect(() => calendarDateToUtcMs('x2026-01-01')).toThrow(/Not a calendar date/);
    expect(() => calendarDateToUtcMs('0000-01-01')).toThrow(/Not a calendar date/);
    expect(calendarDateToUtcMs('2026-03-01')).toBe(Date.UTC(2026, 2, 1));
  });
});
