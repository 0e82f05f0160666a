import { sql } from 'kysely';
import type { PortalAccount } from '../../contracts/portal.ts';
import type { Db } from '../../db/transaction.ts';
import { toCents } from '../../domain/money.ts';
import type { Actor } from '../actor.ts';
import { patientBalance, requirePatient } from '../patients/patients.ts';
import { treatmentInsuranceFigures } from '../treatments/treatment-insurance-figures.ts';

/** How many visits the portal lists, newest first (the balance counts them all). */
const MAX_TREATMENTS = 100;

/**
 * What the patient sees in the portal: the practice, their balance and each
 * visit with its charge, what insurance paid and adjusted, their share and
 * what is still open. Nothing about other patients, staff or payers' ids.
 */
export async function portalAccountSummary(db: Db, actor: Actor, patientId: string): Promise<PortalAccount> {
  const patient = await requirePatient(db, actor, patientId);
  const practice = await db.selectFrom('practices').select(['name', 'slug']).where('id', '=', actor.practiceId).executeTakeFirstOrThrow();
  const treatments = await treatmentInsuranceFigures(db, actor, patientId, { order: 'desc', limit: MAX_TREATMENTS });
  const totals = await db
    .selectFrom('treatments')
    .select([
      sql<number>`coalesce(sum(patient_responsibility_cents), 0)`.as('responsibility'),
      sql<number>`coalesce(sum(patient_responsibility_cents - applied_cents), 0)`.as('open'),
    ])
    .where('practiceId', '=', actor.practiceId)
    .where('patientId', '=', patientId)
    .executeTakeFirstOrThrow();
  const balance = await patientBalance(db, actor, patientId);
  return {
    practiceName: practice.name,
    practiceSlug: practice.slug,
    accountId: patient.accountId,
    patientFirstName: patient.firstName,
    balanceCents: toCents(totals.open),
    patientResponsibilityCents: toCents(totals.responsibility),
    creditCents: balance.creditCents,
    // Staff details (visit ids, physicians, locations) stay out of the portal.
    treatments: treatments.map(({ id: _id, physician: _physician, locationName: _location, ...t }) => t),
  };
}
