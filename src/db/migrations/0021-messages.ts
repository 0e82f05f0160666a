import { sql, type Kysely } from 'kysely';

/**
 * Receipts, statements and payment links sent by email or SMS (ADR 0021). A
 * message row is the outbox entry and the patient's message log at once: it
 * is written in the request's transaction and sent by a worker after commit.
 * Patients get opt-out flags a staff member or an inbound STOP sets.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('patients').addColumn('sms_opt_out', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('patients').addColumn('email_opt_out', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema
    .createTable('messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('practice_id', 'text', (c) => c.notNull().references('practices.id'))
    .addColumn('patient_id', 'text', (c) => c.notNull().references('patients.id'))
    .addColumn('channel', 'text', (c) => c.notNull().check(sql`channel in ('email', 'sms')`))
    .addColumn('to_address', 'text', (c) => c.notNull())
    .addColumn('template', 'text', (c) => c.notNull().check(sql`template in ('receipt', 'statement', 'payment_link')`))
    /** The payment a receipt or link is for; null for a statement. */
    .addColumn('payment_id', 'text', (c) => c.references('payments.id'))
    .addColumn('subject', 'text')
    /** The text as composed when queued (a PDF attachment is drawn when sent). */
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('queued', 'sent', 'failed', 'suppressed')`))
    /** 'sandbox', 'smtp' or 'twilio'; null until sent. */
    .addColumn('provider', 'text')
    .addColumn('provider_id', 'text')
    .addColumn('error', 'text')
    .addColumn('attempt_count', 'integer', (c) => c.notNull().defaultTo(0))
    /** Not sent before this instant: now, a retry's time, or 8 am for an SMS queued in quiet hours. */
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    /** A sender's lease: while it is in the future, no other process sends this message. */
    .addColumn('locked_until', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text')
    .execute();
  await db.schema.createIndex('messages_due').on('messages').columns(['status', 'next_attempt_at']).execute();
  await db.schema.createIndex('messages_patient').on('messages').columns(['practice_id', 'patient_id', 'created_at']).execute();
  await db.schema.createIndex('messages_to').on('messages').columns(['channel', 'to_address']).execute();
}
