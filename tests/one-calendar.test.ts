import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * DESIGN "One way at the money points": one helper turns an instant into the
 * practice's calendar date. A UTC date sliced from "now" anywhere else would
 * put a New York payment made at 22:00 on the next day.
 */
const utcToday = /(new Date\(\)|nowIso\(\))\.toISOString\(\)\.slice\(0,\s*10\)|nowIso\(\)\.slice\(0,\s*10\)|todayUtc\(/;

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(full);
    return /\.(ts|tsx)$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

describe('one practice calendar', () => {
  it('no source file derives "today" from the server clock in UTC', () => {
    const root = path.resolve(import.meta.dirname, '..');
    const offenders = [...sourceFiles(path.join(root, 'src')), ...sourceFiles(path.join(root, 'web/src'))]
      .filter((file) => utcToday.test(fs.readFileSync(file, 'utf8')))
      .map((file) => path.relative(root, file));
    expect(offenders).toEqual([]);
  });
});
