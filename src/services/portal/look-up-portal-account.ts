import type { PortalLookup, PortalLookupBody } from '../../contracts/portal.ts';
import { recordAudit } from '../../db/repositories/audit.ts';
import { inTransaction, type Db } from '../../db/transaction.ts';
import { AppError } from '../../domain/errors.ts';
import { patientActor } from './patient-actor.ts';
import { portalAccountSummary } from './portal-account-summary.ts';
import { accountKeyOf, beginPortalAttempt, finishPortalAttempt } from './portal-attempt-limit.ts';
import { createPortalSession } from './portal-sessions.ts';

/** The one answer to every failed lookup: it must not say which field was wrong, or whether the account exists. */
export const LOOKUP_NOT_FOUND = 'We could not find an account with that date of birth and account ID. Check both against your statement.';

export type PortalLookupOutcome = { found: true; account: PortalLookup } | { found: false; limited: true; retryAfterSeconds: number };

/**
 * SPEC section 7: a patient finds their account with the date of birth and the
 * account ID printed on the statement. Which practice: the one named in the
 * portal URL (`/pay?practice=demo`, printed on statements); without it, the
 * pair must match exactly one account across practices (account IDs are only
 * unique within a practice, so an ambiguous pair is "not found"). See ADR 0006.
 *
 * Every failure answers the same 404, and each account ID may fail only a few
 * times in a window (counted in the database), then answers 429.
 */
export async function lookUpPortalAccount(db: Db, input: PortalLookupBody, context: { clientAddress: string | null }): Promise<PortalLookupOutcome> {
  const attempt = await beginPortalAttempt(db, accountKeyOf(input.accountId), context.clientAddress);
  if (attempt.limited) return { found: false, limited: true, retryAfterSeconds: attempt.retryAfterSeconds };
  // Should anything below throw, the attempt stays pending, which counts as a failure.
  const typed = input.accountId.trim();
  let query = db
    .selectFrom('patients')
    .innerJoin('practices', 'practices.id', 'patients.practiceId')
    .select(['patients.id', 'patients.practiceId'])
    // Account IDs are printed upper-case; a patient may type them in either case.
    .where('patients.accountId', 'in', [...new Set([typed, typed.toUpperCase()])])
    .where('patients.dateOfBirth', '=', input.dateOfBirth)
    .limit(2);
  if (input.practice) query = query.where('practices.slug', '=', input.practice);
  const matches = await query.execute();
  const match = matches.length === 1 ? matches[0] : undefined;
  if (!match) {
    await finishPortalAttempt(db, attempt.attemptId, 'failed');
    throw new AppError('not_found', LOOKUP_NOT_FOUND);
  }
  const actor = patientActor(match.practiceId, match.id, 'portal');
  const session = await createPortalSession(db, match.practiceId, match.id);
  // Who opened a patient's account, and from where: the audit trail records portal access like staff changes.
  await inTransaction(db, (trx) =>
    recordAudit(trx, actor, { action: 'patient.portal_opened', entityType: 'patient', entityId: match.id, after: { clientAddress: context.clientAddress, expiresAt: session.expiresAt } }),
  );
  const account = await portalAccountSummary(db, actor, match.id);
  await finishPortalAttempt(db, attempt.attemptId, 'succeeded');
  return { found: true, account: { ...account, portalToken: session.token, portalTokenExpiresAt: session.expiresAt } };
}
