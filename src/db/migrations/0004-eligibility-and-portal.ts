import type { Kysely } from 'kysely';

/**
 * Eligibility checks (entered by hand or read from an X12 271) and payer fee
 * schedules for the payment estimate; the patient portal's sessions and its
 * per-account lookup counter (kept in the database so that every app process
 * sees the same count).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('eligibility_checks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('practice_id', 'text', (c) => c.notNull().references('practices.id'))
    .addColumn('patient_id', 'text', (c) => c.notNull().references('patients.id'))
    /** manual | x12_271 */
    .addColumn('source', 'text', (c) => c.notNull())
    /** active | inactive | rejected (an AAA said the payer could not answer) */
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('payer_name', 'text')
    .addColumn('payer_id', 'text')
    .addColumn('member_id', 'text')
    /** The EB03 service type the figures were read for (98 office visit, 30 plan); null for manual entries. */
    .addColumn('service_type', 'text')
    .addColumn('copay_cents', 'bigint')
    /** Hundredths of a percent: 20 % = 2000. Null when the 271 did not state it. */
    .addColumn('coinsurance_basis_points', 'integer')
    .addColumn('deductible_remaining_cents', 'bigint')
    .addColumn('deductible_total_cents', 'bigint')
    .addColumn('oop_remaining_cents', 'bigint')
    .addColumn('oop_total_cents', 'bigint')
    /** JSON: [{ cpt, copayCents?, copayApplies?, deductibleApplies?, coinsuranceBasisPoints? }] */
    .addColumn('procedures', 'text', (c) => c.notNull())
    /** JSON: [{ code, description, followUpAction, level }] from the AAA segments. */
    .addColumn('rejections', 'text', (c) => c.notNull())
    /** JSON: [string] */
    .addColumn('warnings', 'text', (c) => c.notNull())
    /** The 271 as received, for the record. */
    .addColumn('raw', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .execute();
  // The estimate reads the newest non-rejected check of a patient.
  await db.schema.createIndex('eligibility_checks_patient').on('eligibility_checks').columns(['practice_id', 'patient_id', 'created_at']).execute();

  await db.schema
    .createTable('fee_schedule_entries')
    .addColumn('practice_id', 'text', (c) => c.notNull().references('practices.id'))
    .addColumn('payer_id', 'text', (c) => c.notNull())
    .addColumn('cpt', 'text', (c) => c.notNull())
    .addColumn('allowed_cents', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('fee_schedule_entries_pk', ['practice_id', 'payer_id', 'cpt'])
    .execute();

  await db.schema
    .createTable('portal_sessions')
    /** sha256 of the portal token; the token itself is only ever in the patient's browser. */
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('practice_id', 'text', (c) => c.notNull().references('practices.id'))
    .addColumn('patient_id', 'text', (c) => c.notNull().references('patients.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('portal_attempts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    /** The account ID as typed, upper-cased: the limit holds whether or not such an account exists. */
    .addColumn('account_key', 'text', (c) => c.notNull())
    .addColumn('client_address', 'text')
    /** pending | failed | succeeded | limited */
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('portal_attempts_account').on('portal_attempts').columns(['account_key', 'created_at']).execute();

  // The portal finds an account by its ID without knowing the practice (see ADR 0006).
  await db.schema.createIndex('patients_account').on('patients').column('account_id').execute();
}
