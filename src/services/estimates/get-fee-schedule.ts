import type { Db } from '../../db/transaction.ts';
import { toCents } from '../../domain/money.ts';
import type { Actor } from '../actor.ts';

/** A payer's allowed amounts per CPT, in CPT order (empty when the practice has none for the payer). */
export async function getFeeSchedule(db: Db, actor: Actor, payerId: string) {
  const rows = await db
    .selectFrom('feeScheduleEntries')
    .select(['cpt', 'allowedCents'])
    .where('practiceId', '=', actor.practiceId)
    .where('payerId', '=', payerId)
    .orderBy('cpt')
    .execute();
  return { payerId, entries: rows.map((r) => ({ cpt: r.cpt, allowedCents: toCents(r.allowedCents) })) };
}
