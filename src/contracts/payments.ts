import { z } from 'zod';
import { paymentMethods, paymentStatuses, paymentTypes } from '../domain/payments/payment-status.ts';
import { amountCents, calendarDate, cents, id, listOf, pageQuery } from './common.ts';

export const paymentStatus = z.enum(paymentStatuses);
export const paymentType = z.enum(paymentTypes);
export const paymentMethod = z.enum(paymentMethods);

export const createPaymentBody = z.object({
  patientId: id,
  amountCents,
  treatmentId: id.optional(),
  locationId: id.optional(),
  type: paymentType.optional(),
  method: paymentMethod.optional(),
  checkNumber: z.string().trim().min(1).max(40).optional(),
  dueDate: calendarDate.optional(),
  memo: z.string().trim().max(2000).optional(),
  status: z.enum(['draft', 'pending', 'paid']).optional(),
  paidDate: calendarDate.optional(),
  /** For card payments taken on a terminal or elsewhere: the processor's charge id, so refunds can go back through it. */
  processorReference: z.string().trim().min(1).max(255).optional(),
});
export type CreatePaymentBody = z.infer<typeof createPaymentBody>;

export const updatePaymentBody = z
  .object({
    amountCents: amountCents.optional(),
    memo: z.string().trim().max(2000).nullable().optional(),
    dueDate: calendarDate.nullable().optional(),
    type: paymentType.optional(),
    treatmentId: id.nullable().optional(),
    method: paymentMethod.optional(),
    checkNumber: z.string().trim().min(1).max(40).nullable().optional(),
    locationId: id.optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'send at least one field to change');
export type UpdatePaymentBody = z.infer<typeof updatePaymentBody>;

export const changeStatusBody = z.object({
  status: paymentStatus,
  /** When it became Paid; default today in the practice's calendar. */
  paidDate: calendarDate.optional(),
  method: paymentMethod.optional(),
  /** The check's number, kept with a payment marked Paid by check (the web app asks for it). */
  checkNumber: z.string().trim().min(1).max(40).optional(),
});
export type ChangeStatusBody = z.infer<typeof changeStatusBody>;

export const paymentSorts = ['createdAt', 'amount', 'dueDate', 'status', 'patientName'] as const;

export const listPaymentsQuery = pageQuery.extend({
  status: z
    .string()
    .optional()
    .transform((s, ctx) => {
      if (!s) return undefined;
      const values = s.split(',').map((v) => v.trim()).filter(Boolean);
      for (const v of values) {
        if (!(paymentStatuses as readonly string[]).includes(v)) {
          ctx.addIssue({ code: 'custom', message: `unknown status "${v}"; one of ${paymentStatuses.join(', ')}` });
          return z.NEVER;
        }
      }
      return values as Array<z.infer<typeof paymentStatus>>;
    }),
  locationId: id.optional(),
  patientId: id.optional(),
  search: z.string().trim().max(100).optional(),
  sort: z.enum(paymentSorts).default('createdAt'),
  order: z.enum(['asc', 'desc']).default('desc'),
  /** The `nextCursor` of the page before: the next page by keyset, as fast at row 1,000,000 as at row 1 (page is then ignored). */
  cursor: z.string().max(500).optional(),
});
export type ListPaymentsQuery = z.infer<typeof listPaymentsQuery>;

export const billingView = z.object({
  netAmountCents: cents,
  reference: z.string(),
  appliedCents: cents,
  unappliedCents: cents,
  overApplied: z.boolean(),
});

export const payment = z.object({
  id,
  number: z.string(),
  patientId: id,
  patientName: z.string(),
  locationId: z.string().nullable(),
  locationName: z.string().nullable(),
  treatmentId: z.string().nullable(),
  amountCents: cents,
  refundedCents: cents,
  status: paymentStatus,
  type: paymentType,
  method: paymentMethod.nullable(),
  checkNumber: z.string().nullable(),
  dueDate: z.string().nullable(),
  paidDate: z.string().nullable(),
  memo: z.string().nullable(),
  createdAt: z.string(),
  createdBy: z.string(),
  updatedAt: z.string(),
  /** What may still be refunded: amount − refunded − refunds still with the processor (0 unless Paid or Partially Refunded). */
  refundableCents: cents,
  /** Charged through our card processor: a refund goes back through it ("Refund"); otherwise it is recorded ("Mark Refunded"). */
  chargedThroughProcessor: z.boolean(),
  allowedStatusChanges: z.array(paymentStatus),
  editable: z.boolean(),
  overdue: z.boolean(),
  link: z.object({ url: z.string(), expiresAt: z.string() }).nullable(),
  billing: billingView,
});
export type Payment = z.infer<typeof payment>;

export const paymentDetail = payment.extend({
  patient: z.object({
    id,
    accountId: z.string(),
    firstName: z.string(),
    lastName: z.string(),
    dateOfBirth: z.string(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
  }),
  treatment: z
    .object({
      id,
      serviceDate: z.string(),
      serviceTime: z.string().nullable(),
      physician: z.string(),
      locationName: z.string(),
      lines: z.array(z.object({ cpt: z.string(), chargeCents: cents, units: z.number().int() })),
    })
    .nullable(),
});

export const addNoteBody = z.object({ text: z.string().trim().min(1, 'a note needs text').max(5000) });
export const note = z.object({ id, text: z.string(), authorName: z.string(), createdAt: z.string() });

export const document = z.object({
  id,
  fileName: z.string(),
  contentType: z.string(),
  sizeBytes: z.number().int(),
  createdAt: z.string(),
  downloadUrl: z.string(),
});

export const createLinkBody = z.object({ expiresInDays: z.number().int().min(1).max(90).default(7) });
export const paymentLink = z.object({ url: z.string(), expiresAt: z.string() });

export const dashboardQuery = z.object({ locationId: id.optional() });
export const dashboard = z.object({
  totalCollectedCents: cents.describe(
    'Total Collected (SPEC 3): money received from patients net of refunds. Sum of the amounts of Paid, Partially Refunded and Refunded payments, except Patient Credit payments (a draw from a credit is not new money), less the refunds that sent money back (cash, check, card, processor). A refund issued as credit and a dismissed refund-owed task keep the money with the practice and do not reduce it. Equals the net of the cash_clearing journal lines of patient payments and refunds.',
  ),
  outstandingCents: cents.describe('Outstanding (SPEC 3): the sum of the amounts of Draft, Pending and Processing payments.'),
  monthly: z
    .array(
      z.object({
        month: z.string().describe("'YYYY-MM' on the practice's calendar (its time zone)."),
        collectedCents: cents.describe('Total Collected in that month: payments by paid date, less money refunded on days of that month (practice time zone).'),
      }),
    )
    .describe('The twelve months ending with the current one on the practice calendar, oldest first.'),
  byStatus: z.record(z.string(), z.number().int()).describe('How many payments are in each status (every status listed, zero included).'),
});

export const refundBody = z
  .object({
    amountCents: amountCents.optional(),
    full: z.literal(true).optional(),
    reason: z.enum(['patient_request', 'billing_error', 'service_not_rendered', 'duplicate_charge', 'insurance_adjustment', 'other'], {
      error: 'reason is one of patient_request, billing_error, service_not_rendered, duplicate_charge, insurance_adjustment, other',
    }),
    notes: z.string().trim().max(2000).optional(),
    asCredit: z.boolean().optional(),
  })
  .refine((b) => (b.full === true) !== (b.amountCents !== undefined), 'send either amountCents (a partial refund) or full: true');

export const refund = z.object({
  id,
  paymentId: id,
  patientId: id,
  amountCents: cents,
  reason: z.string(),
  notes: z.string().nullable(),
  method: z.enum(['processor', 'cash', 'check', 'recorded', 'credit']),
  status: z.enum(['pending', 'succeeded', 'failed']),
  processorReference: z.string().nullable(),
  failureReason: z.string().nullable(),
  creditId: z.string().nullable(),
  createdAt: z.string(),
  createdBy: z.string(),
  settledAt: z.string().nullable(),
});

export const applyPaymentBody = z.object({ treatmentId: id, amountCents });
export const application = z.object({
  id,
  paymentId: id,
  treatmentId: id,
  patientId: id,
  amountCents: cents,
  createdAt: z.string(),
  createdBy: z.string(),
  removedAt: z.string().nullable(),
  /** The visit it is applied to, as staff name it (in the applications list). */
  treatment: z.object({ serviceDate: z.string(), physician: z.string() }).optional(),
});
export type Application = z.infer<typeof application>;

/** A charge's answer: the payment, and why the card was not charged (declined, unavailable), null when it was. */
export const chargeResult = payment.extend({ failure: z.string().nullable() });
export type ChargeResult = z.infer<typeof chargeResult>;

/** A refund's answer: the refund and the payment as it now stands. */
export const refundResult = refund.extend({ payment });
export type RefundResult = z.infer<typeof refundResult>;

/** The list with, for keyset paging, the cursor of the next page (null on the last page, and for sort=dueDate). */
export const paymentList = listOf(payment).extend({ nextCursor: z.string().nullable() });
