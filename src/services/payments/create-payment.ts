import type { CreatePaymentBody } from '../../contracts/payments.ts';
import type { PaymentRow } from '../../db/database.ts';
import { newId, nowIso } from '../../db/ids.ts';
import { preparedInsert, preparedQuery } from '../../db/prepared-query.ts';
import { auditWrite } from '../../db/repositories/audit.ts';
import { eventWrite } from '../../db/repositories/outbox.ts';
import { writeTogether, type Write } from '../../db/write-together.ts';
import { lateNumber, type NumberShown } from '../../db/late-number.ts';
import { formatPaymentNumber } from '../../domain/payments/payment-status.ts';
import { calendarDateIn } from '../../domain/calendar/practice-calendar.ts';
import { inTransaction, type Db, type Trx } from '../../db/transaction.ts';
import { AppError } from '../../domain/errors.ts';
import type { Actor } from '../actor.ts';
import { openTreatmentsQuery } from '../applications/apply-unapplied-funds.ts';
import { requireActiveLocation } from '../locations/locations.ts';
import { patientNotFound, patientOfPracticeQuery, paymentSortNameOf } from '../patients/patients.ts';
import { requireTreatment } from '../treatments/treatments.ts';
import { locationNameOf, requirePayment, type NamedPayment } from './payment-views.ts';
import { paymentReceivedWrites, recordPaymentReceived } from './record-payment-received.ts';

// The payment's number is taken by the statement that writes the payment (a LateNumber, ADR 0064): the conditional
// update is the lock, which PostgreSQL then holds for that statement and the COMMIT; SQLite has one writer.
// Compiled once (ADR 0050).
const takeNumber = preparedQuery((db, v: { practiceId: string }) =>
  db
    .updateTable('practices')
    .set((eb) => ({ paymentSeq: eb('paymentSeq', '+', 1) }))
    .where('id', '=', v.practiceId)
    .returning('paymentSeq'),
);

/** PAY-001: formatPaymentNumber, and the same in PostgreSQL's SQL for the statement that takes the number. */
export const paymentNumberShown: NumberShown = {
  js: formatPaymentNumber,
  sql: (n) => `'PAY-' || lpad((${n})::text, greatest(3, length((${n})::text)), '0')`,
};

const insertPaymentRow = preparedInsert('payments', {
  id: true, practiceId: true, number: true, patientId: true, patientName: true, locationId: true, treatmentId: true, amountCents: true,
  refundedCents: true, refundingCents: true, appliedCents: true, status: true, type: true, method: true, checkNumber: true, dueDate: true,
  paidDate: true, memo: true, linkToken: true, linkExpiresAt: true, processorReference: true, chargeAttempt: true, cardLast4: true,
  createdAt: true, createdBy: true, updatedAt: true,
});

/**
 * The patient, whether anything of theirs is open to funds, and the practice's time zone, in one read before the
 * number's lock (ADR 0070): three round trips were one each. The patient and the open test are requirePatient's and
 * openBalances' own queries (their builders), so there is one form of each.
 */
const payerOfPayment = preparedQuery((db, v: { patientId: string; practiceId: string }) =>
  patientOfPracticeQuery(db, { id: v.patientId, practiceId: v.practiceId }).select((eb) => [
    eb.exists(openTreatmentsQuery(db, { practiceId: v.practiceId, patientId: v.patientId })).as('anythingOpen'),
    eb.selectFrom('practices').select('timeZone').where('practices.id', '=', v.practiceId).$asScalar().as('timeZone'),
  ]),
);

export interface CreatePaymentOptions {
  /**
   * Leave the payment's last writes (its row, journal entry, audit and event
   * when nothing is applied) unsent, for the caller to send with its own next
   * write (the idempotency key's answer, answerWithWrites): one round trip
   * fewer while the practice's number row is locked (ADR 0064). Only for a
   * caller that sends them before its commit and reads none of them first.
   */
  leaveLastWrites?: boolean;
}

export type CreatedPayment = NamedPayment & {
  /** The writes left unsent (leaveLastWrites), the payment's number first; empty when they were sent. */
  unsent: Write[];
};

export async function createPayment(db: Db, actor: Actor, input: CreatePaymentBody, options: CreatePaymentOptions = {}): Promise<CreatedPayment> {
  if (input.method === 'patient_credit') {
    throw new AppError('business_rule', 'Patient Credit payments are made by applying a credit to a treatment.');
  }
  return insertPayment(db, actor, input, options);
}

/**
 * Creates any payment, Patient Credit ones included (those only through
 * applying a credit); answers it with its names, from the rows in hand.
 */
export async function insertPayment(db: Db, actor: Actor, input: CreatePaymentBody, options: CreatePaymentOptions = {}): Promise<CreatedPayment> {
  const status = input.status ?? 'pending';
  if (input.paidDate && status !== 'paid') {
    throw new AppError('validation_failed', 'paidDate is only for a payment created as paid.');
  }
  return inTransaction(db, async (trx) => {
    const [patient] = (await trx.executeQuery(payerOfPayment(trx, { patientId: input.patientId, practiceId: actor.practiceId }))).rows;
    if (!patient) throw patientNotFound();
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
    const chosenLocation = input.locationId ? await requireActiveLocation(trx, actor, input.locationId) : undefined;
    const method = input.method ?? (status === 'paid' ? 'cash' : null);
    // Read before the payment number's lock below, which the practice's other payments wait for (the patient's read
    // above): a patient who owes nothing has nothing to apply the money to, and the payment is then written in one
    // round trip; the location's name is read here for the same reason.
    const nothingOpen = status === 'paid' && method !== 'patient_credit' && !patient.anythingOpen;
    const locationName = chosenLocation ? chosenLocation.name : await locationNameOf(trx, locationId);
    const today = calendarDateIn(patient.timeZone);
    const now = nowIso();
    const number = lateNumber(takeNumber(trx, { practiceId: actor.practiceId }), paymentNumberShown);
    const row: PaymentRow = {
      id: newId(),
      practiceId: actor.practiceId,
      number: number.standIn,
      patientId: patient.id,
      patientName: paymentSortNameOf(patient.firstName, patient.lastName),
      locationId,
      treatmentId: input.treatmentId ?? null,
      amountCents: input.amountCents,
      refundedCents: 0,
      appliedCents: 0,
      status,
      type: input.type ?? (input.treatmentId ? 'office_visit' : 'private_pay'),
      method,
      checkNumber: input.checkNumber ?? null,
      dueDate: input.dueDate ?? null,
      paidDate: status === 'paid' ? (input.paidDate ?? today) : null,
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
    const insert = insertPaymentRow(trx, [row]);
    const created = () => [
      // The row as written: its number once taken (the applied path takes it with the journal entry), else the stand-in.
      auditWrite(trx, actor, { action: 'payment.created', entityType: 'payment', entityId: row.id, after: number.value === undefined ? row : { ...row, number: number.value } }),
      eventWrite(trx, actor.practiceId, 'payment.created', { paymentId: row.id, status, amountCents: row.amountCents }),
    ];
    let applied = false;
    let lastWrites: Write[];
    if (status !== 'paid') {
      lastWrites = [number, insert, ...created()];
    } else if (nothingOpen) {
      lastWrites = [number, insert, ...created(), ...paymentReceivedWrites(trx, actor, row)];
    } else {
      // The row goes with its journal entry (the number taken then); audit and event follow the applications' own.
      applied = (await recordPaymentReceived(trx, actor, row, { alongside: [number, insert] })).length > 0;
      lastWrites = created();
    }
    if (!options.leaveLastWrites) await writeTogether(trx, lastWrites);
    const names = { patientName: `${patient.firstName} ${patient.lastName}`, locationName, today };
    const unsent = options.leaveLastWrites ? lastWrites : [];
    // Receiving the money applied it: read back its applied total.
    if (applied) return { row: await requirePayment(trx, actor, row.id), names, unsent };
    // Left unsent, the number is not taken yet: the row and the answer hold its stand-in until the caller sends them.
    return { row: number.value === undefined ? row : { ...row, number: number.value }, names, unsent };
  });
}
