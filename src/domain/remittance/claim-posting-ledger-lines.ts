import type { Cents } from '../money.ts';
import type { ClaimPostingDecision } from './decide-claim-posting.ts';

/**
 * Symbolic accounts; the posting service binds them to the practice's real ones:
 * - insurance_receivable: the receivable of the claim this remittance answers;
 * - next_payer_receivable: the receivable of the claim to the next coverage;
 * - patient_receivable: the treatment's patient receivable;
 * - cash_insurance: payer money received (clearing until deposited);
 * - contractual_writeoff: contractual and other write-offs (a contra-revenue account).
 */
export type RemittanceAccount =
  | 'insurance_receivable'
  | 'next_payer_receivable'
  | 'patient_receivable'
  | 'cash_insurance'
  | 'contractual_writeoff';

/** Positive amounts are debits, negative are credits; the lines of one entry sum to zero. */
export interface LedgerLine {
  account: RemittanceAccount;
  amountCents: Cents;
}

/**
 * The journal lines a claim posting decision writes. The claim's receivable is
 * credited with everything the remittance settles; the other side is split
 * between cash, write-off, the next payer and the patient. A reversal's
 * decision has negated amounts, so its lines are the original's negated.
 * Zero lines are left out; a decision that moves nothing gives no lines.
 */
export function claimPostingLedgerLines(decision: ClaimPostingDecision): LedgerLine[] {
  const lines: LedgerLine[] = [
    { account: 'cash_insurance', amountCents: decision.paidCents },
    { account: 'contractual_writeoff', amountCents: decision.contractualCents },
    { account: 'next_payer_receivable', amountCents: decision.forwardToNextPayerCents },
    { account: 'patient_receivable', amountCents: decision.toPatientCents },
    {
      account: 'insurance_receivable',
      amountCents: -(
        decision.paidCents +
        decision.contractualCents +
        decision.forwardToNextPayerCents +
        decision.toPatientCents
      ),
    },
  ];
  return lines.filter((line) => line.amountCents !== 0);
}
