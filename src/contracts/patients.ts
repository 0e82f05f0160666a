import { z } from 'zod';
import { cents, dateOfBirth, id } from './common.ts';

export const createPatientBody = z.object({
  firstName: z.string().trim().min(1).max(100),
  lastName: z.string().trim().min(1).max(100),
  dateOfBirth,
  accountId: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9-]{1,32}$/, 'an account ID is letters, digits and dashes')
    .optional(),
  email: z.string().trim().email().optional(),
  phone: z.string().trim().max(40).optional(),
});
export type CreatePatientBody = z.infer<typeof createPatientBody>;

/** Any of the patient's own fields; null clears email or phone. */
export const updatePatientBody = z
  .object({
    firstName: createPatientBody.shape.firstName.optional(),
    lastName: createPatientBody.shape.lastName.optional(),
    dateOfBirth: dateOfBirth.optional(),
    accountId: createPatientBody.shape.accountId,
    email: z.string().trim().email().nullable().optional(),
    phone: z.string().trim().max(40).nullable().optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'send at least one field to change');
export type UpdatePatientBody = z.infer<typeof updatePatientBody>;

export const coverage = z.object({
  payerName: z.string().trim().min(1).max(200),
  payerId: z.string().trim().min(1).max(80),
  memberId: z.string().trim().min(1).max(80),
  order: z.union([z.literal(1), z.literal(2), z.literal(3)]),
  /** The plan's name as on the card (optional). */
  planName: z.string().trim().max(200).nullable().optional(),
});
export type Coverage = z.infer<typeof coverage>;
export const setCoveragesBody = z.array(coverage).max(3);

export const patient = z.object({
  id,
  accountId: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  dateOfBirth: z.string(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  createdAt: z.string(),
});
export type Patient = z.infer<typeof patient>;

export const balance = z.object({
  patientResponsibilityCents: cents,
  unappliedCents: cents,
  creditCents: cents,
});

export const patientTreatmentSummary = z.object({
  id,
  serviceDate: z.string(),
  physician: z.string(),
  locationId: z.string(),
  locationName: z.string(),
  chargeCents: cents,
  patientResponsibilityCents: cents,
  balanceCents: cents,
});

export const patientDetail = patient.extend({
  balance,
  coverages: z.array(coverage.extend({ id })),
  treatments: z.array(patientTreatmentSummary),
});
