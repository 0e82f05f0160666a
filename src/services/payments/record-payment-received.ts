import type { PaymentRow } from '../../db/database.ts';
import { postJournalEntry } from '../../db/repositories/journal.ts';
import type { Trx } from '../../db/transaction.ts';
import { transfer } from '../../domain/ledger/journal.ts';
import { formatPaymentNumber } from '../../domain/payments/payment-status.ts';
import type { Actor } from '../actor.ts';
import { applyUnappliedFunds } from '../applications/apply-unapplied-funds.ts';

/**
 * The journal entry of money arriving: the practice now holds it (cash or
 * processor clearing) and owes it to the patient as unapplied funds until it
 * is applied to a balance. Then (SPEC section 3) the money is applied at
 * once: to the linked treatment's open patient responsibility, then to the
 * patient's oldest. A time-of-service payment for an insured visit still with
 * the payers is held as unapplied funds linked to it until the ERA (section 6).
 * A Patient Credit payment is applied by the credit draw that made it.
 */
export async function recordPaymentReceived(trx: Trx, actor: Actor, payment: PaymentRow): Promise<void> {
  const dims = { patientId: payment.patientId, paymentId: payment.id, treatmentId: payment.treatmentId };
  // A Patient Credit payment is funded from the patient's credit, not from money arriving.
  const source = payment.method === 'patient_credit' ? { account: 'patient_credit' as const, patientId: payment.patientId } : { account: 'cash_clearing' as const, ...dims };
  await postJournalEntry(trx, actor, {
    kind: 'payment_received',
    paymentId: payment.id,
    memo: `${formatPaymentNumber(payment.number)} received (${payment.method ?? 'unspecified'})`,
    lines: transfer(payment.amountCents, source, { account: 'patient_unapplied', ...dims }),
  });
  if (payment.method === 'patient_credit') return;
  if (payment.treatmentId) {
    const treatment = await trx.selectFrom('treatments').select('insuranceStatus').where('id', '=', payment.treatmentId).executeTakeFirstOrThrow();
    if (treatment.insuranceStatus === 'awaiting') return;
  }
  await applyUnappliedFunds(trx, actor, payment.patientId, payment.treatmentId, payment.id);
}
