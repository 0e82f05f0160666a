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

describe('adjustment code table: what it carries (mutation testing, ADR 0023)', () => {
  it('carries these CARC and RARC codes, each found by its own code', () => {
    const carc = ['1', '2', '3', '4', '5', '6', '11', '16', '18', '19', '22', '23', '24', '26', '27', '29', '31', '45', '50', '55', '59', '96', '97', '100', '109', '119', '129', '140', '151', '167', '170', '181', '197', '204', '234', '242', '252', '253', 'A1', 'B7', 'B15'];
    const rarc = ['M15', 'M80', 'M86', 'M127', 'MA01', 'MA04', 'MA130', 'N4', 'N20', 'N59', 'N115', 'N130', 'N286', 'N290', 'N362', 'N432'];
    expect(carcCodes.map((c) => c.code)).toEqual(carc);
    expect(rarcCodes.map((c) => c.code)).toEqual(rarc);
    for (const code of carc) expect(describeCarc(code)).toEqual({ code, description: carcCodes.find((c) => c.code === code)!.description, known: true });
    for (const code of rarc) expect(describeRarc(code).known, code).toBe(true);
    expect(describeCarc('M15').known).toBe(false);
    expect(describeRarc('45').known).toBe(false);
    const descriptions = [...carcCodes, ...rarcCodes].map((c) => c.description);
    expect(new Set(descriptions).size).toBe(descriptions.length);
  });

  it('reads a code with spaces or in lower case', () => {
    expect(describeCarc(' a1 ')).toMatchObject({ code: 'A1', known: true });
    expect(describeRarc(' ma01')).toMatchObject({ code: 'MA01', known: true });
  });

  it('a code is in effect from its first day on', () => {
    expect(describeCarc('253', '2013-04-01').known).toBe(true);
    expect(describeCarc('253', '2013-03-31').description).toBe(`code 253 was not in effect on 2013-03-31 (${describeCarc('253').description})`);
    expect(carcCodes.find((c) => c.code === '253')).toMatchObject({ from: '2013-04-01', to: null });
    expect(carcCodes.find((c) => c.code === '1')).toMatchObject({ from: '1995-01-01', to: null });
    expect(rarcCodes.find((c) => c.code === 'N432')).toMatchObject({ from: '2011-01-01', to: null });
  });
});
