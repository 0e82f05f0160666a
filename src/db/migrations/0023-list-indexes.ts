import type { Kysely } from 'kysely';

/**
 * The payments list at a million rows (ADR 0026): one index per list order,
 * led by the practice (and the status or location filter), ending with the
 * tie-breaker `number` and `id`. A page's ids then come from the index alone
 * (PostgreSQL: an index-only scan; SQLite reads no table row it skips), a
 * deep OFFSET steps over index entries, and the keyset cursor is one range
 * on (sort value, number). They replace the shorter indexes of 0001.
 */
const listIndexes: Array<[string, string[], string]> = [
  ['payments_list_created', ['practice_id', 'created_at', 'number', 'id'], 'payments_created'],
  ['payments_list_status_created', ['practice_id', 'status', 'created_at', 'number', 'id'], 'payments_status_created'],
  ['payments_list_location_created', ['practice_id', 'location_id', 'created_at', 'number', 'id'], 'payments_location_created'],
  ['payments_list_amount', ['practice_id', 'amount_cents', 'number', 'id'], 'payments_amount'],
  ['payments_list_name', ['practice_id', 'patient_name', 'number', 'id'], 'payments_patient_name'],
  ['payments_list_status_amount', ['practice_id', 'status', 'amount_cents', 'number', 'id'], ''],
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const [name, columns, replaces] of listIndexes) {
    await db.schema.createIndex(name).on('payments').columns(columns).execute();
    if (replaces) await db.schema.dropIndex(replaces).execute();
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const [name, columns, replaces] of listIndexes) {
    if (replaces) await db.schema.createIndex(replaces).on('payments').columns(columns.slice(0, -2)).execute();
    await db.schema.dropIndex(name).execute();
  }
}
