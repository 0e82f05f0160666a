import { sql, type Kysely } from 'kysely';

/**
 * Charges made in the processor's own dashboard (ADR 0028): one row per
 * processor charge, unique per practice and charge reference, is what books
 * each such charge exactly once — as a patient's payment when the charge says
 * whose it is, else held on unidentified_receipts until a biller assigns it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('processor_receipts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('practice_id', 'text', (c) => c.notNull().references('practices.id'))
    .addColumn('processor', 'text', (c) => c.notNull())
    /** The charge's PaymentIntent, else its charge id: what every event about the charge carries. */
    .addColumn('processor_reference', 'text', (c) => c.notNull())
    .addColumn('amount_cents', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('booked', 'held', 'assigned', 'returned')`))
    .addColumn('payer_email', 'text')
    .addColumn('description', 'text')
    /** The Paid payment it became (booked at once, or assigned by a biller). */
    .addColumn('payment_id', 'text', (c) => c.references('payments.id'))
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('resolved_at', 'text')
    .addColumn('resolved_by', 'text')
    .addUniqueConstraint('processor_receipts_reference', ['practice_id', 'processor_reference'])
    .execute();
  await db.schema.createIndex('processor_receipts_status').on('processor_receipts').columns(['practice_id', 'status']).execute();
  await db.schema.alterTable('processor_payout_items').addColumn('processor_receipt_id', 'text', (c) => c.references('processor_receipts.id')).execute();
  // A refund's receipt sent to the patient (issue 14 item 4): the message names the refund whose PDF it attaches.
  await db.schema.alterTable('messages').addColumn('refund_id', 'text', (c) => c.references('refunds.id')).execute();
}
