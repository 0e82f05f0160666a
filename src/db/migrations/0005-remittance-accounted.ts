import { sql, type Kysely } from 'kysely';

/**
 * Remittance that accounts for every claim exactly once, and limits that live
 * in the database (DESIGN "One way at the money points"):
 * - one open claim per treatment and payer order (a partial unique index);
 * - one live posting per claim (`posting_claim_id`, unique, cleared when a
 *   reversal undoes the posting);
 * - one posting per transaction-set content (`posted_content_sha256`, unique
 *   per practice, envelope control numbers ignored);
 * - exception rows that say what they hold in suspense and whether they are
 *   still open, so a later match or resolve can post from suspense;
 * - the 271 benefits as read, so none the summary skips is lost.
 */
export async function up(db: Kysely<any>): Promise<void> {
  // Databases that already raced keep their oldest open claim per order; the later copies never reached a payer's answer.
  await sql`
    update claims set status = 'cancelled'
    where status = 'submitted'
      and not exists (select 1 from remittance_claims rc where rc.claim_id = claims.id)
      and exists (
        select 1 from claims c2
        where c2.treatment_id = claims.treatment_id and c2.coverage_order = claims.coverage_order and c2.status = 'submitted'
          and (c2.created_at < claims.created_at or (c2.created_at = claims.created_at and c2.id < claims.id))
      )`.execute(db);
  await sql`create unique index claims_one_open_per_order on claims (treatment_id, coverage_order) where status = 'submitted'`.execute(db);

  await db.schema.alterTable('remittance_claims').addColumn('posting_claim_id', 'text').execute();
  await db.schema.alterTable('remittance_claims').addColumn('content_sha256', 'text').execute();
  /** open | matched | resolved: only for exceptions. */
  await db.schema.alterTable('remittance_claims').addColumn('exception_status', 'text').execute();
  /** A stable code for why a claim is an exception or a duplicate (no_claim, does_not_balance, malformed, already_posted, …). */
  await db.schema.alterTable('remittance_claims').addColumn('reason_code', 'text').execute();
  /** Payer money this row holds in remittance_suspense (its CLP04 while the exception is open). */
  await db.schema.alterTable('remittance_claims').addColumn('suspense_cents', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
  /** For a duplicate: the import that posted the same claim payment first. */
  await db.schema.alterTable('remittance_claims').addColumn('duplicate_of_remittance_id', 'text').execute();
  await sql`
    update remittance_claims set posting_claim_id = claim_id
    where outcome in ('posted', 'denied') and claim_id is not null
      and id = (
        select rc2.id from remittance_claims rc2
        where rc2.claim_id = remittance_claims.claim_id and rc2.outcome in ('posted', 'denied')
        order by rc2.created_at desc, rc2.id desc limit 1
      )`.execute(db);
  await sql`update remittance_claims set exception_status = 'open', suspense_cents = paid_cents where outcome = 'exception'`.execute(db);
  await db.schema.createIndex('remittance_claims_one_posting').unique().on('remittance_claims').column('posting_claim_id').execute();
  await db.schema.createIndex('remittance_claims_open_exceptions').on('remittance_claims').columns(['practice_id', 'exception_status']).execute();

  await db.schema.alterTable('remittance_payments').addColumn('content_sha256', 'text').execute();
  /** Set while the payment stands posted: a second set with the same content cannot post. */
  await db.schema.alterTable('remittance_payments').addColumn('posted_content_sha256', 'text').execute();
  await db.schema
    .createIndex('remittance_payments_one_posting')
    .unique()
    .on('remittance_payments')
    .columns(['practice_id', 'posted_content_sha256'])
    .execute();
  await db.schema.alterTable('remittances').addColumn('duplicate_count', 'integer', (c) => c.notNull().defaultTo(0)).execute();

  /** JSON: every EB benefit of the 271 as read, including those the summary does not use. */
  await db.schema.alterTable('eligibility_checks').addColumn('benefits', 'text').execute();
}
