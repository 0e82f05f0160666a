import { AppError } from '../errors.ts';

/**
 * Coinsurance is held as an integer number of basis points (hundredths of a
 * percent): 20 % = 2000, 12.5 % = 1250, 100 % = 10000. Integers keep the
 * estimate's arithmetic exact; a float percent is converted once, here.
 */
export type BasisPoints = number;

export const FULL_BASIS_POINTS: BasisPoints = 10_000;

/**
 * Converts a percent as staff or a 271 state it (20, "12.5", 33.33) into basis
 * points. Refuses anything finer than a hundredth of a percent rather than
 * rounding it away, and anything outside 0–100 %.
 */
export function coinsuranceBasisPoints(percent: number | string): BasisPoints {
  // String(number) is the shortest exact spelling, so 12.5 -> "12.5" while a
  // float artefact like 0.30000000000000004 shows its extra digits and is refused.
  const text = typeof percent === 'number' ? String(percent) : percent.trim();
  const match = /^(\d{1,3})(?:\.(\d{1,2}))?$/.exec(text);
  if (!match) {
    throw new AppError(
      'validation_failed',
      `Coinsurance must be a percent with at most two decimals, got ${text}`,
    );
  }
  const whole = Number(match[1]);
  const fraction = Number((match[2] ?? '').padEnd(2, '0'));
  const bp = whole * 100 + fraction;
  if (bp > FULL_BASIS_POINTS) {
    throw new AppError('validation_failed', `Coinsurance cannot exceed 100 %, got ${text}`);
  }
  return bp;
}
