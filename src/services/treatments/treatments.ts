import type { CreateTreatmentBody } from '../../contracts/treatments.ts';
import { AppError } from '../../domain/errors.ts';
import { sumCents } from '../../domain/money.ts';
import { formatPaymentNumber } from '../../domain/payments/payment-status.ts';
import { isOverdue } from '../../domain/payments/overdue.ts';
import { newId, nowIso } from '../../db/ids.ts';
import { recordAudit } from '../../db/repositories/audit.ts';
import { postJournalEntry } from '../../db/repositories/journal.ts';
import { charge } from '../../domain/ledger/postings.ts';
import { inTransaction, readTogether, type Db } from '../../db/transaction.ts';
import type { Actor } from '../actor.ts';
import { requireActiveLocation } from '../locations/locations.ts';
import { requirePatient } from '../patients/patients.ts';
import { listTreatmentClaims } from '../claims/claims.ts';
import { practiceDate } from '../practices/practice-settings.ts';
import { applyToNewResponsibility } from './settle-patient-responsibility.ts';
import { refundedButApplied } from './treatment-insurance-figures.ts';

/**
 * Records a visit with its CPT lines. A patient with no coverage is self-pay:
 * the whole charge is patient responsibility at once. An insured visit's
 * charge waits on the payers (claims and remittance) before the patient owes it.
 */
export async function createTreatment(db: Db, actor: Actor, input: CreateTreatmentBody) {
  return inTransaction(db, async (trx) => {
    await requirePatient(trx, actor, input.patientId);
    await requireActiveLocation(trx, actor, input.locationId);
    const coverage = await trx
      .selectFrom('coverages')
      .select('id')
      .where('patientId', '=', input.patientId)
      .executeTakeFirst();
    const chargeCents = sumCents(input.lines.map((l) => l.chargeCents * (l.units ?? 1)));
    const selfPay = !coverage;
    const row = {
      id: newId(),
      practiceId: actor.practiceId,
      patientId: input.patientId,
      locationId: input.locationId,
      serviceDate: input.serviceDate,
      serviceTime: input.serviceTime ?? null,
      physician: input.physician,
      chargeCents,
      patientResponsibilityCents: selfPay ? chargeCents : 0,
      appliedCents: 0,
      insuranceStatus: selfPay ? 'self_pay' : 'awaiting',
      createdAt: nowIso(),
    };
    await trx.insertInto('treatments').values(row).execute();
    await trx
      .insertInto('treatmentLines')
      .values(
        input.lines.map((line, index) => ({
          id: newId(),
          practiceId: actor.practiceId,
          treatmentId: row.id,
          lineNumber: index + 1,
          cpt: line.cpt,
          chargeCents: line.chargeCents,
          units: line.units ?? 1,
        })),
      )
      .execute();
    await postJournalEntry(trx, actor, {
      ...charge({ treatmentId: row.id, patientId: row.patientId, chargeCents, selfPay }),
      memo: `Charges for the visit of ${row.serviceDate}`,
    });
    // A self-pay visit is patient responsibility at once: money the patient already left with us pays it.
    if (selfPay && chargeCents > 0) await applyToNewResponsibility(trx, actor, row);
    await recordAudit(trx, actor, {
      action: 'treatment.created',
      entityType: 'treatment',
      entityId: row.id,
      after: { ...row, lines: input.lines },
    });
    return getTreatment(trx, actor, row.id);
  });
}

export async function requireTreatment(db: Db, actor: Actor, treatmentId: string) {
  const row = await db
    .selectFrom('treatments')
    .selectAll()
    .where('id', '=', treatmentId)
    .where('practiceId', '=', actor.practiceId)
    .executeTakeFirst();
  if (!row) throw new AppError('not_found', 'Treatment not found.');
  return row;
}

export async function getTreatment(db: Db, actor: Actor, treatmentId: string) {
  const row = await requireTreatment(db, actor, treatmentId);
  const today = await practiceDate(db, actor.practiceId);
  // createTreatment answers through here inside its transaction: readTogether keeps one query at a time there.
  const [location, lines, payments] = await readTogether(db, [
    () => db.selectFrom('locations').select('name').where('id', '=', row.locationId).executeTakeFirstOrThrow(),
    () => db.selectFrom('treatmentLines').select(['cpt', 'chargeCents', 'units']).where('treatmentId', '=', treatmentId).orderBy('lineNumber').execute(),
    () =>
      db
        .selectFrom('payments')
        .select(['id', 'number', 'amountCents', 'status', 'dueDate', 'paidDate'])
        .where('practiceId', '=', actor.practiceId)
        .where('treatmentId', '=', treatmentId)
        .orderBy('number')
        .execute(),
  ]);
  return {
    id: row.id,
    patientId: row.patientId,
    locationId: row.locationId,
    locationName: location.name,
    serviceDate: row.serviceDate,
    serviceTime: row.serviceTime,
    physician: row.physician,
    lines,
    chargeCents: row.chargeCents,
    patientResponsibilityCents: row.patientResponsibilityCents,
    // Money a refund took back is not paid, though its application stays (the over-applied work list).
    balanceCents: row.patientResponsibilityCents - row.appliedCents + ((await refundedButApplied(db, actor, row.patientId)).get(row.id) ?? 0),
    payments: payments.map((p) => ({
      id: p.id,
      number: formatPaymentNumber(p.number),
      amountCents: p.amountCents,
      status: p.status,
      dueDate: p.dueDate,
      paidDate: p.paidDate,
      overdue: isOverdue(p.status, p.dueDate, today),
    })),
    claims: await listTreatmentClaims(db, treatmentId),
    insuranceStatus: row.insuranceStatus as 'self_pay' | 'awaiting' | 'settled',
    createdAt: row.createdAt,
  };
}
