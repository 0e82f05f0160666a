import { describe, expect, it } from 'vitest';
import type { JournalLine } from './journal.ts';
import {
  application,
  charge,
  creditApplied,
  creditCreated,
  creditTransferred,
  disputeHold,
  disputeRelease,
  paymentReceived,
  paymentReversed,
  processorFee,
  processorReceiptHeld,
  processorReceiptReleased,
  processorReceiptReturned,
  receiptDisputeHold,
  receiptDisputeRelease,
  refundToCash,
  refundToCredit,
  unapplication,
} from './postings.ts';

/** Balance per account (with its patient/payment/treatment), so a swapped account or dimension fails. */
function byAccount(lines: JournalLine[]) {
  return lines.map((l) => ({ account: l.account, amountCents: l.amountCents, patientId: l.patientId ?? null, paymentId: l.paymentId ?? null, treatmentId: l.treatmentId ?? null }));
}

const pay = { paymentId: 'pay1', patientId: 'pat1', treatmentId: 'tr1', amountCents: 12_345 };

describe('posting rules: the journal lines of each movement, per account, to the cent', () => {
  it('payment received: Dr cash clearing, Cr the patient’s unapplied funds', () => {
    const p = paymentReceived(pay);
    expect(p.kind).toBe('payment_received');
    expect(p.source).toEqual({ type: 'payment', id: 'pay1' });
    expect(p.paymentId).toBe('pay1');
    expect(byAccount(p.lines)).toEqual([
      { account: 'cash_clearing', amountCents: 12_345, patientId: 'pat1', paymentId: 'pay1', treatmentId: 'tr1' },
      { account: 'patient_unapplied', amountCents: -12_345, patientId: 'pat1', paymentId: 'pay1', treatmentId: 'tr1' },
    ]);
  });

  it('payment reversed: the exact negation of payment received', () => {
    const p = paymentReversed(pay);
    expect(p.kind).toBe('payment_reversed');
    expect(p.source).toEqual({ type: 'payment', id: 'pay1' });
    expect(byAccount(p.lines)).toEqual([
      { account: 'patient_unapplied', amountCents: 12_345, patientId: 'pat1', paymentId: 'pay1', treatmentId: 'tr1' },
      { account: 'cash_clearing', amountCents: -12_345, patientId: 'pat1', paymentId: 'pay1', treatmentId: 'tr1' },
    ]);
  });

  it('credit applied (a Patient Credit payment): Dr patient credit, Cr unapplied funds — no cash', () => {
    const p = creditApplied(pay);
    expect(p.kind).toBe('credit_applied');
    expect(p.source).toEqual({ type: 'payment', id: 'pay1' });
    expect(byAccount(p.lines)).toEqual([
      { account: 'patient_credit', amountCents: 12_345, patientId: 'pat1', paymentId: null, treatmentId: null },
      { account: 'patient_unapplied', amountCents: -12_345, patientId: 'pat1', paymentId: 'pay1', treatmentId: 'tr1' },
    ]);
  });

  const refund = { refundId: 'ref1', paymentId: 'pay1', patientId: 'pat1', amountCents: 4_001 };

  it('refund to cash: Dr unapplied funds, Cr cash clearing', () => {
    const p = refundToCash(refund);
    expect(p.kind).toBe('refund');
    expect(p.source).toEqual({ type: 'refund', id: 'ref1' });
    expect(p.paymentId).toBe('pay1');
    expect(byAccount(p.lines)).toEqual([
      { account: 'patient_unapplied', amountCents: 4_001, patientId: 'pat1', paymentId: 'pay1', treatmentId: null },
      { account: 'cash_clearing', amountCents: -4_001, patientId: 'pat1', paymentId: 'pay1', treatmentId: null },
    ]);
  });

  it('refund to credit: Dr unapplied funds, Cr patient credit — cash untouched', () => {
    const p = refundToCredit(refund);
    expect(p.kind).toBe('refund_to_credit');
    expect(p.source).toEqual({ type: 'refund', id: 'ref1' });
    expect(byAccount(p.lines)).toEqual([
      { account: 'patient_unapplied', amountCents: 4_001, patientId: 'pat1', paymentId: 'pay1', treatmentId: null },
      { account: 'patient_credit', amountCents: -4_001, patientId: 'pat1', paymentId: null, treatmentId: null },
    ]);
  });

  const app = { applicationId: 'app1', paymentId: 'pay1', patientId: 'pat1', treatmentId: 'tr2', amountCents: 999 };

  it('application: Dr unapplied funds (payment), Cr patient receivable (treatment)', () => {
    const p = application(app);
    expect(p.kind).toBe('application');
    expect(p.source).toEqual({ type: 'application', id: 'app1' });
    expect(byAccount(p.lines)).toEqual([
      { account: 'patient_unapplied', amountCents: 999, patientId: 'pat1', paymentId: 'pay1', treatmentId: null },
      { account: 'patient_receivable', amountCents: -999, patientId: 'pat1', paymentId: null, treatmentId: 'tr2' },
    ]);
  });

  it('unapplication: the exact negation of the application', () => {
    const p = unapplication(app);
    expect(p.kind).toBe('unapplication');
    expect(p.source).toEqual({ type: 'application', id: 'app1' });
    expect(byAccount(p.lines)).toEqual([
      { account: 'patient_receivable', amountCents: 999, patientId: 'pat1', paymentId: null, treatmentId: 'tr2' },
      { account: 'patient_unapplied', amountCents: -999, patientId: 'pat1', paymentId: 'pay1', treatmentId: null },
    ]);
  });

  it('credit created by hand: Dr credit adjustment (the practice’s cost), Cr patient credit', () => {
    const p = creditCreated({ creditId: 'cr1', patientId: 'pat1', amountCents: 2_500 });
    expect(p.kind).toBe('credit_created');
    expect(p.source).toEqual({ type: 'credit', id: 'cr1' });
    expect(byAccount(p.lines)).toEqual([
      { account: 'credit_adjustment', amountCents: 2_500, patientId: 'pat1', paymentId: null, treatmentId: null },
      { account: 'patient_credit', amountCents: -2_500, patientId: 'pat1', paymentId: null, treatmentId: null },
    ]);
  });

  it('credit transferred: out of one patient’s credit into the other’s', () => {
    const p = creditTransferred({ newCreditId: 'cr2', fromPatientId: 'pat1', toPatientId: 'pat2', amountCents: 1_234 });
    expect(p.kind).toBe('credit_transferred');
    expect(p.source).toEqual({ type: 'credit', id: 'cr2' });
    expect(byAccount(p.lines)).toEqual([
      { account: 'patient_credit', amountCents: 1_234, patientId: 'pat1', paymentId: null, treatmentId: null },
      { account: 'patient_credit', amountCents: -1_234, patientId: 'pat2', paymentId: null, treatmentId: null },
    ]);
  });

  it('charge of a self-pay visit: Dr patient receivable, Cr charges', () => {
    const p = charge({ treatmentId: 'tr1', patientId: 'pat1', chargeCents: 31_500, selfPay: true });
    expect(p.kind).toBe('charge');
    expect(p.source).toEqual({ type: 'treatment', id: 'tr1' });
    expect(byAccount(p.lines)).toEqual([
      { account: 'patient_receivable', amountCents: 31_500, patientId: 'pat1', paymentId: null, treatmentId: 'tr1' },
      { account: 'charges', amountCents: -31_500, patientId: 'pat1', paymentId: null, treatmentId: 'tr1' },
    ]);
  });

  it('charge of an insured visit: Dr insurance receivable, Cr charges', () => {
    const p = charge({ treatmentId: 'tr1', patientId: 'pat1', chargeCents: 31_500, selfPay: false });
    expect(byAccount(p.lines)).toEqual([
      { account: 'insurance_receivable', amountCents: 31_500, patientId: 'pat1', paymentId: null, treatmentId: 'tr1' },
      { account: 'charges', amountCents: -31_500, patientId: 'pat1', paymentId: null, treatmentId: 'tr1' },
    ]);
  });

  it('refuses to post zero, negative or fractional cents', () => {
    expect(() => paymentReceived({ ...pay, amountCents: 0 })).toThrow(/positive/);
    expect(() => refundToCash({ ...refund, amountCents: -5 })).toThrow(/positive/);
    expect(() => application({ ...app, amountCents: 1.5 })).toThrow(/positive/);
  });

  it('dispute hold: Dr processor disputes, Cr cash clearing, both on the payment; the release is its exact negation', () => {
    const facts = { disputeId: 'dp1', paymentId: 'pay1', patientId: 'pat1', amountCents: 4_000 };
    const hold = disputeHold(facts);
    expect(hold.kind).toBe('dispute_hold');
    expect(hold.source).toEqual({ type: 'processor_dispute', id: 'dp1' });
    expect(byAccount(hold.lines)).toEqual([
      { account: 'processor_disputes', amountCents: 4_000, patientId: 'pat1', paymentId: 'pay1', treatmentId: null },
      { account: 'cash_clearing', amountCents: -4_000, patientId: 'pat1', paymentId: 'pay1', treatmentId: null },
    ]);
    const release = disputeRelease(facts);
    expect(release.kind).toBe('dispute_release');
    expect(release.source).toEqual({ type: 'processor_dispute', id: 'dp1' });
    expect(byAccount(release.lines)).toEqual([
      { account: 'cash_clearing', amountCents: 4_000, patientId: 'pat1', paymentId: 'pay1', treatmentId: null },
      { account: 'processor_disputes', amountCents: -4_000, patientId: 'pat1', paymentId: 'pay1', treatmentId: null },
    ]);
  });

  it('processor fee: Dr processor fees, Cr cash clearing, on the payment the fee belongs to', () => {
    const p = processorFee({ payoutItemId: 'item1', paymentId: 'pay1', patientId: 'pat1', feeCents: 320 });
    expect(p.kind).toBe('processor_fee');
    expect(p.source).toEqual({ type: 'processor_payout_item', id: 'item1' });
    expect(p.paymentId).toBe('pay1');
    expect(byAccount(p.lines)).toEqual([
      { account: 'processor_fees', amountCents: 320, patientId: 'pat1', paymentId: 'pay1', treatmentId: null },
      { account: 'cash_clearing', amountCents: -320, patientId: 'pat1', paymentId: 'pay1', treatmentId: null },
    ]);
    expect(() => processorFee({ payoutItemId: 'item1', paymentId: 'pay1', patientId: 'pat1', feeCents: 0 })).toThrow(/positive/);
  });

  it("a held receipt's fee is on no payment: Dr processor fees, Cr cash clearing", () => {
    const p = processorFee({ payoutItemId: 'item2', paymentId: null, patientId: null, feeCents: 50 });
    expect(p.paymentId).toBeNull();
    expect(byAccount(p.lines)).toEqual([
      { account: 'processor_fees', amountCents: 50, patientId: null, paymentId: null, treatmentId: null },
      { account: 'cash_clearing', amountCents: -50, patientId: null, paymentId: null, treatmentId: null },
    ]);
  });

  it('dashboard receipts: held Dr cash / Cr unidentified; released and returned the other way, each from its own source', () => {
    const held = processorReceiptHeld({ receiptId: 'r1', amountCents: 2_500 });
    expect([held.kind, held.source]).toEqual(['processor_receipt_held', { type: 'processor_receipt', id: 'r1' }]);
    expect(byAccount(held.lines).map((l) => [l.account, l.amountCents])).toEqual([
      ['cash_clearing', 2_500],
      ['unidentified_receipts', -2_500],
    ]);
    const released = processorReceiptReleased({ receiptId: 'r1', amountCents: 2_000 });
    expect([released.kind, released.source]).toEqual(['processor_receipt_released', { type: 'processor_receipt', id: 'r1' }]);
    expect(byAccount(released.lines).map((l) => [l.account, l.amountCents])).toEqual([
      ['unidentified_receipts', 2_000],
      ['cash_clearing', -2_000],
    ]);
    const returned = processorReceiptReturned({ returnId: 'x1', amountCents: 500 });
    expect([returned.kind, returned.source]).toEqual(['processor_receipt_returned', { type: 'processor_receipt_return', id: 'x1' }]);
    expect(byAccount(returned.lines)).toEqual([
      { account: 'unidentified_receipts', amountCents: 500, patientId: null, paymentId: null, treatmentId: null },
      { account: 'cash_clearing', amountCents: -500, patientId: null, paymentId: null, treatmentId: null },
    ]);
    expect(() => processorReceiptReturned({ returnId: 'x1', amountCents: 0 })).toThrow(/positive/);
  });

  it("a held receipt's dispute: Dr processor disputes, Cr cash on no payment; the release is its exact negation", () => {
    const hold = receiptDisputeHold({ receiptId: 'r1', amountCents: 2_000 });
    expect([hold.kind, hold.source]).toEqual(['receipt_dispute_hold', { type: 'processor_receipt', id: 'r1' }]);
    expect(byAccount(hold.lines)).toEqual([
      { account: 'processor_disputes', amountCents: 2_000, patientId: null, paymentId: null, treatmentId: null },
      { account: 'cash_clearing', amountCents: -2_000, patientId: null, paymentId: null, treatmentId: null },
    ]);
    const release = receiptDisputeRelease({ receiptId: 'r1', amountCents: 2_000 });
    expect([release.kind, release.source]).toEqual(['receipt_dispute_release', { type: 'processor_receipt', id: 'r1' }]);
    expect(byAccount(release.lines)).toEqual(byAccount(hold.lines).map((l) => ({ ...l, amountCents: -l.amountCents })).reverse());
  });
});
