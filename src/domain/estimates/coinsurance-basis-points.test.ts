import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { coinsuranceBasisPoints } from './coinsurance-basis-points.ts';

describe('coinsuranceBasisPoints', () => {
  it('converts percents exactly', () => {
    expect(coinsuranceBasisPoints(20)).toBe(2000);
    expect(coinsuranceBasisPoints(12.5)).toBe(1250);
    expect(coinsuranceBasisPoints('33.33')).toBe(3333);
    expect(coinsuranceBasisPoints(0)).toBe(0);
    expect(coinsuranceBasisPoints(100)).toBe(10000);
  });

  it('refuses what is not a whole number of hundredths of a percent within 0-100', () => {
    for (const bad of [12.345, 0.1 + 0.2, -5, 100.01, 150, Number.NaN, 1e-7, '', 'abc', '20%']) {
      expect(() => coinsuranceBasisPoints(bad)).toThrow(AppError);
    }
  });
});

describe('coinsurance as text (mutation testing, ADR 0023)', () => {
  it('trims typed text and names what it refuses', () => {
    expect(coinsuranceBasisPoints(' 12.5 ')).toBe(1250);
    expect(() => coinsuranceBasisPoints('12.345')).toThrow(new AppError('validation_failed', 'Coinsurance must be a percent with at most two decimals, got 12.345'));
    expect(() => coinsuranceBasisPoints('100.01')).toThrow(new AppError('validation_failed', 'Coinsurance cannot exceed 100 %, got 100.01'));
  });
});
