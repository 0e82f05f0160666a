import { z } from 'zod';
import { paymentStatuses } from '../domain/payments/payment-status.ts';
import { cents, id } from './common.ts';

/**
 * Outgoing webhooks: the event catalogue with each event's `data`, the
 * endpoint and delivery shapes of /webhook-endpoints. Payloads are objects
 * that may gain fields over time (receivers ignore what they do not know).
 */

const paymentStatusEvent = z.looseObject({
  paymentId: id,
  /** The status before and after (a status change made by staff). */
  from: z.string().optional(),
  to: z.string().optional(),
  /** Present when the card processor settled the payment. */
  amountCents: cents.optional(),
  /** Why a card charge failed (payment.failed from a charge). */
  reason: z.string().optional(),
});

const creditLot = z.looseObject({
  id,
  patientId: id,
  amountCents: cents,
  remainingCents: cents,
  source: z.string(),
  reference: z.string().nullable(),
  description: z.string().nullable(),
  createdAt: z.string(),
});

const application = z.looseObject({
  id,
  paymentId: id,
  treatmentId: id,
  patientId: id,
  amountCents: cents,
  createdAt: z.string(),
  removedAt: z.string().nullable(),
});

const claim = z.looseObject({
  id,
  treatmentId: id,
  patientId: id,
  controlNumber: z.string(),
  status: z.string(),
  billedCents: cents,
  paidCents: cents,
});

const claimPosted = z.looseObject({ claimId: id, treatmentId: id, paidCents: cents.optional(), patientResponsibilityCents: cents.optional() });

const task = z.looseObject({ id, patientId: id, type: z.string(), status: z.string(), amountCents: cents, dueDate: z.string() });

/** A cardholder's dispute of a card payment, from the card processor's reconciliation (ADR 0019). */
const dispute = z.looseObject({
  disputeId: id,
  /** The processor's id (Stripe dp_…). */
  processorDisputeId: z.string(),
  paymentId: id,
  /** The amount the processor holds (open) or held. */
  amountCents: cents,
  reason: z.string(),
  /** open, then won or lost. */
  status: z.enum(['open', 'won', 'lost']),
  /** The last day to send evidence (dispute.created). */
  evidenceDueBy: z.string().nullable().optional(),
  /** The chargeback refund of a lost dispute (dispute.closed). */
  refundId: id.nullable().optional(),
});

/** A dispute of a dashboard charge still held on unidentified receipts: no payment yet (ADR 0029). */
const receiptDispute = z.looseObject({
  processorReceiptId: id,
  processorDisputeId: z.string(),
  amountCents: cents,
  reason: z.string(),
  status: z.enum(['open', 'won', 'lost']),
  evidenceDueBy: z.string().nullable().optional(),
});

const statusEvents = Object.fromEntries(
  paymentStatuses.map((status) => [`payment.${status}`, { summary: `A payment became ${status}.`, data: paymentStatusEvent }]),
) as Record<`payment.${(typeof paymentStatuses)[number]}`, { summary: string; data: typeof paymentStatusEvent }>;

/** Every event type a webhook endpoint can subscribe to, with its data. */
export const webhookEventCatalogue = {
  'payment.created': {
    summary: 'A payment was recorded (any status).',
    data: z.looseObject({ paymentId: id, status: z.string(), amountCents: cents }),
  },
  ...statusEvents,
  'refund.succeeded': {
    summary: 'Money went back to the patient (or into a credit when creditId is set).',
    data: z.looseObject({ refundId: id, paymentId: id, amountCents: cents, method: z.string(), creditId: id.nullable().optional() }),
  },
  'credit.created': { summary: 'A patient credit lot was granted.', data: creditLot },
  'credit.applied': {
    summary: 'Part of a credit paid a treatment.',
    data: z.looseObject({ creditId: id, paymentId: id, treatmentId: id, amountCents: cents }),
  },
  'credit.transferred': {
    summary: 'A credit moved to another patient.',
    data: z.looseObject({ fromCreditId: id, toCreditId: id, toPatientId: id, amountCents: cents }),
  },
  'application.created': { summary: 'Part of a payment was applied to a treatment.', data: application },
  'application.removed': { summary: 'An application was removed.', data: application },
  'remittance.posted': {
    summary: 'An 835 payment (one check or EFT) was posted.',
    data: z.looseObject({ remittanceId: id, traceNumber: z.string(), paymentCents: cents }),
  },
  'claim.opened': { summary: 'A claim went to a payer.', data: claim },
  'claim.processed': { summary: 'A remittance posted a claim payment.', data: claimPosted },
  'claim.denied': { summary: 'A remittance denied a claim.', data: claimPosted },
  'claim.not_ours': { summary: 'A remittance said the claim is not for this payer.', data: claimPosted },
  'claim.reversed': { summary: 'A remittance reversed an earlier claim payment.', data: claimPosted },
  'task.created': { summary: 'A work item (refund owed, or a dispute to answer) was opened.', data: task },
  'task.completed': { summary: 'A task was completed.', data: task },
  'task.dismissed': { summary: 'A task was dismissed.', data: task },
  'dispute.created': { summary: 'A cardholder disputed a card payment: the processor holds the amount; the payment is Disputed.', data: dispute },
  'dispute.closed': { summary: 'A dispute was settled: won (the hold comes back) or lost (booked as a chargeback refund).', data: dispute },
  'processor_receipt.disputed': {
    summary: 'A cardholder disputed a dashboard charge still held on unidentified receipts: the processor holds the amount; the receipt cannot be assigned until it is settled.',
    data: receiptDispute,
  },
  'processor_receipt.dispute_closed': { summary: "A held receipt's dispute was settled: won (the hold comes back) or lost (that much is given back to the card).", data: receiptDispute },
} as const;

export type WebhookEventType = keyof typeof webhookEventCatalogue;
export const webhookEventTypes = Object.keys(webhookEventCatalogue) as WebhookEventType[];
const groups = [...new Set(webhookEventTypes.map((t) => t.split('.')[0]!))];

/** What an endpoint listens to: an event type, every event of a group ("payment.*"), or everything ("*"). */
export const webhookEventFilter = z
  .string()
  .refine((v) => v === '*' || (webhookEventTypes as string[]).includes(v) || (v.endsWith('.*') && groups.includes(v.slice(0, -2))), {
    message: `must be an event type (${webhookEventTypes.slice(0, 3).join(', ')}, …), a group such as "payment.*", or "*"`,
  });

/** True when an endpoint with these filters wants this event type. */
export function eventMatches(filters: readonly string[], type: string): boolean {
  return filters.some((f) => f === '*' || f === type || (f.endsWith('.*') && type.startsWith(f.slice(0, -1))));
}

/** The body POSTed to an endpoint: the same id on every attempt, so receivers can drop repeats. */
export function webhookEnvelope<T extends z.ZodType>(type: string, data: T) {
  return z.object({
    id: id.describe('The event id: the same on every retry and replay'),
    type: z.literal(type),
    createdAt: z.string().describe('When the change committed (ISO 8601, UTC)'),
    data,
  });
}

const httpsOrHttpUrl = z
  .string()
  .trim()
  .max(2000)
  .url()
  .refine((v) => /^https?:\/\//i.test(v), 'must be an http:// or https:// URL');

export const createWebhookEndpointBody = z.object({
  url: httpsOrHttpUrl,
  events: z.array(webhookEventFilter).min(1).max(100),
  description: z.string().trim().max(500).default(''),
  enabled: z.boolean().default(true),
});
export type CreateWebhookEndpointBody = z.infer<typeof createWebhookEndpointBody>;

export const updateWebhookEndpointBody = z.object({
  url: httpsOrHttpUrl.optional(),
  events: z.array(webhookEventFilter).min(1).max(100).optional(),
  description: z.string().trim().max(500).optional(),
  enabled: z.boolean().optional(),
});
export type UpdateWebhookEndpointBody = z.infer<typeof updateWebhookEndpointBody>;

export const webhookEndpoint = z.object({
  id,
  url: z.string(),
  description: z.string(),
  events: z.array(z.string()),
  enabled: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type WebhookEndpoint = z.infer<typeof webhookEndpoint>;

/** Only at creation and on a roll: the secret is never shown again. */
export const webhookEndpointWithSecret = webhookEndpoint.extend({ secret: z.string() });
export type WebhookEndpointWithSecret = z.infer<typeof webhookEndpointWithSecret>;

export const webhookAttempt = z.object({
  id,
  attemptedAt: z.string(),
  durationMs: z.number().int(),
  responseCode: z.number().int().nullable(),
  succeeded: z.boolean(),
  error: z.string().nullable(),
  manual: z.boolean(),
});
export type WebhookAttempt = z.infer<typeof webhookAttempt>;

export const webhookDeliveryStatus = z.enum(['pending', 'delivered', 'failed']);

export const webhookDelivery = z.object({
  id,
  endpointId: id,
  eventId: id,
  eventType: z.string(),
  status: webhookDeliveryStatus,
  attemptCount: z.number().int(),
  nextAttemptAt: z.string().nullable(),
  lastResponseCode: z.number().int().nullable(),
  deliveredAt: z.string().nullable(),
  createdAt: z.string(),
  attempts: z.array(webhookAttempt),
});
export type WebhookDelivery = z.infer<typeof webhookDelivery>;

export const listDeliveriesQuery = z.object({
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(25),
  status: webhookDeliveryStatus.optional(),
});

/** The `webhooks` section of the OpenAPI 3.1 document: one entry per event type, with its body. */
export function webhookOpenApi(): Record<string, any> {
  return Object.fromEntries(
    webhookEventTypes.map((type) => {
      const event = webhookEventCatalogue[type];
      return [
        type,
        {
          post: {
            summary: event.summary,
            description:
              'Sent as JSON with the header `Ledger-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">` signed with the endpoint secret. Answer 2xx within 10 seconds; anything else is retried with exponential back-off for 3 days.',
            requestBody: { required: true, content: { 'application/json': { schema: z.toJSONSchema(webhookEnvelope(type, event.data), { unrepresentable: 'any' }) } } },
            responses: { '2XX': { description: 'Received; no retry.' } },
          },
        },
      ];
    }),
  );
}
