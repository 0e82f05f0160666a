import type { Kysely } from 'kysely';

/**
 * A held dashboard charge can lose money before anyone says whose it is
 * (ADR 0029): refunded in the processor's dashboard (whole or in part), given
 * back from our app, or lost in a dispute. Each such return is one row, unique
 * per practice and processor reference (the refund or dispute id), and the
 * receipt keeps the running total, so a receipt is never given back twice or
 * beyond its amount. A receipt can be disputed once (the processor allows one
 * dispute per charge): the dispute lives on the receipt while nobody is named.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('processor_receipt_returns')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('practice_id', 'text', (c) => c.notNull().references('practices.id'))
    .addColumn('receipt_id', 'text', (c) => c.notNull().references('processor_receipts.id'))
    /** refund: refunded through the processor (its dashboard or our Return button); chargeback: a dispute lost. */
    .addColumn('kind', 'text', (c) => c.notNull())
    /** The processor's refund id, the dispute id, or the charge's cumulative refund when the event names no refund. */
    .addColumn('processor_reference', 'text', (c) => c.notNull())
    .addColumn('amount_cents', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addUniqueConstraint('processor_receipt_returns_reference', ['practice_id', 'processor_reference'])
    .execute();
  await db.schema.createIndex('processor_receipt_returns_receipt').on('processor_receipt_returns').column('receipt_id').execute();
  await db.schema.alterTable('processor_receipts').addColumn('returned_cents', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
  /** Set while our Return button's processor refund is under way: the receipt can be neither assigned nor returned again meanwhile. */
  await db.schema.alterTable('processor_receipts').addColumn('return_started_at', 'text').execute();
  for (const [column, type] of [
    ['dispute_reference', 'text'],
    ['dispute_amount_cents', 'bigint'],
    ['dispute_reason', 'text'],
    ['dispute_status', 'text'],
    ['dispute_evidence_due_by', 'text'],
    ['dispute_opened_at', 'text'],
    ['dispute_closed_at', 'text'],
  ] as const) {
    await db.schema.alterTable('processor_receipts').addColumn(column, type).execute();
  }
}
