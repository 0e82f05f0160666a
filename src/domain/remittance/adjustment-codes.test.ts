import { describe, expect, it } from 'vitest';
import { carcCodes, describeCarc, describeRarc, rarcCodes } from './adjustment-codes.ts';

describe('adjustment code table', () => {
  it('describes the common CARC and RARC codes', () => {
    for (const code of ['1', '2', '3', '4', '16', '18', '22', '23', '27', '29', '45', '50', '96', '97', '109', '151', '167', '197', '204', '242', '253']) {
      expect(describeCarc(code).known, code).toBe(true);
    }
    for (const code of ['M15', 'M80', 'N130', 'N362', 'MA130', 'N4']) expect(describeRarc(code).known, code).toBe(true);
    expect(describeCarc('45').description).toMatch(/fee schedule/);
    expect(describeRarc('n130')).toEqual({ code: 'N130', description: expect.stringMatching(/benefit/), known: true });
  });

  it('says "unknown code X" for a code it does not carry', () => {
    expect(describeCarc('Z9')).toEqual({ code: 'Z9', description: 'unknown code Z9', known: false });
    expect(describeRarc('N9999').description).toBe('unknown code N9999');
  });

  it('honours effective dates', () => {
    expect(describeCarc('253', '2013-03-31')).toMatchObject({ known: false, description: expect.stringMatching(/^code 253 was not in effect on 2013-03-31/) });
    expect(describeCarc('253', '2026-03-20').known).toBe(true);
  });

  it('has one entry per code, each with a description and a valid date range', () => {
    for (const table of [carcCodes, rarcCodes]) {
      expect(new Set(table.map((c) => c.code)).size).toBe(table.length);
      for (const c of table) {
        expect(c.description.length).toBeGreaterThan(10);
        expect(c.from).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        if (c.to) expect(c.to > c.from).toBe(true);
      }
    }
  });
});
