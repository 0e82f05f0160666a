import { loadConfig } from '../config/config.ts';
import { connectDatabase, migrateToLatest } from '../db/connect.ts';
import { withStartupLock } from '../db/startup-lock.ts';
import { ensureDemoPractice } from '../services/demo/seed-demo-data.ts';
import { buildApp } from './app.ts';
import { logDestination, loggerOptions } from './logging.ts';
import { startRefundReviewSchedule } from '../jobs/refund-review-schedule.ts';
import { startPendingRefundsSchedule } from '../jobs/pending-refunds-schedule.ts';
import { startWebhookWorker } from '../jobs/webhook-delivery.ts';
import { startMessageWorker } from '../jobs/message-delivery.ts';
import { createProcessor } from '../services/processors/create-processor.ts';

/** The server entry point: migrate, seed the demo practice, listen; stop cleanly on SIGTERM/SIGINT. */
const config = loadConfig();
const database = connectDatabase(config);
await migrateToLatest(database.db);
// Under the start-up lock: a second process starting at once waits, then finds the demo practice made.
if (config.demoData) await withStartupLock(database, () => ensureDemoPractice(database.db));
const processor = createProcessor(config);
const app = await buildApp({
  config,
  database,
  processor,
  // Patient data and secrets stay out of the logs (see logging.ts).
  logger: loggerOptions(config.logLevel, logDestination()),
});
startRefundReviewSchedule(app, { database, config });
startPendingRefundsSchedule(app, database.db, processor);
if (config.webhookWorker) startWebhookWorker(app, { database, config });
if (config.messageWorker) startMessageWorker(app, { database, config });
await app.listen({ port: config.port, host: config.host });

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void app
      .close()
      .then(() => database.close())
      .finally(() => process.exit(0));
  });
}
