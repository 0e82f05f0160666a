import { sql } from 'kysely';
import type { CreditTable } from '../../db/database.ts';
import { recordAudit } from '../../db/repositories/audit.ts';
import { postJournalEntry } from '../../db/repositories/journal.ts';
import { enqueueEvent } from '../../db/repositories/outbox.ts';
import { inTransaction, type Db, type Trx } from '../../db/transaction.ts';
import { AppError } from '../../domain/errors.ts';
import { creditCreated, creditTransferred } from '../../domain/ledger/postings.ts';
import type { Actor } from '../actor.ts';
import { applyPayment } from '../applications/apply-payment.ts';
import { requirePatient } from '../patients/patients.ts';
import { insertPayment } from '../payments/create-payment.ts';
import { requireTreatment } from '../treatments/treatments.ts';
import { insertCreditLot } from './credit-lots.ts';
import { wholeList } from '../whole-list.ts';

export function toCredit(row: CreditTable) {
  return {
    id: row.id,
    patientId: row.patientId,
    amountCents: Number(row.amountCents),
    remainingCents: Number(row.remainingCents),
    source: row.source as 'refund' | 'manual' | 'task_dismissal' | 'transfer',
    refundId: row.refundId,
    paymentId: row.paymentId,
    transferredFromId: row.transferredFromId,
    reference: row.reference,
    description: row.description,
    createdAt: row.createdAt,
    createdBy: row.createdBy,
  };
}

async function requireCredit(db: Db, actor: Actor, creditId: string) {
  const row = await db.selectFrom('credits').selectAll().where('id', '=', creditId).where('practiceId', '=', actor.practiceId).executeTakeFirst();
  if (!row) throw new AppError('not_found', 'Credit not found.');
  return row;
}

/** "New Credit": money granted by hand, held for the patient's future visits. */
export async function createCredit(db: Db, actor: Actor, patientId: string, input: { amountCents: number; reference?: string | undefined; description?: string | undefined }) {
  return inTransaction(db, async (trx) => {
    await requirePatient(trx, actor, patientId);
    const lot = await insertCreditLot(trx, actor, {
      patientId,
      amountCents: input.amountCents,
      source: 'manual',
      reference: input.reference ?? null,
      description: input.description ?? null,
    });
    await postJournalEntry(trx, actor, { ...creditCreated({ creditId: lot.id, patientId, amountCents: input.amountCents }), memo: input.description ?? 'New credit' });
    await recordAudit(trx, actor, { action: 'credit.created', entityType: 'credit', entityId: lot.id, after: toCredit(lot) });
    await enqueueEvent(trx, actor.practiceId, 'credit.created', toCredit(lot));
    return toCredit(lot);
  });
}

export async function listCredits(db: Db, actor: Actor, patientId: string) {
  await requirePatient(db, actor, patientId);
  const rows = await db
    .selectFrom('credits')
    .selectAll()
    .where('practiceId', '=', actor.practiceId)
    .where('patientId', '=', patientId)
    .orderBy('createdAt')
    .orderBy('id')
    .execute();
  const items = rows.map(toCredit);
  return { ...wholeList(items), availableCents: items.reduce((s, c) => s + c.remainingCents, 0) };
}

/**
 * Applies (part of) a credit lot to a treatment's patient responsibility: a
 * Paid payment with method Patient Credit, funded from the lot and applied
 * to the treatment, all in one transaction.
 */
export async function applyCredit(db: Db, actor: Actor, treatmentId: string, input: { creditId: string; amountCents: number }) {
  const x = input.amountCents;
  return inTransaction(db, async (trx) => {
    const treatment = await requireTreatment(trx, actor, treatmentId);
    const credit = await requireCredit(trx, actor, input.creditId);
    if (credit.patientId !== treatment.patientId) {
      throw new AppError('validation_failed', "A credit can only pay its own patient's treatments.");
    }
    const drawn = await trx
      .updateTable('credits')
      .set((eb) => ({ remainingCents: eb('remainingCents', '-', x) }))
      .where('id', '=', credit.id)
      .where(sql<boolean>`remaining_cents >= ${x}`)
      .executeTakeFirst();
    if (Number(drawn.numUpdatedRows) !== 1) {
      throw new AppError('credit_exceeds_available', `The credit has only ${credit.remainingCents} cents left.`, { remainingCents: credit.remainingCents });
    }
    const { row: payment } = await insertPayment(trx, actor, {
      patientId: treatment.patientId,
      amountCents: x,
      treatmentId,
      type: 'office_visit',
      method: 'patient_credit',
      status: 'paid',
      memo: `Paid from credit ${credit.id}`,
    });
    const application = await applyPayment(trx, actor, payment.id, { treatmentId, amountCents: x });
    await recordAudit(trx, actor, {
      action: 'credit.applied',
      entityType: 'credit',
      entityId: credit.id,
      before: { remainingCents: credit.remainingCents },
      after: { remainingCents: credit.remainingCents - x, paymentId: payment.id, treatmentId },
    });
    await enqueueEvent(trx, actor.practiceId, 'credit.applied', { creditId: credit.id, paymentId: payment.id, treatmentId, amountCents: x });
    const after = await requireCredit(trx, actor, credit.id);
    return { credit: toCredit(after), paymentId: payment.id, application };
  });
}

/** Credits kept from a dismissed refund-owed task with money left: what applies to a patient's visits by itself. */
export function keptCredits(trx: Trx, actor: Actor) {
  return trx.selectFrom('credits').where('practiceId', '=', actor.practiceId).where('source', '=', 'task_dismissal').where('remainingCents', '>', 0);
}

/**
 * Money kept as credit when a refund-owed task was dismissed applies to the
 * patient's future visits by itself (SPEC section 6): oldest lot first, up to
 * what the treatment still has open. Other credits wait for staff to apply.
 */
export async function applyKeptCredits(trx: Trx, actor: Actor, patientId: string, treatmentId: string) {
  const lots = await keptCredits(trx, actor)
    .select(['id', 'remainingCents'])
    .where('patientId', '=', patientId)
    .orderBy('createdAt')
    .orderBy('id')
    .execute();
  for (const lot of lots) {
    const treatment = await requireTreatment(trx, actor, treatmentId);
    const open = treatment.patientResponsibilityCents - treatment.appliedCents;
    if (open <= 0) return;
    await applyCredit(trx, actor, treatmentId, { creditId: lot.id, amountCents: Math.min(open, Number(lot.remainingCents)) });
  }
}

/** Moves what remains of a credit to another patient of the same practice (admin only, audited). */
export async function transferCredit(db: Db, actor: Actor, creditId: string, toPatientId: string) {
  return inTransaction(db, async (trx) => {
    const credit = await requireCredit(trx, actor, creditId);
    const target = await requirePatient(trx, actor, toPatientId);
    if (target.id === credit.patientId) throw new AppError('validation_failed', 'The credit already belongs to that patient.');
    const amount = Number(credit.remainingCents);
    if (amount <= 0) throw new AppError('credit_exceeds_available', 'Nothing remains of this credit to transfer.');
    const emptied = await trx
      .updateTable('credits')
      .set({ remainingCents: 0 })
      .where('id', '=', creditId)
      .where('remainingCents', '=', amount)
      .executeTakeFirst();
    if (Number(emptied.numUpdatedRows) !== 1) throw new AppError('conflict', 'The credit changed at the same time; reload and try again.');
    const lot = await insertCreditLot(trx, actor, {
      patientId: target.id,
      amountCents: amount,
      source: 'transfer',
      transferredFromId: credit.id,
      reference: credit.reference,
      description: `Transferred from another account${credit.description ? `: ${credit.description}` : ''}`,
    });
    await postJournalEntry(trx, actor, creditTransferred({ newCreditId: lot.id, fromPatientId: credit.patientId, toPatientId: target.id, amountCents: amount }));
    await recordAudit(trx, actor, {
      action: 'credit.transferred',
      entityType: 'credit',
      entityId: credit.id,
      before: { patientId: credit.patientId, remainingCents: amount },
      after: { patientId: target.id, newCreditId: lot.id, amountCents: amount },
    });
    await enqueueEvent(trx, actor.practiceId, 'credit.transferred', { fromCreditId: credit.id, toCreditId: lot.id, toPatientId: target.id, amountCents: amount });
    return toCredit(lot);
  });
}
