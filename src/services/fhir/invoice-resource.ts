import type { Invoice } from '@medplum/fhirtypes';
import type { Db } from '../../db/transaction.ts';
import { toCents } from '../../domain/money.ts';
import type { Actor } from '../actor.ts';
import { treatmentInsuranceFigures, type TreatmentInsuranceFigures } from '../treatments/treatment-insurance-figures.ts';
import { requireTreatment } from '../treatments/treatments.ts';
import { accountReference, moneyExtension, patientReference } from './fhir-references.ts';
import { fhirMoney } from './fhir-money.ts';

interface InvoiceLine {
  id: string;
  treatmentId: string;
  lineNumber: number;
  chargeCents: number;
  units: number;
}

/**
 * A visit as an Invoice: its CPT lines (ChargeItems), gross = the charge,
 * net = what the patient is responsible for after insurance; what insurance
 * paid and wrote off and the patient's open balance (the figures the patient
 * page and statement show) are extensions, R4 having no element for them.
 */
function toFhirInvoice(patientId: string, visit: TreatmentInsuranceFigures, lines: InvoiceLine[]): Invoice {
  const settled = visit.balanceCents === 0 && !visit.insurancePending;
  return {
    resourceType: 'Invoice',
    id: visit.id,
    status: settled ? 'balanced' : 'issued',
    subject: patientReference(patientId),
    recipient: patientReference(patientId),
    date: visit.serviceDate,
    participant: [{ actor: { display: visit.physician } }],
    issuer: { display: visit.locationName },
    account: accountReference(patientId),
    lineItem: lines.map((l) => ({
      sequence: l.lineNumber,
      chargeItemReference: { reference: `ChargeItem/${l.id}` },
      priceComponent: [{ type: 'base' as const, factor: l.units, amount: fhirMoney(toCents(l.chargeCents) * l.units) }],
    })),
    totalGross: fhirMoney(visit.chargeCents),
    totalNet: fhirMoney(visit.patientResponsibilityCents),
    extension: [
      moneyExtension('insurance-paid', visit.insurancePaidCents),
      moneyExtension('insurance-adjustment', visit.adjustmentCents),
      moneyExtension('patient-paid', visit.paidCents),
      moneyExtension('patient-balance', visit.balanceCents),
    ],
  };
}

async function linesOf(db: Db, actor: Actor, treatmentIds: string[]): Promise<Map<string, InvoiceLine[]>> {
  const byTreatment = new Map<string, InvoiceLine[]>();
  if (treatmentIds.length === 0) return byTreatment;
  const rows = await db
    .selectFrom('treatmentLines')
    .select(['id', 'treatmentId', 'lineNumber', 'chargeCents', 'units'])
    .where('practiceId', '=', actor.practiceId)
    .where('treatmentId', 'in', treatmentIds)
    .orderBy('lineNumber')
    .execute();
  for (const row of rows) byTreatment.set(row.treatmentId, [...(byTreatment.get(row.treatmentId) ?? []), row]);
  return byTreatment;
}

export async function readFhirInvoice(db: Db, actor: Actor, treatmentId: string): Promise<Invoice> {
  const treatment = await requireTreatment(db, actor, treatmentId);
  // The patient's figures: one computation for every balance the product shows.
  const visit = (await treatmentInsuranceFigures(db, actor, treatment.patientId, { order: 'asc' })).find((v) => v.id === treatmentId)!;
  return toFhirInvoice(treatment.patientId, visit, (await linesOf(db, actor, [treatmentId])).get(treatmentId) ?? []);
}

export async function searchFhirInvoices(db: Db, actor: Actor, patientId: string): Promise<Invoice[]> {
  const visits = await treatmentInsuranceFigures(db, actor, patientId, { order: 'asc' });
  const lines = await linesOf(db, actor, visits.map((v) => v.id));
  return visits.map((v) => toFhirInvoice(patientId, v, lines.get(v.id) ?? []));
}
