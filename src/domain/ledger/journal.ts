import type { Cents } from '../money.ts';

/**
 * The chart of accounts, per practice; lines carry the patient, payment and
 * treatment they concern, so every balance can be summed from the journal.
 * Positive amounts are debits, negative amounts credits.
 */
export const accounts = [
  /** Money the practice holds: cash drawer, deposited checks, processor clearing. */
  'cash_clearing',
  /** Patient money received and not applied to any balance (a liability to the patient). */
  'patient_unapplied',
  /** Money held for the patient for future use (liability). */
  'patient_credit',
  /** What patients owe on treatments (asset). */
  'patient_receivable',
  /** What payers owe on claims (asset). */
  'insurance_receivable',
  /** Charges written off under payer contracts. */
  'contractual_writeoff',
  /** Provider-level adjustments from remittance (PLB). */
  'provider_adjustment',
  /** Revenue recognised when a treatment is charged. */
  'charges',
  /** Credits granted by hand (goodwill, corrections): the practice's cost. */
  'credit_adjustment',
  /** Payer money for claims we could not match (exceptions), held until a biller resolves them. */
  'remittance_suspense',
  /** Card money the processor holds back while a cardholder's dispute is open (asset held by the processor). */
  'processor_disputes',
  /** What the card processor kept as fees from payouts (expense). */
  'processor_fees',
  /** Money the practice owes a payer (credit) or a payer owes the practice (debit): recoupments, PLB WO/FB/72/L6/J1, overpaid claims, exceptions returned to the payer. Never patient money. */
  'payer_overpayment',
  /** Card money the processor received for a charge made in its own dashboard that names no patient of ours, held until a biller assigns it (liability). */
  'unidentified_receipts',
] as const;
export type Account = (typeof accounts)[number];

export const journalKinds = [
  'payment_received',
  'payment_reversed',
  'refund',
  'refund_to_credit',
  'application',
  'unapplication',
  'credit_created',
  'credit_applied',
  'credit_transferred',
  'charge',
  'remittance',
  'dispute_hold',
  'dispute_release',
  'processor_fee',
  'payer_balance',
  'payer_balance_settled',
  'processor_receipt_held',
  'processor_receipt_released',
  'processor_receipt_returned',
  'receipt_dispute_hold',
  'receipt_dispute_release',
] as const;
export type JournalKind = (typeof journalKinds)[number];

export interface JournalLine {
  account: Account;
  amountCents: Cents;
  patientId?: string | null;
  paymentId?: string | null;
  treatmentId?: string | null;
}

/** An entry is well-formed when it has two or more non-zero integer lines that sum to zero. */
export function assertBalanced(lines: readonly JournalLine[]): void {
  if (lines.length < 2) throw new Error('a journal entry needs at least two lines');
  let sum = 0;
  for (const line of lines) {
    if (!Number.isSafeInteger(line.amountCents) || line.amountCents === 0) {
      throw new Error(`journal line amount must be a non-zero integer of cents: ${line.amountCents}`);
    }
    sum += line.amountCents;
  }
  if (sum !== 0) throw new Error(`journal entry does not balance: off by ${sum} cents`);
}
