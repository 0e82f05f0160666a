import type { Patient } from '@medplum/fhirtypes';
import type { PatientRow } from '../../db/database.ts';
import type { Db } from '../../db/transaction.ts';
import type { Actor } from '../actor.ts';
import { requirePatient } from '../patients/patients.ts';
import { ACCOUNT_ID_SYSTEM } from './fhir-references.ts';

export function toFhirPatient(row: PatientRow): Patient {
  const telecom: NonNullable<Patient['telecom']> = [];
  if (row.email) telecom.push({ system: 'email', value: row.email });
  if (row.phone) telecom.push({ system: 'phone', value: row.phone });
  return {
    resourceType: 'Patient',
    id: row.id,
    // The account ID printed on statements: what a front desk and an EHR both match on.
    identifier: [{ use: 'usual', system: ACCOUNT_ID_SYSTEM, value: row.accountId }],
    active: true,
    name: [{ use: 'official', family: row.lastName, given: [row.firstName] }],
    birthDate: row.dateOfBirth,
    ...(telecom.length > 0 ? { telecom } : {}),
  };
}

export async function readFhirPatient(db: Db, actor: Actor, patientId: string): Promise<Patient> {
  return toFhirPatient(await requirePatient(db, actor, patientId));
}

/** Patient?_id=: the patient itself, or nothing (another practice's id finds nothing). */
export async function searchFhirPatients(db: Db, actor: Actor, patientId: string): Promise<Patient[]> {
  const row = await db.selectFrom('patients').selectAll().where('id', '=', patientId).where('practiceId', '=', actor.practiceId).executeTakeFirst();
  return row ? [toFhirPatient(row)] : [];
}
