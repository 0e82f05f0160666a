import { sql } from 'kysely';
import type { Db } from '../../db/transaction.ts';
import { toCents } from '../../domain/money.ts';
import type { Actor } from '../actor.ts';

export interface TreatmentInsuranceFigures {
  id: string;
  serviceDate: string;
  physician: string;
  locationName: string;
  chargeCents: number;
  /** What the payers paid on the visit's claims. */
  insurancePaidCents: number;
  /** What the payers wrote off (contractual adjustments). */
  adjustmentCents: number;
  patientResponsibilityCents: number;
  /** Patient money applied to the visit. */
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
  return rows.map((t) => {
    const responsibility = toCents(t.patientResponsibilityCents);
    const applied = toCents(t.appliedCents);
    return {
      id: t.id,
      serviceDate: t.serviceDate,
      physician: t.physician,
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
