import type { Kysely } from 'kysely';

/**
 * A practice's time zone (IANA name): the calendar its dates are derived in
 * (SPEC section 10). Existing practices get the default, as new ones do.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('practices')
    .addColumn('time_zone', 'text', (c) => c.notNull().defaultTo('America/New_York'))
    .execute();
}
