import type { CreatePaymentBody } from '../../contracts/payments.ts';
import type { PaymentRow } from '../../db/database.ts';
import { newId, nowIso } from '../../db/ids.ts';
import { recordAudit } from '../../db/repositories/audit.ts';
import { enqueueEvent } from '../../db/repositories/outbox.ts';
import { inTransaction, type Db, type Trx } from '../../db/transaction.ts';
import { AppError } from '../../domain/errors.ts';
import type { Actor } from '../actor.ts';
import { requireActiveLocation } from '../locations/locations.ts';
import { paymentSortNameOf, requirePatient } from '../patients/patients.ts';
import { requireTreatment } from '../treatments/treatments.ts';
import { requirePayment } from './payment-views.ts';
import { practiceDate } from '../practices/practice-settings.ts';
import { recordPaymentReceived } from './record-payment-received.ts';

/** Hands out the next payment number of the practice inside the caller's transaction: no gaps, no repeats. */
async function nextPaymentNumber(trx: Trx, practiceId: string): Promise<number> {
  // The conditional update is the lock: PostgreSQL holds the row until commit, SQLite has one writer.
  const row = await trx
    .updateTable('practices')
    .set((eb) => ({ paymentSeq: eb('paymentSeq', '+', 1) }))
    .where('id', '=', practiceId)
    .returning('paymentSeq')
    .executeTakeFirstOrThrow();
  return Number(row.paymentSeq);
}

export async function createPayment(db: Db, actor: Actor, input: CreatePaymentBody): Promise<PaymentRow> {
  if (input.method === 'patient_credit') {
    throw new AppError('business_rule', 'Patient Credit payments are made by applying a credit to a treatment.');
  }
  return insertPayment(db, actor, input);
}

/** Creates any payment, Patient Credit ones included (those only through applying a credit). */
export async function insertPayment(db: Db, actor: Actor, input: CreatePaymentBody): Promise<PaymentRow> {
  const status = input.status ?? 'pending';
  if (input.paidDate && status !== 'paid') {
    throw new AppError('validation_failed', 'paidDate is only for a payment created as paid.');
  }
  return inTransaction(db, async (trx) => {
    const patient = await requirePatient(trx, actor, input.patientId);
    let locationId = input.locationId ?? null;
    if (input.treatmentId) {
      const treatment = await requireTreatment(trx, actor, input.treatmentId);
      if (treatment.patientId !== patient.id) {
        throw new AppError('validation_failed', 'The treatment belongs to another patient.');
      }
      // SPEC: the location comes from the treatment unless chosen.
      locationId ??= treatment.locationId;
    }
    // A chosen location must be active; a past visit's location is kept even if deactivated since.
    if (input.locationId) await requireActiveLocation(trx, actor, input.locationId);
    const now = nowIso();
    const row: PaymentRow = {
      id: newId(),
      practiceId: actor.practiceId,
      number: await nextPaymentNumber(trx, actor.practiceId),
      patientId: patient.id,
      patientName: paymentSortNameOf(patient.firstName, patient.lastName),
      locationId,
      treatmentId: input.treatmentId ?? null,
      amountCents: input.amountCents,
      refundedCents: 0,
      appliedCents: 0,
      status,
      type: input.type ?? (input.treatmentId ? 'office_visit' : 'private_pay'),
      method: input.method ?? (status === 'paid' ? 'cash' : null),
      checkNumber: input.checkNumber ?? null,
      dueDate: input.dueDate ?? null,
      paidDate: status === 'paid' ? (input.paidDate ?? (await practiceDate(trx, actor.practiceId))) : null,
      memo: input.memo ?? null,
      linkToken: null,
      linkExpiresAt: null,
      processorReference: input.processorReference ?? null,
      chargeAttempt: null,
      cardLast4: null,
      refundingCents: 0,
      createdAt: now,
      createdBy: actor.name,
      updatedAt: now,
    };
    await trx.insertInto('payments').values(row).execute();
    if (status === 'paid') await recordPaymentReceived(trx, actor, row);
    await recordAudit(trx, actor, { action: 'payment.created', entityType: 'payment', entityId: row.id, after: row });
    await enqueueEvent(trx, actor.practiceId, 'payment.created', { paymentId: row.id, status, amountCents: row.amountCents });
    // Read back: receiving the money may have applied it already.
    return requirePayment(trx, actor, row.id);
  });
}
