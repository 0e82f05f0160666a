import { createHash, randomBytes } from 'node:crypto';
import { nowIso } from '../../db/ids.ts';
import type { Db } from '../../db/transaction.ts';
import { AppError } from '../../domain/errors.ts';
import type { Actor } from '../actor.ts';
import { patientActor } from './patient-actor.ts';

/** Long enough to look at the balance and pay; short enough that a forgotten tab does not stay open. */
export const PORTAL_SESSION_MS = 30 * 60_000;

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * A portal session scoped to one patient: 256 random bits handed to the
 * patient's browser, stored only as a hash, so a database leak yields no
 * usable token. Kept in the database so any app instance can check it.
 */
export async function createPortalSession(db: Db, practiceId: string, patientId: string, now = Date.now()) {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now + PORTAL_SESSION_MS).toISOString();
  // The patient's ended sessions are of no further use.
  await db.deleteFrom('portalSessions').where('patientId', '=', patientId).where('expiresAt', '<=', new Date(now).toISOString()).execute();
  await db
    .insertInto('portalSessions')
    .values({ id: hashOf(token), practiceId, patientId, createdAt: new Date(now).toISOString(), expiresAt })
    .execute();
  return { token, expiresAt };
}

/** The patient a portal token speaks for, as an actor of their practice; 401 when unknown or expired. */
export async function requirePortalSession(db: Db, token: string): Promise<{ actor: Actor; patientId: string }> {
  const session = await db
    .selectFrom('portalSessions')
    .select(['practiceId', 'patientId'])
    .where('id', '=', hashOf(token))
    .where('expiresAt', '>', nowIso())
    .executeTakeFirst();
  if (!session) {
    throw new AppError('portal_session_invalid', 'Your session has ended. Enter your date of birth and account ID again.');
  }
  return { actor: patientActor(session.practiceId, session.patientId, 'portal'), patientId: session.patientId };
}
