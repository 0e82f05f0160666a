import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { claimPostingLedgerLines } from './claim-posting-ledger-lines.ts';
import {
  adjustmentGroups,
  claimStatusCodes,
  decideClaimPosting,
  type ClaimPaymentFacts,
} from './decide-claim-posting.ts';

// U1: visit 2026-03-02, CPT 99213, charge $150.00; primary A, secondary B.
const fromA: ClaimPaymentFacts = {
  claimStatusCode: '19',
  chargeCents: 15000,
  paidCents: 8000,
  adjustments: [
    { group: 'CO', reason: '45', amountCents: 3000 },
    { group: 'PR', reason: '2', amountCents: 4000 },
  ],
  coverageOrder: 1,
  hasNextCoverage: true,
};
// B restates A's share as OA-23, as secondaries do, so its CLP balances.
const fromB: ClaimPaymentFacts = {
  claimStatusCode: '2',
  chargeCents: 15000,
  paidCents: 2500,
  adjustments: [
    { group: 'OA', reason: '23', amountCents: 11000 },
    { group: 'PR', reason: '1', amountCents: 1500 },
  ],
  coverageOrder: 2,
  hasNextCoverage: false,
};

const negate = (facts: ClaimPaymentFacts): ClaimPaymentFacts => ({
  ...facts,
  claimStatusCode: '22',
  chargeCents: -facts.chargeCents,
  paidCents: -facts.paidCents,
  adjustments: facts.adjustments.map((a) => ({ ...a, amountCents: -a.amountCents })),
});

const sum = (lines: { amountCents: number }[]) => lines.reduce((s, l) => s + l.amountCents, 0);

describe('decideClaimPosting', () => {
  it("U1, A's ERA: paid $80.00, CO-45 $30.00 written off, PR-2 $40.00 passes to B", () => {
    const decision = decideClaimPosting(fromA);
    expect(decision).toMatchObject({
      kind: 'processed',
      paidCents: 8000,
      contractualCents: 3000,
      patientResponsibilityCents: 4000,
      forwardToNextPayerCents: 4000,
      toPatientCents: 0,
      resolvedCents: 15000,
      unbalancedCents: 0,
      payerForwarded: true,
      needsReview: false,
      warnings: [],
    });
    expect(claimPostingLedgerLines(decision)).toEqual([
      { account: 'cash_insurance', amountCents: 8000 },
      { account: 'contractual_writeoff', amountCents: 3000 },
      { account: 'next_payer_receivable', amountCents: 4000 },
      { account: 'insurance_receivable', amountCents: -15000 },
    ]);
  });

  it("U1, B's ERA: paid $25.00, PR-1 $15.00 becomes patient responsibility (no tertiary)", () => {
    const decision = decideClaimPosting(fromB);
    expect(decision).toMatchObject({
      kind: 'processed',
      paidCents: 2500,
      contractualCents: 0,
      patientResponsibilityCents: 1500,
      forwardToNextPayerCents: 0,
      toPatientCents: 1500,
      priorPayerCents: 11000,
      resolvedCents: 4000,
      unbalancedCents: 0,
      payerForwarded: false,
      warnings: [],
    });
    // B's claim was opened for the $40.00 A passed on; this remittance settles exactly that.
    expect(claimPostingLedgerLines(decision)).toEqual([
      { account: 'cash_insurance', amountCents: 2500 },
      { account: 'patient_receivable', amountCents: 1500 },
      { account: 'insurance_receivable', amountCents: -4000 },
    ]);
  });

  it("U1, B's ERA stated on the forwarded amount (charge $40.00, no OA-23) posts the same", () => {
    const decision = decideClaimPosting({
      ...fromB,
      chargeCents: 4000,
      adjustments: [{ group: 'PR', reason: '1', amountCents: 1500 }],
    });
    expect(claimPostingLedgerLines(decision)).toEqual(claimPostingLedgerLines(decideClaimPosting(fromB)));
  });

  it('PI, CR and OA other than 23 are written off; PR with a next coverage is forwarded even without a crossover', () => {
    const decision = decideClaimPosting({
      claimStatusCode: '1',
      chargeCents: 20000,
      paidCents: 10000,
      adjustments: [
        { group: 'CO', reason: '45', amountCents: 2000 },
        { group: 'PI', reason: '94', amountCents: 1000 },
        { group: 'OA', reason: '94', amountCents: 500 },
        { group: 'CR', reason: '45', amountCents: 500 },
        { group: 'PR', reason: '3', amountCents: 6000 },
      ],
      coverageOrder: 1,
      hasNextCoverage: true,
    });
    expect(decision.contractualCents).toBe(4000);
    expect(decision.forwardToNextPayerCents).toBe(6000);
    expect(decision.payerForwarded).toBe(false);
  });

  it('status 4, denied: nothing but the (zero) payment moves and the claim waits for review', () => {
    const decision = decideClaimPosting({
      claimStatusCode: '4',
      chargeCents: 15000,
      paidCents: 0,
      adjustments: [{ group: 'CO', reason: '50', amountCents: 15000 }],
      coverageOrder: 1,
      hasNextCoverage: true,
    });
    expect(decision).toMatchObject({
      kind: 'denied',
      paidCents: 0,
      contractualCents: 0,
      patientResponsibilityCents: 0,
      forwardToNextPayerCents: 0,
      toPatientCents: 0,
      needsReview: true,
    });
    expect(decision.adjustmentTotals.CO).toBe(15000);
    expect(claimPostingLedgerLines(decision)).toEqual([]);
  });

  it('status 22, reversal: negated amounts give the original lines negated', () => {
    for (const original of [fromA, fromB]) {
      const reversal = decideClaimPosting(negate(original));
      expect(reversal.kind).toBe('reversal');
      expect(reversal.warnings).toEqual([]);
      const undo = claimPostingLedgerLines(reversal);
      const posted = claimPostingLedgerLines(decideClaimPosting(original));
      expect(undo).toEqual(posted.map((l) => ({ ...l, amountCents: -l.amountCents })));
      expect(sum(undo)).toBe(0);
    }
    expect(decideClaimPosting(negate(fromA)).forwardToNextPayerCents).toBe(-4000);
  });

  it('status 23, not our claim: nothing posts', () => {
    const decision = decideClaimPosting({ ...fromA, claimStatusCode: '23', paidCents: 0, adjustments: [], chargeCents: 0 });
    expect(decision).toMatchObject({ kind: 'not_ours', paidCents: 0, resolvedCents: 0, payerForwarded: true, needsReview: true });
    expect(claimPostingLedgerLines(decision)).toEqual([]);
  });

  it('warns about a claim that does not balance and one processed in another order', () => {
    const decision = decideClaimPosting({ ...fromA, claimStatusCode: '2', paidCents: 7000 });
    expect(decision.unbalancedCents).toBe(1000);
    expect(decision.warnings).toHaveLength(2);
  });

  it('refuses unknown codes, fractional cents and a next coverage after the tertiary', () => {
    expect(() => decideClaimPosting({ ...fromA, claimStatusCode: '5' as never })).toThrow(AppError);
    expect(() => decideClaimPosting({ ...fromA, paidCents: 80.5 })).toThrow(AppError);
    expect(() => decideClaimPosting({ ...fromA, adjustments: [{ group: 'XX' as never, reason: '1', amountCents: 1 }] })).toThrow(
      AppError,
    );
    expect(() => decideClaimPosting({ ...fromA, coverageOrder: 3, hasNextCoverage: true })).toThrow(AppError);
  });

  it('property: lines always sum to zero, and receivable settled = paid + written off + PR', () => {
    const amount = fc.integer({ min: -1_000_000, max: 1_000_000 });
    fc.assert(
      fc.property(
        fc.constantFrom(...claimStatusCodes),
        amount,
        amount,
        fc.array(
          fc.record({
            group: fc.constantFrom(...adjustmentGroups),
            reason: fc.constantFrom('1', '2', '3', '23', '45', '94'),
            amountCents: amount,
          }),
          { maxLength: 6 },
        ),
        fc.constantFrom(1 as const, 2 as const),
        fc.boolean(),
        (claimStatusCode, chargeCents, paidCents, adjustments, coverageOrder, hasNextCoverage) => {
          const decision = decideClaimPosting({
            claimStatusCode,
            chargeCents,
            paidCents,
            adjustments,
            coverageOrder,
            hasNextCoverage,
          });
          const lines = claimPostingLedgerLines(decision);
          expect(sum(lines)).toBe(0);
          for (const line of lines) expect(line.amountCents).not.toBe(0);
          expect(decision.resolvedCents).toBe(decision.paidCents + decision.contractualCents + decision.patientResponsibilityCents);
          expect(decision.forwardToNextPayerCents + decision.toPatientCents).toBe(decision.patientResponsibilityCents);
          expect(decision.forwardToNextPayerCents === 0 || decision.toPatientCents === 0).toBe(true);
          const receivable = lines.find((l) => l.account === 'insurance_receivable')?.amountCents ?? 0;
          expect(receivable + decision.resolvedCents).toBe(0);
        },
      ),
    );
  });
});
