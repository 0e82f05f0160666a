import type { ChargeItem } from '@medplum/fhirtypes';
import type { Db } from '../../db/transaction.ts';
import { AppError } from '../../domain/errors.ts';
import { toCents } from '../../domain/money.ts';
import type { Actor } from '../actor.ts';
import { accountReference, CPT_SYSTEM, instant } from './fhir-references.ts';
import { fhirMoney } from './fhir-money.ts';

function chargeLines(db: Db, actor: Actor) {
  return db
    .selectFrom('treatmentLines as l')
    .innerJoin('treatments as t', 't.id', 'l.treatmentId')
    .select(['l.id', 'l.treatmentId', 'l.lineNumber', 'l.cpt', 'l.chargeCents', 'l.units', 't.patientId', 't.serviceDate', 't.physician', 't.createdAt'])
    .where('l.practiceId', '=', actor.practiceId)
    .where('t.practiceId', '=', actor.practiceId);
}

type ChargeLine = Awaited<ReturnType<ReturnType<typeof chargeLines>['executeTakeFirstOrThrow']>>;

/** A visit's CPT line: the line's charge is its unit charge times its units. */
function toFhirChargeItem(line: ChargeLine): ChargeItem {
  return {
    resourceType: 'ChargeItem',
    id: line.id,
    status: 'billable',
    code: { coding: [{ system: CPT_SYSTEM, code: line.cpt }], text: `CPT ${line.cpt}` },
    subject: { reference: `Patient/${line.patientId}` },
    occurrenceDateTime: line.serviceDate,
    performer: [{ actor: { display: line.physician } }],
    enteredDate: instant(line.createdAt),
    quantity: { value: line.units },
    priceOverride: fhirMoney(toCents(line.chargeCents) * line.units),
    account: [accountReference(line.patientId)],
  };
}

export async function readFhirChargeItem(db: Db, actor: Actor, lineId: string): Promise<ChargeItem> {
  const line = await chargeLines(db, actor).where('l.id', '=', lineId).executeTakeFirst();
  if (!line) throw new AppError('not_found', 'ChargeItem not found.');
  return toFhirChargeItem(line);
}

export async function searchFhirChargeItems(db: Db, actor: Actor, patientId: string): Promise<ChargeItem[]> {
  const lines = await chargeLines(db, actor).where('t.patientId', '=', patientId).orderBy('t.serviceDate').orderBy('t.id').orderBy('l.lineNumber').execute();
  return lines.map(toFhirChargeItem);
}
