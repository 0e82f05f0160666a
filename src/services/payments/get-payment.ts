import type { Db } from '../../db/transaction.ts';
import type { Actor } from '../actor.ts';
import { toPatient } from '../patients/patients.ts';
import { namesFor, requirePayment, toPayment } from './payment-views.ts';

/** A payment with its patient and linked treatment, as the detail page shows it. */
export async function getPayment(db: Db, actor: Actor, paymentId: string, publicUrl: string) {
  const row = await requirePayment(db, actor, paymentId);
  const patientRow = await db.selectFrom('patients').selectAll().where('id', '=', row.patientId).executeTakeFirstOrThrow();
  let treatment = null;
  if (row.treatmentId) {
    const t = await db
      .selectFrom('treatments')
      .innerJoin('locations', 'locations.id', 'treatments.locationId')
      .select(['treatments.id', 'serviceDate', 'serviceTime', 'physician', 'locations.name as locationName'])
      .where('treatments.id', '=', row.treatmentId)
      .executeTakeFirstOrThrow();
    const lines = await db
      .selectFrom('treatmentLines')
      .select(['cpt', 'chargeCents', 'units'])
      .where('treatmentId', '=', row.treatmentId)
      .orderBy('lineNumber')
      .execute();
    treatment = { ...t, lines };
  }
  const { createdAt: _createdAt, ...patient } = toPatient(patientRow);
  return { ...toPayment(row, await namesFor(db, row), publicUrl), patient, treatment };
}
