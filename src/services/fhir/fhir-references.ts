import type { Account, Extension, Patient, Reference } from '@medplum/fhirtypes';
import type { Cents } from '../../domain/money.ts';
import { fhirMoney } from './fhir-money.ts';

/** Our own definitions (extensions, identifier systems, codes) live under one base. */
export const LEDGER_FHIR_BASE = 'https://patient-ledger.dev/fhir';
export const ACCOUNT_ID_SYSTEM = `${LEDGER_FHIR_BASE}/sid/account-id`;
export const PAYMENT_NUMBER_SYSTEM = `${LEDGER_FHIR_BASE}/sid/payment-number`;
export const CLAIM_CONTROL_NUMBER_SYSTEM = `${LEDGER_FHIR_BASE}/sid/claim-control-number`;
export const PAYER_ID_SYSTEM = `${LEDGER_FHIR_BASE}/sid/payer-id`;
export const EFT_TRACE_SYSTEM = `${LEDGER_FHIR_BASE}/sid/eft-trace-number`;
export const LEDGER_ADJUDICATION_SYSTEM = `${LEDGER_FHIR_BASE}/CodeSystem/adjudication`;

export const CPT_SYSTEM = 'http://www.ama-assn.org/go/cpt';
export const ADJUDICATION_SYSTEM = 'http://terminology.hl7.org/CodeSystem/adjudication';
export const PAYMENT_TYPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/payment-type';
export const CARC_SYSTEM = 'https://x12.org/codes/claim-adjustment-reason-codes';
export const CAS_GROUP_SYSTEM = 'https://x12.org/codes/claim-adjustment-group-codes';

export function patientReference(patientId: string): Reference<Patient> {
  return { reference: `Patient/${patientId}` };
}

export function accountReference(patientId: string): Reference<Account> {
  return { reference: `Account/${patientId}` };
}

/** An amount the R4 resource has no element for (a balance): an extension carrying `Money`. */
export function moneyExtension(name: string, cents: Cents): Extension {
  return { url: `${LEDGER_FHIR_BASE}/StructureDefinition/${name}`, valueMoney: fhirMoney(cents) };
}

/** A FHIR instant from our ISO timestamps (they already carry the zone). */
export function instant(iso: string): string {
  return new Date(iso).toISOString();
}

/** Whose money it is, where R4 has no patient element (PaymentNotice, PaymentReconciliation and its details). */
export function patientExtension(patientId: string): Extension {
  return { url: `${LEDGER_FHIR_BASE}/StructureDefinition/patient`, valueReference: patientReference(patientId) };
}
