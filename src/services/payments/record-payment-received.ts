import type { PaymentRow } from '../../db/database.ts';
import { postJournalEntry } from '../../db/repositories/journal.ts';
import type { Trx } from '../../db/transaction.ts';
import { transfer } from '../../domain/ledger/journal.ts';
import { formatPaymentNumber } from '../../domain/payments/payment-status.ts';
import type { Actor } from '../actor.ts';

/**
 * The journal entry of money arriving: the practice now holds it (cash or
 * processor clearing) and owes it to the patient as unapplied funds until it
 * is applied to a balance.
 */
export async function recordPaymentReceived(trx: Trx, actor: Actor, payment: PaymentRow): Promise<void> {
  const dims = { patientId: payment.patientId, paymentId: payment.id, treatmentId: payment.treatmentId };
  await postJournalEntry(trx, actor, {
    kind: 'payment_received',
    paymentId: payment.id,
    memo: `${formatPaymentNumber(payment.number)} received (${payment.method ?? 'unspecified'})`,
    lines: transfer(payment.amountCents, { account: 'cash_clearing', ...dims }, { account: 'patient_unapplied', ...dims }),
  });
}
