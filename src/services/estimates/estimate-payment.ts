import type { Estimate } from '../../contracts/eligibility.ts';
import type { Db } from '../../db/transaction.ts';
import { AppError } from '../../domain/errors.ts';
import { computeEstimate, type EstimatePaymentType, type ProcedureBenefit } from '../../domain/estimates/compute-estimate.ts';
import { formatCents, toCents } from '../../domain/money.ts';
import type { Actor } from '../actor.ts';
import { latestUsableEligibilityCheck } from '../eligibility/eligibility-check-view.ts';
import { requirePatient } from '../patients/patients.ts';
import { requireTreatment } from '../treatments/treatments.ts';

/**
 * SPEC section 8: the patient's share of a treatment, estimated from their
 * most recent eligibility check that was not rejected, and from the payer's
 * fee schedule where the practice has one. A figure the check does not state
 * is not guessed silently: the estimate says what it assumed.
 */
export async function estimatePayment(
  db: Db,
  actor: Actor,
  query: { patientId: string; treatmentId: string; type: EstimatePaymentType },
): Promise<Estimate> {
  await requirePatient(db, actor, query.patientId);
  const treatment = await requireTreatment(db, actor, query.treatmentId);
  if (treatment.patientId !== query.patientId) throw new AppError('validation_failed', 'The treatment belongs to another patient.');
  const check = await latestUsableEligibilityCheck(db, actor, query.patientId);
  if (!check) {
    throw new AppError(
      'eligibility_missing',
      'There is no eligibility check for this patient that the payer did not reject: enter one or import a 271 first.',
    );
  }
  const lines = await db
    .selectFrom('treatmentLines')
    .select(['cpt', 'chargeCents', 'units'])
    .where('treatmentId', '=', treatment.id)
    .orderBy('lineNumber')
    .execute();

  const notes: string[] = [];
  if (check.status === 'inactive') {
    notes.push('The eligibility check found no active coverage for this service: the patient may owe the whole charge.');
  }
  const coinsurance = check.coinsuranceBasisPoints === null ? null : Number(check.coinsuranceBasisPoints);
  if (coinsurance === null) notes.push('The eligibility check states no coinsurance: 0 % was used.');
  const deductibleRemaining = check.deductibleRemainingCents === null ? null : toCents(check.deductibleRemainingCents);
  if (deductibleRemaining === null) notes.push('The eligibility check states no remaining deductible: $0.00 was used.');
  const oopRemaining = check.oopRemainingCents === null ? null : toCents(check.oopRemainingCents);
  if (oopRemaining === null) notes.push('The eligibility check states no out-of-pocket remaining: the total is not capped.');
  const copay = check.copayCents === null ? null : toCents(check.copayCents);

  const payerId = check.payerId ?? (await primaryPayerId(db, actor, query.patientId));
  const feeSchedule = payerId ? await feeScheduleFor(db, actor, payerId, lines, notes) : {};

  const estimate = computeEstimate({
    eligibility: {
      copayCents: copay,
      coinsuranceBasisPoints: coinsurance ?? 0,
      deductibleRemainingCents: deductibleRemaining ?? 0,
      oopRemainingCents: oopRemaining ?? Number.MAX_SAFE_INTEGER,
      procedures: JSON.parse(check.procedures) as ProcedureBenefit[],
    },
    lines: lines.map((l) => ({ cpt: l.cpt, chargeCents: toCents(l.chargeCents) * l.units })),
    paymentType: query.type,
    feeSchedule,
  });
  if (estimate.cappedByOop) {
    notes.push(`Capped at the out-of-pocket remaining of ${formatCents(estimate.totalCents)} (the lines add up to ${formatCents(estimate.subtotalCents)}).`);
  }
  return {
    patientId: query.patientId,
    treatmentId: treatment.id,
    type: query.type,
    lines: estimate.lines.map((line, index) => ({ ...line, units: lines[index]!.units })),
    subtotalCents: estimate.subtotalCents,
    totalCents: estimate.totalCents,
    cappedByOop: estimate.cappedByOop,
    deductibleRemainingAfterCents: estimate.deductibleRemainingAfterCents,
    basis: estimate.basis,
    basisNote: estimate.basisNote,
    eligibilityCheckId: check.id,
    eligibility: {
      checkedAt: check.createdAt,
      source: check.source as 'manual' | 'x12_271',
      payerName: check.payerName,
      copayCents: copay,
      coinsuranceBasisPoints: coinsurance ?? 0,
      deductibleRemainingCents: deductibleRemaining ?? 0,
      oopRemainingCents: oopRemaining,
    },
    notes,
  };
}

async function primaryPayerId(db: Db, actor: Actor, patientId: string): Promise<string | null> {
  const primary = await db
    .selectFrom('coverages')
    .select('payerId')
    .where('practiceId', '=', actor.practiceId)
    .where('patientId', '=', patientId)
    .where('coverageOrder', '=', 1)
    .executeTakeFirst();
  return primary?.payerId ?? null;
}

/**
 * The payer's allowed amounts for the treatment's CPTs, per line (allowed ×
 * units). The estimate takes one amount per CPT, so a CPT billed on several
 * lines with different units is estimated on its charges, and says so.
 */
async function feeScheduleFor(
  db: Db,
  actor: Actor,
  payerId: string,
  lines: ReadonlyArray<{ cpt: string; units: number }>,
  notes: string[],
): Promise<Record<string, number>> {
  const cpts = [...new Set(lines.map((l) => l.cpt))];
  if (cpts.length === 0) return {};
  const rows = await db
    .selectFrom('feeScheduleEntries')
    .select(['cpt', 'allowedCents'])
    .where('practiceId', '=', actor.practiceId)
    .where('payerId', '=', payerId)
    .where('cpt', 'in', cpts)
    .execute();
  const schedule: Record<string, number> = {};
  for (const row of rows) {
    const units = new Set(lines.filter((l) => l.cpt === row.cpt).map((l) => l.units));
    if (units.size !== 1) {
      notes.push(`CPT ${row.cpt} is billed with different units on several lines: estimated on its charges, not the fee schedule.`);
      continue;
    }
    schedule[row.cpt] = toCents(row.allowedCents) * [...units][0]!;
  }
  return schedule;
}
