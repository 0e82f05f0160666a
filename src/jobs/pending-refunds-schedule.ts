import type { FastifyInstance } from 'fastify';
import type { Db } from '../db/transaction.ts';
import type { PaymentProcessor } from '../services/processors/payment-processor.ts';
import { resumeProcessingCharges } from '../services/payments/charge-payment.ts';
import { resumePendingRefunds } from '../services/refunds/refund-payment.ts';

/**
 * Every minute, finishes card refunds a stopped process left pending (see
 * resumePendingRefunds) and card charges it left Processing (see
 * resumeProcessingCharges). Safe on several instances at once: settling
 * claims the refund or payment row, so only one books it. Errors are logged,
 * never thrown.
 */
export function startPendingRefundsSchedule(app: FastifyInstance, db: Db, processor: PaymentProcessor, intervalMs = 60_000) {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = running
      .then(() => resumePendingRefunds(db, processor))
      .then((outcome) => {
        if (outcome.settled || outcome.released) app.log.info(outcome, 'resumed pending card refunds');
      })
      .then(() => resumeProcessingCharges(db, processor))
      .then((outcome) => {
        if (outcome.paid || outcome.failed) app.log.info(outcome, 'resumed card charges left processing');
      })
      .catch((error: unknown) => app.log.error({ err: error }, 'resuming pending card refunds failed'));
  }, intervalMs);
  timer.unref();
  app.addHook('onClose', async () => {
    clearInterval(timer);
    await running;
  });
}
