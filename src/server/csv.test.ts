import { describe, expect, it } from 'vitest';
import { csvDate, csvDay, dollars, toCsv } from './csv.ts';

describe('CSV cells', () => {
  it('escapes every formula lead, tab and carriage return included, but leaves signed numbers alone', () => {
    const text = toCsv(['v'], [['=1+1'], ['+1'], ['-A1'], ['@SUM(A1)'], ['\tx'], ['\rx'], ['-12.50'], ['-5'], ['plain']]);
    expect(text.split('\r\n').slice(1, -1)).toEqual(["'=1+1", "'+1", "'-A1", "'@SUM(A1)", "'\tx", `"'\rx"`, '-12.50', '-5', 'plain']);
  });
  it('quotes commas, quotes and line breaks (RFC 4180), rows end with CRLF', () => {
    expect(toCsv(['a', 'b'], [['x,y', 'say "hi"'], ['line\nbreak', '']])).toBe('a,b\r\n"x,y","say ""hi"""\r\n"line\nbreak",\r\n');
  });
  it('writes cents as dollars with two decimals and dates as YYYY-MM-DD', () => {
    expect([0, 5, 100, 12345, -5, -12345, 100000000000].map(dollars)).toEqual(['0.00', '0.05', '1.00', '123.45', '-0.05', '-123.45', '1000000000.00']);
    expect([csvDate('2026-03-02'), csvDate(null)]).toEqual(['2026-03-02', '']);
  });
  it("dates an instant on the practice's calendar: 03:00 UTC is still the evening before in New York", () => {
    expect(csvDay('2026-03-03T03:00:00.000Z', 'America/New_York')).toBe('2026-03-02');
    expect(csvDay('2026-03-03T03:00:00.000Z', 'Europe/Berlin')).toBe('2026-03-03');
    expect(csvDay(null, 'America/New_York')).toBe('');
  });
});
