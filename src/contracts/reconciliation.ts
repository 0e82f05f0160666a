import { z } from 'zod';
import { calendarDate, cents, id } from './common.ts';

export const processorReconciliationQuery = z
  .object({
    from: calendarDate.describe('Payouts arriving on or after this day'),
    to: calendarDate.describe('Payouts arriving on or before this day'),
  })
  .refine((q) => q.from <= q.to, { message: 'from must not be after to', path: ['from'] });
export type ProcessorReconciliationQuery = z.infer<typeof processorReconciliationQuery>;

export const payoutItemType = z.enum(['charge', 'refund', 'dispute', 'adjustment', 'fee']);

export const processorPayoutItem = z.object({
  id,
  balanceTransactionId: z.string().describe("The processor's balance transaction (Stripe txn_…)"),
  type: payoutItemType,
  amountCents: cents.describe('Signed: charges positive, refunds and dispute withdrawals negative'),
  feeCents: cents,
  netCents: cents.describe('amount − fee'),
  sourceReference: z.string().nullable().describe('The PaymentIntent (or charge), refund or dispute id it came from'),
  matched: z.boolean().describe('False when it matches none of our payments, refunds or disputes: to be looked into, never guessed'),
  paymentId: id.nullable(),
  paymentNumber: z.string().nullable(),
  patientName: z.string().nullable(),
  refundId: id.nullable(),
  disputeId: id.nullable(),
  description: z.string().nullable(),
});
export type ProcessorPayoutItem = z.infer<typeof processorPayoutItem>;

export const payoutTotals = z.object({
  grossCents: cents.describe('Charges'),
  refundsCents: cents.describe('Refunds (negative)'),
  disputesCents: cents.describe('Dispute withdrawals and reinstatements'),
  adjustmentsCents: cents.describe('Anything else the processor moved'),
  feesCents: cents.describe('Fees the processor kept (positive)'),
  netCents: cents.describe('gross + refunds + disputes + adjustments − fees'),
});

export const processorPayout = z.object({
  id,
  processorPayoutId: z.string(),
  amountCents: cents.describe('What reached the bank'),
  arrivalDate: calendarDate,
  status: z.string(),
  totals: payoutTotals,
  balanced: z.boolean().describe('The items net to the payout amount, to the cent'),
  items: z.array(processorPayoutItem),
});

export const openProcessorDispute = z.object({
  id,
  processorDisputeId: z.string(),
  paymentId: id,
  paymentNumber: z.string(),
  patientName: z.string(),
  amountCents: cents,
  reason: z.string(),
  evidenceDueBy: calendarDate.nullable(),
  openedAt: z.string(),
});

export const processorReconciliation = z.object({
  from: calendarDate,
  to: calendarDate,
  payouts: z.array(processorPayout),
  totals: payoutTotals.extend({ payoutsCents: cents.describe('The payouts themselves') }),
  unmatchedCount: z.number().int(),
  openDisputes: z.array(openProcessorDispute),
});
export type ProcessorReconciliation = z.infer<typeof processorReconciliation>;
