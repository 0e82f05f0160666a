import { z } from 'zod';
import { agingBucketKeys } from '../domain/ledger/aging.ts';
import { asOfDate, calendarDate, cents, id } from './common.ts';
import { balance } from './patients.ts';

/** What a row of the patient ledger records; derived from the journal entry (and its source) it comes from. */
export const ledgerRowKinds = [
  'charge',
  'payer_payment',
  'contractual_adjustment',
  'transfer_to_patient',
  'passed_to_next_payer',
  'patient_payment',
  'payment_reversed',
  'application',
  'unapplication',
  'refund',
  'refund_to_credit',
  'credit_created',
  'credit_draw',
  'credit_transfer_in',
  'credit_transfer_out',
  'other',
] as const;
export type LedgerRowKind = (typeof ledgerRowKinds)[number];

export const ledgerRow = z.object({
  id: z.string().describe('Stable within the answer: the journal entry id, with a suffix when one entry makes several rows'),
  date: calendarDate.describe("The practice's calendar date: service date of a charge, paid date of a payment, the payer's payment date of a remittance, else the day it was recorded"),
  kind: z.enum(ledgerRowKinds),
  description: z.string(),
  amountCents: cents.describe("Change to the patient's whole account (insurance and patient parts): charges positive, payments and adjustments negative"),
  patientAmountCents: cents.describe('Change to what the patient owes, net of money held for them (unapplied funds, credit)'),
  insuranceAmountCents: cents.describe('Change to what the payers owe on the patient\'s visits'),
  runningBalanceCents: cents.describe('The patient balance after this row: what the patient owes less their unapplied funds and credit'),
  runningInsuranceCents: cents.describe('What the payers owe on the patient\'s visits after this row'),
  paymentId: id.nullable(),
  treatmentId: id.nullable(),
  remittanceId: id.nullable(),
  refundId: id.nullable(),
  creditId: id.nullable(),
});
export type LedgerRow = z.infer<typeof ledgerRow>;

export const agingBuckets = z.object(Object.fromEntries(agingBucketKeys.map((k) => [k, cents])) as Record<(typeof agingBucketKeys)[number], typeof cents>).extend({
  totalCents: cents,
});
export type AgingBuckets = z.infer<typeof agingBuckets>;

export const patientLedger = z.object({
  patientId: id,
  asOf: calendarDate.describe("Today in the practice's calendar: what the aging counts from"),
  items: z.array(ledgerRow).describe('Every movement of the patient\'s accounts, oldest first'),
  balance: balance.describe('From the journal: the same figures as GET /patients/:id'),
  balanceCents: cents.describe('patientResponsibilityCents − unappliedCents − creditCents: the last row\'s runningBalanceCents'),
  insuranceBalanceCents: cents.describe('What the payers still owe on the patient\'s visits'),
  aging: agingBuckets.describe("The open patient responsibility by the age of its visit's service date"),
});
export type PatientLedger = z.infer<typeof patientLedger>;

export const arAgingQuery = z.object({
  asOf: asOfDate.optional().describe("Journal entries made up to the end of this day (UTC, as the trial balance); visits aged to this day. Today in the practice's calendar when left out"),
  locationId: id.optional().describe('Only visits at this location'),
});

export const arAgingPatientRow = agingBuckets.extend({
  patientId: id,
  patientName: z.string(),
  accountId: z.string(),
});
export type ArAgingPatientRow = z.infer<typeof arAgingPatientRow>;

export const arAgingPayerRow = agingBuckets.extend({
  payerName: z.string().describe('"Not yet billed" for charges of insured visits with no claim yet'),
  payerId: z.string().nullable(),
});
export type ArAgingPayerRow = z.infer<typeof arAgingPayerRow>;

export const arAging = z.object({
  asOf: calendarDate,
  locationId: id.nullable(),
  patients: z.array(arAgingPatientRow).describe('Open patient responsibility per patient (the patient_receivable account), largest first'),
  patientTotals: agingBuckets.describe('Equals the trial balance\'s patient_receivable as of the day (all locations)'),
  payers: z.array(arAgingPayerRow).describe('Open claim receivable per payer (the insurance_receivable account), largest first'),
  insuranceTotals: agingBuckets.describe('Equals the trial balance\'s insurance_receivable as of the day (all locations)'),
});
export type ArAging = z.infer<typeof arAging>;
