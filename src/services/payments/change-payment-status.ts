import type { PaymentRow } from '../../db/database.ts';
import { nowIso } from '../../db/ids.ts';
import { recordAudit } from '../../db/repositories/audit.ts';
import { enqueueEvent } from '../../db/repositories/outbox.ts';
import { inTransaction, type Db } from '../../db/transaction.ts';
import { AppError } from '../../domain/errors.ts';
import { assertManualTransition, type PaymentMethod, type PaymentStatus } from '../../domain/payments/payment-status.ts';
import type { Actor } from '../actor.ts';
import { requirePayment } from './payment-views.ts';
import { practiceDate } from '../practices/practice-settings.ts';
import { recordPaymentReceived } from './record-payment-received.ts';

export interface StatusChange {
  status: PaymentStatus;
  paidDate?: string | undefined;
  method?: PaymentMethod | undefined;
  checkNumber?: string | undefined;
}

/**
 * Moves a payment along the state machine of SPEC section 3. Reaching Paid
 * books the money in the same transaction; refunded statuses are reached only
 * by recording a refund.
 */
export async function changePaymentStatus(db: Db, actor: Actor, paymentId: string, change: StatusChange): Promise<PaymentRow> {
  return inTransaction(db, async (trx) => {
    const before = await requirePayment(trx, actor, paymentId);
    const from = before.status as PaymentStatus;
    if (before.chargeAttempt !== null) {
      throw new AppError('charge_in_progress', 'A card charge of this payment is with the processor; its status changes when the charge settles.');
    }
    assertManualTransition(from, change.status);
    if (change.method === 'patient_credit') {
      throw new AppError('business_rule', 'Patient Credit payments are made by applying a credit to a treatment.');
    }
    const becomesPaid = change.status === 'paid';
    const set: Partial<PaymentRow> = { status: change.status, updatedAt: nowIso() };
    if (becomesPaid) {
      set.paidDate = change.paidDate ?? (await practiceDate(trx, actor.practiceId));
      set.method = change.method ?? before.method ?? 'cash';
      // A check number belongs to a check: another method drops the one on file.
      set.checkNumber = set.method === 'check' ? (change.checkNumber ?? before.checkNumber) : null;
    }
    // Conditional on the status we read: two racing changes cannot both succeed.
    const result = await trx
      .updateTable('payments')
      .set(set)
      .where('id', '=', paymentId)
      .where('status', '=', from)
      // A charge claimed since our read holds the payment: the charge settles it, not this change.
      .where('chargeAttempt', 'is', null)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) {
      const now = await requirePayment(trx, actor, paymentId);
      if (now.chargeAttempt !== null) throw new AppError('charge_in_progress', 'A card charge of this payment is with the processor; its status changes when the charge settles.');
      throw new AppError('conflict', 'The payment changed status at the same time; reload and try again.');
    }
    let after = await requirePayment(trx, actor, paymentId);
    if (becomesPaid) {
      await recordPaymentReceived(trx, actor, after);
      after = await requirePayment(trx, actor, paymentId);
    }
    await recordAudit(trx, actor, {
      action: 'payment.status_changed',
      entityType: 'payment',
      entityId: paymentId,
      before: { status: from },
      after: { status: change.status, paidDate: after.paidDate, method: after.method, checkNumber: after.checkNumber },
    });
    await enqueueEvent(trx, actor.practiceId, `payment.${change.status}`, { paymentId, from, to: change.status });
    return after;
  });
}
