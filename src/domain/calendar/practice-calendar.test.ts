import { describe, expect, it } from 'vitest';
import { calendarDateIn, calendarMonth, defaultTimeZone, isValidTimeZone, nextWallClockHour } from './practice-calendar.ts';

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
