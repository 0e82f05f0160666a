import { sql } from 'kysely';
import type { PortalAccount } from '../../contracts/portal.ts';
import type { Db } from '../../db/transaction.ts';
import { toCents } from '../../domain/money.ts';
import type { Actor } from '../actor.ts';
import { patientBalance, requirePatient } from '../patients/patients.ts';

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
  const treatments = await db
    .selectFrom('treatments')
    .leftJoin(
      (eb) =>
        eb
          .selectFrom('claims')
          .select([
            'treatmentId',
            sql<number>`sum(paid_cents)`.as('paid'),
            sql<number>`sum(contractual_cents)`.as('contractual'),
          ])
          .where('practiceId', '=', actor.practiceId)
          .where('patientId', '=', patientId)
          .groupBy('treatmentId')
          .as('c'),
      (join) => join.onRef('c.treatmentId', '=', 'treatments.id'),
    )
    .select([
      'treatments.serviceDate',
      'treatments.chargeCents',
      'treatments.patientResponsibilityCents',
      'treatments.appliedCents',
      'treatments.insuranceStatus',
      'c.paid',
      'c.contractual',
    ])
    .where('treatments.practiceId', '=', actor.practiceId)
    .where('treatments.patientId', '=', patientId)
    .orderBy('treatments.serviceDate', 'desc')
    .orderBy('treatments.id', 'desc')
    .limit(MAX_TREATMENTS)
    .execute();
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
    treatments: treatments.map((t) => {
      const responsibility = toCents(t.patientResponsibilityCents);
      const applied = toCents(t.appliedCents);
      return {
        serviceDate: t.serviceDate,
        chargeCents: toCents(t.chargeCents),
        insurancePaidCents: t.paid === null ? 0 : toCents(t.paid),
        adjustmentCents: t.contractual === null ? 0 : toCents(t.contractual),
        insurancePending: t.insuranceStatus === 'awaiting',
        patientResponsibilityCents: responsibility,
        paidCents: applied,
        balanceCents: responsibility - applied,
      };
    }),
  };
}
