import { sql, type Kysely } from 'kysely';

/**
 * Card processor reconciliation (ADR 0019): disputes on card payments, and
 * payouts with the balance transactions they carried. The unique processor
 * ids per practice are what book each dispute, payout and fee exactly once,
 * however often the processor repeats its webhook.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('processor_disputes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('practice_id', 'text', (c) => c.notNull().references('practices.id'))
    .addColumn('payment_id', 'text', (c) => c.notNull().references('payments.id'))
    .addColumn('patient_id', 'text', (c) => c.notNull().references('patients.id'))
    .addColumn('processor', 'text', (c) => c.notNull())
    /** The processor's id (Stripe `dp_…`). */
    .addColumn('processor_dispute_id', 'text', (c) => c.notNull())
    .addColumn('amount_cents', 'bigint', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('open', 'won', 'lost')`))
    /** The payment's status when the dispute opened: it returns to it when the dispute is settled. */
    .addColumn('status_before', 'text', (c) => c.notNull())
    /** The last day to send evidence (practice calendar date), when the processor gave one. */
    .addColumn('evidence_due_by', 'text')
    .addColumn('task_id', 'text', (c) => c.references('tasks.id'))
    /** The chargeback refund of a lost dispute. */
    .addColumn('refund_id', 'text', (c) => c.references('refunds.id'))
    .addColumn('opened_at', 'text', (c) => c.notNull())
    .addColumn('closed_at', 'text')
    .addUniqueConstraint('processor_disputes_processor_id', ['practice_id', 'processor_dispute_id'])
    .execute();
  await db.schema.createIndex('processor_disputes_payment').on('processor_disputes').columns(['payment_id']).execute();
  await db.schema.createIndex('processor_disputes_open').on('processor_disputes').columns(['practice_id', 'status']).execute();

  await db.schema
    .createTable('processor_payouts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('practice_id', 'text', (c) => c.notNull().references('practices.id'))
    .addColumn('processor', 'text', (c) => c.notNull())
    /** The processor's id (Stripe `po_…`). */
    .addColumn('processor_payout_id', 'text', (c) => c.notNull())
    /** What reached the bank account, as the processor says. */
    .addColumn('amount_cents', 'bigint', (c) => c.notNull())
    .addColumn('arrival_date', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('processor_payouts_processor_id', ['practice_id', 'processor_payout_id'])
    .execute();
  await db.schema.createIndex('processor_payouts_arrival').on('processor_payouts').columns(['practice_id', 'arrival_date']).execute();

  await db.schema
    .createTable('processor_payout_items')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('practice_id', 'text', (c) => c.notNull().references('practices.id'))
    .addColumn('payout_id', 'text', (c) => c.notNull().references('processor_payouts.id'))
    /** The processor's balance transaction (Stripe `txn_…`): one item, one fee booking, ever. */
    .addColumn('balance_transaction_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull().check(sql`type in ('charge', 'refund', 'dispute', 'adjustment', 'fee')`))
    .addColumn('amount_cents', 'bigint', (c) => c.notNull())
    .addColumn('fee_cents', 'bigint', (c) => c.notNull())
    .addColumn('net_cents', 'bigint', (c) => c.notNull())
    /** The id of what the transaction came from (PaymentIntent or charge, refund, dispute), when there is one. */
    .addColumn('source_reference', 'text')
    .addColumn('payment_id', 'text', (c) => c.references('payments.id'))
    .addColumn('refund_id', 'text', (c) => c.references('refunds.id'))
    .addColumn('dispute_id', 'text', (c) => c.references('processor_disputes.id'))
    .addColumn('description', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('processor_payout_items_transaction', ['practice_id', 'balance_transaction_id'])
    .execute();
  await db.schema.createIndex('processor_payout_items_payout').on('processor_payout_items').columns(['payout_id']).execute();
  await db.schema.createIndex('processor_payout_items_payment').on('processor_payout_items').columns(['payment_id']).execute();
}
