import type { FastifyInstance } from 'fastify';
import type { Db } from '../../db/transaction.ts';
import { AppError } from '../../domain/errors.ts';
import type { PaymentProcessor } from '../../services/processors/payment-processor.ts';
import { StripeProcessor, StripeWebhookError } from '../../services/processors/stripe-processor.ts';
import { handleProcessorEvent } from '../../services/reconciliation/handle-processor-event.ts';
import { reconcileStripeRefunds } from '../../services/refunds/reconcile-stripe-refunds.ts';

/** Incoming processor webhooks. The signature is checked over the raw body, so this scope keeps JSON unparsed. */
export async function webhookRoutes(app: FastifyInstance, { db, processor }: { db: Db; processor: PaymentProcessor }) {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.post('/webhooks/stripe', { config: { public: true }, schema: { hide: true } }, async (request) => {
    if (!(processor instanceof StripeProcessor)) throw new AppError('not_found', 'Stripe is not the configured processor.');
    const signature = request.headers['stripe-signature'];
    if (typeof signature !== 'string') throw new AppError('validation_failed', 'Missing Stripe-Signature header.');
    let event;
    try {
      event = processor.verifyWebhook(request.body as Buffer, signature);
    } catch (error) {
      if (error instanceof StripeWebhookError) throw new AppError('validation_failed', `Webhook rejected: ${error.message}`);
      throw error;
    }
    const refunded = processor.describeChargeRefunded(event);
    const result = refunded ? await reconcileStripeRefunds(db, refunded) : { recorded: 0 };
    const reconciliation = await handleProcessorEvent(db, processor, processor.describeReconciliationEvent(event));
    if (reconciliation?.unmatched) request.log.warn({ eventId: event.id, type: event.type, reconciliation }, 'processor event matched none of our payments');
    return { received: true, type: event.type, refundsRecorded: result.recorded, ...(reconciliation ? { reconciliation } : {}) };
  });
}
