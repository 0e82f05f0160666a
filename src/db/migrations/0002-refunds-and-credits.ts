import { sql, type Kysely } from 'kysely';

/**
 * Refunds, patient credit lots, and the cached totals their limits are
 * enforced on: a payment's reserved refund amount while the processor is
 * asked, a treatment's applied amount.
 */
export async function up(db: Kysely<any>): Promise<void> {
  // While a card refund is with the processor its amount is reserved here, so racing refunds cannot exceed the payment.
  await db.schema.alterTable('payments').addColumn('refunding_cents', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('payments').addColumn('processor_reference', 'text').execute();
  await db.schema.alterTable('payments').addColumn('card_last4', 'text').execute();
  await db.schema.alterTable('treatments').addColumn('applied_cents', 'bigint', (c) => c.notNull().defaultTo(0)).execute();

  await db.schema
    .createTable('refunds')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('practice_id', 'text', (c) => c.notNull().references('practices.id'))
    .addColumn('payment_id', 'text', (c) => c.notNull().references('payments.id'))
    .addColumn('patient_id', 'text', (c) => c.notNull().references('patients.id'))
    .addColumn('amount_cents', 'bigint', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('notes', 'text')
    /** processor | cash | check | credit */
    .addColumn('method', 'text', (c) => c.notNull())
    /** pending (with the processor) | succeeded | failed */
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('processor_reference', 'text')
    /** The idempotency key the processor saw; handed on to the next attempt after a timeout, so an unseen success is never repeated. */
    .addColumn('processor_key', 'text')
    .addColumn('failure_reason', 'text')
    /** declined | unavailable */
    .addColumn('failure_kind', 'text')
    .addColumn('credit_id', 'text')
    /** The client's Idempotency-Key while the refund is in flight or done; cleared when it fails, so a retry can run. */
    .addColumn('idempotency_key', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('settled_at', 'text')
    .addCheckConstraint('refunds_amount_positive', sql`amount_cents > 0`)
    .execute();
  await db.schema.createIndex('refunds_payment').on('refunds').columns(['payment_id', 'created_at']).execute();
  await db.schema.createIndex('refunds_idempotency').on('refunds').columns(['practice_id', 'idempotency_key']).unique().execute();

  await db.schema
    .createTable('credits')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('practice_id', 'text', (c) => c.notNull().references('practices.id'))
    .addColumn('patient_id', 'text', (c) => c.notNull().references('patients.id'))
    .addColumn('amount_cents', 'bigint', (c) => c.notNull())
    .addColumn('remaining_cents', 'bigint', (c) => c.notNull())
    /** refund | manual | task_dismissal | transfer */
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('refund_id', 'text')
    .addColumn('payment_id', 'text')
    .addColumn('transferred_from_id', 'text')
    .addColumn('reference', 'text')
    .addColumn('description', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addCheckConstraint('credits_amount_positive', sql`amount_cents > 0`)
    // A lot can be drawn down to zero, never below, never above what it held.
    .addCheckConstraint('credits_remaining_range', sql`remaining_cents >= 0 and remaining_cents <= amount_cents`)
    .execute();
  await db.schema.createIndex('credits_patient').on('credits').columns(['practice_id', 'patient_id', 'created_at']).execute();
  await db.schema.createIndex('payments_processor_reference').on('payments').column('processor_reference').execute();
}
