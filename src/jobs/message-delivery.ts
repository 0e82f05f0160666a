import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/config.ts';
import type { DatabaseHandle } from '../db/connect.ts';
import { createMessageChannels } from '../services/messages/channels.ts';
import { deliverMessages, type MessageDeliveryOptions } from '../services/messages/deliver-messages.ts';
import { startPollingWorker, type PollingWorker } from './polling-worker.ts';

export type MessageConfig = Pick<Config, 'smtpUrl' | 'mailFrom' | 'twilio' | 'messageRetryBaseMs' | 'publicUrl' | 'webhookPollMs'>;

export function messageDeliveryOptions(database: DatabaseHandle, config: MessageConfig, log?: MessageDeliveryOptions['log']): MessageDeliveryOptions {
  return { dialect: database.dialect, channels: createMessageChannels(config), retryBaseMs: config.messageRetryBaseMs, publicUrl: config.publicUrl, ...(log ? { log } : {}) };
}

/**
 * Sends email and SMS from the server process, a pass every `webhookPollMs`
 * after the previous one ends — apart from any request, so a slow mail server
 * never holds up the desk. Other processes and `ledger deliver-messages` may
 * run at the same time.
 */
export function startMessageWorker(app: FastifyInstance, { database, config }: { database: DatabaseHandle; config: MessageConfig }): PollingWorker {
  const options = messageDeliveryOptions(database, config, app.log);
  return startPollingWorker(app, 'message delivery', config.webhookPollMs, () => deliverMessages(database.db, options), () => options.channels.email.close?.());
}
