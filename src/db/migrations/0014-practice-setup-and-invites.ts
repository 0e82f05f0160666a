import type { Kysely } from 'kysely';

/**
 * Practice setup in the web app (ADR 0018): practice-level refund review days
 * and statement message, locations that can be deactivated (kept for the
 * visits and payments that name them), a coverage's plan, and one-time staff
 * invites (only the token's hash is stored).
 */
export async function up(db: Kysely<any>): Promise<void> {
  // Null: the server's REFUND_REVIEW_DAYS applies.
  await db.schema.alterTable('practices').addColumn('refund_review_days', 'integer').execute();
  await db.schema.alterTable('practices').addColumn('statement_message', 'text').execute();
  await db.schema.alterTable('locations').addColumn('deactivated_at', 'text').execute();
  await db.schema.alterTable('coverages').addColumn('plan_name', 'text').execute();
  await db.schema
    .createTable('user_invites')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('practice_id', 'text', (c) => c.notNull().references('practices.id'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .execute();
  await db.schema.createIndex('user_invites_user').on('user_invites').columns(['user_id']).execute();
}
