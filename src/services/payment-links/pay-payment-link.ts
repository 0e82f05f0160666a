import { createHash } from 'node:crypto';
import type { ChargeOutcome, LinkStartResult } from '../../contracts/portal.ts';
import { nowIso } from '../../db/ids.ts';
import { recordAudit } from '../../db/repositories/audit.ts';
import type { Db, Trx } from '../../db/transaction.ts';
import { idempotently, type IdempotencyRequest } from '../idempotency/idempotently.ts';
import { AppError } from '../../domain/errors.ts';
import { formatPaymentNumber } from '../../domain/payments/payment-status.ts';
import type { Actor } from '../actor.ts';
import { chargeWork, finishHostedCharge, hostedChargeWork, type Charged } from '../payments/charge-payment.ts';
import type { PaymentProcessor } from '../processors/payment-processor.ts';
import { patientActor } from '../portal/patient-actor.ts';
import { findPaymentByLinkToken, linkBlocker } from './view-payment-link.ts';

/**
 * Pays the payment a link opens with a card: Processing, then Paid or Failed
 * (chargePayment). An expired link (410), a paid one or a cancelled one (422)
 * says so and takes no money. A Draft payment becomes Pending first (an
 * allowed change, audited) in the charge's claim. One charge path
 * (chargeWork) through the one idempotency helper: a retry with the same
 * Idempotency-Key waits for and answers what the first request did.
 */
export async function payPaymentLink(db: Db, processor: PaymentProcessor, token: string, card: string, idempotencyKey?: string): Promise<ChargeOutcome> {
  const found = await findPaymentByLinkToken(db, token);
  const actor = patientActor(found.practiceId, found.patientId, 'link');
  const work = chargeWork(actor, (trx) => prepareLinkPayment(trx, actor, token), { source: card, method: 'online' }, processor, async (_trx, charged) => linkAnswer(charged));
  return (await idempotently(db, linkIdempotency(found, idempotencyKey, `link-pay ${found.id} ${card}`), 200, work)).body as ChargeOutcome;
}

/** With Stripe (ADR 0027): the same checks and claim, then the charge the patient's browser confirms in Stripe's element. */
export async function startLinkCardPayment(db: Db, processor: PaymentProcessor, token: string, idempotencyKey?: string): Promise<LinkStartResult> {
  const found = await findPaymentByLinkToken(db, token);
  const actor = patientActor(found.practiceId, found.patientId, 'link');
  const work = hostedChargeWork(actor, (trx) => prepareLinkPayment(trx, actor, token), 'online', processor, async (_trx, charged, started) => ({
    ...linkAnswer(charged),
    chargeReference: started?.chargeReference ?? null,
    clientSecret: started?.clientSecret ?? null,
  }));
  return (await idempotently(db, linkIdempotency(found, idempotencyKey, `link-start ${found.id}`), 200, work)).body as LinkStartResult;
}

/** Books the charge the browser confirmed for this link's payment, as the processor tells it. */
export async function finishLinkCardPayment(db: Db, processor: PaymentProcessor, token: string, chargeReference: string): Promise<ChargeOutcome> {
  const found = await findPaymentByLinkToken(db, token);
  const actor = patientActor(found.practiceId, found.patientId, 'link');
  return finishHostedCharge(db, actor, processor, found.id, chargeReference, async (_trx, charged) => linkAnswer(charged));
}

function linkIdempotency(found: { id: string; practiceId: string }, idempotencyKey: string | undefined, request: string): IdempotencyRequest | undefined {
  return idempotencyKey ? { practiceId: found.practiceId, key: `link:${found.id}:${idempotencyKey}`, requestHash: createHash('sha256').update(request).digest('hex') } : undefined;
}

function linkAnswer({ payment, failure }: Charged): ChargeOutcome {
  return { paymentNumber: formatPaymentNumber(payment.number), amountCents: payment.amountCents, status: payment.status, failure };
}

/** In the claim's transaction, what the link shows now (not before): only a payable link is charged; a Draft becomes Pending (audited). */
async function prepareLinkPayment(trx: Trx, actor: Actor, token: string): Promise<string> {
  const payment = await findPaymentByLinkToken(trx, token);
  switch (linkBlocker(payment)) {
    case 'expired':
      throw new AppError('link_expired', 'This payment link has expired and takes no payment. Ask the practice for a new link.');
    case 'paid':
      throw new AppError('link_already_paid', `Payment ${formatPaymentNumber(payment.number)} is already paid. Nothing was charged.`);
    case 'cancelled':
      throw new AppError('link_cancelled', `Payment ${formatPaymentNumber(payment.number)} was cancelled. Nothing was charged.`);
    case 'processing':
      throw new AppError('charge_in_progress', 'This payment is being processed right now. Wait a moment and reload the page.');
    case null:
      break;
  }
  if (payment.status === 'draft') {
    const moved = await trx.updateTable('payments').set({ status: 'pending', updatedAt: nowIso() }).where('id', '=', payment.id).where('status', '=', 'draft').executeTakeFirst();
    if (Number(moved.numUpdatedRows) === 1) {
      await recordAudit(trx, actor, { action: 'payment.status_changed', entityType: 'payment', entityId: payment.id, before: { status: 'draft' }, after: { status: 'pending' } });
    }
  }
  return payment.id;
}
