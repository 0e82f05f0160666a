import { z } from 'zod';
import { id } from './common.ts';

export const messageChannels = ['email', 'sms'] as const;
export const messageTemplates = ['receipt', 'statement', 'payment_link'] as const;
export const messageStatuses = ['queued', 'sent', 'failed', 'suppressed'] as const;

/** Send a receipt, statement or payment link; `to` defaults to the patient's email or phone on file. */
export const sendMessageBody = z
  .object({
    channel: z.enum(messageChannels),
    /** An email address, or a phone number in E.164 (+15550102000). */
    to: z.string().trim().min(1).max(254).optional(),
  })
  .strict();
export type SendMessageBody = z.infer<typeof sendMessageBody>;

export const message = z.object({
  id,
  patientId: id,
  channel: z.enum(messageChannels),
  to: z.string(),
  template: z.enum(messageTemplates),
  paymentId: id.nullable(),
  /** Set when the receipt is a refund's (of the payment above). */
  refundId: id.nullable(),
  subject: z.string().nullable(),
  body: z.string(),
  status: z.enum(messageStatuses),
  provider: z.string().nullable(),
  providerId: z.string().nullable(),
  error: z.string().nullable(),
  attemptCount: z.number().int(),
  /** Not sent before this instant (quiet hours or a retry). */
  notBefore: z.string(),
  createdAt: z.string(),
  sentAt: z.string().nullable(),
});
export type Message = z.infer<typeof message>;

export const messageList = z.object({ items: z.array(message) });

/** What a send answers: 202 with the message queued (or 422 recipient_opted_out with the suppressed row's id). */
export const queuedMessage = z.object({ id, status: z.enum(messageStatuses), notBefore: z.string() });
