import type { Kysely } from 'kysely';

/**
 * API tokens get a lifecycle: an optional expiry (a token past it answers
 * 401) and the last time one was used, so admins can see and revoke stale
 * ones. Audit events get an index for reading one practice's trail in order.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('api_tokens').addColumn('expires_at', 'text').execute();
  await db.schema.alterTable('api_tokens').addColumn('last_used_at', 'text').execute();
  await db.schema.createIndex('api_tokens_practice').on('api_tokens').columns(['practice_id', 'created_at']).execute();
  await db.schema.createIndex('audit_events_practice_created').on('audit_events').columns(['practice_id', 'created_at']).execute();
}
