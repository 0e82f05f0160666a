import { z } from 'zod';
import { asOfDate, cents, id, pageQuery } from './common.ts';

/** Remittance work (SPEC section 6): the exceptions queue, the denials work list and payer balances. */

export const exceptionStatuses = ['open', 'matched', 'resolved'] as const;

export const listExceptionsQuery = pageQuery.extend({
  /** open: still in the queue; resolved: worked (matched to a claim or resolved by hand); matched: only those matched. Default open. */
  status: z.enum(['open', 'resolved', 'matched', 'all']).optional(),
});
export type ListExceptionsQuery = z.infer<typeof listExceptionsQuery>;

export const remittanceException = z.object({
  id,
  remittanceId: id,
  fileName: z.string().nullable(),
  importedAt: z.string(),
  payerName: z.string().nullable(),
  traceNumber: z.string().nullable(),
  paymentDate: z.string().nullable(),
  /** CLP01 as the payer sent it. */
  patientControlNumber: z.string(),
  /** NM1*QC on the claim payment: who the payer says the patient is. */
  patientName: z.string().nullable(),
  statusCode: z.string(),
  reasonCode: z.string().nullable(),
  message: z.string().nullable(),
  chargeCents: cents,
  paidCents: cents,
  /** What the exception holds (or held) in suspense. */
  suspenseCents: cents,
  status: z.enum(exceptionStatuses),
  /** Whether a biller can match it to a claim (a readable claim payment that balances, of a status that posts). */
  matchable: z.boolean(),
  matchedClaimId: z.string().nullable(),
  matchedControlNumber: z.string().nullable(),
  resolution: z.string().nullable(),
  resolutionNote: z.string().nullable(),
  resolvedAt: z.string().nullable(),
  resolvedBy: z.string().nullable(),
});
export type RemittanceException = z.infer<typeof remittanceException>;

export const matchExceptionBody = z.object({ claimId: id });

export const exceptionResolutions = ['returned_to_payer', 'not_ours', 'duplicate_payment', 'other'] as const;
export const resolveExceptionBody = z.object({
  resolution: z.enum(exceptionResolutions),
  note: z.string().trim().min(1, 'Say why in a note').max(2000),
});

export const listDenialsQuery = pageQuery.extend({
  search: z.string().trim().max(100).optional(),
});
export type ListDenialsQuery = z.infer<typeof listDenialsQuery>;

export const describedCode = z.object({ code: z.string(), description: z.string() });

export const denial = z.object({
  /** The remittance claim row. */
  id,
  claimId: z.string().nullable(),
  treatmentId: z.string().nullable(),
  patientId: z.string().nullable(),
  patientName: z.string().nullable(),
  serviceDate: z.string().nullable(),
  controlNumber: z.string(),
  payerName: z.string().nullable(),
  /** CLP02: 4 denied; 1/2/3/19/20/21 processed with nothing paid. */
  statusCode: z.string(),
  chargeCents: cents,
  paidCents: cents,
  paymentDate: z.string().nullable(),
  remittanceId: id,
  fileName: z.string().nullable(),
  importedAt: z.string(),
  /** CAS: group, CARC, amount and what the code means (as in effect on the payment date). */
  adjustments: z.array(describedCode.extend({ group: z.string(), amountCents: cents })),
  /** RARC remark codes (MOA, MIA, LQ) with what they mean. */
  remarks: z.array(describedCode),
});
export type Denial = z.infer<typeof denial>;

export const payerBalancesQuery = z.object({
  asOf: asOfDate.optional().describe("Overdue as of this day (the practice's today when left out); items identified later are left out"),
  status: z.enum(['open', 'settled', 'all']).optional(),
});

export const payerBalanceItem = z.object({
  id,
  amountCents: cents,
  direction: z.enum(['owed_to_payer', 'owed_by_payer']),
  source: z.enum(['provider_adjustment', 'exception_resolved', 'reversal_without_correction', 'paid_more_than_billed']),
  /** On the payer_overpayment account (false: settled by the claim posting itself, shown for the record). */
  booked: z.boolean(),
  reasonCode: z.string().nullable(),
  reference: z.string().nullable(),
  description: z.string(),
  identifiedDate: z.string(),
  /** identified + 60 days in the practice's calendar: the overpayment rule's deadline. */
  deadlineDate: z.string(),
  settledDate: z.string().nullable(),
  /** refunded (sent back by the practice) or recouped (taken back by the payer in the same payment). */
  settlement: z.string().nullable(),
  settlementNote: z.string().nullable(),
  overdue: z.boolean(),
  remittancePaymentId: id,
});

export const payerBalances = z.object({
  asOf: z.string(),
  payers: z.array(
    z.object({
      payerName: z.string().nullable(),
      payerId: z.string().nullable(),
      owedToPayerCents: cents,
      owedByPayerCents: cents,
      netOwedToPayerCents: cents,
      overdueCents: cents,
      items: z.array(payerBalanceItem),
    }),
  ),
  owedToPayerCents: cents,
  owedByPayerCents: cents,
  overdueCount: z.number().int(),
});

export const searchClaimsQuery = pageQuery.extend({
  /** A control number (or its start), or a patient's name. */
  search: z.string().trim().max(100).optional(),
  status: z.enum(['submitted', 'processed', 'denied', 'cancelled']).optional(),
});
export type SearchClaimsQuery = z.infer<typeof searchClaimsQuery>;

export const claimSummary = z.object({
  id,
  controlNumber: z.string(),
  status: z.string(),
  coverageOrder: z.number().int(),
  payerName: z.string(),
  billedCents: cents,
  treatmentId: id,
  serviceDate: z.string(),
  patientId: id,
  patientName: z.string(),
});
export type ClaimSummary = z.infer<typeof claimSummary>;

export const refundPayerBalanceBody = z.object({
  note: z.string().trim().min(1, 'Say how it was returned (check number, transfer)').max(2000),
});

export const offsetPayerBalanceBody = z.object({
  /** The opposite item (owed by the payer against owed to it, or back) of the same payer and amount. */
  againstItemId: id,
  note: z.string().trim().min(1, 'Say which payment netted them').max(2000),
});
