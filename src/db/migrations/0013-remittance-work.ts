import { sql, type Kysely } from 'kysely';

/**
 * Remittance work (issue 10, items 4 and 5): how an exception left the queue
 * (matched to a claim, or resolved with a note), and payer balance items —
 * money the practice owes a payer or is owed by one, apart from patient money,
 * with the date identified and the 60-day deadline of the overpayment rule.
 */
export async function up(db: Kysely<any>): Promise<void> {
  /** returned_to_payer | not_ours | duplicate_payment | other, with the biller's note. */
  await db.schema.alterTable('remittance_claims').addColumn('resolution', 'text').execute();
  await db.schema.alterTable('remittance_claims').addColumn('resolution_note', 'text').execute();
  await db.schema.alterTable('remittance_claims').addColumn('resolved_at', 'text').execute();
  await db.schema.alterTable('remittance_claims').addColumn('resolved_by', 'text').execute();

  await db.schema
    .createTable('payer_balance_items')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('practice_id', 'text', (c) => c.notNull().references('practices.id'))
    .addColumn('payer_name', 'text')
    .addColumn('payer_id', 'text')
    /** Positive cents; `direction` says who owes whom. */
    .addColumn('amount_cents', 'bigint', (c) => c.notNull().check(sql`amount_cents > 0`))
    .addColumn('direction', 'text', (c) => c.notNull().check(sql`direction in ('owed_to_payer', 'owed_by_payer')`))
    .addColumn('source', 'text', (c) =>
      c.notNull().check(sql`source in ('provider_adjustment', 'exception_resolved', 'reversal_without_correction', 'paid_more_than_billed')`),
    )
    /** Whether the item's money sits on the payer_overpayment account (PLB, resolved exceptions) or was settled by the claim posting itself. */
    .addColumn('booked', 'integer', (c) => c.notNull())
    .addColumn('remittance_payment_id', 'text', (c) => c.notNull().references('remittance_payments.id'))
    .addColumn('remittance_claim_id', 'text', (c) => c.references('remittance_claims.id'))
    .addColumn('provider_adjustment_id', 'text', (c) => c.references('provider_adjustments.id'))
    .addColumn('reason_code', 'text')
    .addColumn('reference', 'text')
    .addColumn('description', 'text', (c) => c.notNull())
    /** The practice's calendar date the item was identified, and 60 days after it. */
    .addColumn('identified_date', 'text', (c) => c.notNull())
    .addColumn('deadline_date', 'text', (c) => c.notNull())
    .addColumn('settled_date', 'text')
    /** How it was settled (refunded: the practice sent the money back; recouped: the payer took it in the same payment; offset: against an opposite item) and the note. */
    .addColumn('settlement', 'text')
    .addColumn('settlement_note', 'text')
    .addColumn('settled_by', 'text')
    /** For an offset: the opposite item of the same payer and amount it cancelled (owed to ↔ owed by). */
    .addColumn('offset_item_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('payer_balance_items_practice').on('payer_balance_items').columns(['practice_id', 'settled_date', 'deadline_date']).execute();
  // One item per resolved exception and per PLB amount, whatever raced.
  await db.schema.createIndex('payer_balance_items_one_per_claim').unique().on('payer_balance_items').columns(['remittance_claim_id', 'source']).execute();
  await db.schema.createIndex('payer_balance_items_one_per_plb').unique().on('payer_balance_items').column('provider_adjustment_id').execute();
}
