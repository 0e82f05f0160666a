import type { Kysely } from 'kysely';

/**
 * A patient's payments by status: the index every posting step reads from
 * (a patient's unapplied funds, what the refund review finds refundable).
 * With only (practice_id, patient_id), SQLite — which keeps no statistics
 * unless ANALYZE runs — rated the list index (practice_id, status, …) of
 * 0023 as good a match for `patient_id = ? and status in (…)` and walked
 * every paid payment of the practice for each patient: 119 ms a claim at
 * 100,000 payments, a 10,000-claim 835 at 1,000,000 not done in twenty
 * minutes (issue 12). Three equal columns win the planner's choice by
 * themselves, with or without statistics.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('payments_patient_status').on('payments').columns(['practice_id', 'patient_id', 'status']).execute();
  await db.schema.dropIndex('payments_patient').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('payments_patient').on('payments').columns(['practice_id', 'patient_id']).execute();
  await db.schema.dropIndex('payments_patient_status').execute();
}
