import type { Kysely } from 'kysely';

/** Claims to payers, 835 imports with what each claim payment did, provider-level adjustments, and work items (refund-owed tasks). */
export async function up(db: Kysely<any>): Promise<void> {
  // self_pay (no coverage: the patient owes it at once) | awaiting (with the payers) | settled (the payers are done).
  await db.schema.alterTable('treatments').addColumn('insurance_status', 'text', (c) => c.notNull().defaultTo('self_pay')).execute();
  await db.schema
    .createTable('claims')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('practice_id', 'text', (c) => c.notNull().references('practices.id'))
    .addColumn('treatment_id', 'text', (c) => c.notNull().references('treatments.id'))
    .addColumn('patient_id', 'text', (c) => c.notNull().references('patients.id'))
    .addColumn('coverage_order', 'integer', (c) => c.notNull())
    .addColumn('payer_name', 'text', (c) => c.notNull())
    .addColumn('payer_id', 'text', (c) => c.notNull())
    .addColumn('member_id', 'text', (c) => c.notNull())
    /** What the payer echoes in CLP01 of its 835. */
    .addColumn('control_number', 'text', (c) => c.notNull())
    /** submitted | processed | denied | cancelled */
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('billed_cents', 'bigint', (c) => c.notNull())
    .addColumn('paid_cents', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('contractual_cents', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('patient_responsibility_cents', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('processed_date', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('claims_practice_control', ['practice_id', 'control_number'])
    .execute();
  await db.schema.createIndex('claims_treatment').on('claims').columns(['treatment_id', 'coverage_order']).execute();
  await db.schema.createIndex('claims_patient').on('claims').columns(['practice_id', 'patient_id']).execute();

  await db.schema
    .createTable('remittances')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('practice_id', 'text', (c) => c.notNull().references('practices.id'))
    .addColumn('file_sha256', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text')
    .addColumn('file_bytes', 'bigint', (c) => c.notNull())
    .addColumn('claim_count', 'integer', (c) => c.notNull())
    .addColumn('posted_count', 'integer', (c) => c.notNull())
    .addColumn('exception_count', 'integer', (c) => c.notNull())
    /** JSON: [{ code, message, segmentNumber?, controlNumber? }] */
    .addColumn('warnings', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addUniqueConstraint('remittances_practice_file', ['practice_id', 'file_sha256'])
    .execute();
  await db.schema.createIndex('remittances_created').on('remittances').columns(['practice_id', 'created_at']).execute();

  await db.schema
    .createTable('remittance_payments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('practice_id', 'text', (c) => c.notNull().references('practices.id'))
    .addColumn('remittance_id', 'text', (c) => c.notNull().references('remittances.id'))
    .addColumn('control_number', 'text', (c) => c.notNull())
    .addColumn('payer_name', 'text')
    .addColumn('payer_id', 'text')
    .addColumn('trace_number', 'text')
    .addColumn('payment_cents', 'bigint', (c) => c.notNull())
    .addColumn('payment_date', 'text')
    .addColumn('provider_adjustment_cents', 'bigint', (c) => c.notNull())
    .addColumn('balanced', 'integer', (c) => c.notNull())
    /** posted | duplicate | failed */
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('message', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('remittance_payments_remittance').on('remittance_payments').column('remittance_id').execute();
  await db.schema
    .createIndex('remittance_payments_trace')
    .on('remittance_payments')
    .columns(['practice_id', 'payer_id', 'trace_number', 'status'])
    .execute();

  await db.schema
    .createTable('remittance_claims')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('practice_id', 'text', (c) => c.notNull().references('practices.id'))
    .addColumn('remittance_id', 'text', (c) => c.notNull().references('remittances.id'))
    .addColumn('remittance_payment_id', 'text', (c) => c.notNull().references('remittance_payments.id'))
    .addColumn('claim_id', 'text', (c) => c.references('claims.id'))
    .addColumn('patient_control_number', 'text', (c) => c.notNull())
    .addColumn('status_code', 'text', (c) => c.notNull())
    .addColumn('charge_cents', 'bigint', (c) => c.notNull())
    .addColumn('paid_cents', 'bigint', (c) => c.notNull())
    .addColumn('patient_responsibility_cents', 'bigint', (c) => c.notNull())
    .addColumn('contractual_cents', 'bigint', (c) => c.notNull().defaultTo(0))
    /** JSON: the CAS adjustments, claim and line level, and the SVC lines. */
    .addColumn('detail', 'text', (c) => c.notNull())
    /** posted | denied | reversed | exception */
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('message', 'text')
    .addColumn('segment_number', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('remittance_claims_remittance').on('remittance_claims').column('remittance_id').execute();
  await db.schema.createIndex('remittance_claims_claim').on('remittance_claims').column('claim_id').execute();
  await db.schema
    .createIndex('remittance_claims_exceptions')
    .on('remittance_claims')
    .columns(['practice_id', 'outcome', 'created_at'])
    .execute();

  await db.schema
    .createTable('provider_adjustments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('practice_id', 'text', (c) => c.notNull().references('practices.id'))
    .addColumn('remittance_payment_id', 'text', (c) => c.notNull().references('remittance_payments.id'))
    .addColumn('provider_id', 'text')
    .addColumn('fiscal_period_date', 'text')
    .addColumn('reason_code', 'text', (c) => c.notNull())
    .addColumn('reference_id', 'text')
    .addColumn('amount_cents', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('tasks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('practice_id', 'text', (c) => c.notNull().references('practices.id'))
    .addColumn('patient_id', 'text', (c) => c.notNull().references('patients.id'))
    /** refund_owed */
    .addColumn('type', 'text', (c) => c.notNull())
    /** open | completed | dismissed */
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('amount_cents', 'bigint', (c) => c.notNull())
    .addColumn('due_date', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('resolved_at', 'text')
    .addColumn('resolved_by', 'text')
    /** JSON: the refund recorded, or the credit kept. */
    .addColumn('resolution', 'text')
    .execute();
  await db.schema.createIndex('tasks_list').on('tasks').columns(['practice_id', 'type', 'status', 'created_at']).execute();
  await db.schema.createIndex('tasks_patient').on('tasks').columns(['practice_id', 'patient_id', 'type', 'status']).execute();
}
