import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { computeEstimate, type Eligibility } from './compute-estimate.ts';

// E1's eligibility: office-visit copay $25.00, coinsurance 20 %, deductible
// remaining $100.00, out-of-pocket remaining $1,000.00.
const e1: Eligibility = {
  copayCents: 2500,
  coinsuranceBasisPoints: 2000,
  deductibleRemainingCents: 10000,
  oopRemainingCents: 100000,
};
const e1Lines = [
  { cpt: '29881', chargeCents: 15000 },
  { cpt: '20610', chargeCents: 8000 },
];

describe('computeEstimate', () => {
  it('E1: treatment pre-payment, two lines without copay', () => {
    const estimate = computeEstimate({ eligibility: e1, lines: e1Lines, paymentType: 'treatment_prepayment' });
    expect(estimate.lines).toEqual([
      {
        cpt: '29881',
        chargeCents: 15000,
        basisCents: 15000,
        basisSource: 'charge',
        copayCents: 0,
        deductibleCents: 10000,
        coinsuranceCents: 1000,
        patientCents: 11000,
      },
      {
        cpt: '20610',
        chargeCents: 8000,
        basisCents: 8000,
        basisSource: 'charge',
        copayCents: 0,
        deductibleCents: 0,
        coinsuranceCents: 1600,
        patientCents: 1600,
      },
    ]);
    expect(estimate.subtotalCents).toBe(12600);
    expect(estimate.totalCents).toBe(12600);
    expect(estimate.cappedByOop).toBe(false);
    expect(estimate.deductibleRemainingAfterCents).toBe(0);
    expect(estimate.basis).toBe('charges');
    expect(estimate.basisNote).toMatch(/uses the practice's charges, not payer fee schedules/);
  });

  it('E1: out-of-pocket remaining $120.00 caps the total at $120.00', () => {
    const estimate = computeEstimate({
      eligibility: { ...e1, oopRemainingCents: 12000 },
      lines: e1Lines,
      paymentType: 'treatment_prepayment',
    });
    expect(estimate.subtotalCents).toBe(12600);
    expect(estimate.totalCents).toBe(12000);
    expect(estimate.cappedByOop).toBe(true);
  });

  it('rounds coinsurance half up: 12.5 % of 333 cents is 41.625 -> 42', () => {
    const at = (chargeCents: number, coinsuranceBasisPoints: number) =>
      computeEstimate({
        eligibility: { coinsuranceBasisPoints, deductibleRemainingCents: 0, oopRemainingCents: 1_000_000 },
        lines: [{ cpt: '99213', chargeCents }],
        paymentType: 'treatment_prepayment',
      }).lines[0]?.coinsuranceCents;
    expect(at(333, 1250)).toBe(42);
    expect(at(332, 1250)).toBe(42); // 41.5: exactly half goes up
    expect(at(331, 1250)).toBe(41); // 41.375
    expect(at(4, 1250)).toBe(1); // 0.5
    expect(at(2, 2000)).toBe(0); // 0.4
    expect(at(1, 5000)).toBe(1); // 0.5
    expect(at(1, 4999)).toBe(0);
    expect(at(12345, 10000)).toBe(12345);
    expect(at(12345, 0)).toBe(0);
  });

  it('office visit: the plan copay is charged once, on the first line; other lines use deductible and coinsurance', () => {
    const estimate = computeEstimate({
      eligibility: e1,
      lines: [
        { cpt: '99213', chargeCents: 15000 },
        { cpt: '36415', chargeCents: 2000 },
      ],
      paymentType: 'office_visit',
    });
    expect(estimate.lines.map((l) => [l.copayCents, l.deductibleCents, l.coinsuranceCents, l.patientCents])).toEqual([
      [2500, 0, 0, 2500],
      [0, 2000, 0, 2000],
    ]);
    expect(estimate.totalCents).toBe(4500);
  });

  it('a copay never exceeds what the line costs', () => {
    const estimate = computeEstimate({
      eligibility: e1,
      lines: [{ cpt: '99211', chargeCents: 1800 }],
      paymentType: 'office_visit',
    });
    expect(estimate.lines[0]?.patientCents).toBe(1800);
  });

  it('per-procedure benefits: a CPT copay on every such line, an exclusion, no deductible, own coinsurance', () => {
    const estimate = computeEstimate({
      eligibility: {
        ...e1,
        procedures: [
          { cpt: '97110', copayCents: 3000 },
          { cpt: '99213', copayApplies: false },
          { cpt: '99396', deductibleApplies: false, coinsuranceBasisPoints: 0 },
        ],
      },
      lines: [
        { cpt: '99213', chargeCents: 15000 },
        { cpt: '97110', chargeCents: 9000 },
        { cpt: '97110', chargeCents: 9000 },
        { cpt: '99396', chargeCents: 20000 },
      ],
      paymentType: 'office_visit',
    });
    expect(estimate.lines.map((l) => [l.copayCents, l.deductibleCents, l.coinsuranceCents])).toEqual([
      [0, 10000, 1000],
      [3000, 0, 0],
      [3000, 0, 0],
      [0, 0, 0],
    ]);
    expect(estimate.totalCents).toBe(17000);
  });

  it('office visit: the visit copay skips a line whose benefit excludes it', () => {
    const estimate = computeEstimate({
      eligibility: { ...e1, procedures: [{ cpt: '36415', copayApplies: false }] },
      lines: [
        { cpt: '36415', chargeCents: 2000 },
        { cpt: '99213', chargeCents: 15000 },
      ],
      paymentType: 'office_visit',
    });
    expect(estimate.lines.map((l) => l.copayCents)).toEqual([0, 2500]);
  });

  it('office visit: a $0 line does not take the visit copay', () => {
    const estimate = computeEstimate({
      eligibility: e1,
      lines: [
        { cpt: '99024', chargeCents: 0 },
        { cpt: '99213', chargeCents: 15000 },
      ],
      paymentType: 'office_visit',
    });
    expect(estimate.lines.map((l) => l.patientCents)).toEqual([0, 2500]);
  });

  it('copayApplies: true uses the plan copay even on a pre-payment', () => {
    const estimate = computeEstimate({
      eligibility: { ...e1, procedures: [{ cpt: '99213', copayApplies: true }] },
      lines: [{ cpt: '99213', chargeCents: 15000 }],
      paymentType: 'treatment_prepayment',
    });
    expect(estimate.lines[0]?.copayCents).toBe(2500);
  });

  it('fee schedule: the lesser of charge and allowed amount is the basis', () => {
    const estimate = computeEstimate({
      eligibility: e1,
      lines: e1Lines,
      paymentType: 'treatment_prepayment',
      feeSchedule: { '29881': 12000, '20610': 9000 },
    });
    expect(estimate.lines.map((l) => [l.basisCents, l.deductibleCents, l.coinsuranceCents])).toEqual([
      [12000, 10000, 400],
      [8000, 0, 1600],
    ]);
    expect(estimate.basis).toBe('fee_schedule');

    const mixed = computeEstimate({
      eligibility: e1,
      lines: e1Lines,
      paymentType: 'treatment_prepayment',
      feeSchedule: { '29881': 12000 },
    });
    expect(mixed.basis).toBe('mixed');
    expect(mixed.lines.map((l) => l.basisSource)).toEqual(['fee_schedule', 'charge']);
  });

  it('refuses fractional or negative money, a bad rate and duplicate benefits', () => {
    const run = (eligibility: Eligibility, chargeCents = 100) => () =>
      computeEstimate({ eligibility, lines: [{ cpt: 'X', chargeCents }], paymentType: 'office_visit' });
    expect(run(e1, 10.5)).toThrow(AppError);
    expect(run(e1, -1)).toThrow(AppError);
    expect(run({ ...e1, deductibleRemainingCents: -5 })).toThrow(AppError);
    expect(run({ ...e1, coinsuranceBasisPoints: 12.5 })).toThrow(AppError);
    expect(run({ ...e1, coinsuranceBasisPoints: 10001 })).toThrow(AppError);
    expect(run({ ...e1, procedures: [{ cpt: 'X' }, { cpt: 'X' }] })).toThrow(AppError);
  });

  it('no lines: a zero estimate', () => {
    const estimate = computeEstimate({ eligibility: e1, lines: [], paymentType: 'office_visit' });
    expect(estimate).toMatchObject({ lines: [], subtotalCents: 0, totalCents: 0, cappedByOop: false });
  });

  it('property: never negative, never above out-of-pocket, lines add up, deductible never over-consumed', () => {
    const cents = fc.integer({ min: 0, max: 5_000_000 });
    const cpt = fc.constantFrom('99213', '99214', '36415', '97110', '29881');
    fc.assert(
      fc.property(
        fc.record({
          copayCents: fc.option(cents, { nil: undefined }),
          coinsuranceBasisPoints: fc.integer({ min: 0, max: 10_000 }),
          deductibleRemainingCents: cents,
          oopRemainingCents: cents,
        }),
        fc.array(fc.record({ cpt, chargeCents: cents }), { maxLength: 8 }),
        fc.uniqueArray(
          fc.record(
            {
              cpt,
              copayApplies: fc.boolean(),
              copayCents: cents,
              deductibleApplies: fc.boolean(),
              coinsuranceBasisPoints: fc.integer({ min: 0, max: 10_000 }),
            },
            { requiredKeys: ['cpt'] },
          ),
          { selector: (b) => b.cpt },
        ),
        fc.constantFrom('treatment_prepayment' as const, 'office_visit' as const),
        fc.option(fc.dictionary(cpt, cents), { nil: undefined }),
        (eligibility, lines, procedures, paymentType, feeSchedule) => {
          const estimate = computeEstimate({
            eligibility: { ...eligibility, procedures },
            lines,
            paymentType,
            ...(feeSchedule === undefined ? {} : { feeSchedule }),
          });
          expect(estimate.totalCents).toBeGreaterThanOrEqual(0);
          expect(estimate.totalCents).toBeLessThanOrEqual(eligibility.oopRemainingCents);
          expect(estimate.totalCents).toBeLessThanOrEqual(estimate.subtotalCents);
          expect(estimate.subtotalCents).toBe(estimate.lines.reduce((s, l) => s + l.patientCents, 0));
          const deductible = estimate.lines.reduce((s, l) => s + l.deductibleCents, 0);
          expect(deductible).toBeLessThanOrEqual(eligibility.deductibleRemainingCents);
          expect(estimate.deductibleRemainingAfterCents).toBe(eligibility.deductibleRemainingCents - deductible);
          for (const line of estimate.lines) {
            expect(Number.isSafeInteger(line.patientCents)).toBe(true);
            expect(line.patientCents).toBe(line.copayCents + line.deductibleCents + line.coinsuranceCents);
            expect(line.patientCents).toBeGreaterThanOrEqual(0);
            expect(line.patientCents).toBeLessThanOrEqual(line.basisCents);
            expect(line.basisCents).toBeLessThanOrEqual(line.chargeCents);
          }
        },
      ),
    );
  });
});

describe('computeEstimate: benefits and refusals (mutation testing, ADR 0023)', () => {
  it('a benefit that waives the deductible charges none of it, even with deductible left, and leaves it for the next line', () => {
    const estimate = computeEstimate({
      eligibility: { ...e1, copayCents: null, procedures: [{ cpt: '99396', deductibleApplies: false }] },
      lines: [
        { cpt: '99396', chargeCents: 20000 },
        { cpt: '20610', chargeCents: 8000 },
      ],
      paymentType: 'treatment_prepayment',
    });
    expect(estimate.lines.map((l) => [l.cpt, l.deductibleCents, l.coinsuranceCents, l.patientCents])).toEqual([
      ['99396', 0, 4000, 4000],
      ['20610', 8000, 0, 8000],
    ]);
    expect(estimate.deductibleRemainingAfterCents).toBe(2000);
    expect(estimate.totalCents).toBe(12000);
  });

  it('a benefit listing other CPTs does not change a line; exactly at the out-of-pocket limit is not capped', () => {
    const estimate = computeEstimate({
      eligibility: { ...e1, oopRemainingCents: 12600, procedures: [{ cpt: '00000', deductibleApplies: false, copayCents: 100 }] },
      lines: e1Lines,
      paymentType: 'treatment_prepayment',
    });
    expect(estimate.totalCents).toBe(12600);
    expect(estimate.cappedByOop).toBe(false);
    expect(estimate.lines.map((l) => l.deductibleCents)).toEqual([10000, 0]);
  });

  it('an office visit whose only copay is per CPT charges no plan copay on the other lines', () => {
    const estimate = computeEstimate({
      eligibility: { ...e1, deductibleRemainingCents: 0, procedures: [{ cpt: '97110', copayCents: 3000 }] },
      lines: [
        { cpt: '99213', chargeCents: 10000 },
        { cpt: '97110', chargeCents: 9000 },
      ],
      paymentType: 'office_visit',
    });
    expect(estimate.lines.map((l) => [l.copayCents, l.coinsuranceCents])).toEqual([
      [0, 2000],
      [3000, 0],
    ]);
  });

  it('says which basis it used', () => {
    const mixed = computeEstimate({ eligibility: e1, lines: e1Lines, paymentType: 'treatment_prepayment', feeSchedule: { '29881': 12000 } });
    expect(mixed.basis).toBe('mixed');
    expect(mixed.basisNote).toMatch(/^This estimate uses allowed amounts where they are on file and the practice's charges elsewhere, not the payer's decision on the claim/);
    const schedule = computeEstimate({ eligibility: e1, lines: e1Lines, paymentType: 'treatment_prepayment', feeSchedule: { '29881': 12000, '20610': 9000 } });
    expect(schedule.basis).toBe('fee_schedule');
    expect(schedule.basisNote).toBe("This estimate uses the allowed amounts on file for these procedures, not the payer's decision on the claim, so the amount you owe may differ.");
    const charges = computeEstimate({ eligibility: e1, lines: e1Lines, paymentType: 'treatment_prepayment' });
    expect(charges.basisNote).toMatch(/What the payer allows may be lower, so the amount you owe may differ\.$/);
  });

  it('refuses bad amounts, rates and benefits, naming what is wrong', () => {
    const run = (eligibility: Partial<Eligibility>, lines = e1Lines, feeSchedule?: Record<string, number>) => () =>
      computeEstimate({ eligibility: { ...e1, ...eligibility }, lines, paymentType: 'treatment_prepayment', ...(feeSchedule ? { feeSchedule } : {}) });
    expect(run({}, [{ cpt: '99213', chargeCents: -1 }])).toThrow(new AppError('invalid_amount', 'Charge for 99213 must be whole cents, zero or more'));
    expect(run({}, e1Lines, { '29881': 1.5 })).toThrow(new AppError('invalid_amount', 'Allowed amount for 29881 must be whole cents, zero or more'));
    expect(run({ copayCents: -1 })).toThrow(new AppError('invalid_amount', 'Copay must be whole cents, zero or more'));
    expect(run({ deductibleRemainingCents: -1 })).toThrow(new AppError('invalid_amount', 'Deductible remaining must be whole cents, zero or more'));
    expect(run({ oopRemainingCents: -1 })).toThrow(new AppError('invalid_amount', 'Out-of-pocket remaining must be whole cents, zero or more'));
    expect(run({ coinsuranceBasisPoints: 10001 })).toThrow(new AppError('validation_failed', 'Coinsurance must be 0 to 10000 basis points (0–100 %)'));
    expect(run({ procedures: [{ cpt: '1' }, { cpt: '1' }] })).toThrow(new AppError('validation_failed', 'Benefits list CPT 1 twice'));
    expect(run({ procedures: [{ cpt: '1', copayCents: -5 }] })).toThrow(new AppError('invalid_amount', 'Copay for 1 must be whole cents, zero or more'));
    expect(run({ procedures: [{ cpt: '1', coinsuranceBasisPoints: -1 }] })).toThrow(/Coinsurance must be 0 to 10000/);
    expect(run({ procedures: [{ cpt: '1', coinsuranceBasisPoints: 10_000 }] })).not.toThrow();
  });
});
