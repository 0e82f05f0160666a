import { z } from 'zod';
import type { SendMessageBody } from '../../contracts/messages.ts';
import type { MessageRow, PatientRow } from '../../db/database.ts';
import { newId } from '../../db/ids.ts';
import { recordAudit } from '../../db/repositories/audit.ts';
import { inTransaction, type Db, type Trx } from '../../db/transaction.ts';
import { calendarDateIn } from '../../domain/calendar/practice-calendar.ts';
import { AppError } from '../../domain/errors.ts';
import { isE164, smsNotBefore, toE164 } from '../../domain/messages/quiet-hours.ts';
import { formatCents, toCents } from '../../domain/money.ts';
import { formatPaymentNumber, statusLabels, type PaymentStatus } from '../../domain/payments/payment-status.ts';
import type { Actor } from '../actor.ts';
import { requirePatient } from '../patients/patients.ts';
import { createPaymentLink } from '../payments/create-payment-link.ts';
import { paymentLinkUrl, requirePayment } from '../payments/payment-views.ts';
import { practiceTimeZone } from '../practices/practice-settings.ts';
import { gatherPaymentReceipt, gatherRefundReceipt } from '../receipts/gather-receipt.ts';
import { gatherStatement } from '../statements/gather-statement.ts';
import { toMessage } from './list-messages.ts';

/**
 * Sending a receipt, a statement or a payment link: the message row is
 * written in this request's transaction (the outbox) and sent by the
 * delivery worker after commit (deliver-messages.ts). The text is composed
 * now; a receipt's or statement's PDF is drawn when the mail goes out.
 *
 * An SMS never carries more about the patient than the first name and an
 * amount (ADR 0021): receipts and statements by SMS are a one-line notice,
 * not a document link.
 */

export interface SendOptions {
  publicUrl: string;
  /** The clock, so quiet hours can be tested at any time of day. */
  now?: Date;
}

/** How long a payment link made for a message stays valid. */
const SENT_LINK_DAYS = 14;
const emailAddress = z.string().email();

function recipientOf(patient: PatientRow, body: SendMessageBody): string {
  if (body.channel === 'email') {
    const to = body.to ?? patient.email;
    if (!to) throw new AppError('validation_failed', 'The patient has no email address on file: give one in "to".');
    if (!emailAddress.safeParse(to).success) throw new AppError('validation_failed', `"${to}" is not an email address.`, { field: 'to' });
    return to.toLowerCase();
  }
  if (body.to !== undefined) {
    if (!isE164(body.to)) throw new AppError('validation_failed', `"${body.to}" is not a phone number in E.164 form (for example +15550102000).`, { field: 'to' });
    return body.to;
  }
  if (!patient.phone) throw new AppError('validation_failed', 'The patient has no phone number on file: give one in "to".');
  const phone = toE164(patient.phone);
  if (!phone) throw new AppError('validation_failed', `The phone on file (${patient.phone}) is not a number we can text: give one in "to" as E.164.`, { field: 'to' });
  return phone;
}

function optedOut(patient: PatientRow, channel: 'email' | 'sms'): boolean {
  return channel === 'sms' ? patient.smsOptOut === 1 : patient.emailOptOut === 1;
}

interface Draft {
  template: MessageRow['template'];
  paymentId: string | null;
  refundId?: string;
  subject: string;
  emailText: string;
  smsText: string;
}

const STOP_LINE = ' Reply STOP to opt out.';

/** Writes the message row: queued (held to 8 am for an SMS in quiet hours), or suppressed for an opted-out patient. */
async function writeMessage(trx: Trx, actor: Actor, patient: PatientRow, body: SendMessageBody, draft: Draft, now: Date, status: 'queued' | 'suppressed') {
  const to = recipientOf(patient, body);
  const timeZone = await practiceTimeZone(trx, actor.practiceId);
  const notBefore = body.channel === 'sms' && status === 'queued' ? smsNotBefore(timeZone, now) : now;
  const row: MessageRow = {
    id: newId(),
    practiceId: actor.practiceId,
    patientId: patient.id,
    channel: body.channel,
    toAddress: to,
    template: draft.template,
    paymentId: draft.paymentId,
    refundId: draft.refundId ?? null,
    subject: body.channel === 'email' ? draft.subject : null,
    body: body.channel === 'email' ? draft.emailText : draft.smsText + STOP_LINE,
    status,
    provider: null,
    providerId: null,
    error: status === 'suppressed' ? `the patient opted out of ${body.channel === 'sms' ? 'texts' : 'email'}` : null,
    attemptCount: 0,
    nextAttemptAt: notBefore.toISOString(),
    lockedUntil: null,
    createdBy: actor.id,
    createdAt: now.toISOString(),
    sentAt: null,
  };
  await trx.insertInto('messages').values(row).execute();
  await recordAudit(trx, actor, {
    action: status === 'queued' ? 'message.queued' : 'message.suppressed',
    entityType: 'message',
    entityId: row.id,
    after: { patientId: patient.id, channel: row.channel, template: row.template, paymentId: row.paymentId, refundId: row.refundId },
  });
  return toMessage(row);
}

/**
 * The one path every send takes: validate the address (400, nothing written),
 * then either queue the message or — for an opted-out patient — log it as
 * suppressed and answer 422 recipient_opted_out.
 */
async function send(db: Db, actor: Actor, patientId: string, body: SendMessageBody, now: Date, compose: (trx: Trx, patient: PatientRow) => Promise<Draft>) {
  const suppressed = await inTransaction(db, async (trx) => {
    const patient = await requirePatient(trx, actor, patientId);
    recipientOf(patient, body);
    const draft = await compose(trx, patient);
    if (optedOut(patient, body.channel)) return writeMessage(trx, actor, patient, body, draft, now, 'suppressed');
    return { queued: await writeMessage(trx, actor, patient, body, draft, now, 'queued') };
  });
  if ('queued' in suppressed) return suppressed.queued;
  throw new AppError('recipient_opted_out', `The patient opted out of ${body.channel === 'sms' ? 'text messages' : 'email'}; nothing was sent.`, { messageId: suppressed.id });
}

/** POST /payments/:id/link/send: the payment's live link, or a new one (14 days) when it has none. */
export async function sendPaymentLink(db: Db, actor: Actor, paymentId: string, body: SendMessageBody, options: SendOptions) {
  const now = options.now ?? new Date();
  const payment = await requirePayment(db, actor, paymentId);
  return send(db, actor, payment.patientId, body, now, async (trx, patient) => {
    const current = await requirePayment(trx, actor, paymentId);
    if (!['draft', 'pending', 'failed'].includes(current.status)) {
      throw new AppError('link_not_allowed', `A ${statusLabels[current.status as PaymentStatus]} payment cannot be paid by link.`);
    }
    const live = current.linkToken && current.linkExpiresAt && current.linkExpiresAt > now.toISOString();
    const link = live
      ? { url: paymentLinkUrl(options.publicUrl, current.linkToken!), expiresAt: current.linkExpiresAt! }
      : await createPaymentLink(trx, actor, paymentId, SENT_LINK_DAYS, options.publicUrl);
    const practice = await practiceName(trx, actor);
    const amount = formatCents(toCents(current.amountCents));
    const expires = calendarDateIn(await practiceTimeZone(trx, actor.practiceId), link.expiresAt);
    return {
      template: 'payment_link',
      paymentId,
      subject: `Pay ${amount} to ${practice}`,
      emailText: `Hi ${patient.firstName},\n\n${practice} has a bill of ${amount} for you (${formatPaymentNumber(current.number)}). You can pay it securely online:\n\n${link.url}\n\nThe link works until ${expires}.\n\n${practice}`,
      smsText: `Hi ${patient.firstName}, ${practice}: pay ${amount} securely at ${link.url}`,
    };
  });
}

/** POST /payments/:id/receipt/send: only a collected payment has a receipt (422 otherwise). */
export async function sendReceipt(db: Db, actor: Actor, paymentId: string, body: SendMessageBody, options: SendOptions) {
  const now = options.now ?? new Date();
  const payment = await requirePayment(db, actor, paymentId);
  return send(db, actor, payment.patientId, body, now, async (trx, patient) => {
    const receipt = await gatherPaymentReceipt(trx, actor, paymentId);
    const amount = formatCents(receipt.amountCents);
    const practice = receipt.practice.name;
    return {
      template: 'receipt',
      paymentId,
      subject: `Your receipt from ${practice}: ${receipt.number}`,
      emailText: `Hi ${patient.firstName},\n\nThank you for your payment of ${amount} on ${receipt.date}. Your receipt is attached.\n\n${practice}`,
      smsText: `Hi ${patient.firstName}, ${practice} received your payment of ${amount}. Thank you!`,
    };
  });
}

/** POST /refunds/:id/receipt/send: a refund's receipt (the PDF by email; a one-line notice by SMS); only a refund that went through has one (422 otherwise). */
export async function sendRefundReceipt(db: Db, actor: Actor, refundId: string, body: SendMessageBody, options: SendOptions) {
  const now = options.now ?? new Date();
  const refund = await db.selectFrom('refunds').select(['paymentId', 'patientId', 'method']).where('id', '=', refundId).where('practiceId', '=', actor.practiceId).executeTakeFirst();
  if (!refund) throw new AppError('not_found', 'Refund not found.');
  return send(db, actor, refund.patientId, body, now, async (trx, patient) => {
    const receipt = await gatherRefundReceipt(trx, actor, refundId);
    const amount = formatCents(receipt.amountCents);
    const practice = receipt.practice.name;
    // Kept as credit, nothing went back: the words say so.
    const given = refund.method === 'credit' ? `kept ${amount} as credit for you` : `refunded ${amount} to you`;
    return {
      template: 'receipt',
      paymentId: refund.paymentId,
      refundId,
      subject: `Your refund receipt from ${practice}: ${receipt.number}`,
      emailText: `Hi ${patient.firstName},\n\n${practice} ${given} on ${receipt.date} (${receipt.method}, from payment ${receipt.number}). Your refund receipt is attached.\n\n${practice}`,
      smsText: `Hi ${patient.firstName}, ${practice} ${given}.`,
    };
  });
}

/** POST /patients/:id/statement/send: the statement as of the practice's today. */
export async function sendStatement(db: Db, actor: Actor, patientId: string, body: SendMessageBody, options: SendOptions) {
  const now = options.now ?? new Date();
  return send(db, actor, patientId, body, now, async (trx, patient) => {
    const today = calendarDateIn(await practiceTimeZone(trx, actor.practiceId), now);
    const statement = await gatherStatement(trx, actor, patientId, { publicUrl: options.publicUrl, today });
    const amount = formatCents(statement.balanceDueCents);
    const practice = statement.practice.name;
    return {
      template: 'statement',
      paymentId: null,
      subject: `Your statement from ${practice}`,
      emailText: `Hi ${patient.firstName},\n\nYour statement of ${today} is attached. Balance due: ${amount}.\n\n${practice}`,
      smsText: `Hi ${patient.firstName}, your statement from ${practice} shows ${amount} due.`,
    };
  });
}

async function practiceName(db: Db, actor: Actor): Promise<string> {
  const row = await db.selectFrom('practices').select('name').where('id', '=', actor.practiceId).executeTakeFirstOrThrow();
  return row.name;
}
