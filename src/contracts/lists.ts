import { z } from 'zod';
import { calendarDate, cents, id, pageQuery } from './common.ts';

/** Practice-wide lists that the CSV exports also serve: treatments and credit lots. */

export const listTreatmentsQuery = pageQuery.extend({
  patientId: id.optional(),
  locationId: id.optional(),
  insuranceStatus: z.enum(['self_pay', 'awaiting', 'settled']).optional(),
  /** Service dates from and to, inclusive. */
  from: calendarDate.optional(),
  to: calendarDate.optional(),
});
export type ListTreatmentsQuery = z.infer<typeof listTreatmentsQuery>;

export const treatmentSummary = z.object({
  id,
  patientId: id,
  patientName: z.string(),
  locationId: id,
  locationName: z.string(),
  serviceDate: z.string(),
  physician: z.string(),
  chargeCents: cents,
  patientResponsibilityCents: cents,
  appliedCents: cents,
  balanceCents: cents,
  insuranceStatus: z.string(),
  createdAt: z.string(),
});
export type TreatmentSummary = z.infer<typeof treatmentSummary>;

export const listCreditsQuery = pageQuery.extend({
  patientId: id.optional(),
  source: z.enum(['refund', 'manual', 'task_dismissal', 'transfer']).optional(),
  /** true: only lots with something left to use. */
  available: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
});
export type ListCreditsQuery = z.infer<typeof listCreditsQuery>;

export const creditSummary = z.object({
  id,
  patientId: id,
  patientName: z.string(),
  amountCents: cents,
  remainingCents: cents,
  source: z.string(),
  reference: z.string().nullable(),
  description: z.string().nullable(),
  createdAt: z.string(),
  createdBy: z.string(),
});
export type CreditSummary = z.infer<typeof creditSummary>;
