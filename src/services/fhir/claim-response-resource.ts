import type { ClaimResponse, ClaimResponseItemAdjudication, CodeableConcept } from '@medplum/fhirtypes';
import type { Db } from '../../db/transaction.ts';
import { AppError } from '../../domain/errors.ts';
import { toCents } from '../../domain/money.ts';
import type { Actor } from '../actor.ts';
import {
  ADJUDICATION_SYSTEM,
  CARC_SYSTEM,
  CAS_GROUP_SYSTEM,
  CLAIM_CONTROL_NUMBER_SYSTEM,
  EFT_TRACE_SYSTEM,
  instant,
  LEDGER_ADJUDICATION_SYSTEM,
  PAYER_ID_SYSTEM,
  patientReference,
} from './fhir-references.ts';
import { fhirMoney } from './fhir-money.ts';
import { postedClaimOutcomes } from './payment-reconciliation-resource.ts';

/** What the posting kept of the 835's CLP (the CAS adjustments and RARC remarks). */
interface PostedDetail {
  adjustments?: Array<{ group: string; reason: string; amountCents: number }>;
  remarkCodes?: string[];
}

function postedClaims(db: Db, actor: Actor) {
  return db
    .selectFrom('remittanceClaims as rc')
    .innerJoin('claims as c', 'c.id', 'rc.claimId')
    .innerJoin('remittancePayments as rp', 'rp.id', 'rc.remittancePaymentId')
    .select([
      'rc.id',
      'rc.statusCode',
      'rc.chargeCents',
      'rc.paidCents',
      'rc.patientResponsibilityCents',
      'rc.contractualCents',
      'rc.detail',
      'rc.outcome',
      'rc.createdAt',
      'c.patientId',
      'c.payerName',
      'c.payerId',
      'c.controlNumber',
      'rp.paymentDate',
      'rp.traceNumber',
    ])
    .where('rc.practiceId', '=', actor.practiceId)
    .where('c.practiceId', '=', actor.practiceId)
    .where('rc.outcome', 'in', [...postedClaimOutcomes]);
}

type PostedClaimRow = Awaited<ReturnType<ReturnType<typeof postedClaims>['executeTakeFirstOrThrow']>>;

const adjudication = (code: string, system = ADJUDICATION_SYSTEM): CodeableConcept => ({ coding: [{ system, code }] });

/**
 * A posted 835 claim payment: the amounts as the payer adjudicated them
 * (submitted = billed, eligible = billed less the contractual write-off,
 * benefit = paid, the patient's share, and copay/deductible from their CARC
 * codes) and every CAS adjustment with its group and CARC. The claim is one
 * item (sequence 1): the 835's service lines are not itemised here.
 */
function toFhirClaimResponse(row: PostedClaimRow): ClaimResponse {
  const detail = JSON.parse(row.detail) as PostedDetail;
  const charge = toCents(row.chargeCents);
  const paid = toCents(row.paidCents);
  const contractual = toCents(row.contractualCents);
  const patientShare = toCents(row.patientResponsibilityCents);
  const adjustments = detail.adjustments ?? [];
  const patientPart = (reason: string) => adjustments.filter((a) => a.group === 'PR' && a.reason === reason).reduce((sum, a) => sum + a.amountCents, 0);
  const totals: Array<{ category: CodeableConcept; cents: number }> = [
    { category: adjudication('submitted'), cents: charge },
    { category: adjudication('eligible'), cents: charge - contractual },
    { category: adjudication('benefit'), cents: paid },
    { category: adjudication('patient-responsibility', LEDGER_ADJUDICATION_SYSTEM), cents: patientShare },
    { category: adjudication('contractual-adjustment', LEDGER_ADJUDICATION_SYSTEM), cents: contractual },
  ];
  if (patientPart('1') !== 0) totals.push({ category: adjudication('deductible'), cents: patientPart('1') });
  if (patientPart('3') !== 0) totals.push({ category: adjudication('copay'), cents: patientPart('3') });
  const casAdjudications: ClaimResponseItemAdjudication[] = adjustments.map((a) => ({
    category: adjudication(a.group, CAS_GROUP_SYSTEM),
    reason: { coding: [{ system: CARC_SYSTEM, code: a.reason }] },
    amount: fhirMoney(a.amountCents),
  }));
  const remarks = detail.remarkCodes ?? [];
  return {
    resourceType: 'ClaimResponse',
    id: row.id,
    identifier: [{ system: CLAIM_CONTROL_NUMBER_SYSTEM, value: row.controlNumber }],
    // A posting later reversed by the payer (status 22) stands cancelled.
    status: row.outcome === 'reversed' ? 'cancelled' : 'active',
    type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: 'professional' }] },
    use: 'claim',
    patient: patientReference(row.patientId),
    created: instant(row.createdAt),
    insurer: { display: row.payerName, identifier: { system: PAYER_ID_SYSTEM, value: row.payerId } },
    request: { identifier: { system: CLAIM_CONTROL_NUMBER_SYSTEM, value: row.controlNumber } },
    outcome: 'complete',
    disposition: `835 claim status ${row.statusCode} (${row.outcome})`,
    item: [
      {
        itemSequence: 1,
        adjudication: [...totals.slice(0, 3).map((t) => ({ category: t.category, amount: fhirMoney(t.cents) })), ...casAdjudications],
      },
    ],
    total: totals.map((t) => ({ category: t.category, amount: fhirMoney(t.cents) })),
    payment: {
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/ex-paymenttype', code: 'complete' }] },
      ...(row.paymentDate ? { date: row.paymentDate } : {}),
      amount: fhirMoney(paid),
      ...(row.traceNumber ? { identifier: { system: EFT_TRACE_SYSTEM, value: row.traceNumber } } : {}),
    },
    ...(remarks.length > 0 ? { processNote: remarks.map((code, i) => ({ number: i + 1, type: 'display' as const, text: `RARC ${code}` })) } : {}),
  };
}

export async function readFhirClaimResponse(db: Db, actor: Actor, id: string): Promise<ClaimResponse> {
  const row = await postedClaims(db, actor).where('rc.id', '=', id).executeTakeFirst();
  if (!row) throw new AppError('not_found', 'ClaimResponse not found.');
  return toFhirClaimResponse(row);
}

export async function searchFhirClaimResponses(db: Db, actor: Actor, patientId: string): Promise<ClaimResponse[]> {
  const rows = await postedClaims(db, actor).where('c.patientId', '=', patientId).orderBy('rc.createdAt').orderBy('rc.id').execute();
  return rows.map(toFhirClaimResponse);
}
