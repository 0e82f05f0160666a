import { z } from 'zod';
import { calendarDate, cents, id, pageQuery } from './common.ts';

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
  matched: z.boolean().describe('False when it matches none of our payments, refunds, disputes or held dashboard receipts: to be looked into, never guessed'),
  paymentId: id.nullable(),
  paymentNumber: z.string().nullable(),
  patientName: z.string().nullable(),
  refundId: id.nullable(),
  disputeId: id.nullable(),
  processorReceiptId: id.nullable().describe('A charge made in the processor dashboard (ADR 0028): booked for its patient, or held on unidentified receipts'),
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

export const processorReceiptStatus = z.enum(['booked', 'held', 'assigned', 'returned']);

/** A charge made in the processor's own dashboard (ADR 0028). */
export const processorReceipt = z.object({
  id,
  processorReference: z.string().describe('The PaymentIntent (or charge) id'),
  amountCents: cents,
  status: processorReceiptStatus.describe('booked: a patient payment at once; held: on unidentified receipts, to assign; assigned: a biller made it a payment; returned: refunded in the processor'),
  payerEmail: z.string().nullable(),
  description: z.string().nullable(),
  paymentId: id.nullable(),
  paymentNumber: z.string().nullable(),
  patientName: z.string().nullable(),
  receivedAt: z.string(),
  resolvedAt: z.string().nullable(),
  resolvedBy: z.string().nullable(),
  returnedCents: cents.describe('Given back to the card while nobody was named (refunded or lost in a dispute); assigning makes a payment of the rest'),
  returnUnderWay: z.boolean().describe('A return to the card from this app is with the processor: the receipt can be neither assigned nor returned again until it settles (retry the return to finish it)'),
  dispute: z
    .object({
      processorDisputeId: z.string(),
      amountCents: cents,
      reason: z.string(),
      status: z.enum(['open', 'won', 'lost']),
      evidenceDueBy: calendarDate.nullable(),
    })
    .nullable()
    .describe('The cardholder disputed the charge while the receipt named nobody (open: held by the processor, the receipt cannot be assigned or returned)'),
});
export type ProcessorReceipt = z.infer<typeof processorReceipt>;

export const listProcessorReceiptsQuery = pageQuery.extend({
  status: z.enum(['held', 'resolved', 'all']).default('held').describe('held: the work queue (oldest first); resolved: booked, assigned or returned (newest first)'),
});
export type ListProcessorReceiptsQuery = z.infer<typeof listProcessorReceiptsQuery>;

export const assignProcessorReceiptBody = z.object({ patientId: id }).strict();

export const processorReconciliation = z.object({
  from: calendarDate,
  to: calendarDate,
  payouts: z.array(processorPayout),
  totals: payoutTotals.extend({ payoutsCents: cents.describe('The payouts themselves') }),
  unmatchedCount: z.number().int(),
  openDisputes: z.array(openProcessorDispute),
  heldReceipts: z.array(processorReceipt).describe('Dashboard charges naming no patient, held on unidentified receipts until assigned (whatever their date)'),
});
export type ProcessorReconciliation = z.infer<typeof processorReconciliation>;
