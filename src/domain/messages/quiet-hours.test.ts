import { describe, expect, it } from 'vitest';
import { isE164, smsNotBefore, toE164 } from './quiet-hours.ts';

describe('SMS quiet hours', () => {
  it('sends at once between 8 am and 9 pm on the practice clock', () => {
    const now = new Date('2026-03-10T14:00:00Z'); // 10:00 in New York (EDT)
    expect(smsNotBefore('America/New_York', now)).toEqual(now);
    expect(smsNotBefore('America/New_York', new Date('2026-03-11T00:59:00Z'))).toEqual(new Date('2026-03-11T00:59:00Z')); // 20:59
  });

  it('holds a text queued at night until 8 am the next morning, and one queued before dawn until 8 am that day', () => {
    expect(smsNotBefore('America/New_York', new Date('2026-03-11T01:00:00Z'))).toEqual(new Date('2026-03-11T12:00:00Z')); // 21:00 → 08:00 EDT
    expect(smsNotBefore('America/New_York', new Date('2026-03-11T10:30:00Z'))).toEqual(new Date('2026-03-11T12:00:00Z')); // 06:30 → 08:00
    expect(smsNotBefore('Asia/Tokyo', new Date('2026-03-10T14:00:00Z'))).toEqual(new Date('2026-03-10T23:00:00Z')); // 23:00 JST → 08:00 JST
  });

  it('finds 8 am across a daylight-saving change overnight', () => {
    // 2026-03-08 02:00 New York springs forward: 8 am that morning is 12:00Z, not 13:00Z.
    expect(smsNotBefore('America/New_York', new Date('2026-03-08T04:00:00Z'))).toEqual(new Date('2026-03-08T12:00:00Z'));
    // 2026-11-01 New York falls back: 8 am is 13:00Z.
    expect(smsNotBefore('America/New_York', new Date('2026-11-01T04:00:00Z'))).toEqual(new Date('2026-11-01T13:00:00Z'));
  });

  it('reads phone numbers as E.164', () => {
    expect(toE164('(555) 010-2000')).toBe('+15550102000');
    expect(toE164('+44 20 7946 0958')).toBe('+442079460958');
    expect(toE164('555-0100')).toBeNull();
    expect(isE164('+15550102000')).toBe(true);
    expect(isE164('15550102000')).toBe(false);
  });
});

describe('texts and phone numbers: edges (mutation testing, ADR 0023)', () => {
  it('8:00 sharp is inside the window, 21:00 sharp is not', () => {
    const eight = new Date('2026-06-01T12:00:00Z'); // 08:00 in New York (EDT)
    expect(smsNotBefore('America/New_York', eight)).toBe(eight);
    const nine = new Date('2026-06-02T01:00:00Z'); // 21:00 in New York
    expect(smsNotBefore('America/New_York', nine).toISOString()).toBe('2026-06-02T12:00:00.000Z');
  });

  it('E.164 is the whole text; ten digits get +1, eleven starting with 1 get +', () => {
    expect(isE164('+15551234567')).toBe(true);
    expect(isE164('x+15551234567')).toBe(false);
    expect(isE164('+15551234567x')).toBe(false);
    expect(toE164('  (555) 123-4567  ')).toBe('+15551234567');
    expect(toE164('1 555 123 4567')).toBe('+15551234567');
    expect(toE164('15551234567')).toBe('+15551234567');
    expect(toE164('x5551234567')).toBeNull();
    expect(toE164('5551234567x')).toBeNull();
    expect(toE164('25551234567')).toBeNull();
    expect(toE164('155512345678')).toBeNull();
    expect(toE164('1555123456')).toBe('+11555123456');
    expect(toE164('1abcdefghij')).toBeNull();
  });
});
