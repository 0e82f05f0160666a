import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { claimPaymentJournalLines, providerAdjustmentJournalLines } from './remittance-journal-lines.ts';
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
const byAccount = (lines: { account: string; amountCents: number }[]) => {
  const out: Record<string, number> = {};
  for (const l of lines) out[l.account] = (out[l.account] ?? 0) + l.amountCents;
  return out;
};
const dims = { patientId: 'P1', treatmentId: 'T1' };

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
    // PR-2 stays insurance receivable: B's claim for it is on the same treatment.
    expect(byAccount(claimPaymentJournalLines(decision, dims))).toEqual({
      cash_clearing: 8000,
      contractual_writeoff: 3000,
      insurance_receivable: -11000,
    });
    expect(claimPaymentJournalLines(decision, dims).every((l) => l.patientId === 'P1' && l.treatmentId === 'T1')).toBe(true);
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
    expect(byAccount(claimPaymentJournalLines(decision))).toEqual({
      cash_clearing: 2500,
      patient_receivable: 1500,
      insurance_receivable: -4000,
    });
  });

  it("U1, B's ERA stated on the forwarded amount (charge $40.00, no OA-23) posts the same", () => {
    const decision = decideClaimPosting({
      ...fromB,
      chargeCents: 4000,
      adjustments: [{ group: 'PR', reason: '1', amountCents: 1500 }],
    });
    expect(claimPaymentJournalLines(decision)).toEqual(claimPaymentJournalLines(decideClaimPosting(fromB)));
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
    expect(claimPaymentJournalLines(decision)).toEqual([]);
  });

  it('status 4 with money: the cash is taken off the receivable, nothing is written off', () => {
    const decision = decideClaimPosting({ claimStatusCode: '4', chargeCents: 15000, paidCents: 500, adjustments: [{ group: 'CO', reason: '50', amountCents: 14500 }], coverageOrder: 1, hasNextCoverage: false });
    expect(byAccount(claimPaymentJournalLines(decision))).toEqual({ cash_clearing: 500, insurance_receivable: -500 });
    expect(decision.warnings).toEqual(['A denied claim carries a payment; the payment is posted']);
    expect(() => claimPaymentJournalLines({ kind: 'denied', paidCents: 0, contractualCents: 100, toPatientCents: 0 })).toThrow();
  });

  it('status 22, reversal: negated amounts give the original lines negated', () => {
    for (const original of [fromA, fromB]) {
      const reversal = decideClaimPosting(negate(original));
      expect(reversal.kind).toBe('reversal');
      expect(reversal.warnings).toEqual([]);
      const undo = claimPaymentJournalLines(reversal);
      const posted = claimPaymentJournalLines(decideClaimPosting(original));
      expect(undo).toEqual(posted.map((l) => ({ ...l, amountCents: -l.amountCents })));
      expect(sum(undo)).toBe(0);
    }
    expect(decideClaimPosting(negate(fromA)).forwardToNextPayerCents).toBe(-4000);
    // The payer takes its cash back: cash clearing is credited, never debited, by a reversal.
    expect(byAccount(claimPaymentJournalLines(decideClaimPosting(negate(fromB))))).toEqual({
      cash_clearing: -2500,
      patient_receivable: -1500,
      insurance_receivable: 4000,
    });
    expect(byAccount(claimPaymentJournalLines({ kind: 'reversal', paidCents: -8000, contractualCents: -3000, toPatientCents: 0 }))).toEqual({
      cash_clearing: -8000,
      contractual_writeoff: -3000,
      insurance_receivable: 11000,
    });
  });

  it('status 23, not our claim: nothing posts', () => {
    const decision = decideClaimPosting({ ...fromA, claimStatusCode: '23', paidCents: 0, adjustments: [], chargeCents: 0 });
    expect(decision).toMatchObject({ kind: 'not_ours', paidCents: 0, resolvedCents: 0, payerForwarded: true, needsReview: true });
    expect(claimPaymentJournalLines(decision)).toEqual([]);
  });

  it('status 23 with money: held in suspense, the claim settles nothing, no write-off', () => {
    const decision = decideClaimPosting({ ...fromA, claimStatusCode: '23' });
    expect(decision).toMatchObject({ kind: 'not_ours', paidCents: 8000, contractualCents: 0, toPatientCents: 0, resolvedCents: 0 });
    const lines = claimPaymentJournalLines(decision, dims);
    expect(byAccount(lines)).toEqual({ cash_clearing: 8000, remittance_suspense: -8000 });
    // Suspense belongs to no patient until a biller matches it.
    expect(lines.every((l) => !l.patientId && !l.treatmentId)).toBe(true);
  });

  it('an exception holds its cash in suspense; write-offs and suspense never touch provider_adjustment', () => {
    expect(byAccount(claimPaymentJournalLines({ kind: 'exception', paidCents: 900, contractualCents: 0, toPatientCents: 0 }))).toEqual({
      cash_clearing: 900,
      remittance_suspense: -900,
    });
    expect(claimPaymentJournalLines({ kind: 'exception', paidCents: 0, contractualCents: 0, toPatientCents: 0 })).toEqual([]);
    const accounts = new Set(
      [fromA, fromB, negate(fromA), { ...fromA, claimStatusCode: '23' as const }, { ...fromA, claimStatusCode: '4' as const, adjustments: [] , paidCents: 0}]
        .flatMap((f) => claimPaymentJournalLines(decideClaimPosting(f)))
        .map((l) => l.account),
    );
    expect(accounts.has('provider_adjustment')).toBe(false);
    // A PLB is the only thing that reaches it: a positive PLB is cash withheld.
    expect(byAccount(providerAdjustmentJournalLines(1200))).toEqual({ provider_adjustment: 1200, cash_clearing: -1200 });
    expect(byAccount(providerAdjustmentJournalLines(-350))).toEqual({ provider_adjustment: -350, cash_clearing: 350 });
    expect(providerAdjustmentJournalLines(0)).toEqual([]);
  });

  it('only OA-23 is the prior payer: CO-23 and PI-23 are written off under their group, with a warning', () => {
    const oa = decideClaimPosting({ ...fromB, adjustments: [{ group: 'OA', reason: '23', amountCents: 11000 }, { group: 'PR', reason: '1', amountCents: 1500 }] });
    expect(oa).toMatchObject({ priorPayerCents: 11000, contractualCents: 0, warnings: [] });
    for (const group of ['CO', 'PI'] as const) {
      const d = decideClaimPosting({ ...fromB, adjustments: [{ group, reason: '23', amountCents: 11000 }, { group: 'PR', reason: '1', amountCents: 1500 }] });
      expect(d).toMatchObject({ priorPayerCents: 0, contractualCents: 11000, resolvedCents: 15000 });
      expect(d.warnings).toEqual([`${group}-23 of $110.00: reason 23 (prior payer) belongs with group OA; posted as ${group}`]);
      expect(byAccount(claimPaymentJournalLines(d))).toEqual({ cash_clearing: 2500, contractual_writeoff: 11000, patient_receivable: 1500, insurance_receivable: -15000 });
    }
  });

  it('warns about a claim that does not balance and one processed in another order', () => {
    const decision = decideClaimPosting({ ...fromA, claimStatusCode: '2', paidCents: 7000 });
    expect(decision.unbalancedCents).toBe(1000);
    expect(decision.warnings).toEqual([
      'Claim does not balance by $10.00 (charge − paid − adjustments)',
      'Payer processed the claim as coverage 2; it was sent as coverage 1',
    ]);
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
          const lines = claimPaymentJournalLines(decision);
          expect(sum(lines)).toBe(0);
          for (const line of lines) expect(line.amountCents).not.toBe(0);
          expect(decision.resolvedCents).toBe(decision.kind === 'not_ours' ? 0 : decision.paidCents + decision.contractualCents + decision.patientResponsibilityCents);
          expect(decision.forwardToNextPayerCents + decision.toPatientCents).toBe(decision.patientResponsibilityCents);
          expect(decision.forwardToNextPayerCents === 0 || decision.toPatientCents === 0).toBe(true);
          const receivable = lines.find((l) => l.account === 'insurance_receivable')?.amountCents ?? 0;
          // What leaves the claim's receivable: all it settled but the PR forwarded to the next claim on the same treatment.
          expect(receivable + decision.resolvedCents - decision.forwardToNextPayerCents).toBe(0);
          expect(lines.some((l) => l.account === 'provider_adjustment')).toBe(false);
        },
      ),
    );
  });
});

describe('decideClaimPosting: warnings and refusals (mutation testing, ADR 0023)', () => {
  it('warns of a reversal with a positive payment and a processed claim with a negative one, and of nothing at zero', () => {
    const reversal = decideClaimPosting({ ...fromB, claimStatusCode: '22', paidCents: 2500 });
    expect(reversal.warnings).toContain('A reversal carries a positive payment; reversals normally state negative amounts');
    expect(decideClaimPosting({ ...fromB, claimStatusCode: '22', paidCents: 0, chargeCents: 12500 }).warnings).toEqual([]);
    const processed = decideClaimPosting({ ...fromB, paidCents: -100, chargeCents: 12400 });
    expect(processed.warnings).toEqual(['A processed claim carries a negative payment']);
    expect(decideClaimPosting({ ...fromB, paidCents: 0, chargeCents: 12500 }).warnings).toEqual([]);
    expect(decideClaimPosting({ ...fromB, claimStatusCode: '4', paidCents: 0, chargeCents: 12500 }).warnings).toEqual([]);
  });

  it('reads reason 23 with spaces around it as 23', () => {
    const d = decideClaimPosting({ ...fromB, adjustments: [{ group: 'OA', reason: ' 23 ', amountCents: 11000 }, { group: 'PR', reason: '1', amountCents: 1500 }] });
    expect(d.priorPayerCents).toBe(11000);
    expect(d.contractualCents).toBe(0);
  });

  it('refuses facts it cannot post, naming what is wrong', () => {
    const refused = (facts: Partial<ClaimPaymentFacts> & Record<string, unknown>) => () => decideClaimPosting({ ...fromA, ...facts } as ClaimPaymentFacts);
    expect(refused({ claimStatusCode: '25' as never })).toThrow(new AppError('validation_failed', 'Unknown claim status code 25'));
    expect(refused({ coverageOrder: 4 as never })).toThrow(new AppError('validation_failed', 'Coverage order must be 1, 2 or 3, got 4'));
    expect(refused({ coverageOrder: 3, hasNextCoverage: true })).toThrow(new AppError('validation_failed', 'A tertiary coverage has no next coverage'));
    expect(refused({ paidCents: 1.5 })).toThrow(new AppError('invalid_amount', 'Charge and paid amounts must be whole cents'));
    expect(refused({ adjustments: [{ group: 'XX' as never, reason: '1', amountCents: 1 }] })).toThrow(new AppError('validation_failed', 'Unknown adjustment group XX'));
    expect(refused({ adjustments: [{ group: 'CO', reason: '45', amountCents: 0.5 }] })).toThrow(new AppError('invalid_amount', 'Adjustment CO-45 must be whole cents'));
  });
});

describe('claimPaymentJournalLines: guards (mutation testing, ADR 0023)', () => {
  it('a denial writes nothing off; suspense money is never held in suspense again', () => {
    expect(() => claimPaymentJournalLines({ kind: 'denied', paidCents: 0, contractualCents: 100, toPatientCents: 0 })).toThrow('a denial writes nothing off and passes nothing to the patient');
    expect(() => claimPaymentJournalLines({ kind: 'denied', paidCents: 0, contractualCents: 0, toPatientCents: 100 })).toThrow('a denial writes nothing off');
    for (const kind of ['not_ours', 'exception'] as const) {
      expect(() => claimPaymentJournalLines({ kind, paidCents: 900, contractualCents: 0, toPatientCents: 0 }, { fundedFrom: 'remittance_suspense' })).toThrow(
        'money in suspense is matched to a claim, not held in suspense again',
      );
    }
  });

  it('a denial with money is paid from cash on the claim, or from suspense without the claim dimensions on the suspense line', () => {
    const dims = { patientId: 'p1', treatmentId: 't1' };
    const denial = { kind: 'denied' as const, paidCents: 500, contractualCents: 0, toPatientCents: 0 };
    expect(claimPaymentJournalLines(denial, dims)).toEqual([
      { account: 'cash_clearing', amountCents: 500, ...dims },
      { account: 'insurance_receivable', amountCents: -500, ...dims },
    ]);
    expect(claimPaymentJournalLines(denial, { ...dims, fundedFrom: 'remittance_suspense' })).toEqual([
      { account: 'remittance_suspense', amountCents: 500 },
      { account: 'insurance_receivable', amountCents: -500, ...dims },
    ]);
  });

  it('a not-ours answer with money holds it in suspense; processed money never touches provider_adjustment', () => {
    expect(claimPaymentJournalLines({ kind: 'not_ours', paidCents: 700, contractualCents: 0, toPatientCents: 0 })).toEqual([
      { account: 'cash_clearing', amountCents: 700 },
      { account: 'remittance_suspense', amountCents: -700 },
    ]);
    const lines = claimPaymentJournalLines({ kind: 'processed', paidCents: 7000, contractualCents: 2500, toPatientCents: 2500 });
    expect(lines.map((l) => [l.account, l.amountCents])).toEqual([
      ['cash_clearing', 7000],
      ['contractual_writeoff', 2500],
      ['patient_receivable', 2500],
      ['insurance_receivable', -12000],
    ]);
  });
});
