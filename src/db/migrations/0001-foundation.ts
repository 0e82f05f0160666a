import { sql, type Kysely } from 'kysely';

/**
 * The foundation schema. Written with types both dialects understand: text
 * ids and timestamps, bigint money (INTEGER affinity on SQLite).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('practices')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('payment_seq', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('locations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('practice_id', 'text', (c) => c.notNull().references('practices.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('locations_practice_name', ['practice_id', 'name'])
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('practice_id', 'text', (c) => c.notNull().references('practices.id'))
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('disabled_at', 'text')
    .execute();

  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('practice_id', 'text', (c) => c.notNull().references('practices.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('practice_id', 'text', (c) => c.notNull().references('practices.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('patients')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('practice_id', 'text', (c) => c.notNull().references('practices.id'))
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('first_name', 'text', (c) => c.notNull())
    .addColumn('last_name', 'text', (c) => c.notNull())
    .addColumn('search_name', 'text', (c) => c.notNull())
    .addColumn('date_of_birth', 'text', (c) => c.notNull())
    .addColumn('email', 'text')
    .addColumn('phone', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('patients_practice_account', ['practice_id', 'account_id'])
    .execute();
  await db.schema.createIndex('patients_practice_search').on('patients').columns(['practice_id', 'search_name']).execute();

  await db.schema
    .createTable('coverages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('practice_id', 'text', (c) => c.notNull().references('practices.id'))
    .addColumn('patient_id', 'text', (c) => c.notNull().references('patients.id'))
    .addColumn('coverage_order', 'integer', (c) => c.notNull())
    .addColumn('payer_name', 'text', (c) => c.notNull())
    .addColumn('payer_id', 'text', (c) => c.notNull())
    .addColumn('member_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('coverages_patient_order', ['patient_id', 'coverage_order'])
    .execute();

  await db.schema
    .createTable('treatments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('practice_id', 'text', (c) => c.notNull().references('practices.id'))
    .addColumn('patient_id', 'text', (c) => c.notNull().references('patients.id'))
    .addColumn('location_id', 'text', (c) => c.notNull().references('locations.id'))
    .addColumn('service_date', 'text', (c) => c.notNull())
    .addColumn('service_time', 'text')
    .addColumn('physician', 'text', (c) => c.notNull())
    .addColumn('charge_cents', 'bigint', (c) => c.notNull())
    .addColumn('patient_responsibility_cents', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('treatments_patient')
    .on('treatments')
    .columns(['practice_id', 'patient_id', 'service_date'])
    .execute();

  await db.schema
    .createTable('treatment_lines')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('practice_id', 'text', (c) => c.notNull().references('practices.id'))
    .addColumn('treatment_id', 'text', (c) => c.notNull().references('treatments.id'))
    .addColumn('line_number', 'integer', (c) => c.notNull())
    .addColumn('cpt', 'text', (c) => c.notNull())
    .addColumn('charge_cents', 'bigint', (c) => c.notNull())
    .addColumn('units', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema.createIndex('treatment_lines_treatment').on('treatment_lines').column('treatment_id').execute();

  await db.schema
    .createTable('payments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('practice_id', 'text', (c) => c.notNull().references('practices.id'))
    .addColumn('number', 'bigint', (c) => c.notNull())
    .addColumn('patient_id', 'text', (c) => c.notNull().references('patients.id'))
    .addColumn('patient_name', 'text', (c) => c.notNull())
    .addColumn('location_id', 'text', (c) => c.references('locations.id'))
    .addColumn('treatment_id', 'text', (c) => c.references('treatments.id'))
    .addColumn('amount_cents', 'bigint', (c) => c.notNull())
    .addColumn('refunded_cents', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('applied_cents', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('method', 'text')
    .addColumn('check_number', 'text')
    .addColumn('due_date', 'text')
    .addColumn('paid_date', 'text')
    .addColumn('memo', 'text')
    .addColumn('link_token', 'text', (c) => c.unique())
    .addColumn('link_expires_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('payments_practice_number', ['practice_id', 'number'])
    // Money can never be refunded beyond what was paid, whatever the code does.
    .addCheckConstraint('payments_refund_limit', sql`refunded_cents >= 0 AND refunded_cents <= amount_cents`)
    .addCheckConstraint('payments_amount_positive', sql`amount_cents > 0`)
    .execute();
  // One index per list order and filter, each led by practice_id: every list query is an index range scan.
  const paymentIndexes: Array<[string, string[]]> = [
    ['payments_created', ['practice_id', 'created_at']],
    ['payments_status_created', ['practice_id', 'status', 'created_at']],
    ['payments_location_created', ['practice_id', 'location_id', 'created_at']],
    ['payments_amount', ['practice_id', 'amount_cents']],
    ['payments_due', ['practice_id', 'due_date']],
    ['payments_patient_name', ['practice_id', 'patient_name']],
    ['payments_patient', ['practice_id', 'patient_id']],
    ['payments_treatment', ['treatment_id']],
    ['payments_paid_date', ['practice_id', 'paid_date']],
  ];
  for (const [name, columns] of paymentIndexes) {
    await db.schema.createIndex(name).on('payments').columns(columns).execute();
  }

  // An application is an explicit record: part of a payment applied to a treatment's patient responsibility.
  await db.schema
    .createTable('applications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('practice_id', 'text', (c) => c.notNull().references('practices.id'))
    .addColumn('payment_id', 'text', (c) => c.notNull().references('payments.id'))
    .addColumn('treatment_id', 'text', (c) => c.notNull().references('treatments.id'))
    .addColumn('patient_id', 'text', (c) => c.notNull().references('patients.id'))
    .addColumn('amount_cents', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('removed_at', 'text')
    .addColumn('removed_by', 'text')
    .addCheckConstraint('applications_amount_positive', sql`amount_cents > 0`)
    .execute();
  await db.schema.createIndex('applications_payment').on('applications').column('payment_id').execute();
  await db.schema.createIndex('applications_treatment').on('applications').column('treatment_id').execute();

  await db.schema
    .createTable('payment_notes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('practice_id', 'text', (c) => c.notNull().references('practices.id'))
    .addColumn('payment_id', 'text', (c) => c.notNull().references('payments.id'))
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('author_id', 'text', (c) => c.notNull())
    .addColumn('author_name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('payment_notes_payment').on('payment_notes').column('payment_id').execute();

  await db.schema
    .createTable('payment_documents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('practice_id', 'text', (c) => c.notNull().references('practices.id'))
    .addColumn('payment_id', 'text', (c) => c.notNull().references('payments.id'))
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size_bytes', 'bigint', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('payment_documents_payment').on('payment_documents').column('payment_id').execute();

  await db.schema
    .createTable('audit_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('practice_id', 'text', (c) => c.notNull())
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('entity_type', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text', (c) => c.notNull())
    .addColumn('before', 'text')
    .addColumn('after', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('audit_events_entity')
    .on('audit_events')
    .columns(['practice_id', 'entity_type', 'entity_id'])
    .execute();

  await db.schema
    .createTable('idempotency_keys')
    .addColumn('practice_id', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('response_status', 'integer', (c) => c.notNull())
    .addColumn('response_body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['practice_id', 'key'])
    .execute();

  await db.schema
    .createTable('journal_entries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('practice_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('payment_id', 'text')
    .addColumn('memo', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('journal_entries_payment').on('journal_entries').column('payment_id').execute();

  await db.schema
    .createTable('journal_lines')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('entry_id', 'text', (c) => c.notNull().references('journal_entries.id'))
    .addColumn('practice_id', 'text', (c) => c.notNull())
    .addColumn('account', 'text', (c) => c.notNull())
    .addColumn('patient_id', 'text')
    .addColumn('payment_id', 'text')
    .addColumn('treatment_id', 'text')
    .addColumn('amount_cents', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('journal_lines_entry').on('journal_lines').column('entry_id').execute();
  await db.schema
    .createIndex('journal_lines_payment')
    .on('journal_lines')
    .columns(['practice_id', 'payment_id', 'account'])
    .execute();
  await db.schema
    .createIndex('journal_lines_patient')
    .on('journal_lines')
    .columns(['practice_id', 'patient_id', 'account'])
    .execute();

  await db.schema
    .createTable('outbox_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('practice_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('delivered_at', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('outbox_events_pending').on('outbox_events').columns(['delivered_at', 'created_at']).execute();
}

