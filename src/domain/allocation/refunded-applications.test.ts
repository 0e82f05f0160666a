import { describe, expect, it } from 'vitest';
import { unfundedByTreatment } from './refunded-applications.ts';

describe('applied money that was refunded', () => {
  it('R1: a fully refunded $100.00 payment applied to one visit leaves all $100.00 of it unfunded', () => {
    const result = unfundedByTreatment([
      { applicationId: 'a1', paymentId: 'P', treatmentId: 'T464', amountCents: 10000, createdAt: '2026-03-02T10:00:00Z', paymentOverAppliedCents: 10000 },
    ]);
    expect([...result]).toEqual([['T464', 10000]]);
  });

  it('takes a partial refund from the newest application first, never more than an application holds', () => {
    const result = unfundedByTreatment([
      { applicationId: 'a1', paymentId: 'P', treatmentId: 'old', amountCents: 3000, createdAt: '2026-01-01T10:00:00Z', paymentOverAppliedCents: 4500 },
      { applicationId: 'a2', paymentId: 'P', treatmentId: 'new', amountCents: 2000, createdAt: '2026-02-01T10:00:00Z', paymentOverAppliedCents: 4500 },
    ]);
    expect(Object.fromEntries(result)).toEqual({ new: 2000, old: 2500 });
  });

  it('adds up several payments on one visit, and breaks ties of time by id', () => {
    const result = unfundedByTreatment([
      { applicationId: 'b', paymentId: 'P1', treatmentId: 'T1', amountCents: 500, createdAt: '2026-01-01T10:00:00Z', paymentOverAppliedCents: 600 },
      { applicationId: 'c', paymentId: 'P1', treatmentId: 'T2', amountCents: 500, createdAt: '2026-01-01T10:00:00Z', paymentOverAppliedCents: 600 },
      { applicationId: 'x', paymentId: 'P2', treatmentId: 'T1', amountCents: 700, createdAt: '2026-01-05T10:00:00Z', paymentOverAppliedCents: 100 },
    ]);
    expect(Object.fromEntries(result)).toEqual({ T2: 500, T1: 200 });
  });

  it('finds nothing unfunded when nothing is over-applied', () => {
    expect(unfundedByTreatment([]).size).toBe(0);
  });
});

describe('applied money that was refunded: order (mutation testing, ADR 0023)', () => {
  it('newest first, ties by the larger id, whatever order the applications come in; untouched visits are not listed', () => {
    const apps = [
      { applicationId: 'a', paymentId: 'P', treatmentId: 'Ta', amountCents: 100, createdAt: '2026-01-02T10:00:00Z', paymentOverAppliedCents: 150 },
      { applicationId: 'b', paymentId: 'P', treatmentId: 'Tb', amountCents: 100, createdAt: '2026-01-02T10:00:00Z', paymentOverAppliedCents: 150 },
      { applicationId: 'c', paymentId: 'P', treatmentId: 'Tc', amountCents: 100, createdAt: '2026-01-01T10:00:00Z', paymentOverAppliedCents: 150 },
      { applicationId: 'd', paymentId: 'P', treatmentId: 'Td', amountCents: 100, createdAt: '2026-01-03T10:00:00Z', paymentOverAppliedCents: 150 },
    ];
    const orders = [[0, 1, 2, 3], [3, 2, 1, 0], [1, 0, 3, 2], [2, 3, 0, 1], [0, 2, 1, 3]];
    for (const order of orders) {
      const result = unfundedByTreatment(order.map((i) => apps[i]!));
      expect(Object.fromEntries(result)).toEqual({ Td: 100, Tb: 50 });
    }
  });
});
