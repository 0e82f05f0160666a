import { sql } from 'kysely';
import { newId } from '../../db/ids.ts';
import type { Db } from '../../db/transaction.ts';

/** At most this many failed lookups of one account ID within the window; then the account answers 429 until the window passes. */
export const portalAttemptLimit = { maxFailures: 5, windowMs: 15 * 60_000 };

const KEEP_MS = 24 * 60 * 60_000;

/** The account ID as the limit counts it: trimmed, upper-cased, whether or not such an account exists. */
export function accountKeyOf(accountId: string): string {
  return accountId.trim().toUpperCase();
}

export type AttemptStart = { attemptId: string; limited: false } | { attemptId: string; limited: true; retryAfterSeconds: number };

/**
 * Records a lookup attempt before it is checked, then counts the account's
 * recent failures. The counter lives in the database so that every app
 * process sees it. The attempt is written (and committed) first and counted as
 * a failure while pending: lookups racing each other each see the others,
 * so together they can never get past the limit.
 */
export async function beginPortalAttempt(db: Db, accountKey: string, clientAddress: string | null, now = Date.now()): Promise<AttemptStart> {
  const attemptId = newId();
  await db
    .insertInto('portalAttempts')
    .values({ id: attemptId, accountKey, clientAddress, outcome: 'pending', createdAt: new Date(now).toISOString() })
    .execute();
  const windowStart = new Date(now - portalAttemptLimit.windowMs).toISOString();
  // A successful lookup starts the count afresh: a patient who mistyped before is not locked out later.
  const lastSuccess = await db
    .selectFrom('portalAttempts')
    .select((eb) => eb.fn.max('createdAt').as('at'))
    .where('accountKey', '=', accountKey)
    .where('outcome', '=', 'succeeded')
    .where('createdAt', '>=', windowStart)
    .executeTakeFirst();
  const since = lastSuccess?.at && lastSuccess.at > windowStart ? lastSuccess.at : windowStart;
  const failures = await db
    .selectFrom('portalAttempts')
    .select([sql<number>`count(*)`.as('n'), (eb) => eb.fn.min('createdAt').as('oldest')])
    .where('accountKey', '=', accountKey)
    // Refused ('limited') attempts count too: otherwise a burst refused in full would leave no failure on record and unlock the account.
    .where('outcome', 'in', ['pending', 'failed', 'limited'])
    .where('createdAt', '>=', since)
    .where('id', '!=', attemptId)
    .executeTakeFirstOrThrow();
  if (Number(failures.n) >= portalAttemptLimit.maxFailures) {
    await finishPortalAttempt(db, attemptId, 'limited');
    const oldest = failures.oldest ? Date.parse(failures.oldest) : now;
    return { attemptId, limited: true, retryAfterSeconds: Math.max(1, Math.ceil((oldest + portalAttemptLimit.windowMs - now) / 1000)) };
  }
  // Old attempts of this account are of no further use; dropping them here keeps the table small without a job.
  await db.deleteFrom('portalAttempts').where('accountKey', '=', accountKey).where('createdAt', '<', new Date(now - KEEP_MS).toISOString()).execute();
  return { attemptId, limited: false };
}

export async function finishPortalAttempt(db: Db, attemptId: string, outcome: 'failed' | 'succeeded' | 'limited'): Promise<void> {
  await db.updateTable('portalAttempts').set({ outcome }).where('id', '=', attemptId).execute();
}
