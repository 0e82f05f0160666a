import type { Dialect } from '../../db/connect.ts';
import type { MessageRow } from '../../db/database.ts';
import { nowIso } from '../../db/ids.ts';
import type { Db } from '../../db/transaction.ts';
import { calendarDateIn } from '../../domain/calendar/practice-calendar.ts';
import { smsNotBefore } from '../../domain/messages/quiet-hours.ts';
import { nextRetryDelayMs } from '../../domain/webhooks/signature.ts';
import { systemActor } from '../actor.ts';
import { practiceTimeZone } from '../practices/practice-settings.ts';
import { gatherPaymentReceipt, gatherRefundReceipt } from '../receipts/gather-receipt.ts';
import { renderReceiptPdf } from '../receipts/render-receipt-pdf.ts';
import { gatherStatement } from '../statements/gather-statement.ts';
import { renderStatementPdf } from '../statements/render-statement-pdf.ts';
import type { Mail, MessageChannels } from './channels.ts';

/**
 * Sends queued messages after their request committed, safe from many
 * processes at once (the same lease as webhook delivery): a due message is
 * picked (PostgreSQL: FOR UPDATE SKIP LOCKED), leased by a conditional update
 * of locked_until — the row that changed is the lock, on both databases —
 * sent outside any transaction, and its outcome written with the lease
 * released. A failure is retried with doubling delays, 5 attempts in all.
 */

export interface MessageDeliveryOptions {
  dialect: Dialect;
  channels: MessageChannels;
  retryBaseMs: number;
  publicUrl: string;
  /** Messages sent in parallel per round. */
  concurrency?: number;
  log?: { warn(obj: object, msg: string): void };
  /** The clock (tests move it past quiet hours or a retry's wait). */
  now?: () => Date;
}

export const MAX_MESSAGE_ATTEMPTS = 5;
/** Longer than any SMTP or Twilio call may take (their timeouts are 20 s at most). */
const LEASE_MS = 60_000;

function isoAfter(iso: string, ms: number): string {
  return new Date(Date.parse(iso) + ms).toISOString();
}

function clock(options: MessageDeliveryOptions): string {
  return options.now ? options.now().toISOString() : nowIso();
}

async function leaseDue(db: Db, options: MessageDeliveryOptions, limit: number): Promise<MessageRow[]> {
  const now = clock(options);
  const pickAndLease = async (conn: Db) => {
    let pick = conn
      .selectFrom('messages')
      .selectAll()
      .where('status', '=', 'queued')
      .where('nextAttemptAt', '<=', now)
      .where((eb) => eb.or([eb('lockedUntil', 'is', null), eb('lockedUntil', '<', now)]))
      .orderBy('nextAttemptAt')
      .limit(limit);
    if (options.dialect === 'postgres') pick = pick.forUpdate().skipLocked();
    const due = await pick.execute();
    const held: MessageRow[] = [];
    for (const m of due) {
      const leased = await conn
        .updateTable('messages')
        .set({ lockedUntil: isoAfter(now, LEASE_MS) })
        .where('id', '=', m.id)
        .where('status', '=', 'queued')
        .where((eb) => eb.or([eb('lockedUntil', 'is', null), eb('lockedUntil', '<', now)]))
        .executeTakeFirst();
      if (Number(leased.numUpdatedRows) === 1) held.push(m);
    }
    return held;
  };
  return options.dialect === 'postgres' ? db.transaction().execute(pickAndLease) : pickAndLease(db);
}

/** The mail as it goes out: a receipt or statement carries its PDF, drawn now. */
async function mailFor(db: Db, message: MessageRow, publicUrl: string): Promise<Mail> {
  const actor = systemActor(message.practiceId, 'message-delivery');
  const attachments: Mail['attachments'] = [];
  if (message.template === 'receipt' && message.refundId) {
    const receipt = await gatherRefundReceipt(db, actor, message.refundId);
    attachments.push({ filename: `refund-receipt-${receipt.number}.pdf`, content: await renderReceiptPdf(receipt), contentType: 'application/pdf' });
  } else if (message.template === 'receipt' && message.paymentId) {
    const receipt = await gatherPaymentReceipt(db, actor, message.paymentId);
    attachments.push({ filename: `receipt-${receipt.number}.pdf`, content: await renderReceiptPdf(receipt), contentType: 'application/pdf' });
  } else if (message.template === 'statement') {
    const today = calendarDateIn(await practiceTimeZone(db, message.practiceId));
    const statement = await gatherStatement(db, actor, message.patientId, { publicUrl, today });
    attachments.push({ filename: `statement-${today}.pdf`, content: await renderStatementPdf(statement), contentType: 'application/pdf' });
  }
  return { to: message.toAddress, subject: message.subject ?? '', text: message.body, attachments };
}

async function attempt(db: Db, options: MessageDeliveryOptions, message: MessageRow): Promise<boolean> {
  const patient = await db.selectFrom('patients').select(['smsOptOut', 'emailOptOut']).where('id', '=', message.patientId).executeTakeFirstOrThrow();
  // An opt-out that arrived while the message waited (quiet hours, retries) still wins.
  if ((message.channel === 'sms' ? patient.smsOptOut : patient.emailOptOut) === 1) {
    await db
      .updateTable('messages')
      .set({ status: 'suppressed', error: `the patient opted out of ${message.channel === 'sms' ? 'texts' : 'email'} before it was sent`, lockedUntil: null })
      .where('id', '=', message.id)
      .execute();
    return false;
  }
  if (message.channel === 'sms') {
    // Quiet hours hold at send time too: a retry, or a cron run that came late, waits for 8 am.
    const at = new Date(clock(options));
    const allowedAt = smsNotBefore(await practiceTimeZone(db, message.practiceId), at);
    if (allowedAt > at) {
      await db.updateTable('messages').set({ nextAttemptAt: allowedAt.toISOString(), lockedUntil: null }).where('id', '=', message.id).execute();
      return false;
    }
  }
  const channel = message.channel === 'sms' ? options.channels.sms : options.channels.email;
  let outcome: { providerId: string } | { error: string };
  try {
    outcome =
      message.channel === 'sms'
        ? await options.channels.sms.send({ to: message.toAddress, body: message.body })
        : await options.channels.email.send(await mailFor(db, message, options.publicUrl));
  } catch (error) {
    const e = error as { code?: string | number; responseCode?: number; status?: number; message?: string };
    // A short reason only: never the message body.
    outcome = { error: String(e.responseCode ?? e.status ?? e.code ?? 'error').slice(0, 40) + (e.message ? `: ${e.message.slice(0, 160)}` : '') };
  }
  const now = clock(options);
  const attempts = Number(message.attemptCount) + 1;
  if ('providerId' in outcome) {
    await db
      .updateTable('messages')
      .set({ status: 'sent', provider: channel.provider, providerId: outcome.providerId, error: null, attemptCount: attempts, sentAt: now, lockedUntil: null })
      .where('id', '=', message.id)
      .execute();
    return true;
  }
  const giveUp = attempts >= MAX_MESSAGE_ATTEMPTS;
  await db
    .updateTable('messages')
    .set({
      status: giveUp ? 'failed' : 'queued',
      provider: channel.provider,
      error: outcome.error,
      attemptCount: attempts,
      nextAttemptAt: giveUp ? message.nextAttemptAt : isoAfter(now, nextRetryDelayMs(options.retryBaseMs, attempts)),
      lockedUntil: null,
    })
    .where('id', '=', message.id)
    .execute();
  options.log?.warn({ messageId: message.id, channel: message.channel, attempts, error: outcome.error, giveUp }, 'message attempt failed');
  return false;
}

export interface MessagePassResult {
  attempted: number;
  sent: number;
}

/** One pass: send everything due right now. */
export async function deliverMessages(db: Db, options: MessageDeliveryOptions, { maxRounds = 50 }: { maxRounds?: number } = {}): Promise<MessagePassResult> {
  const result: MessagePassResult = { attempted: 0, sent: 0 };
  const concurrency = options.concurrency ?? 4;
  for (let round = 0; round < maxRounds; round++) {
    const held = await leaseDue(db, options, concurrency);
    const outcomes = await Promise.all(held.map((m) => attempt(db, options, m)));
    result.attempted += outcomes.length;
    result.sent += outcomes.filter(Boolean).length;
    if (held.length < concurrency) break;
  }
  return result;
}
