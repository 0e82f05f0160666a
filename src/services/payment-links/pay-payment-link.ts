import { createHash } from 'node:crypto';
import type { ChargeOutcome } from '../../contracts/portal.ts';
import { nowIso } from '../../db/ids.ts';
import { recordAudit } from '../../db/repositories/audit.ts';
import type { Db, Trx } from '../../db/transaction.ts';
import { idempotently, type IdempotencyRequest } from '../idempotency/idempotently.ts';
import { AppError } from '../../domain/errors.ts';
import { formatPaymentNumber } from '../../domain/payments/payment-status.ts';
import { chargeWork } from '../payments/charge-payment.ts';
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
  const idempotency: IdempotencyRequest | undefined = idempotencyKey
    ? {
        practiceId: found.practiceId,
        key: `link:${found.id}:${idempotencyKey}`,
        requestHash: createHash('sha256').update(`link-pay ${found.id} ${card}`).digest('hex'),
      }
    : undefined;
  const actor = patientActor(found.practiceId, found.patientId, 'link');
  // Read again inside the claim's transaction: what the link shows now, not before.
  const prepare = async (trx: Trx) => {
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
  };
  const work = chargeWork(actor, prepare, { source: card, method: 'online' }, processor, async (_trx, { payment, failure }) => ({
    paymentNumber: formatPaymentNumber(payment.number),
    amountCents: payment.amountCents,
    status: payment.status,
    failure,
  }));
  return (await idempotently(db, idempotency, 200, work)).body as ChargeOutcome;
}
