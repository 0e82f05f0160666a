import type { Account } from '@medplum/fhirtypes';
import type { Db } from '../../db/transaction.ts';
import type { Actor } from '../actor.ts';
import { patientBalanceFigures } from '../patients/patient-balance-figures.ts';
import { requirePatient } from '../patients/patients.ts';
import { ACCOUNT_ID_SYSTEM, moneyExtension, patientReference } from './fhir-references.ts';

/**
 * One Account per patient (its id is the patient's): the patient's balance
 * as the patient page, the portal and the statement show it. R4's Account has
 * no balance element, so the three figures travel as Money extensions.
 */
export async function readFhirAccount(db: Db, actor: Actor, patientId: string): Promise<Account> {
  const patient = await requirePatient(db, actor, patientId);
  const { balance } = await patientBalanceFigures(db, actor, patientId);
  return {
    resourceType: 'Account',
    id: patient.id,
    identifier: [{ system: ACCOUNT_ID_SYSTEM, value: patient.accountId }],
    status: 'active',
    name: `${patient.lastName}, ${patient.firstName}`,
    subject: [patientReference(patient.id)],
    description: 'Patient balance: what the patient owes on visits, unapplied payments and credits.',
    extension: [
      moneyExtension('patient-responsibility-balance', balance.patientResponsibilityCents),
      moneyExtension('unapplied-payments', balance.unappliedCents),
      moneyExtension('patient-credit', balance.creditCents),
    ],
  };
}

/** Account?patient=: the patient's one account, or nothing. */
export async function searchFhirAccounts(db: Db, actor: Actor, patientId: string): Promise<Account[]> {
  const exists = await db.selectFrom('patients').select('id').where('id', '=', patientId).where('practiceId', '=', actor.practiceId).executeTakeFirst();
  return exists ? [await readFhirAccount(db, actor, patientId)] : [];
}
