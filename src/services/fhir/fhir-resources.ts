import type { Resource } from '@medplum/fhirtypes';
import type { Db } from '../../db/transaction.ts';
import type { Actor } from '../actor.ts';
import { readFhirAccount, searchFhirAccounts } from './account-resource.ts';
import { readFhirChargeItem, searchFhirChargeItems } from './charge-item-resource.ts';
import { readFhirClaimResponse, searchFhirClaimResponses } from './claim-response-resource.ts';
import { readFhirInvoice, searchFhirInvoices } from './invoice-resource.ts';
import { readFhirPatient, searchFhirPatients } from './patient-resource.ts';
import { readFhirPaymentNotice, searchFhirPaymentNotices } from './payment-notice-resource.ts';
import { readFhirPaymentReconciliation, searchFhirPaymentReconciliations } from './payment-reconciliation-resource.ts';

export interface FhirSearchParam {
  name: string;
  /** FHIR's own parameter of that name, or null for ours (R4 defines no patient search there). */
  definition: string | null;
  documentation: string;
}

export interface FhirResourceType {
  type: Resource['resourceType'];
  documentation: string;
  read(db: Db, actor: Actor, id: string): Promise<Resource>;
  /** Every resource of the patient, in a stable order: the route pages them. */
  searchByPatient(db: Db, actor: Actor, patientId: string): Promise<Resource[]>;
  /** Each names the patient (an id or Patient/<id>); a search takes exactly one. */
  searchParams: FhirSearchParam[];
}

const r4 = (name: string) => `http://hl7.org/fhir/SearchParameter/${name}`;
const ours = (documentation: string): Omit<FhirSearchParam, 'name'> => ({ definition: null, documentation });

/**
 * THE list of what the FHIR API serves: the routes are registered from it and
 * the CapabilityStatement is written from it, so they cannot disagree.
 * Read and search only: nothing here writes.
 */
export const fhirResourceTypes: readonly FhirResourceType[] = [
  {
    type: 'Patient',
    documentation: 'A patient of the practice.',
    read: readFhirPatient,
    searchByPatient: searchFhirPatients,
    searchParams: [{ name: '_id', definition: r4('Resource-id'), documentation: 'The patient id.' }],
  },
  {
    type: 'Account',
    documentation: "The patient's balance (one Account per patient, its id the patient's): what the patient owes, unapplied payments and credit, as Money extensions.",
    read: readFhirAccount,
    searchByPatient: searchFhirAccounts,
    searchParams: [
      { name: 'patient', definition: r4('Account-patient'), documentation: 'The patient.' },
      { name: 'subject', definition: r4('Account-subject'), documentation: 'The patient.' },
    ],
  },
  {
    type: 'ChargeItem',
    documentation: "A visit's CPT line with its charge (unit charge × units).",
    read: readFhirChargeItem,
    searchByPatient: searchFhirChargeItems,
    searchParams: [
      { name: 'patient', definition: r4('ChargeItem-patient'), documentation: 'The patient.' },
      { name: 'subject', definition: r4('ChargeItem-subject'), documentation: 'The patient.' },
    ],
  },
  {
    type: 'Invoice',
    documentation: "A visit with its lines: gross charge, patient responsibility (net), and insurance paid, adjusted, patient paid and the visit's open balance as Money extensions.",
    read: readFhirInvoice,
    searchByPatient: searchFhirInvoices,
    searchParams: [
      { name: 'patient', definition: r4('Invoice-patient'), documentation: 'The patient.' },
      { name: 'subject', definition: r4('Invoice-subject'), documentation: 'The patient.' },
    ],
  },
  {
    type: 'PaymentNotice',
    documentation: 'A patient payment: its amount and status; the details are the PaymentReconciliation of the same id.',
    read: readFhirPaymentNotice,
    searchByPatient: searchFhirPaymentNotices,
    searchParams: [{ name: 'patient', ...ours("The patient whose payment it is (the patient extension); R4 defines no patient parameter for PaymentNotice.") }],
  },
  {
    type: 'PaymentReconciliation',
    documentation: 'A patient payment with what it applied to which Invoice and its refunds; or a payer 835 payment with one detail per claim (and the PLB adjustment).',
    read: readFhirPaymentReconciliation,
    searchByPatient: searchFhirPaymentReconciliations,
    searchParams: [{ name: 'patient', ...ours("The patient's payments, and the 835 payments that paid one of the patient's claims; R4 defines no patient parameter here.") }],
  },
  {
    type: 'ClaimResponse',
    documentation: "A posted 835 claim payment: submitted, eligible, benefit, the patient's share, copay and deductible, and every CAS adjustment with its CARC.",
    read: readFhirClaimResponse,
    searchByPatient: searchFhirClaimResponses,
    searchParams: [{ name: 'patient', definition: r4('ClaimResponse-patient'), documentation: 'The patient.' }],
  },
];
