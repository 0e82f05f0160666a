import type { PortalAccount } from '../../contracts/portal.ts';
import type { Db } from '../../db/transaction.ts';
import type { Actor } from '../actor.ts';
import { patientBalanceFigures } from '../patients/patient-balance-figures.ts';
import { requirePatient } from '../patients/patients.ts';

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
  // The same figures as the patient page, the statement and the API.
  const figures = await patientBalanceFigures(db, actor, patientId);
  const newestFirst = [...figures.visits].reverse().slice(0, MAX_TREATMENTS);
  return {
    practiceName: practice.name,
    practiceSlug: practice.slug,
    accountId: patient.accountId,
    patientFirstName: patient.firstName,
    balanceCents: figures.balance.patientResponsibilityCents,
    patientResponsibilityCents: figures.totals.patientResponsibilityCents,
    creditCents: figures.balance.creditCents,
    // Staff details (visit ids, physicians, locations) stay out of the portal.
    treatments: newestFirst.map(({ id: _id, physician: _physician, locationId: _locationId, locationName: _location, ...t }) => t),
  };
}
