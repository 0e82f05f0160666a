import type { ListTreatmentsQuery, TreatmentSummary } from '../../contracts/lists.ts';
import type { Db } from '../../db/transaction.ts';
import type { Actor } from '../actor.ts';

/** GET /treatments: the practice's visits, newest service date first, with the list's filters (the CSV export pages through it). */
export async function listTreatments(db: Db, actor: Actor, query: ListTreatmentsQuery) {
  let base = db.selectFrom('treatments').where('treatments.practiceId', '=', actor.practiceId);
  if (query.patientId) base = base.where('treatments.patientId', '=', query.patientId);
  if (query.locationId) base = base.where('treatments.locationId', '=', query.locationId);
  if (query.insuranceStatus) base = base.where('treatments.insuranceStatus', '=', query.insuranceStatus);
  if (query.from) base = base.where('treatments.serviceDate', '>=', query.from);
  if (query.to) base = base.where('treatments.serviceDate', '<=', query.to);
  const [rows, count] = await Promise.all([
    base
      .innerJoin('patients', 'patients.id', 'treatments.patientId')
      .innerJoin('locations', 'locations.id', 'treatments.locationId')
      .selectAll('treatments')
      .select(['patients.firstName', 'patients.lastName', 'locations.name as locationName'])
      .orderBy('treatments.serviceDate', 'desc')
      .orderBy('treatments.id', 'desc')
      .limit(query.pageSize)
      .offset((query.page - 1) * query.pageSize)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  const items: TreatmentSummary[] = rows.map((r) => ({
    id: r.id,
    patientId: r.patientId,
    patientName: `${r.firstName} ${r.lastName}`,
    locationId: r.locationId,
    locationName: r.locationName,
    serviceDate: r.serviceDate,
    physician: r.physician,
    chargeCents: Number(r.chargeCents),
    patientResponsibilityCents: Number(r.patientResponsibilityCents),
    appliedCents: Number(r.appliedCents),
    balanceCents: Number(r.patientResponsibilityCents) - Number(r.appliedCents),
    insuranceStatus: r.insuranceStatus,
    createdAt: r.createdAt,
  }));
  return { items, total: Number(count.n), page: query.page, pageSize: query.pageSize };
}
