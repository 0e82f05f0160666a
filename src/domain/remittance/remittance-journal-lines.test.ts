import { describe, expect, it } from 'vitest';
import { claimPaymentJournalLines } from './remittance-journal-lines.ts';

describe('a claim payment matched from suspense', () => {
  const movement = { kind: 'processed' as const, paidCents: 8000, contractualCents: 3000, toPatientCents: 4000 };
  const dims = { patientId: 'p1', treatmentId: 't1' };

  it('moves the same amounts as the import, the payer money taken from suspense instead of cash', () => {
    expect(claimPaymentJournalLines(movement, dims)).toEqual([
      { account: 'cash_clearing', amountCents: 8000, ...dims },
      { account: 'contractual_writeoff', amountCents: 3000, ...dims },
      { account: 'patient_receivable', amountCents: 4000, ...dims },
      { account: 'insurance_receivable', amountCents: -15000, ...dims },
    ]);
    expect(claimPaymentJournalLines(movement, { ...dims, fundedFrom: 'remittance_suspense' })).toEqual([
      { account: 'remittance_suspense', amountCents: 8000 },
      { account: 'contractual_writeoff', amountCents: 3000, ...dims },
      { account: 'patient_receivable', amountCents: 4000, ...dims },
      { account: 'insurance_receivable', amountCents: -15000, ...dims },
    ]);
    expect(claimPaymentJournalLines({ kind: 'denied', paidCents: 0, contractualCents: 0, toPatientCents: 0 }, { ...dims, fundedFrom: 'remittance_suspense' })).toEqual([]);
  });

  it('never holds suspense money in suspense again', () => {
    expect(() => claimPaymentJournalLines({ kind: 'exception', paidCents: 900, contractualCents: 0, toPatientCents: 0 }, { fundedFrom: 'remittance_suspense' })).toThrow();
  });
});
