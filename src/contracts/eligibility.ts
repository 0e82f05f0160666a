import { z } from 'zod';
import { MAX_AMOUNT_CENTS } from '../domain/money.ts';
import { cents, id } from './common.ts';

/** Zero or more whole cents (a deductible or out-of-pocket figure can be $0.00). */
const nonNegativeCents = z
  .number({ error: 'must be a number of cents' })
  .int('must be a whole number of cents (integer), not dollars with decimals')
  .min(0, 'must be zero or more')
  .max(MAX_AMOUNT_CENTS, 'must be at most 1000000000 cents ($10,000,000.00)');

/** A percent as staff state it: 20, 12.5, "33.33"; converted once to basis points on the server. */
const percent = z.union([z.number().min(0).max(100), z.string().trim().regex(/^\d{1,3}(\.\d{1,2})?$/, 'a percent such as 20 or 12.5')]);

const cpt = z.string().trim().regex(/^[A-Z0-9]{5}$/, 'a CPT/HCPCS code is 5 letters or digits');

export const procedureBenefitBody = z.object({
  cpt,
  /** true: this CPT's patient portion is a copay (its own copayCents, else the plan copay); false: never a copay. */
  copayApplies: z.boolean().optional(),
  copayCents: nonNegativeCents.optional(),
  /** false for services the plan pays before the deductible (preventive care). */
  deductibleApplies: z.boolean().optional(),
  coinsurancePercent: percent.optional(),
});

/** An eligibility check entered by hand (SPEC section 8). */
export const createEligibilityCheckBody = z.object({
  patientId: id,
  copayCents: nonNegativeCents.nullable().optional(),
  coinsurancePercent: percent,
  deductibleRemainingCents: nonNegativeCents,
  oopRemainingCents: nonNegativeCents,
  deductibleTotalCents: nonNegativeCents.optional(),
  oopTotalCents: nonNegativeCents.optional(),
  payerName: z.string().trim().min(1).max(200).optional(),
  payerId: z.string().trim().min(1).max(80).optional(),
  memberId: z.string().trim().min(1).max(80).optional(),
  procedures: z.array(procedureBenefitBody).max(100).optional(),
});
export type CreateEligibilityCheckBody = z.infer<typeof createEligibilityCheckBody>;

export const import271Query = z.object({
  patientId: id,
  /** EB03 service type to read the figures for: 98 professional office visit (default), 30 the plan as a whole. */
  serviceType: z.string().trim().regex(/^[A-Z0-9]{1,2}$/).default('98'),
});

export const procedureBenefit = z.object({
  cpt: z.string(),
  copayApplies: z.boolean().optional(),
  copayCents: cents.optional(),
  deductibleApplies: z.boolean().optional(),
  coinsuranceBasisPoints: z.number().int().optional(),
});

export const eligibilityRejection = z.object({
  /** AAA03, e.g. 72 invalid member ID, 75 subscriber not found, 50 provider ineligible. */
  code: z.string().nullable(),
  description: z.string(),
  /** AAA04: C correct and resubmit, N do not resubmit, R resubmission allowed… */
  followUpAction: z.string().nullable(),
  level: z.string(),
});

/** One EB of a 271 as read (with its member), whether or not the summary used it. */
export const eligibilityBenefit = z.object({
  memberLevel: z.enum(['subscriber', 'dependent']),
  segmentNumber: z.number().int(),
  /** EB01: 1 active, A coinsurance, B copay, C deductible, G out of pocket… */
  code: z.string(),
  coverageLevel: z.string().nullable(),
  serviceTypes: z.array(z.string()),
  insuranceType: z.string().nullable(),
  planDescription: z.string().nullable(),
  timePeriod: z.string().nullable(),
  amountCents: cents.nullable(),
  percentBasisPoints: z.number().int().nullable(),
  quantityQualifier: z.string().nullable(),
  quantity: z.string().nullable(),
  authorizationRequired: z.string().nullable(),
  inNetwork: z.string().nullable(),
  procedure: z.object({ qualifier: z.string(), code: z.string(), modifiers: z.array(z.string()) }).nullable(),
  messages: z.array(z.string()),
});

export const eligibilityCheck = z.object({
  id,
  patientId: id,
  source: z.enum(['manual', 'x12_271']),
  status: z.enum(['active', 'inactive', 'rejected']),
  payerName: z.string().nullable(),
  payerId: z.string().nullable(),
  memberId: z.string().nullable(),
  serviceType: z.string().nullable(),
  copayCents: cents.nullable(),
  /** The coinsurance as a percent (20 for 20 %); exact to the hundredth. */
  coinsurancePercent: z.number().nullable(),
  coinsuranceBasisPoints: z.number().int().nullable(),
  deductibleRemainingCents: cents.nullable(),
  deductibleTotalCents: cents.nullable(),
  oopRemainingCents: cents.nullable(),
  oopTotalCents: cents.nullable(),
  procedures: z.array(procedureBenefit),
  rejections: z.array(eligibilityRejection),
  /** Every benefit of the 271 (empty for checks entered by hand): also those the figures above do not use. */
  benefits: z.array(eligibilityBenefit),
  warnings: z.array(z.string()),
  createdAt: z.string(),
  createdBy: z.string(),
});
export type EligibilityCheck = z.infer<typeof eligibilityCheck>;

export const estimateQuery = z.object({
  patientId: id,
  treatmentId: id,
  /** The payment the estimate is for; a pre-payment by default (no visit copay). */
  type: z.enum(['treatment_prepayment', 'office_visit']).default('treatment_prepayment'),
});

export const estimateLine = z.object({
  cpt: z.string(),
  units: z.number().int(),
  chargeCents: cents,
  basisCents: cents,
  basisSource: z.enum(['charge', 'fee_schedule']),
  copayCents: cents,
  deductibleCents: cents,
  coinsuranceCents: cents,
  patientCents: cents,
});

export const estimate = z.object({
  patientId: id,
  treatmentId: id,
  type: z.enum(['treatment_prepayment', 'office_visit']),
  lines: z.array(estimateLine),
  subtotalCents: cents,
  totalCents: cents,
  cappedByOop: z.boolean(),
  deductibleRemainingAfterCents: cents,
  basis: z.enum(['charges', 'fee_schedule', 'mixed']),
  basisNote: z.string(),
  eligibilityCheckId: id,
  /** The figures of that check the estimate used, after defaults for what it did not state. */
  eligibility: z.object({
    checkedAt: z.string(),
    source: z.enum(['manual', 'x12_271']),
    payerName: z.string().nullable(),
    copayCents: cents.nullable(),
    coinsuranceBasisPoints: z.number().int(),
    deductibleRemainingCents: cents,
    oopRemainingCents: cents.nullable(),
  }),
  /** Plain sentences about assumptions (a figure the check did not state, inactive coverage). */
  notes: z.array(z.string()),
});
export type Estimate = z.infer<typeof estimate>;

export const feeScheduleBody = z
  .array(z.object({ cpt, allowedCents: nonNegativeCents }))
  .max(5000)
  .refine((entries) => new Set(entries.map((e) => e.cpt)).size === entries.length, 'each CPT may appear once');

export const feeSchedule = z.object({
  payerId: z.string(),
  entries: z.array(z.object({ cpt: z.string(), allowedCents: cents })),
});
