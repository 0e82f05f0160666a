import { sql } from 'kysely';
import { newId, nowIso } from '../../db/ids.ts';
import { recordAudit } from '../../db/repositories/audit.ts';
import { postJournalEntry } from '../../db/repositories/journal.ts';
import { enqueueEvent } from '../../db/repositories/outbox.ts';
import { deferRow } from '../../db/deferred-rows.ts';
import { inTransaction, type Db, type Trx } from '../../db/transaction.ts';
import { AppError } from '../../domain/errors.ts';
import { application, unapplication } from '../../domain/ledger/postings.ts';
import type { Actor } from '../actor.ts';
import { requirePayment } from '../payments/payment-views.ts';
import { requireTreatment } from '../treatments/treatments.ts';
import { wholeList } from '../whole-list.ts';

export function toApplication(row: { id: string; paymentId: string; treatmentId: string; patientId: string; amountCents: number; createdAt: string; createdBy: string; removedAt: string | null }) {
  return {
    id: row.id,
    paymentId: row.paymentId,
    treatmentId: row.treatmentId,
    patientId: row.patientId,
    amountCents: Number(row.amountCents),
    createdAt: row.createdAt,
    createdBy: row.createdBy,
    removedAt: row.removedAt,
  };
}

/**
 * Applies part of a payment to a treatment's patient responsibility: an
 * explicit record, never implied. Both limits live in the writes: the
 * payment's unapplied money and the treatment's open balance.
 */
export async function applyPayment(db: Db, actor: Actor, paymentId: string, input: { treatmentId: string; amountCents: number }) {
  return inTransaction(db, async (trx) => {
    const payment = await requirePayment(trx, actor, paymentId);
    const treatment = await requireTreatment(trx, actor, input.treatmentId);
    if (treatment.patientId !== payment.patientId) {
      throw new AppError('validation_failed', "A payment can only be applied to its own patient's treatments.");
    }
    if (payment.status !== 'paid' && payment.status !== 'partially_refunded') {
      throw new AppError('business_rule', 'Only money received (a Paid or Partially Refunded payment) can be applied.');
    }
    return writeApplication(trx, actor, {
      paymentId,
      patientId: payment.patientId,
      treatmentId: input.treatmentId,
      amountCents: input.amountCents,
      unappliedCents: payment.amountCents - payment.refundedCents - payment.refundingCents - payment.appliedCents,
      openCents: treatment.patientResponsibilityCents - treatment.appliedCents,
    });
  });
}

/**
 * The writes of an application, for a caller that has checked the payment
 * (received money of the treatment's patient): the payment's and the
 * treatment's conditional updates (the limits), the record, its journal
 * entry, audit and event. `unappliedCents` and `openCents` are what the
 * caller read, for the message when a limit refuses. The record waits with
 * the batch's rows when trx defers them (an 835 set: deferred-rows.ts).
 */
export async function writeApplication(
  trx: Trx,
  actor: Actor,
  input: { paymentId: string; patientId: string; treatmentId: string; amountCents: number; unappliedCents: number; openCents: number },
) {
  const x = input.amountCents;
  const fromPayment = await trx
    .updateTable('payments')
    .set((eb) => ({ appliedCents: eb('appliedCents', '+', x), updatedAt: nowIso() }))
    .where('id', '=', input.paymentId)
    .where(sql<boolean>`applied_cents + ${x} <= amount_cents - refunded_cents - refunding_cents`)
    .executeTakeFirst();
  if (Number(fromPayment.numUpdatedRows) !== 1) {
    throw new AppError('application_exceeds_unapplied', `The payment has only ${Math.max(input.unappliedCents, 0)} cents unapplied.`, { unappliedCents: input.unappliedCents });
  }
  const toTreatment = await trx
    .updateTable('treatments')
    .set((eb) => ({ appliedCents: eb('appliedCents', '+', x) }))
    .where('id', '=', input.treatmentId)
    .where(sql<boolean>`applied_cents + ${x} <= patient_responsibility_cents`)
    .executeTakeFirst();
  if (Number(toTreatment.numUpdatedRows) !== 1) {
    throw new AppError('application_exceeds_balance', `The treatment's open patient balance is ${input.openCents} cents.`, { openCents: input.openCents });
  }
  const row = {
    id: newId(),
    practiceId: actor.practiceId,
    paymentId: input.paymentId,
    treatmentId: input.treatmentId,
    patientId: input.patientId,
    amountCents: x,
    createdAt: nowIso(),
    createdBy: actor.name,
    removedAt: null,
    removedBy: null,
  };
  if (!deferRow(trx, 'applications', row)) await trx.insertInto('applications').values(row).execute();
  await postJournalEntry(trx, actor, application({ applicationId: row.id, paymentId: input.paymentId, patientId: input.patientId, treatmentId: input.treatmentId, amountCents: x }));
  await recordAudit(trx, actor, { action: 'application.created', entityType: 'payment', entityId: input.paymentId, after: toApplication(row) });
  await enqueueEvent(trx, actor.practiceId, 'application.created', toApplication(row));
  return toApplication(row);
}

/** Takes an application back (the over-applied work list's Unapply). The record stays, stamped as removed. */
export async function unapplyPayment(db: Db, actor: Actor, applicationId: string) {
  return inTransaction(db, async (trx) => {
    const row = await trx
      .selectFrom('applications')
      .selectAll()
      .where('id', '=', applicationId)
      .where('practiceId', '=', actor.practiceId)
      .executeTakeFirst();
    if (!row) throw new AppError('not_found', 'Application not found.');
    const removedAt = nowIso();
    const removed = await trx
      .updateTable('applications')
      .set({ removedAt, removedBy: actor.name })
      .where('id', '=', applicationId)
      .where('removedAt', 'is', null)
      .executeTakeFirst();
    if (Number(removed.numUpdatedRows) !== 1) throw new AppError('conflict', 'This application was already removed.');
    const x = Number(row.amountCents);
    await trx.updateTable('payments').set((eb) => ({ appliedCents: eb('appliedCents', '-', x), updatedAt: removedAt })).where('id', '=', row.paymentId).execute();
    await trx.updateTable('treatments').set((eb) => ({ appliedCents: eb('appliedCents', '-', x) })).where('id', '=', row.treatmentId).execute();
    await postJournalEntry(trx, actor, unapplication({ applicationId: row.id, paymentId: row.paymentId, patientId: row.patientId, treatmentId: row.treatmentId, amountCents: x }));
    const after = toApplication({ ...row, removedAt });
    await recordAudit(trx, actor, { action: 'application.removed', entityType: 'payment', entityId: row.paymentId, before: toApplication(row), after });
    await enqueueEvent(trx, actor.practiceId, 'application.removed', after);
    return after;
  });
}

export async function listApplications(db: Db, actor: Actor, paymentId: string) {
  await requirePayment(db, actor, paymentId);
  const rows = await db
    .selectFrom('applications')
    .innerJoin('treatments', 'treatments.id', 'applications.treatmentId')
    .selectAll('applications')
    .select(['treatments.serviceDate', 'treatments.physician'])
    .where('applications.paymentId', '=', paymentId)
    .orderBy('applications.createdAt')
    .orderBy('applications.id')
    .execute();
  // The visit's date and physician: what staff recognise a treatment by.
  const items = rows.map(({ serviceDate, physician, ...row }) => ({ ...toApplication(row), treatment: { serviceDate, physician } }));
  return wholeList(items);
}
