import { z } from 'zod';
import { cents, id } from './common.ts';

export const postedClaim = z.object({
  outcome: z.enum(['posted', 'denied', 'reversal', 'exception', 'duplicate']),
  patientControlNumber: z.string(),
  statusCode: z.string(),
  claimId: z.string().nullable(),
  treatmentId: z.string().nullable(),
  paidCents: cents,
  contractualCents: cents,
  patientResponsibilityCents: cents,
  forwardedCents: cents,
  toPatientCents: cents,
  /** Why an exception or a duplicate: no_claim, not_ours, does_not_balance, malformed, already_posted, … */
  reasonCode: z.string().nullable(),
  message: z.string().nullable(),
  /** For a duplicate: the import that posted the same claim payment first. */
  duplicateOf: z.object({ remittanceId: z.string(), fileName: z.string().nullable(), importedAt: z.string() }).nullable(),
  segmentNumber: z.number().int(),
  warnings: z.array(z.string()),
});

export const importWarning = z.object({
  code: z.string(),
  message: z.string(),
  segmentNumber: z.number().int().nullable(),
  controlNumber: z.string().optional(),
});

export const remittanceImport = z.object({
  id,
  duplicate: z.boolean(),
  fileName: z.string().nullable(),
  createdAt: z.string(),
  /** Every claim read = postedCount + exceptions + duplicates. */
  claimCount: z.number().int(),
  postedCount: z.number().int(),
  exceptionCount: z.number().int(),
  duplicateCount: z.number().int(),
  exceptions: z.array(postedClaim),
  duplicates: z.array(postedClaim),
  /** The lists (claims, exceptions, duplicates, warnings) stop at 1,000 entries each; the counts are whole. */
  truncated: z.boolean(),
  warnings: z.array(importWarning),
  payments: z.array(
    z.object({
      controlNumber: z.string(),
      payerName: z.string().nullable(),
      traceNumber: z.string().nullable(),
      paymentCents: cents,
      providerAdjustmentCents: cents,
      claimCount: z.number().int(),
      postedCount: z.number().int(),
      exceptionCount: z.number().int(),
      duplicateCount: z.number().int(),
      balanced: z.boolean(),
      status: z.enum(['posted', 'duplicate', 'failed']),
      message: z.string().nullable(),
    }),
  ),
  claims: z.array(postedClaim),
});

export const remittanceSummary = z.object({
  id,
  fileName: z.string().nullable(),
  fileBytes: z.number().int(),
  claimCount: z.number().int(),
  postedCount: z.number().int(),
  exceptionCount: z.number().int(),
  duplicateCount: z.number().int(),
  warningCount: z.number().int(),
  createdAt: z.string(),
  createdBy: z.string(),
});
