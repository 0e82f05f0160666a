import type { UpdatePaymentBody } from '../../contracts/payments.ts';
import type { PaymentRow } from '../../db/database.ts';
import { nowIso } from '../../db/ids.ts';
import { recordAudit } from '../../db/repositories/audit.ts';
import { inTransaction, type Db } from '../../db/transaction.ts';
import { AppError } from '../../domain/errors.ts';
import { isEditable, statusLabels, type PaymentStatus } from '../../domain/payments/payment-status.ts';
import type { Actor } from '../actor.ts';
import { requireLocation } from '../locations/locations.ts';
import { requireTreatment } from '../treatments/treatments.ts';
import { requirePayment } from './payment-views.ts';

/** Edits a payment's terms; refused once money has moved (Paid, refunded, Voided). */
export async function updatePayment(db: Db, actor: Actor, paymentId: string, input: UpdatePaymentBody): Promise<PaymentRow> {
  return inTransaction(db, async (trx) => {
    const before = await requirePayment(trx, actor, paymentId);
    const status = before.status as PaymentStatus;
    if (before.chargeAttempt !== null) {
      throw new AppError('charge_in_progress', 'A card charge of this payment is with the processor; it can be edited once the charge settles.');
    }
    if (!isEditable(status)) {
      throw new AppError(
        'payment_locked',
        `A ${statusLabels[status]} payment cannot be edited; add a note or a document instead.`,
        { status },
      );
    }
    const changes: Partial<PaymentRow> = {};
    if (input.amountCents !== undefined) changes.amountCents = input.amountCents;
    if (input.memo !== undefined) changes.memo = input.memo;
    if (input.dueDate !== undefined) changes.dueDate = input.dueDate;
    if (input.type !== undefined) changes.type = input.type;
    if (input.checkNumber !== undefined) changes.checkNumber = input.checkNumber;
    if (input.method !== undefined) {
      if (input.method === 'patient_credit') {
        throw new AppError('business_rule', 'Patient Credit payments are made by applying a credit to a treatment.');
      }
      changes.method = input.method;
    }
    if (input.locationId !== undefined) {
      await requireLocation(trx, actor, input.locationId);
      changes.locationId = input.locationId;
    }
    if (input.treatmentId !== undefined) {
      if (input.treatmentId !== null) {
        const treatment = await requireTreatment(trx, actor, input.treatmentId);
        if (treatment.patientId !== before.patientId) {
          throw new AppError('validation_failed', 'The treatment belongs to another patient.');
        }
        if (input.locationId === undefined) changes.locationId = treatment.locationId;
      }
      changes.treatmentId = input.treatmentId;
    }
    // The status is part of the condition: a payment paid in the meantime is not edited.
    const result = await trx
      .updateTable('payments')
      .set({ ...changes, updatedAt: nowIso() })
      .where('id', '=', paymentId)
      .where('status', '=', before.status)
      .where('chargeAttempt', 'is', null)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) {
      const now = await requirePayment(trx, actor, paymentId);
      if (now.chargeAttempt !== null) throw new AppError('charge_in_progress', 'A card charge of this payment is with the processor; it can be edited once the charge settles.');
      throw new AppError('conflict', 'The payment changed while you were editing it; reload and try again.');
    }
    const after = await requirePayment(trx, actor, paymentId);
    await recordAudit(trx, actor, { action: 'payment.updated', entityType: 'payment', entityId: paymentId, before, after });
    return after;
  });
}
