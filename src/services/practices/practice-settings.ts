import type { UpdatePracticeBody } from '../../contracts/practice-setup.ts';
import { recordAudit } from '../../db/repositories/audit.ts';
import { inTransaction, type Db } from '../../db/transaction.ts';
import { calendarDateIn, isValidTimeZone } from '../../domain/calendar/practice-calendar.ts';
import { AppError } from '../../domain/errors.ts';
import { DEFAULT_REFUND_REVIEW_DAYS } from '../../domain/refund-review/decide-refund-review.ts';
import type { Actor } from '../actor.ts';

interface PracticeSettingsRow {
  id: string;
  slug: string;
  name: string;
  timeZone: string;
  refundReviewDays: number | null;
  statementMessage: string | null;
  createdAt: string;
}

function toPracticeSettings(row: PracticeSettingsRow, defaultRefundReviewDays: number) {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    timeZone: row.timeZone,
    refundReviewDays: row.refundReviewDays ?? defaultRefundReviewDays,
    statementMessage: row.statementMessage,
    createdAt: row.createdAt,
  };
}

async function practiceRow(db: Db, practiceId: string): Promise<PracticeSettingsRow> {
  const row = await db
    .selectFrom('practices')
    .select(['id', 'slug', 'name', 'timeZone', 'refundReviewDays', 'statementMessage', 'createdAt'])
    .where('id', '=', practiceId)
    .executeTakeFirst();
  if (!row) throw new AppError('not_found', 'Practice not found.');
  return row;
}

/** `defaultRefundReviewDays`: the server's REFUND_REVIEW_DAYS, used while the practice has none of its own. */
export async function getPracticeSettings(db: Db, actor: Actor, defaultRefundReviewDays = DEFAULT_REFUND_REVIEW_DAYS) {
  return toPracticeSettings(await practiceRow(db, actor.practiceId), defaultRefundReviewDays);
}

/** Renames the practice, moves it to another time zone, sets its refund review days or statement message (admin only, audited). */
export async function updatePracticeSettings(db: Db, actor: Actor, input: UpdatePracticeBody, defaultRefundReviewDays = DEFAULT_REFUND_REVIEW_DAYS) {
  if (input.timeZone !== undefined && !isValidTimeZone(input.timeZone)) {
    throw new AppError('validation_failed', `"${input.timeZone}" is not an IANA time zone name (for example America/New_York).`);
  }
  const name = input.name?.trim();
  if (input.name !== undefined && !name) throw new AppError('validation_failed', 'A practice needs a name.');
  const set = {
    ...(name !== undefined ? { name } : {}),
    ...(input.timeZone !== undefined ? { timeZone: input.timeZone } : {}),
    ...(input.refundReviewDays !== undefined ? { refundReviewDays: input.refundReviewDays } : {}),
    // An empty message is no message.
    ...(input.statementMessage !== undefined ? { statementMessage: input.statementMessage?.trim() || null } : {}),
  };
  return inTransaction(db, async (trx) => {
    const before = await practiceRow(trx, actor.practiceId);
    if (Object.keys(set).length === 0) return toPracticeSettings(before, defaultRefundReviewDays);
    await trx.updateTable('practices').set(set).where('id', '=', actor.practiceId).execute();
    const after = await practiceRow(trx, actor.practiceId);
    const audited = (row: PracticeSettingsRow) => ({
      name: row.name,
      timeZone: row.timeZone,
      refundReviewDays: row.refundReviewDays,
      statementMessage: row.statementMessage,
    });
    await recordAudit(trx, actor, {
      action: 'practice.updated',
      entityType: 'practice',
      entityId: actor.practiceId,
      before: audited(before),
      after: audited(after),
    });
    return toPracticeSettings(after, defaultRefundReviewDays);
  });
}

/** The days the refund review waits for this practice: its own setting, else the server's default. */
export async function practiceRefundReviewDays(db: Db, practiceId: string, defaultDays: number): Promise<number> {
  return (await practiceRow(db, practiceId)).refundReviewDays ?? defaultDays;
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
