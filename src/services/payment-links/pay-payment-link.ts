import { createHash } from 'node:crypto';
import type { ChargeOutcome } from '../../contracts/portal.ts';
import { nowIso } from '../../db/ids.ts';
import { recordAudit } from '../../db/repositories/audit.ts';
import { findStoredResponse, storeResponse, type IdempotencyRequest } from '../../db/repositories/idempotency-keys.ts';
import type { Db } from '../../db/transaction.ts';
import { AppError } from '../../domain/errors.ts';
import { formatPaymentNumber } from '../../domain/payments/payment-status.ts';
import { chargePayment } from '../payments/charge-payment.ts';
import type { PaymentProcessor } from '../processors/payment-processor.ts';
import { patientActor } from '../portal/patient-actor.ts';
import { findPaymentByLinkToken, linkBlocker } from './view-payment-link.ts';

/**
 * Pays the payment a link opens with a card: Processing, then Paid or Failed
 * (chargePayment). An expired link (410), a paid one or a cancelled one (422)
 * says so and takes no money. A Draft payment becomes Pending first (an
 * allowed change, audited). A retry with the same Idempotency-Key answers
 * what the first request did.
 */
export async function payPaymentLink(db: Db, processor: PaymentProcessor, token: string, card: string, idempotencyKey?: string): Promise<ChargeOutcome> {
  const payment = await findPaymentByLinkToken(db, token);
  const idempotency: IdempotencyRequest | undefined = idempotencyKey
    ? {
        practiceId: payment.practiceId,
        key: `link:${payment.id}:${idempotencyKey}`,
        requestHash: createHash('sha256').update(`link-pay ${payment.id} ${card}`).digest('hex'),
      }
    : undefined;
  if (idempotency) {
    const earlier = await findStoredResponse<ChargeOutcome>(db, idempotency);
    if (earlier) return earlier.body;
  }
  switch (linkBlocker(payment)) {
    case 'expired':
      throw new AppError('link_expired', 'This payment link has expired and takes no payment. Ask the practice for a new link.');
    case 'paid':
      throw new AppError('link_already_paid', `Payment ${formatPaymentNumber(payment.number)} is already paid. Nothing was charged.`);
    case 'cancelled':
      throw new AppError('link_cancelled', `Payment ${formatPaymentNumber(payment.number)} was cancelled. Nothing was charged.`);
    case 'processing':
      throw new AppError('conflict', 'This payment is being processed right now. Wait a moment and reload the page.');
    case null:
      break;
  }
  const actor = patientActor(payment.practiceId, payment.patientId, 'link');
  if (payment.status === 'draft') {
    await db.transaction().execute(async (trx) => {
      const moved = await trx.updateTable('payments').set({ status: 'pending', updatedAt: nowIso() }).where('id', '=', payment.id).where('status', '=', 'draft').executeTakeFirst();
      if (Number(moved.numUpdatedRows) === 1) {
        await recordAudit(trx, actor, { action: 'payment.status_changed', entityType: 'payment', entityId: payment.id, before: { status: 'draft' }, after: { status: 'pending' } });
      }
    });
  }
  const result = await chargePayment(db, actor, payment.id, { source: card, method: 'online' }, processor);
  const outcome: ChargeOutcome = {
    paymentNumber: formatPaymentNumber(result.payment.number),
    amountCents: result.payment.amountCents,
    status: result.payment.status,
    failure: result.failure,
  };
  if (idempotency) {
    // After the charge, not with it (chargePayment owns its transactions): a retry racing this one meets
    // chargePayment's own guard (the payment is no longer Pending) instead of this record.
    try {
      await db.transaction().execute((trx) => storeResponse(trx, idempotency, 200, outcome));
    } catch (error) {
      // Only a twin request that stored its answer first is expected here.
      if (!(await findStoredResponse(db, idempotency))) throw error;
    }
  }
  return outcome;
}
