import type { JournalLine } from '../ledger/journal.ts';
import type { Cents } from '../money.ts';
import type { ClaimPostingKind } from './decide-claim-posting.ts';

/**
 * What a decided claim payment moves. A `ClaimPostingDecision` is one; a
 * reversal (22) passes the original posting's amounts negated, so its lines
 * are exactly the original's undone; an exception (no claim of ours, a claim
 * that does not balance, a malformed CLP) holds the payer's money in suspense.
 */
export interface ClaimPaymentMovement {
  kind: ClaimPostingKind | 'exception';
  /** CLP04: cash from the payer (negative in a reversal). */
  paidCents: Cents;
  /** Written off (CO, PI, CR, OA except OA-23). */
  contractualCents: Cents;
  /** PR that became the patient's (no next coverage). PR forwarded to the next coverage stays insurance receivable. */
  toPatientCents: Cents;
}

export interface RemittanceDimensions {
  patientId?: string | null;
  treatmentId?: string | null;
  /**
   * Where the payer's money is: cash_clearing when it arrives with the
   * payment; remittance_suspense when an exception held it and a biller now
   * matches it to a claim (the same rule, the money taken out of suspense).
   */
  fundedFrom?: 'cash_clearing' | 'remittance_suspense';
}

/**
 * The one posting rule for a claim payment (SPEC section 6), as journal
 * lines over the chart of accounts; positive is a debit. The claim's
 * insurance receivable is credited with everything the payer settled: its
 * cash (cash_clearing), its write-offs (contractual_writeoff) and what it
 * left to the patient (patient_receivable). A denial moves only its cash;
 * money the practice cannot yet place (not ours, exceptions) waits in
 * remittance_suspense. Zero lines are left out: a movement of nothing has no
 * lines.
 */
export function claimPaymentJournalLines(movement: ClaimPaymentMovement, dims: RemittanceDimensions = {}): JournalLine[] {
  const on = { patientId: dims.patientId ?? null, treatmentId: dims.treatmentId ?? null };
  const funds = dims.fundedFrom ?? 'cash_clearing';
  if (funds === 'remittance_suspense' && (movement.kind === 'not_ours' || movement.kind === 'exception')) {
    throw new Error('money in suspense is matched to a claim, not held in suspense again');
  }
  let lines: JournalLine[];
  switch (movement.kind) {
    case 'processed':
    case 'reversal':
      lines = [
        { account: funds, amountCents: movement.paidCents, ...(funds === 'cash_clearing' ? on : {}) },
        { account: 'contractual_writeoff', amountCents: movement.contractualCents, ...on },
        { account: 'patient_receivable', amountCents: movement.toPatientCents, ...on },
        { account: 'insurance_receivable', amountCents: -(movement.paidCents + movement.contractualCents + movement.toPatientCents), ...on },
      ];
      break;
    case 'denied':
      // The claim stays receivable for the biller to appeal or write off; only money that came moves.
      if (movement.contractualCents !== 0 || movement.toPatientCents !== 0) {
        throw new Error('a denial writes nothing off and passes nothing to the patient');
      }
      lines = [
        { account: funds, amountCents: movement.paidCents, ...(funds === 'cash_clearing' ? on : {}) },
        { account: 'insurance_receivable', amountCents: -movement.paidCents, ...on },
      ];
      break;
    case 'not_ours':
    case 'exception':
      // The money arrived with the payment (so cash matches BPR02) but belongs to no claim yet.
      lines = [
        { account: 'cash_clearing', amountCents: movement.paidCents },
        { account: 'remittance_suspense', amountCents: -movement.paidCents },
      ];
      break;
  }
  return lines.filter((line) => line.amountCents !== 0);
}

/** A PLB amount: positive reduces the payer's payment (the practice gets less cash), negative (interest) adds to it. */
export function providerAdjustmentJournalLines(amountCents: Cents): JournalLine[] {
  if (amountCents === 0) return [];
  return [
    { account: 'provider_adjustment', amountCents },
    { account: 'cash_clearing', amountCents: -amountCents },
  ];
}
