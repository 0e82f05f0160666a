import type { Cents } from '../money.ts';
import type { Account, JournalKind, JournalLine } from './journal.ts';

/**
 * The posting rules: one function per money movement turns decided facts into
 * the journal lines of one entry over the chart of accounts (journal.ts).
 * Services call these and never build lines by hand; `ledger verify`
 * re-derives every entry from the record named as its source.
 * Positive amounts are debits, negative credits; amounts are positive cents.
 */

/** The kind of record that explains an entry; `id` is that record's id. */
export const journalSourceTypes = ['payment', 'refund', 'application', 'credit', 'treatment', 'remittance_payment', 'payer_balance_item', 'processor_dispute', 'processor_payout_item', 'processor_receipt', 'processor_receipt_return'] as const;
export type JournalSourceType = (typeof journalSourceTypes)[number];

export interface Posting {
  kind: JournalKind;
  source: { type: JournalSourceType; id: string };
  /** The payment the entry concerns, kept on the entry for the payment's history. */
  paymentId?: string | null;
  lines: JournalLine[];
}

function move(amountCents: Cents, debit: Omit<JournalLine, 'amountCents'>, credit: Omit<JournalLine, 'amountCents'>): JournalLine[] {
  if (!Number.isSafeInteger(amountCents) || amountCents <= 0) throw new Error(`a posting moves a positive number of cents: ${amountCents}`);
  return [
    { ...debit, amountCents },
    { ...credit, amountCents: -amountCents },
  ];
}

export interface PaymentFacts {
  paymentId: string;
  patientId: string;
  treatmentId: string | null;
  amountCents: Cents;
}

/** Money arrives (cash, check, card): the practice holds it and owes it to the patient as unapplied funds. */
export function paymentReceived(p: PaymentFacts): Posting {
  const dims = { patientId: p.patientId, paymentId: p.paymentId, treatmentId: p.treatmentId };
  return {
    kind: 'payment_received',
    source: { type: 'payment', id: p.paymentId },
    paymentId: p.paymentId,
    lines: move(p.amountCents, { account: 'cash_clearing', ...dims }, { account: 'patient_unapplied', ...dims }),
  };
}

/** A Patient Credit payment: drawn from the patient's credit into unapplied funds; no money arrives. */
export function creditApplied(p: PaymentFacts): Posting {
  const dims = { patientId: p.patientId, paymentId: p.paymentId, treatmentId: p.treatmentId };
  return {
    kind: 'credit_applied',
    source: { type: 'payment', id: p.paymentId },
    paymentId: p.paymentId,
    lines: move(p.amountCents, { account: 'patient_credit', patientId: p.patientId }, { account: 'patient_unapplied', ...dims }),
  };
}

/** Undoes a received payment (the exact negation of paymentReceived). No product flow reverses a received payment today. */
export function paymentReversed(p: PaymentFacts): Posting {
  const dims = { patientId: p.patientId, paymentId: p.paymentId, treatmentId: p.treatmentId };
  return {
    kind: 'payment_reversed',
    source: { type: 'payment', id: p.paymentId },
    paymentId: p.paymentId,
    lines: move(p.amountCents, { account: 'patient_unapplied', ...dims }, { account: 'cash_clearing', ...dims }),
  };
}

export interface RefundFacts {
  refundId: string;
  paymentId: string;
  patientId: string;
  amountCents: Cents;
}

/** Money goes back to the patient (processor, cash, check): out of their unapplied funds and out of cash. */
export function refundToCash(r: RefundFacts): Posting {
  const dims = { patientId: r.patientId, paymentId: r.paymentId };
  return {
    kind: 'refund',
    source: { type: 'refund', id: r.refundId },
    paymentId: r.paymentId,
    lines: move(r.amountCents, { account: 'patient_unapplied', ...dims }, { account: 'cash_clearing', ...dims }),
  };
}

/** A refund issued as credit: the money stays with the practice, held for the patient as credit. */
export function refundToCredit(r: RefundFacts): Posting {
  return {
    kind: 'refund_to_credit',
    source: { type: 'refund', id: r.refundId },
    paymentId: r.paymentId,
    lines: move(r.amountCents, { account: 'patient_unapplied', patientId: r.patientId, paymentId: r.paymentId }, { account: 'patient_credit', patientId: r.patientId }),
  };
}

export interface ApplicationFacts {
  applicationId: string;
  paymentId: string;
  patientId: string;
  treatmentId: string;
  amountCents: Cents;
}

/** Unapplied funds pay a treatment's patient responsibility. */
export function application(a: ApplicationFacts): Posting {
  return {
    kind: 'application',
    source: { type: 'application', id: a.applicationId },
    paymentId: a.paymentId,
    lines: move(
      a.amountCents,
      { account: 'patient_unapplied', patientId: a.patientId, paymentId: a.paymentId },
      { account: 'patient_receivable', patientId: a.patientId, treatmentId: a.treatmentId },
    ),
  };
}

/** An application taken back: the exact negation of `application`. */
export function unapplication(a: ApplicationFacts): Posting {
  return {
    kind: 'unapplication',
    source: { type: 'application', id: a.applicationId },
    paymentId: a.paymentId,
    lines: move(
      a.amountCents,
      { account: 'patient_receivable', patientId: a.patientId, treatmentId: a.treatmentId },
      { account: 'patient_unapplied', patientId: a.patientId, paymentId: a.paymentId },
    ),
  };
}

/** "New Credit" by hand: the practice's cost (credit adjustment), held for the patient. */
export function creditCreated(c: { creditId: string; patientId: string; amountCents: Cents }): Posting {
  return {
    kind: 'credit_created',
    source: { type: 'credit', id: c.creditId },
    lines: move(c.amountCents, { account: 'credit_adjustment', patientId: c.patientId }, { account: 'patient_credit', patientId: c.patientId }),
  };
}

/** What remained of a credit moves to another patient; the source is the new lot. */
export function creditTransferred(c: { newCreditId: string; fromPatientId: string; toPatientId: string; amountCents: Cents }): Posting {
  return {
    kind: 'credit_transferred',
    source: { type: 'credit', id: c.newCreditId },
    lines: move(c.amountCents, { account: 'patient_credit', patientId: c.fromPatientId }, { account: 'patient_credit', patientId: c.toPatientId }),
  };
}

/**
 * A visit is charged: revenue, owed by the payers when the patient had
 * coverage (insurance receivable, settled by remittance), else by the patient.
 */
export function charge(t: { treatmentId: string; patientId: string; chargeCents: Cents; selfPay: boolean }): Posting {
  const dims = { patientId: t.patientId, treatmentId: t.treatmentId };
  return {
    kind: 'charge',
    source: { type: 'treatment', id: t.treatmentId },
    lines: move(t.chargeCents, { account: t.selfPay ? 'patient_receivable' : 'insurance_receivable', ...dims }, { account: 'charges', ...dims }),
  };
}

export interface PayerBalanceFacts {
  payerBalanceItemId: string;
  amountCents: Cents;
  direction: 'owed_to_payer' | 'owed_by_payer';
  /**
   * Where the money comes from or goes to: cash_clearing for a PLB (the payer
   * paid more or less by it), remittance_suspense for an exception resolved
   * as the payer's, contractual_writeoff for a claim paid beyond its charge
   * (the posting rule wrote the excess off as a negative adjustment).
   */
  counterAccount: Extract<Account, 'cash_clearing' | 'remittance_suspense' | 'contractual_writeoff'>;
}

/**
 * A payer balance item booked on payer_overpayment (a liability when the
 * practice owes the payer, an asset when the payer owes the practice) — never
 * patient credit or unapplied funds.
 */
export function payerBalance(f: PayerBalanceFacts): Posting {
  const payer = { account: 'payer_overpayment' as const };
  const counter = { account: f.counterAccount };
  return {
    kind: 'payer_balance',
    source: { type: 'payer_balance_item', id: f.payerBalanceItemId },
    lines: f.direction === 'owed_to_payer' ? move(f.amountCents, counter, payer) : move(f.amountCents, payer, counter),
  };
}

/**
 * The practice sends an overpayment back to the payer (a refund check or
 * transfer): what it owed leaves payer_overpayment, and the money leaves cash.
 */
export function payerRefunded(f: { payerBalanceItemId: string; amountCents: Cents }): Posting {
  return {
    kind: 'payer_balance_settled',
    source: { type: 'payer_balance_item', id: f.payerBalanceItemId },
    lines: move(f.amountCents, { account: 'payer_overpayment' }, { account: 'cash_clearing' }),
  };
}

export interface DisputeFacts {
  disputeId: string;
  paymentId: string;
  patientId: string;
  amountCents: Cents;
}

/** A cardholder disputes a charge: the processor takes the amount out of our clearing and holds it until the dispute is settled. */
export function disputeHold(d: DisputeFacts): Posting {
  const dims = { patientId: d.patientId, paymentId: d.paymentId };
  return {
    kind: 'dispute_hold',
    source: { type: 'processor_dispute', id: d.disputeId },
    paymentId: d.paymentId,
    lines: move(d.amountCents, { account: 'processor_disputes', ...dims }, { account: 'cash_clearing', ...dims }),
  };
}

/**
 * A dispute is settled and the hold comes back (the exact negation of
 * disputeHold). Won, the money is ours again; lost, a chargeback refund then
 * takes it out through the one refund posting, like any refund.
 */
export function disputeRelease(d: DisputeFacts): Posting {
  const dims = { patientId: d.patientId, paymentId: d.paymentId };
  return {
    kind: 'dispute_release',
    source: { type: 'processor_dispute', id: d.disputeId },
    paymentId: d.paymentId,
    lines: move(d.amountCents, { account: 'cash_clearing', ...dims }, { account: 'processor_disputes', ...dims }),
  };
}

/**
 * The processor's fee on one balance transaction of a payout, charged against
 * the payment the transaction belongs to — or against no payment for a
 * dashboard charge still held or given back (ADR 0029): the fee is the
 * practice's cost whoever paid.
 */
export function processorFee(f: { payoutItemId: string; paymentId: string | null; patientId: string | null; feeCents: Cents }): Posting {
  const dims = { patientId: f.patientId, paymentId: f.paymentId };
  return {
    kind: 'processor_fee',
    source: { type: 'processor_payout_item', id: f.payoutItemId },
    paymentId: f.paymentId,
    lines: move(f.feeCents, { account: 'processor_fees', ...dims }, { account: 'cash_clearing', ...dims }),
  };
}

/**
 * A charge made in the processor's dashboard that names no patient of ours
 * (ADR 0028): the money is in processor clearing, owed to whoever paid it
 * until a biller says who that is.
 */
export function processorReceiptHeld(r: { receiptId: string; amountCents: Cents }): Posting {
  return {
    kind: 'processor_receipt_held',
    source: { type: 'processor_receipt', id: r.receiptId },
    lines: move(r.amountCents, { account: 'cash_clearing' }, { account: 'unidentified_receipts' }),
  };
}

/**
 * A held receipt leaves the holding account: assigned to a patient (whose
 * payment then receives the money into clearing through the one payment
 * posting) or given back by the processor (refunded in its dashboard).
 */
export function processorReceiptReleased(r: { receiptId: string; amountCents: Cents }): Posting {
  return {
    kind: 'processor_receipt_released',
    source: { type: 'processor_receipt', id: r.receiptId },
    lines: move(r.amountCents, { account: 'unidentified_receipts' }, { account: 'cash_clearing' }),
  };
}

/**
 * Money of a held receipt given back to the cardholder before anyone was
 * named (ADR 0029): refunded through the processor or lost in a dispute. It
 * leaves the holding account and clearing together, once per return.
 */
export function processorReceiptReturned(r: { returnId: string; amountCents: Cents }): Posting {
  return {
    kind: 'processor_receipt_returned',
    source: { type: 'processor_receipt_return', id: r.returnId },
    lines: move(r.amountCents, { account: 'unidentified_receipts' }, { account: 'cash_clearing' }),
  };
}

/** A cardholder disputes a held receipt: the processor holds the amount back from clearing, against no payment yet (ADR 0029). */
export function receiptDisputeHold(r: { receiptId: string; amountCents: Cents }): Posting {
  return {
    kind: 'receipt_dispute_hold',
    source: { type: 'processor_receipt', id: r.receiptId },
    lines: move(r.amountCents, { account: 'processor_disputes' }, { account: 'cash_clearing' }),
  };
}

/** The held receipt's dispute is settled: the hold comes back (the exact negation of receiptDisputeHold); lost, a chargeback return then takes the money out. */
export function receiptDisputeRelease(r: { receiptId: string; amountCents: Cents }): Posting {
  return {
    kind: 'receipt_dispute_release',
    source: { type: 'processor_receipt', id: r.receiptId },
    lines: move(r.amountCents, { account: 'cash_clearing' }, { account: 'processor_disputes' }),
  };
}
