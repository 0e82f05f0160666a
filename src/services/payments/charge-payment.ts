import type { PaymentRow } from '../../db/database.ts';
import { nowIso } from '../../db/ids.ts';
import { recordAudit } from '../../db/repositories/audit.ts';
import { enqueueEvent } from '../../db/repositories/outbox.ts';
import { inTransaction, type Db, type Trx } from '../../db/transaction.ts';
import { AppError } from '../../domain/errors.ts';
import { formatPaymentNumber, statusLabels, type PaymentStatus } from '../../domain/payments/payment-status.ts';
import { checkCardSource } from '../../domain/payments/card-number.ts';
import type { Actor } from '../actor.ts';
import { idempotently, type IdempotencyRequest, type TwoPhase } from '../idempotency/idempotently.ts';
import { ProcessorError, type PaymentProcessor } from '../processors/payment-processor.ts';
import { requirePayment } from './payment-views.ts';
import { practiceDate } from '../practices/practice-settings.ts';
import { recordPaymentReceived } from './record-payment-received.ts';

/** A card charge with the processor: its processor idempotency key, stored on the payment as `chargeAttempt`. */
export interface ChargeAttempt {
  paymentId: string;
  key: string;
  amountCents: number;
  number: number;
}

export interface ChargeInput {
  source: string;
  method?: 'card' | 'online' | undefined;
}

export interface Charged {
  payment: PaymentRow;
  failure: string | null;
}

type Outcome = { reference: string; cardLast4: string | null } | ProcessorError;

/**
 * Phase 1 (in the caller's transaction): a Pending or Failed payment becomes
 * Processing with this attempt's key, in one conditional write — the lock:
 * while `chargeAttempt` is set no manual status change or edit is accepted.
 */
export async function claimCharge(trx: Trx, actor: Actor, paymentId: string, method: 'card' | 'online' = 'card'): Promise<ChargeAttempt> {
  const payment = await requirePayment(trx, actor, paymentId);
  const from = payment.status as PaymentStatus;
  if (payment.chargeAttempt !== null) throw new AppError('charge_in_progress', 'A card charge of this payment is with the processor; wait until it settles.');
  if (from !== 'pending' && from !== 'failed') {
    throw new AppError('invalid_status_change', `A ${statusLabels[from]} payment cannot be charged; only Pending or Failed ones.`, { from });
  }
  const attempts = await trx
    .selectFrom('auditEvents')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('entityId', '=', paymentId)
    .where('action', '=', 'payment.charge_started')
    .executeTakeFirstOrThrow();
  const key = `${paymentId}:${Number(attempts.n) + 1}`;
  // Failed → Pending → Processing are both allowed changes; one conditional write makes the claim.
  const claimed = await trx
    .updateTable('payments')
    // The method is set with the claim so that recovery, knowing only the payment, books it the same way.
    .set({ status: 'processing', chargeAttempt: key, method, updatedAt: nowIso() })
    .where('id', '=', paymentId)
    .where('status', '=', from)
    .where('chargeAttempt', 'is', null)
    .executeTakeFirst();
  if (Number(claimed.numUpdatedRows) !== 1) throw new AppError('charge_in_progress', 'The payment is already being charged.');
  await recordAudit(trx, actor, { action: 'payment.charge_started', entityType: 'payment', entityId: paymentId, before: { status: from }, after: { status: 'processing', chargeAttempt: key } });
  return { paymentId, key, amountCents: payment.amountCents, number: payment.number };
}

/** Outside any transaction: the processor, with the attempt's key, so asking twice never charges twice. */
export async function askProcessor(processor: PaymentProcessor, attempt: ChargeAttempt, source: string): Promise<Outcome> {
  try {
    return await processor.charge({
      amountCents: attempt.amountCents,
      source,
      description: `Payment ${formatPaymentNumber(attempt.number)}`,
      idempotencyKey: attempt.key,
      metadata: { paymentId: attempt.paymentId },
    });
  } catch (error) {
    if (!(error instanceof ProcessorError)) throw error;
    return error;
  }
}

/**
 * Phase 2: books the processor's answer — Paid with the charge reference, or
 * Failed with the reason — only through this attempt's own conditional update
 * (Processing and still this attempt). If it changed no row, someone else
 * settled the attempt (recovery) and nothing is booked twice.
 */
export async function settleCharge(trx: Trx, actor: Actor, attempt: ChargeAttempt, outcome: Outcome, method: 'card' | 'online' = 'card'): Promise<Charged> {
  const { paymentId } = attempt;
  const failed = outcome instanceof ProcessorError;
  const settled = await trx
    .updateTable('payments')
    .set(
      failed
        ? { status: 'failed', chargeAttempt: null, updatedAt: nowIso() }
        : { status: 'paid', chargeAttempt: null, method, paidDate: await practiceDate(trx, actor.practiceId), processorReference: outcome.reference, cardLast4: outcome.cardLast4, updatedAt: nowIso() },
    )
    .where('id', '=', paymentId)
    .where('status', '=', 'processing')
    .where('chargeAttempt', '=', attempt.key)
    .executeTakeFirst();
  if (Number(settled.numUpdatedRows) !== 1) {
    return { payment: await requirePayment(trx, actor, paymentId), failure: failed ? outcome.message : null };
  }
  if (failed) {
    await recordAudit(trx, actor, { action: 'payment.charge_failed', entityType: 'payment', entityId: paymentId, before: { status: 'processing' }, after: { status: 'failed', reason: outcome.message } });
    await enqueueEvent(trx, actor.practiceId, 'payment.failed', { paymentId, reason: outcome.message });
    return { payment: await requirePayment(trx, actor, paymentId), failure: outcome.message };
  }
  await recordPaymentReceived(trx, actor, await requirePayment(trx, actor, paymentId));
  const paid = await requirePayment(trx, actor, paymentId);
  await recordAudit(trx, actor, { action: 'payment.charged', entityType: 'payment', entityId: paymentId, before: { status: 'processing' }, after: { status: 'paid', processorReference: outcome.reference } });
  await enqueueEvent(trx, actor.practiceId, 'payment.paid', { paymentId, amountCents: paid.amountCents });
  return { payment: paid, failure: null };
}

/**
 * The one charge path, as two-phase idempotent work: `prepare` (in the claim
 * transaction) finds or makes the payment to charge — a payment link moves a
 * Draft to Pending, the portal creates the payment — then the claim, the
 * processor outside any transaction, the settlement, and `answer` (in the
 * settlement's transaction) builds what the caller returns and a retry replays.
 */
export function chargeWork<T>(
  actor: Actor,
  prepare: (trx: Trx) => Promise<string>,
  input: ChargeInput,
  processor: PaymentProcessor,
  answer: (trx: Trx, charged: Charged) => Promise<T>,
): TwoPhase<ChargeAttempt, T> {
  return {
    claim: async (trx) => {
      // Before anything is made or claimed: a mistyped number rolls back the whole claim, leaving nothing.
      checkCardSource(input.source, !processor.hostedCardEntry);
      return { pending: await claimCharge(trx, actor, await prepare(trx), input.method) };
    },
    complete: async (attempt, settle) => {
      const outcome = await askProcessor(processor, attempt, input.source);
      return settle(async (trx) => answer(trx, await settleCharge(trx, actor, attempt, outcome, input.method)));
    },
    recover: recoverSettled(actor, answer),
  };
}

/** A retry after the first request's process stopped: once recovery has settled the attempt, answer with it. */
function recoverSettled<T>(actor: Actor, answer: (trx: Trx, charged: Charged) => Promise<T>): NonNullable<TwoPhase<ChargeAttempt, T>['recover']> {
  return async (trx, attempt) => {
    if (attempt === undefined) return undefined;
    const payment = await requirePayment(trx, actor, attempt.paymentId);
    if (payment.chargeAttempt === attempt.key || payment.status === 'processing') return undefined;
    return answer(trx, await settledCharge(trx, actor, payment));
  };
}

/** A payment's charge as it stands, with the reason when it failed. */
async function settledCharge(trx: Trx, actor: Actor, payment: PaymentRow): Promise<Charged> {
  return { payment, failure: payment.status === 'failed' ? await lastChargeFailure(trx, payment.id) : null };
}

/** What the browser needs to confirm a charge in the processor's element; null once the attempt is settled (it failed to start). */
export interface HostedStart {
  chargeReference: string;
  clientSecret: string;
}

function hostedEntryOf(processor: PaymentProcessor) {
  if (!processor.hostedCardEntry) {
    throw new AppError('hosted_card_entry_unavailable', 'This processor takes the card number in our own form; send it with the charge instead.');
  }
  return processor.hostedCardEntry;
}

/**
 * The first half of a charge whose card the browser enters in the
 * processor's element (ADR 0027): the same claim as `chargeWork` (Processing,
 * locked, with the attempt's key), then — outside any transaction — the
 * processor creates the charge under that key and the browser gets what it
 * needs to confirm it. Nothing is booked here; `finishHostedCharge` books
 * what the processor says. A processor that cannot start the charge settles
 * the attempt Failed, as a decline would.
 */
export function hostedChargeWork<T>(
  actor: Actor,
  prepare: (trx: Trx) => Promise<string>,
  method: 'card' | 'online',
  processor: PaymentProcessor,
  answer: (trx: Trx, charged: Charged, started: HostedStart | null) => Promise<T>,
  metadata: Record<string, string> = {},
): TwoPhase<ChargeAttempt, T> {
  return {
    claim: async (trx) => {
      const paymentId = await prepare(trx);
      // Another practice's payment is not found before anything is said about this processor.
      await requirePayment(trx, actor, paymentId);
      hostedEntryOf(processor);
      return { pending: await claimCharge(trx, actor, paymentId, method) };
    },
    complete: async (attempt, settle) => {
      let started: HostedStart;
      try {
        const charge = await hostedEntryOf(processor).startCharge({
          amountCents: attempt.amountCents,
          description: `Payment ${formatPaymentNumber(attempt.number)}`,
          idempotencyKey: attempt.key,
          metadata: { ...metadata, paymentId: attempt.paymentId },
        });
        started = { chargeReference: charge.reference, clientSecret: charge.clientSecret };
      } catch (error) {
        if (!(error instanceof ProcessorError)) throw error;
        return settle(async (trx) => answer(trx, await settleCharge(trx, actor, attempt, error, method), null));
      }
      return settle(async (trx) => answer(trx, { payment: await requirePayment(trx, actor, attempt.paymentId), failure: null }, started));
    },
    recover: recoverSettled(actor, (trx, charged) => answer(trx, charged, null)),
  };
}

/**
 * The second half: books what the processor says of the charge the browser
 * confirmed — read from the processor, never taken from the browser — through
 * the one settlement (`settleCharge`), so the browser's call, the
 * `payment_intent.succeeded` webhook and charge recovery book it once between
 * them. Still under way (3-D Secure, processing): left Processing for the
 * webhook or recovery. `answer` runs in the same transaction, also when
 * someone else booked it first (the portal applies the payment there).
 */
export async function finishHostedCharge<T>(
  db: Db,
  actor: Actor,
  processor: PaymentProcessor,
  paymentId: string,
  chargeReference: string,
  answer: (trx: Trx, charged: Charged) => Promise<T>,
): Promise<T> {
  const payment = await requirePayment(db, actor, paymentId);
  const entry = hostedEntryOf(processor);
  if (payment.status !== 'processing' || payment.chargeAttempt === null) {
    // Booked already (the webhook, or a repeated call): the processor must still vouch that this is that charge.
    if (payment.processorReference !== null && payment.processorReference !== chargeReference) {
      throw new AppError('charge_reference_mismatch', 'That card charge is not the one this payment was paid with.');
    }
    return inTransaction(db, async (trx) => answer(trx, await settledCharge(trx, actor, await requirePayment(trx, actor, paymentId))));
  }
  const attempt: ChargeAttempt = { paymentId, key: payment.chargeAttempt, amountCents: payment.amountCents, number: payment.number };
  let found;
  try {
    found = await entry.chargeOutcome({ reference: chargeReference, idempotencyKey: attempt.key, paymentId });
  } catch (error) {
    if (!(error instanceof ProcessorError)) throw error;
    // We could not ask: the payment stays Processing, for the webhook or recovery to book.
    found = { state: 'in_progress' } as const;
  }
  if (found.state === 'not_found') throw new AppError('charge_reference_mismatch', 'That card charge is not the one this payment is waiting for. Nothing was booked.');
  if (found.state === 'in_progress') return inTransaction(db, async (trx) => answer(trx, { payment: await requirePayment(trx, actor, paymentId), failure: null }));
  const outcome: Outcome = found.state === 'succeeded' ? { reference: found.reference, cardLast4: found.cardLast4 } : new ProcessorError('declined', found.message);
  const method = payment.method === 'online' ? 'online' : 'card';
  return inTransaction(db, async (trx) => answer(trx, await settleCharge(trx, actor, attempt, outcome, method)));
}

async function lastChargeFailure(trx: Trx, paymentId: string): Promise<string> {
  const event = await trx
    .selectFrom('auditEvents')
    .select('after')
    .where('entityId', '=', paymentId)
    .where('action', '=', 'payment.charge_failed')
    .orderBy('createdAt', 'desc')
    .executeTakeFirst();
  const after = event?.after ? (JSON.parse(event.after) as { reason?: string }) : null;
  return after?.reason ?? 'The card was not charged.';
}

/** How long a charge may stay with the processor before recovery asks about it (Stripe's search lags about a minute). */
const chargeRecoveryAgeMs = 5 * 60_000;

/**
 * Settles card charges left Processing by a process that stopped while the
 * processor had them: asks the processor what became of each attempt (by its
 * idempotency key) and books it through the same settlement as a live
 * request — Paid and applied, or Failed — exactly once (the settlement's
 * conditional update). Attempts still under way are left for the next run.
 */
export async function resumeProcessingCharges(db: Db, processor: PaymentProcessor, options: { olderThanMs?: number } = {}) {
  const cutoff = new Date(Date.now() - (options.olderThanMs ?? chargeRecoveryAgeMs)).toISOString();
  const stuck = await db
    .selectFrom('payments')
    .select(['id', 'practiceId', 'chargeAttempt', 'amountCents', 'number', 'method'])
    .where('status', '=', 'processing')
    .where('chargeAttempt', 'is not', null)
    .where('updatedAt', '<', cutoff)
    .orderBy('updatedAt')
    .limit(500)
    .execute();
  const outcome = { paid: 0, failed: 0, stillProcessing: 0 };
  for (const payment of stuck) {
    const actor: Actor = { practiceId: payment.practiceId, kind: 'system', id: 'charge-recovery', name: 'Charge recovery', role: 'admin' };
    const attempt: ChargeAttempt = { paymentId: payment.id, key: payment.chargeAttempt!, amountCents: Number(payment.amountCents), number: Number(payment.number) };
    let found;
    try {
      found = await processor.findCharge({ idempotencyKey: attempt.key, paymentId: payment.id });
    } catch (error) {
      if (!(error instanceof ProcessorError)) throw error;
      outcome.stillProcessing++;
      continue;
    }
    if (found.state === 'in_progress') {
      outcome.stillProcessing++;
      continue;
    }
    const settled: Outcome =
      found.state === 'succeeded'
        ? { reference: found.reference, cardLast4: found.cardLast4 }
        : new ProcessorError('declined', found.state === 'failed' ? found.message : 'The charge was cut off before the processor took it; nothing was charged. Charge again.');
    const method = payment.method === 'online' ? 'online' : 'card';
    const charged = await inTransaction(db, (trx) => settleCharge(trx, actor, attempt, settled, method));
    if (charged.payment.status === 'paid') outcome.paid++;
    else if (charged.payment.status === 'failed') outcome.failed++;
  }
  return outcome;
}

/**
 * Takes a Pending (or Failed, retried) payment through the card processor:
 * Processing while the processor is asked, then Paid — with the charge
 * reference refunds will use — or Failed with the processor's reason.
 */
export async function chargePayment(
  db: Db,
  actor: Actor,
  paymentId: string,
  input: ChargeInput,
  processor: PaymentProcessor,
  idempotency?: IdempotencyRequest,
): Promise<Charged> {
  const work = chargeWork(actor, async () => paymentId, input, processor, async (_trx, charged) => charged);
  return (await idempotently(db, idempotency, 200, work)).body;
}
