import { describe, expect, it } from 'vitest';
import { checkClaimBalance } from './claim-balance.ts';

describe('checkClaimBalance (835 5010 balancing)', () => {
  const line = (chargeCents: number, paidCents: number, cas: number[]) => ({ chargeCents, paidCents, adjustments: cas.map((amountCents) => ({ amountCents })) });

  it('balances when CLP03 − ΣCAS (claim and lines) = CLP04 and each SVC02 − ΣCAS = SVC03', () => {
    expect(checkClaimBalance({ chargeCents: 15000, paidCents: 8000, adjustments: [], serviceLines: [line(15000, 8000, [3000, 4000])] })).toEqual({
      balanced: true,
      claimOffCents: 0,
      lineOffCents: [0],
      message: null,
    });
    // A reversal states everything negated and balances the same way.
    expect(checkClaimBalance({ chargeCents: -15000, paidCents: -8000, adjustments: [{ amountCents: -7000 }], serviceLines: [] }).balanced).toBe(true);
  });

  it('says in dollars which level is off and by how much', () => {
    expect(checkClaimBalance({ chargeCents: 15000, paidCents: 7500, adjustments: [{ amountCents: 7000 }], serviceLines: [] })).toMatchObject({
      balanced: false,
      claimOffCents: 500,
      message: 'The claim does not balance by $5.00 (charge $150.00 − adjustments $70.00 ≠ paid $75.00).',
    });
    const off = checkClaimBalance({ chargeCents: 15000, paidCents: 8000, adjustments: [{ amountCents: 4000 }], serviceLines: [line(10000, 5000, [3000]), line(5000, 3000, [])] });
    expect(off).toMatchObject({ balanced: false, claimOffCents: 0, lineOffCents: [2000, 2000] });
    expect(off.message).toBe('Service line 1 does not balance by $20.00; service line 2 does not balance by $20.00.');
  });
});
