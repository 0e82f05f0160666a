import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/config.ts';
import type { DatabaseHandle } from '../db/connect.ts';
import { deliverWebhooks, type DeliveryOptions } from '../services/webhooks/deliver-webhooks.ts';

export type WebhookConfig = Pick<Config, 'webhookRetryBaseMs' | 'webhookTimeoutMs' | 'webhookPollMs'>;

export function deliveryOptions(database: DatabaseHandle, config: WebhookConfig, log?: DeliveryOptions['log']): DeliveryOptions {
  return { dialect: database.dialect, retryBaseMs: config.webhookRetryBaseMs, timeoutMs: config.webhookTimeoutMs, ...(log ? { log } : {}) };
}

export interface WebhookWorker {
  stop(): Promise<void>;
}

/**
 * Delivers webhooks from the server process: a pass every `webhookPollMs`
 * after the previous one ends (passes never overlap in one process; other
 * processes and `ledger deliver-webhooks` may run at the same time). It runs
 * apart from any request, so a slow receiver never holds up a payment.
 */
export function startWebhookWorker(app: FastifyInstance, { database, config }: { database: DatabaseHandle; config: WebhookConfig }): WebhookWorker {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const options = deliveryOptions(database, config, app.log);

  const tick = () => {
    timer = undefined;
    running = deliverWebhooks(database.db, options)
      .then(() => undefined)
      .catch((error: unknown) => app.log.error({ err: error }, 'webhook delivery pass failed'))
      .finally(() => {
        running = undefined;
        if (!stopped) schedule();
      });
  };
  const schedule = () => {
    timer = setTimeout(tick, config.webhookPollMs);
    timer.unref();
  };
  const stop = async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    timer = undefined;
    await running;
  };
  app.addHook('onClose', stop);
  schedule();
  return { stop };
}
