import type { PaymentRow } from '../../db/database.ts';
import type { Compilable } from 'kysely';
import { journalEntryWrites } from '../../db/repositories/journal.ts';
import { writeTogether, type Write } from '../../db/write-together.ts';
import type { Trx } from '../../db/transaction.ts';
import { creditApplied, paymentReceived } from '../../domain/ledger/postings.ts';
import { formatPaymentNumber } from '../../domain/payments/payment-status.ts';
import type { Actor } from '../actor.ts';
import { applyUnappliedFunds } from '../applications/apply-unapplied-funds.ts';

export interface ReceiptOptions {
  /** Writes that go in one round trip with the journal entry: the new payment's own row. */
  alongside?: Write[];
}

/** The journal entry of money arriving (see recordPaymentReceived), as writes not yet sent. */
export function paymentReceivedWrites(trx: Trx, actor: Actor, payment: PaymentRow): Compilable[] {
  const facts = { paymentId: payment.id, patientId: payment.patientId, treatmentId: payment.treatmentId, amountCents: payment.amountCents };
  // A Patient Credit payment is funded from the patient's credit, not from money arriving.
  const posting = payment.method === 'patient_credit' ? creditApplied(facts) : paymentReceived(facts);
  return journalEntryWrites(trx, actor, { ...posting, memo: `${formatPaymentNumber(payment.number)} received (${payment.method ?? 'unspecified'})` }).writes;
}

/**
 * The journal entry of money arriving: the practice now holds it (cash or
 * processor clearing) and owes it to the patient as unapplied funds until it
 * is applied to a balance. Then (SPEC section 3) the money is applied at
 * once: to the linked treatment's open patient responsibility, then to the
 * patient's oldest. A time-of-service payment for an insured visit still with
 * the payers is held as unapplied funds linked to it until the ERA (section 6).
 * A Patient Credit payment is applied by the credit draw that made it.
 * Answers the applications made.
 */
export async function recordPaymentReceived(trx: Trx, actor: Actor, payment: PaymentRow, options: ReceiptOptions = {}) {
  await writeTogether(trx, [...(options.alongside ?? []), ...paymentReceivedWrites(trx, actor, payment)]);
  if (payment.method === 'patient_credit') return [];
  if (payment.treatmentId) {
    const treatment = await trx.selectFrom('treatments').select('insuranceStatus').where('id', '=', payment.treatmentId).executeTakeFirstOrThrow();
    if (treatment.insuranceStatus === 'awaiting') return [];
  }
  return applyUnappliedFunds(trx, actor, payment.patientId, payment.treatmentId, payment.id);
}
