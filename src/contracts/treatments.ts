import { z } from 'zod';
import { amountCents, cents, id, serviceDate } from './common.ts';

export const createTreatmentBody = z.object({
  patientId: id,
  locationId: id,
  serviceDate,
  serviceTime: z
    .string()
    .regex(/^\d{2}:\d{2}$/, 'must be a time as HH:MM')
    .optional(),
  physician: z.string().trim().min(1).max(200),
  lines: z
    .array(
      z.object({
        cpt: z.string().trim().regex(/^[A-Z0-9]{5}$/, 'a CPT/HCPCS code is 5 letters or digits'),
        chargeCents: amountCents,
        units: z.number().int().min(1).max(999).optional(),
      }),
    )
    .min(1)
    .max(50),
});
export type CreateTreatmentBody = z.infer<typeof createTreatmentBody>;

export const treatmentLine = z.object({ cpt: z.string(), chargeCents: cents, units: z.number().int() });

export const treatmentPayment = z.object({
  id,
  number: z.string(),
  amountCents: cents,
  status: z.string(),
  dueDate: z.string().nullable(),
  paidDate: z.string().nullable(),
  overdue: z.boolean(),
});

export const claim = z.object({
  id,
  treatmentId: id,
  patientId: id,
  coverageOrder: z.number().int(),
  payerName: z.string(),
  payerId: z.string(),
  memberId: z.string(),
  /** What the payer's 835 echoes in CLP01. */
  controlNumber: z.string(),
  status: z.enum(['submitted', 'processed', 'denied', 'cancelled']),
  billedCents: cents,
  paidCents: cents,
  contractualCents: cents,
  patientResponsibilityCents: cents,
  processedDate: z.string().nullable(),
  createdAt: z.string(),
});

export const treatment = z.object({
  id,
  patientId: id,
  locationId: id,
  locationName: z.string(),
  serviceDate: z.string(),
  serviceTime: z.string().nullable(),
  physician: z.string(),
  lines: z.array(treatmentLine),
  chargeCents: cents,
  patientResponsibilityCents: cents,
  balanceCents: cents,
  payments: z.array(treatmentPayment),
  claims: z.array(claim),
  insuranceStatus: z.enum(['self_pay', 'awaiting', 'settled']),
  createdAt: z.string(),
});
