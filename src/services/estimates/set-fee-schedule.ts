import { nowIso } from '../../db/ids.ts';
import { recordAudit } from '../../db/repositories/audit.ts';
import { inTransaction, type Db } from '../../db/transaction.ts';
import type { Actor } from '../actor.ts';
import { getFeeSchedule } from './get-fee-schedule.ts';

/**
 * Replaces a payer's fee schedule (allowed amount per CPT) with the given
 * entries; an empty list removes it. The estimate uses it when present.
 */
export async function setFeeSchedule(db: Db, actor: Actor, payerId: string, entries: ReadonlyArray<{ cpt: string; allowedCents: number }>) {
  return inTransaction(db, async (trx) => {
    const before = await getFeeSchedule(trx, actor, payerId);
    await trx.deleteFrom('feeScheduleEntries').where('practiceId', '=', actor.practiceId).where('payerId', '=', payerId).execute();
    const now = nowIso();
    // Chunked: SQLite allows at most 32766 bound parameters per statement.
    for (let i = 0; i < entries.length; i += 500) {
      await trx
        .insertInto('feeScheduleEntries')
        .values(entries.slice(i, i + 500).map((e) => ({ practiceId: actor.practiceId, payerId, cpt: e.cpt, allowedCents: e.allowedCents, updatedAt: now, updatedBy: actor.name })))
        .execute();
    }
    const after = await getFeeSchedule(trx, actor, payerId);
    await recordAudit(trx, actor, { action: 'fee_schedule.set', entityType: 'fee_schedule', entityId: payerId, before: before.entries, after: after.entries });
    return after;
  });
}
