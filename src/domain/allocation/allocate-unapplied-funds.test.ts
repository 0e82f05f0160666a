import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { allocateUnappliedFunds, type OpenBalance, type UnappliedLot } from './allocate-unapplied-funds.ts';

describe('allocateUnappliedFunds', () => {
  it('U1: $40.00 copay applies $15.00 to its visit, $10.00 to the older visit, $15.00 stays', () => {
    const result = allocateUnappliedFunds({
      treatmentId: 'T-0302',
      lots: [
        {
          paymentId: 'PAY-001',
          unappliedCents: 4000,
          paidDate: '2026-03-02',
          createdAt: '2026-03-02T15:04:00Z',
          linkedTreatmentId: 'T-0302',
        },
      ],
      openBalances: [
        { treatmentId: 'T-0302', serviceDate: '2026-03-02', openCents: 1500 },
        { treatmentId: 'T-0110', serviceDate: '2026-01-10', openCents: 1000 },
      ],
    });
    expect(result.applications).toEqual([
      { paymentId: 'PAY-001', treatmentId: 'T-0302', amountCents: 1500 },
      { paymentId: 'PAY-001', treatmentId: 'T-0110', amountCents: 1000 },
    ]);
    expect(result.remainingLots).toEqual([{ paymentId: 'PAY-001', unappliedCents: 1500 }]);
    expect(result.unappliedRemainingCents).toBe(1500);
  });

  it('U1 after dismissal: the $15.00 left goes to a later visit with $20.00 patient responsibility', () => {
    const result = allocateUnappliedFunds({
      treatmentId: 'T-0601',
      lots: [{ paymentId: 'CR-1', unappliedCents: 1500, createdAt: '2026-05-20T09:00:00Z' }],
      openBalances: [{ treatmentId: 'T-0601', serviceDate: '2026-06-01', openCents: 2000 }],
    });
    expect(result.applications).toEqual([{ paymentId: 'CR-1', treatmentId: 'T-0601', amountCents: 1500 }]);
    expect(result.unappliedRemainingCents).toBe(0);
  });

  it('the treatment just set draws on its own funds first, then the oldest others', () => {
    const lots: UnappliedLot[] = [
      { paymentId: 'P-new', unappliedCents: 500, paidDate: '2026-04-01', createdAt: '2026-04-01T10:00:00Z' },
      { paymentId: 'P-old', unappliedCents: 500, paidDate: '2026-02-01', createdAt: '2026-02-01T10:00:00Z' },
      {
        paymentId: 'P-linked',
        unappliedCents: 300,
        paidDate: '2026-04-05',
        createdAt: '2026-04-05T10:00:00Z',
        linkedTreatmentId: 'T-target',
      },
    ];
    const result = allocateUnappliedFunds({
      treatmentId: 'T-target',
      lots,
      openBalances: [
        { treatmentId: 'T-target', serviceDate: '2026-04-05', openCents: 1000 },
        { treatmentId: 'T-other', serviceDate: '2026-01-01', openCents: 1000 },
      ],
    });
    expect(result.applications).toEqual([
      { paymentId: 'P-linked', treatmentId: 'T-target', amountCents: 300 },
      { paymentId: 'P-old', treatmentId: 'T-target', amountCents: 500 },
      { paymentId: 'P-new', treatmentId: 'T-target', amountCents: 200 },
      { paymentId: 'P-new', treatmentId: 'T-other', amountCents: 300 },
    ]);
  });

  it('other treatments go oldest date of service first, treatment id breaking ties', () => {
    const result = allocateUnappliedFunds({
      treatmentId: 'T-none',
      lots: [{ paymentId: 'P1', unappliedCents: 250, createdAt: '2026-01-01T00:00:00Z' }],
      openBalances: [
        { treatmentId: 'T-c', serviceDate: '2026-02-01', openCents: 100 },
        { treatmentId: 'T-b', serviceDate: '2026-01-15', openCents: 100 },
        { treatmentId: 'T-a', serviceDate: '2026-01-15', openCents: 100 },
      ],
    });
    expect(result.applications.map((a) => [a.treatmentId, a.amountCents])).toEqual([
      ['T-a', 100],
      ['T-b', 100],
      ['T-c', 50],
    ]);
  });

  it('lots paid the same day go by creation time, then payment id', () => {
    const result = allocateUnappliedFunds({
      treatmentId: 'T',
      lots: [
        { paymentId: 'B', unappliedCents: 100, paidDate: '2026-03-01', createdAt: '2026-03-01T12:00:00Z' },
        { paymentId: 'C', unappliedCents: 100, paidDate: '2026-03-01', createdAt: '2026-03-01T09:00:00Z' },
        { paymentId: 'A', unappliedCents: 100, paidDate: '2026-03-01', createdAt: '2026-03-01T12:00:00Z' },
      ],
      openBalances: [{ treatmentId: 'T', serviceDate: '2026-03-01', openCents: 300 }],
    });
    expect(result.applications.map((a) => a.paymentId)).toEqual(['C', 'A', 'B']);
  });

  it('refuses negative or fractional amounts and duplicates', () => {
    const lot: UnappliedLot = { paymentId: 'P', unappliedCents: 100, createdAt: '2026-01-01T00:00:00Z' };
    const balance: OpenBalance = { treatmentId: 'T', serviceDate: '2026-01-01', openCents: 100 };
    const run = (lots: UnappliedLot[], openBalances: OpenBalance[]) => () =>
      allocateUnappliedFunds({ treatmentId: 'T', lots, openBalances });
    expect(run([{ ...lot, unappliedCents: -1 }], [balance])).toThrow(AppError);
    expect(run([lot], [{ ...balance, openCents: 0.5 }])).toThrow(AppError);
    expect(run([lot, lot], [balance])).toThrow(AppError);
    expect(run([lot], [balance, balance])).toThrow(AppError);
    expect(run([lot], [{ ...balance, serviceDate: '1/1/2026' }])).toThrow(AppError);
  });

  it('property: conserves money and never over-applies a lot or a treatment', () => {
    const ids = ['T1', 'T2', 'T3', 'T4', 'T5'];
    const lotArb = fc.record({
      unappliedCents: fc.integer({ min: 0, max: 100_000 }),
      paidDate: fc.option(fc.constantFrom('2026-01-01', '2026-02-01', '2026-03-01'), { nil: null }),
      createdAt: fc.constantFrom('2026-01-01T08:00:00Z', '2026-02-01T09:00:00Z', '2026-03-01T10:00:00.000Z'),
      linkedTreatmentId: fc.option(fc.constantFrom(...ids, 'T-gone'), { nil: null }),
    });
    const balanceArb = fc.record({
      treatmentId: fc.constantFrom(...ids),
      serviceDate: fc.constantFrom('2025-12-31', '2026-01-10', '2026-03-02'),
      openCents: fc.integer({ min: 0, max: 100_000 }),
    });
    fc.assert(
      fc.property(
        fc.array(lotArb, { maxLength: 6 }),
        fc.uniqueArray(balanceArb, { selector: (b) => b.treatmentId, maxLength: 5 }),
        fc.constantFrom(...ids),
        (rawLots, openBalances, treatmentId) => {
          const lots = rawLots.map((lot, i) => ({ ...lot, paymentId: `P${i}` }));
          const result = allocateUnappliedFunds({ treatmentId, lots, openBalances });
          const funds = lots.reduce((s, l) => s + l.unappliedCents, 0);
          const open = openBalances.reduce((s, b) => s + b.openCents, 0);
          const applied = result.applications.reduce((s, a) => s + a.amountCents, 0);

          expect(applied).toBeLessThanOrEqual(funds);
          expect(applied).toBeLessThanOrEqual(open);
          // Greedy to the end: either the money or the balances run out.
          expect(applied).toBe(Math.min(funds, open));
          expect(applied + result.unappliedRemainingCents).toBe(funds);
          for (const a of result.applications) expect(a.amountCents).toBeGreaterThan(0);
          for (const lot of lots) {
            const given = result.applications.filter((a) => a.paymentId === lot.paymentId).reduce((s, a) => s + a.amountCents, 0);
            const left = result.remainingLots.find((r) => r.paymentId === lot.paymentId)?.unappliedCents;
            expect(given + (left ?? Number.NaN)).toBe(lot.unappliedCents);
            expect(left).toBeGreaterThanOrEqual(0);
          }
          for (const b of openBalances) {
            const got = result.applications.filter((a) => a.treatmentId === b.treatmentId).reduce((s, a) => s + a.amountCents, 0);
            expect(got).toBeLessThanOrEqual(b.openCents);
          }
          // The treatment just set is served as fully as the money allows before anything else.
          const target = openBalances.find((b) => b.treatmentId === treatmentId);
          if (target) {
            const got = result.applications.filter((a) => a.treatmentId === treatmentId).reduce((s, a) => s + a.amountCents, 0);
            expect(got).toBe(Math.min(target.openCents, funds));
          }
        },
      ),
    );
  });
});

describe('allocateUnappliedFunds: order and refusals (mutation testing, ADR 0023)', () => {
  const balance = (treatmentId: string, openCents: number, serviceDate = '2026-01-01'): OpenBalance => ({ treatmentId, serviceDate, openCents });

  it('older money goes first by paid date, not by when the payment was entered', () => {
    // Entered late (a check typed in a week after it was received) but paid first: it is the oldest money.
    const result = allocateUnappliedFunds({
      treatmentId: 'T',
      lots: [
        { paymentId: 'entered-first', unappliedCents: 500, paidDate: '2026-03-10', createdAt: '2026-03-01T09:00:00Z' },
        { paymentId: 'paid-first', unappliedCents: 500, paidDate: '2026-03-05', createdAt: '2026-03-12T09:00:00Z' },
      ],
      openBalances: [balance('T', 500)],
    });
    expect(result.applications).toEqual([{ paymentId: 'paid-first', treatmentId: 'T', amountCents: 500 }]);
    expect(result.remainingLots).toEqual([
      { paymentId: 'entered-first', unappliedCents: 500 },
      { paymentId: 'paid-first', unappliedCents: 0 },
    ]);
  });

  it('a zero open balance and a zero lot are allowed and move nothing', () => {
    const result = allocateUnappliedFunds({
      treatmentId: 'T',
      lots: [{ paymentId: 'P0', unappliedCents: 0, createdAt: '2026-01-01T00:00:00Z' }],
      openBalances: [balance('T', 0)],
    });
    expect(result).toEqual({ applications: [], remainingLots: [{ paymentId: 'P0', unappliedCents: 0 }], unappliedRemainingCents: 0 });
  });

  it('refuses inconsistent facts, naming what is wrong', () => {
    const lot: UnappliedLot = { paymentId: 'P', unappliedCents: 100, createdAt: '2026-01-01T00:00:00Z' };
    const run = (lots: UnappliedLot[], openBalances: OpenBalance[] = [balance('T', 100)]) => () => allocateUnappliedFunds({ treatmentId: 'T', lots, openBalances });
    expect(run([lot, lot])).toThrow(new AppError('validation_failed', 'Payment P listed twice'));
    expect(run([{ ...lot, unappliedCents: -1 }])).toThrow(new AppError('invalid_amount', 'Unapplied amount of payment P must be whole cents, zero or more'));
    expect(run([{ ...lot, createdAt: 'yesterday' }])).toThrow(new AppError('validation_failed', 'Payment P has no valid creation time'));
    expect(run([{ ...lot, paidDate: '2026-01-01x' }])).toThrow(new AppError('validation_failed', 'Paid date of payment P must be YYYY-MM-DD'));
    expect(run([{ ...lot, paidDate: 'x2026-01-01' }])).toThrow(/Paid date of payment P/);
    expect(run([lot], [balance('T', 1), balance('T', 1)])).toThrow(new AppError('validation_failed', 'Treatment T listed twice'));
    expect(run([lot], [balance('T', -1)])).toThrow(new AppError('invalid_amount', 'Open balance of treatment T must be whole cents, zero or more'));
    expect(run([lot], [balance('T', 1, '2026-1-1')])).toThrow(new AppError('validation_failed', 'Date of service of treatment T must be YYYY-MM-DD'));
  });
});
