import { nowIso } from '../../db/ids.ts';
import { recordAudit } from '../../db/repositories/audit.ts';
import { enqueueEvent } from '../../db/repositories/outbox.ts';
import type { Db } from '../../db/transaction.ts';
import { AppError } from '../../domain/errors.ts';
import { statusLabels, type PaymentStatus } from '../../domain/payments/payment-status.ts';
import type { Actor } from '../actor.ts';
import { ProcessorError, type PaymentProcessor } from '../processors/payment-processor.ts';
import { requirePayment } from './payment-views.ts';
import { practiceDate } from '../practices/practice-settings.ts';
import { recordPaymentReceived } from './record-payment-received.ts';

/**
 * Takes a Pending (or Failed, retried) payment through the card processor:
 * Processing while the processor is asked, then Paid — with the charge
 * reference refunds will use — or Failed with the processor's reason. The
 * processor's idempotency key is the payment and attempt, so a retried
 * request never charges twice.
 */
export async function chargePayment(
  db: Db,
  actor: Actor,
  paymentId: string,
  input: { source: string; method?: 'card' | 'online' },
  processor: PaymentProcessor,
) {
  const attempt = await db.transaction().execute(async (trx) => {
    const payment = await requirePayment(trx, actor, paymentId);
    const from = payment.status as PaymentStatus;
    if (from !== 'pending' && from !== 'failed') {
      throw new AppError('invalid_status_change', `A ${statusLabels[from]} payment cannot be charged; only Pending or Failed ones.`, { from });
    }
    // Failed → Pending → Processing are both allowed changes; one conditional write makes the claim.
    const claimed = await trx
      .updateTable('payments')
      .set({ status: 'processing', updatedAt: nowIso() })
      .where('id', '=', paymentId)
      .where('status', '=', from)
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) throw new AppError('conflict', 'The payment is already being charged.');
    const attempts = await trx
      .selectFrom('auditEvents')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('entityId', '=', paymentId)
      .where('action', '=', 'payment.charge_started')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, actor, { action: 'payment.charge_started', entityType: 'payment', entityId: paymentId, before: { status: from }, after: { status: 'processing' } });
    return { payment, key: `${paymentId}:${Number(attempts.n) + 1}` };
  });

  let outcome: { reference: string; cardLast4: string | null } | ProcessorError;
  try {
    outcome = await processor.charge({
      amountCents: attempt.payment.amountCents,
      source: input.source,
      description: `Payment ${attempt.payment.number}`,
      idempotencyKey: attempt.key,
      metadata: { paymentId },
    });
  } catch (error) {
    if (!(error instanceof ProcessorError)) throw error;
    outcome = error;
  }

  return db.transaction().execute(async (trx) => {
    if (outcome instanceof ProcessorError) {
      await trx.updateTable('payments').set({ status: 'failed', updatedAt: nowIso() }).where('id', '=', paymentId).where('status', '=', 'processing').execute();
      await recordAudit(trx, actor, { action: 'payment.charge_failed', entityType: 'payment', entityId: paymentId, before: { status: 'processing' }, after: { status: 'failed', reason: outcome.message } });
      await enqueueEvent(trx, actor.practiceId, 'payment.failed', { paymentId, reason: outcome.message });
      return { payment: await requirePayment(trx, actor, paymentId), failure: outcome.message };
    }
    await trx
      .updateTable('payments')
      .set({
        status: 'paid',
        method: input.method ?? 'card',
        paidDate: await practiceDate(trx, actor.practiceId),
        processorReference: outcome.reference,
        cardLast4: outcome.cardLast4,
        updatedAt: nowIso(),
      })
      .where('id', '=', paymentId)
      .where('status', '=', 'processing')
      .execute();
    await recordPaymentReceived(trx, actor, await requirePayment(trx, actor, paymentId));
    const paid = await requirePayment(trx, actor, paymentId);
    await recordAudit(trx, actor, { action: 'payment.charged', entityType: 'payment', entityId: paymentId, before: { status: 'processing' }, after: { status: 'paid', processorReference: outcome.reference } });
    await enqueueEvent(trx, actor.practiceId, 'payment.paid', { paymentId, amountCents: paid.amountCents });
    return { payment: paid, failure: null };
  });
}
