import { recordAudit } from '../../db/repositories/audit.ts';
import { inTransaction, type Db } from '../../db/transaction.ts';
import { calendarDateIn, isValidTimeZone } from '../../domain/calendar/practice-calendar.ts';
import { AppError } from '../../domain/errors.ts';
import type { Actor } from '../actor.ts';

function toPracticeSettings(row: { id: string; slug: string; name: string; timeZone: string; createdAt: string }) {
  return { id: row.id, slug: row.slug, name: row.name, timeZone: row.timeZone, createdAt: row.createdAt };
}

export async function getPracticeSettings(db: Db, actor: Actor) {
  const row = await db
    .selectFrom('practices')
    .select(['id', 'slug', 'name', 'timeZone', 'createdAt'])
    .where('id', '=', actor.practiceId)
    .executeTakeFirst();
  if (!row) throw new AppError('not_found', 'Practice not found.');
  return toPracticeSettings(row);
}

/** Renames the practice or moves it to another time zone (admin only, audited). */
export async function updatePracticeSettings(db: Db, actor: Actor, input: { name?: string | undefined; timeZone?: string | undefined }) {
  if (input.timeZone !== undefined && !isValidTimeZone(input.timeZone)) {
    throw new AppError('validation_failed', `"${input.timeZone}" is not an IANA time zone name (for example America/New_York).`);
  }
  const name = input.name?.trim();
  if (input.name !== undefined && !name) throw new AppError('validation_failed', 'A practice needs a name.');
  return inTransaction(db, async (trx) => {
    const before = await getPracticeSettings(trx, actor);
    const set = { ...(name !== undefined ? { name } : {}), ...(input.timeZone !== undefined ? { timeZone: input.timeZone } : {}) };
    if (Object.keys(set).length === 0) return before;
    await trx.updateTable('practices').set(set).where('id', '=', actor.practiceId).execute();
    const after = await getPracticeSettings(trx, actor);
    await recordAudit(trx, actor, {
      action: 'practice.updated',
      entityType: 'practice',
      entityId: actor.practiceId,
      before: { name: before.name, timeZone: before.timeZone },
      after: { name: after.name, timeZone: after.timeZone },
    });
    return after;
  });
}

export async function practiceTimeZone(db: Db, practiceId: string): Promise<string> {
  const row = await db.selectFrom('practices').select('timeZone').where('id', '=', practiceId).executeTakeFirstOrThrow();
  return row.timeZone;
}

/**
 * The practice's calendar date of an instant (now by default): the one way
 * services get "today" or a paid date.
 */
export async function practiceDate(db: Db, practiceId: string, instant: Date | string = new Date()): Promise<string> {
  return calendarDateIn(await practiceTimeZone(db, practiceId), instant);
}
