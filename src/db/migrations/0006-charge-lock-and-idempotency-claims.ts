import { sql, type Kysely } from 'kysely';

/**
 * The charge lock and two-phase idempotency (ADR 0009).
 * - payments.charge_attempt: the processor idempotency key of the card charge
 *   now with the processor; set with Processing by the charge's claim, cleared
 *   by its settlement. While set, the payment takes no manual status change
 *   and no edit, and only that attempt's settlement may book it.
 * - idempotency_keys.state: 'pending' while the first request with a key is
 *   still at work (its processor call), 'done' once its answer is stored.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('payments').addColumn('charge_attempt', 'text').execute();
  await db.schema
    .alterTable('idempotency_keys')
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('done').check(sql`state in ('pending', 'done')`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('idempotency_keys').dropColumn('state').execute();
  await db.schema.alterTable('payments').dropColumn('charge_attempt').execute();
}
