import type { Kysely } from 'kysely';

/**
 * Every journal entry names the record that explains it (a payment, refund,
 * application, credit lot, treatment or remittance payment), so `ledger
 * verify` can re-derive each entry from its source and name an unexplained one.
 * Entries written before this migration keep null and are reported by verify.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('journal_entries').addColumn('source_type', 'text').execute();
  await db.schema.alterTable('journal_entries').addColumn('source_id', 'text').execute();
  await db.schema.createIndex('journal_entries_source').on('journal_entries').columns(['source_type', 'source_id']).execute();
}
