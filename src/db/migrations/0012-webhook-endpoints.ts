import { sql, type Kysely } from 'kysely';

/**
 * Webhook endpoints, one delivery per (endpoint, outbox event) and a log of
 * every attempt. The unique (endpoint_id, event_id) pair is what makes the
 * fan-out from the outbox safe to run from many processes at once.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('webhook_endpoints')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('practice_id', 'text', (c) => c.notNull().references('practices.id'))
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    /** JSON array of event types ("payment.created"), group wildcards ("payment.*") or "*". */
    .addColumn('events', 'text', (c) => c.notNull())
    /** The signing secret. It must be kept (not hashed) to sign; the API shows it only at creation and roll. */
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('disabled_at', 'text')
    .addColumn('deleted_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('webhook_endpoints_practice').on('webhook_endpoints').columns(['practice_id', 'created_at']).execute();

  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('practice_id', 'text', (c) => c.notNull().references('practices.id'))
    .addColumn('endpoint_id', 'text', (c) => c.notNull().references('webhook_endpoints.id'))
    .addColumn('event_id', 'text', (c) => c.notNull().references('outbox_events.id'))
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending', 'delivered', 'failed')`))
    .addColumn('attempt_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    /** Retries stop after this instant (3 days after the event, or after a replay by hand). */
    .addColumn('give_up_at', 'text', (c) => c.notNull())
    /** A sender's lease: while it is in the future, no other process sends this delivery. */
    .addColumn('locked_until', 'text')
    .addColumn('last_response_code', 'integer')
    .addColumn('delivered_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('webhook_deliveries_endpoint_event', ['endpoint_id', 'event_id'])
    .execute();
  await db.schema.createIndex('webhook_deliveries_due').on('webhook_deliveries').columns(['status', 'next_attempt_at']).execute();
  await db.schema.createIndex('webhook_deliveries_endpoint').on('webhook_deliveries').columns(['endpoint_id', 'created_at']).execute();

  await db.schema
    .createTable('webhook_attempts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('practice_id', 'text', (c) => c.notNull().references('practices.id'))
    .addColumn('delivery_id', 'text', (c) => c.notNull().references('webhook_deliveries.id'))
    .addColumn('attempted_at', 'text', (c) => c.notNull())
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    /** The receiver's HTTP status; null when there was none (refused, timed out). */
    .addColumn('response_code', 'integer')
    .addColumn('succeeded', 'integer', (c) => c.notNull())
    /** A short reason for a failure without a status ("timeout", "ECONNREFUSED"); never the payload. */
    .addColumn('error', 'text')
    .addColumn('manual', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('webhook_attempts_delivery').on('webhook_attempts').columns(['delivery_id', 'attempted_at']).execute();
}
