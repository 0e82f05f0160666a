import type { Trx } from '../../db/transaction.ts';
import { allocateUnappliedFunds } from '../../domain/allocation/allocate-unapplied-funds.ts';
import type { Actor } from '../actor.ts';
import { writeApplication } from './apply-payment.ts';
import { fundLots } from './apply-unapplied-funds.ts';
import { keptCredits } from '../credits/credits.ts';

/**
 * What applying a patient's unapplied funds works from, read for many
 * patients at once (an 835 transaction set's patients: three queries a set
 * instead of three a settled claim) and kept up to date in memory as the
 * set's claims settle: every treatment of the patient, the received payments
 * with money unapplied, and whether kept credits wait. The conditional
 * updates of each application (writeApplication) stay the limits; these are
 * only what the allocation is decided from, as applyUnappliedFunds reads it
 * per patient.
 */
export interface PatientFunds {
  treatments: Map<string, { serviceDate: string; patientResponsibilityCents: number; appliedCents: number; insuranceStatus: string }>;
  lots: Array<{ paymentId: string; treatmentId: string | null; paidDate: string | null; createdAt: string; unappliedCents: number; linkedInsuranceStatus: string | null }>;
  /** Money kept as credit from a dismissed refund-owed task (applyKeptCredits reads and applies it). */
  hasKeptCredits: boolean;
}

/** Bound values per IN list: well under either database's limit. */
const CHUNK = 500;

export async function readPatientFunds(trx: Trx, actor: Actor, patientIds: readonly string[]): Promise<Map<string, PatientFunds>> {
  const funds = new Map<string, PatientFunds>(patientIds.map((id) => [id, { treatments: new Map(), lots: [], hasKeptCredits: false }]));
  for (let i = 0; i < patientIds.length; i += CHUNK) {
    const ids = patientIds.slice(i, i + CHUNK);
    const treatments = await trx
      .selectFrom('treatments')
      .select(['id', 'patientId', 'serviceDate', 'patientResponsibilityCents', 'appliedCents', 'insuranceStatus'])
      .where('practiceId', '=', actor.practiceId)
      .where('patientId', 'in', ids)
      .execute();
    for (const t of treatments) {
      funds.get(t.patientId)!.treatments.set(t.id, {
        serviceDate: t.serviceDate,
        patientResponsibilityCents: Number(t.patientResponsibilityCents),
        appliedCents: Number(t.appliedCents),
        insuranceStatus: t.insuranceStatus,
      });
    }
    // The same payments applyUnappliedFunds reads, less its "held" test, which depends on the linked visit's status as the set changes it.
    const lots = await fundLots(trx, actor).where('payments.patientId', 'in', ids).execute();
    for (const l of lots) {
      funds.get(l.patientId)!.lots.push({
        paymentId: l.id,
        treatmentId: l.treatmentId,
        paidDate: l.paidDate,
        createdAt: l.createdAt,
        unappliedCents: Number(l.unapplied),
        linkedInsuranceStatus: l.insuranceStatus,
      });
    }
    const credits = await keptCredits(trx, actor).select('patientId').distinct().where('patientId', 'in', ids).execute();
    for (const c of credits) funds.get(c.patientId)!.hasKeptCredits = true;
  }
  return funds;
}

/**
 * applyUnappliedFunds over funds already read (readPatientFunds): the same
 * allocation (the treatment in focus first, then the oldest; money held for a
 * visit still with the payers stays held) and the same application writes,
 * then the funds are brought up to date with what was applied.
 */
export async function applyFundsOf(trx: Trx, actor: Actor, patientId: string, funds: PatientFunds, treatmentId: string) {
  const openBalances = [...funds.treatments]
    .map(([id, t]) => ({ treatmentId: id, serviceDate: t.serviceDate, openCents: t.patientResponsibilityCents - t.appliedCents }))
    .filter((b) => b.openCents > 0);
  if (openBalances.length === 0) return;
  // Held: money collected for a visit whose payers have not finished with it (unless it is the visit being settled), as applyUnappliedFunds's SQL says it.
  const linkedStatus = (treatmentId: string) => funds.treatments.get(treatmentId)?.insuranceStatus ?? null;
  const usable = funds.lots.filter((lot) => {
    if (lot.unappliedCents <= 0) return false;
    if (lot.treatmentId === null || lot.treatmentId === treatmentId) return true;
    const status = linkedStatus(lot.treatmentId) ?? lot.linkedInsuranceStatus;
    return status !== null && status !== 'awaiting';
  });
  if (usable.length === 0) return;
  const { applications } = allocateUnappliedFunds({
    lots: usable.map((l) => ({ paymentId: l.paymentId, unappliedCents: l.unappliedCents, paidDate: l.paidDate, createdAt: l.createdAt, linkedTreatmentId: l.treatmentId })),
    openBalances,
    treatmentId,
  });
  const lots = new Map(usable.map((l) => [l.paymentId, l]));
  for (const a of applications) {
    const lot = lots.get(a.paymentId)!;
    const treatment = funds.treatments.get(a.treatmentId)!;
    await writeApplication(trx, actor, {
      paymentId: a.paymentId,
      patientId,
      treatmentId: a.treatmentId,
      amountCents: a.amountCents,
      unappliedCents: lot.unappliedCents,
      openCents: treatment.patientResponsibilityCents - treatment.appliedCents,
    });
    lot.unappliedCents -= a.amountCents;
    treatment.appliedCents += a.amountCents;
  }
}
