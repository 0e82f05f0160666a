import { AppError } from '../../domain/errors.ts';
import { isRole } from '../../domain/roles.ts';
import { nowIso } from '../../db/ids.ts';
import { preparedQuery } from '../../db/prepared-query.ts';
import type { Db } from '../../db/transaction.ts';
import type { Actor } from '../actor.ts';
import { decoyHash, verifyPassword } from './passwords.ts';
import { hashToken, newSecretToken } from './tokens.ts';

// Every API request's first statement: compiled once (ADR 0050).
const apiTokenByHash = preparedQuery((db, v: { tokenHash: string }) =>
  db.selectFrom('apiTokens').select(['id', 'practiceId', 'name', 'role', 'expiresAt', 'lastUsedAt']).where('tokenHash', '=', v.tokenHash).where('revokedAt', 'is', null),
);

/** Resolves an API token (Authorization: Bearer) to its actor, or undefined when unknown, revoked or expired. */
export async function actorFromApiToken(db: Db, token: string): Promise<Actor | undefined> {
  const now = nowIso();
  const [row] = (await db.executeQuery(apiTokenByHash(db, { tokenHash: hashToken(token) }))).rows;
  if (!row || !isRole(row.role)) return undefined;
  if (row.expiresAt !== null && row.expiresAt <= now) return undefined;
  // "Last used" to the minute: one small write a minute per token, not one per request.
  if (row.lastUsedAt === null || Date.parse(row.lastUsedAt) < Date.parse(now) - 60_000) {
    // Best effort: a busy database must not turn a valid token into an error; the next use retries.
    await db
      .updateTable('apiTokens')
      .set({ lastUsedAt: now })
      .where('id', '=', row.id)
      .execute()
      .catch(() => undefined);
  }
  return { practiceId: row.practiceId, kind: 'token', id: row.id, name: row.name, role: row.role };
}

/** Resolves a session cookie to its actor, or undefined when unknown or expired. */
export async function actorFromSession(db: Db, sessionToken: string): Promise<Actor | undefined> {
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.userId')
    .select(['users.id as userId', 'users.practiceId', 'users.name', 'users.role', 'sessions.expiresAt'])
    .where('sessions.id', '=', hashToken(sessionToken))
    .where('users.disabledAt', 'is', null)
    .executeTakeFirst();
  if (!row || row.expiresAt <= nowIso() || !isRole(row.role)) return undefined;
  return { practiceId: row.practiceId, kind: 'user', id: row.userId, name: row.name, role: row.role };
}

/** Checks email and password; on success opens a session and returns its cookie value. */
export async function logIn(db: Db, email: string, password: string, sessionDays: number) {
  const user = await db
    .selectFrom('users')
    .selectAll()
    .where('email', '=', email.trim().toLowerCase())
    .where('disabledAt', 'is', null)
    .executeTakeFirst();
  // Always run the KDF, so a wrong email takes as long as a wrong password.
  const ok = await verifyPassword(password, user?.passwordHash ?? decoyHash);
  if (!user || !ok) throw new AppError('invalid_credentials', 'The email or password is not right.');
  return openSession(db, user, sessionDays);
}

/** A new web session for a user whose identity is proven (a password, an accepted invite): its cookie value. */
export async function openSession(db: Db, user: { id: string; practiceId: string }, sessionDays: number) {
  const sessionToken = newSecretToken('pls');
  const expiresAt = new Date(Date.now() + sessionDays * 86_400_000).toISOString();
  await db
    .insertInto('sessions')
    .values({ id: hashToken(sessionToken), userId: user.id, practiceId: user.practiceId, createdAt: nowIso(), expiresAt })
    .execute();
  return { sessionToken, expiresAt, userId: user.id };
}

export async function logOut(db: Db, sessionToken: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', hashToken(sessionToken)).execute();
}

export async function describeUser(db: Db, actor: Actor) {
  const practice = await db
    .selectFrom('practices')
    .select(['id', 'slug', 'name'])
    .where('id', '=', actor.practiceId)
    .executeTakeFirstOrThrow();
  const user =
    actor.kind === 'user'
      ? await db.selectFrom('users').select(['id', 'email', 'name', 'role']).where('id', '=', actor.id).executeTakeFirstOrThrow()
      : { id: actor.id, email: null, name: actor.name, role: actor.role };
  return { user, practice };
}

