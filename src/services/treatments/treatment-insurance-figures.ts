import { sql } from 'kysely';
import type { Db } from '../../db/transaction.ts';
import { toCents } from '../../domain/money.ts';
import { unfundedByTreatment } from '../../domain/allocation/refunded-applications.ts';
import type { Actor } from '../actor.ts';

export interface TreatmentInsuranceFigures {
  id: string;
  serviceDate: string;
  physician: string;
  locationId: string;
  locationName: string;
  chargeCents: number;
  /** What the payers paid on the visit's claims. */
  insurancePaidCents: number;
  /** What the payers wrote off (contractual adjustments). */
  adjustmentCents: number;
  patientResponsibilityCents: number;
  /** Patient money applied to the visit and kept: money refunded never counts as paid. */
  paidCents: number;
  balanceCents: number;
  insurancePending: boolean;
}

/**
 * A patient's visits with what the payers paid and adjusted and what the
 * patient owes: the figures the statement and the portal both show, from one
 * grouped query over the claims.
 */
export async function treatmentInsuranceFigures(
  db: Db,
  actor: Actor,
  patientId: string,
  options: { order: 'asc' | 'desc'; limit?: number },
): Promise<TreatmentInsuranceFigures[]> {
  let query = db
    .selectFrom('treatments')
    .innerJoin('locations', 'locations.id', 'treatments.locationId')
    .leftJoin(
      (eb) =>
        eb
          .selectFrom('claims')
          .select(['treatmentId', sql<number>`sum(paid_cents)`.as('paid'), sql<number>`sum(contractual_cents)`.as('contractual')])
          .where('practiceId', '=', actor.practiceId)
          .where('patientId', '=', patientId)
          .groupBy('treatmentId')
          .as('c'),
      (join) => join.onRef('c.treatmentId', '=', 'treatments.id'),
    )
    .select([
      'treatments.id',
      'treatments.serviceDate',
      'treatments.physician',
      'treatments.locationId',
      'locations.name as locationName',
      'treatments.chargeCents',
      'treatments.patientResponsibilityCents',
      'treatments.appliedCents',
      'treatments.insuranceStatus',
      'c.paid',
      'c.contractual',
    ])
    .where('treatments.practiceId', '=', actor.practiceId)
    .where('treatments.patientId', '=', patientId)
    .orderBy('treatments.serviceDate', options.order)
    .orderBy('treatments.id', options.order);
  if (options.limit !== undefined) query = query.limit(options.limit);
  const rows = await query.execute();
  const unfunded = await refundedButApplied(db, actor, patientId);
  return rows.map((t) => {
    const responsibility = toCents(t.patientResponsibilityCents);
    const applied = toCents(t.appliedCents) - (unfunded.get(t.id) ?? 0);
    return {
      id: t.id,
      serviceDate: t.serviceDate,
      physician: t.physician,
      locationId: t.locationId,
      locationName: t.locationName,
      chargeCents: toCents(t.chargeCents),
      insurancePaidCents: t.paid === null ? 0 : toCents(t.paid),
      adjustmentCents: t.contractual === null ? 0 : toCents(t.contractual),
      patientResponsibilityCents: responsibility,
      paidCents: applied,
      balanceCents: responsibility - applied,
      insurancePending: t.insuranceStatus === 'awaiting',
    };
  });
}

/**
 * Per treatment, the applied money a refund took back (a refund keeps the
 * applications, SPEC section 4): read from the over-applied payments only.
 */
export async function refundedButApplied(db: Db, actor: Actor, patientId: string) {
  const rows = await db
    .selectFrom('applications')
    .innerJoin('payments', 'payments.id', 'applications.paymentId')
    .select([
      'applications.id',
      'applications.paymentId',
      'applications.treatmentId',
      'applications.amountCents',
      'applications.createdAt',
      sql<number>`payments.applied_cents - (payments.amount_cents - payments.refunded_cents)`.as('over'),
    ])
    .where('applications.practiceId', '=', actor.practiceId)
    .where('applications.patientId', '=', patientId)
    .where('applications.removedAt', 'is', null)
    .where(sql<boolean>`payments.applied_cents > payments.amount_cents - payments.refunded_cents`)
    .execute();
  return unfundedByTreatment(
    rows.map((r) => ({
      applicationId: r.id,
      paymentId: r.paymentId,
      treatmentId: r.treatmentId,
      amountCents: toCents(r.amountCents),
      createdAt: r.createdAt,
      paymentOverAppliedCents: toCents(r.over),
    })),
  );
}
