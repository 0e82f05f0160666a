import { loadConfig } from '../config/config.ts';
import { connectDatabase, migrateToLatest } from '../db/connect.ts';
import { ensureDemoPractice } from '../services/demo/seed-demo-data.ts';
import { buildApp } from './app.ts';
import { startRefundReviewSchedule } from '../jobs/refund-review-schedule.ts';
import { startPendingRefundsSchedule } from '../jobs/pending-refunds-schedule.ts';
import { startWebhookWorker } from '../jobs/webhook-delivery.ts';
import { createProcessor } from '../services/processors/create-processor.ts';

/** The server entry point: migrate, seed the demo practice, listen; stop cleanly on SIGTERM/SIGINT. */
const config = loadConfig();
const database = connectDatabase(config);
await migrateToLatest(database.db);
if (config.demoData) await ensureDemoPractice(database.db);
const processor = createProcessor(config);
const app = await buildApp({
  config,
  database,
  processor,
  logger: {
    level: config.logLevel,
    // Patient data stays out of the logs: no query strings (searches carry names), no credentials.
    serializers: {
      req: (req: { method: string; url: string }) => ({ method: req.method, url: req.url.split('?')[0] }),
    },
  },
});
startRefundReviewSchedule(app, { database, config });
startPendingRefundsSchedule(app, database.db, processor);
if (config.webhookWorker) startWebhookWorker(app, { database, config });
await app.listen({ port: config.port, host: config.host });

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void app
      .close()
      .then(() => database.close())
      .finally(() => process.exit(0));
  });
}
