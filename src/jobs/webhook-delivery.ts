import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/config.ts';
import type { DatabaseHandle } from '../db/connect.ts';
import { deliverWebhooks, type DeliveryOptions } from '../services/webhooks/deliver-webhooks.ts';
import { startPollingWorker, type PollingWorker } from './polling-worker.ts';

export type WebhookConfig = Pick<Config, 'webhookRetryBaseMs' | 'webhookTimeoutMs' | 'webhookPollMs'>;

export function deliveryOptions(database: DatabaseHandle, config: WebhookConfig, log?: DeliveryOptions['log']): DeliveryOptions {
  return { dialect: database.dialect, retryBaseMs: config.webhookRetryBaseMs, timeoutMs: config.webhookTimeoutMs, ...(log ? { log } : {}) };
}

export type WebhookWorker = PollingWorker;

/** Delivers webhooks from the server process (see startPollingWorker): a slow receiver never holds up a payment. */
export function startWebhookWorker(app: FastifyInstance, { database, config }: { database: DatabaseHandle; config: WebhookConfig }): WebhookWorker {
  const options = deliveryOptions(database, config, app.log);
  return startPollingWorker(app, 'webhook delivery', config.webhookPollMs, () => deliverWebhooks(database.db, options));
}
