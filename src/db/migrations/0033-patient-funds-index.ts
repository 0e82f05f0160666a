import type { Kysely } from 'kysely';

/**
 * A patient's received payments with their amounts and visit in the index
 * itself (ADR 0052): the refund review sums each case's refundable funds,
 * ~10 payments a patient, and every posting step reads a patient's funds;
 * with (practice_id, patient_id, status) alone each payment found was then
 * read from the table for its amounts (the review's largest cost, ~21 ms a
 * page of 1,000 cases at 1,000,000 payments). The same leading columns, so
 * every plan that used the narrower index uses this one. The cost: a
 * payment's application, refund or refund in flight now rewrites this index
 * entry too (measured in ADR 0052).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('payments_patient_status').execute();
  await db.schema
    .createIndex('payments_patient_status')
    .on('payments')
    .columns(['practice_id', 'patient_id', 'status', 'amount_cents', 'refunded_cents', 'refunding_cents', 'applied_cents', 'treatment_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('payments_patient_status').execute();
  await db.schema.createIndex('payments_patient_status').on('payments').columns(['practice_id', 'patient_id', 'status']).execute();
}
