import type { InviteUserBody, UpdateUserBody } from '../../contracts/practice-setup.ts';
import type { UserRow } from '../../db/database.ts';
import { newId, nowIso } from '../../db/ids.ts';
import { recordAudit } from '../../db/repositories/audit.ts';
import { inTransaction, type Db, type Trx } from '../../db/transaction.ts';
import { AppError } from '../../domain/errors.ts';
import type { Actor } from '../actor.ts';
import { hashToken, newSecretToken } from '../auth/tokens.ts';
import { wholeList } from '../whole-list.ts';

/** How long an invite link lets its user set a password. */
export const INVITE_DAYS = 7;

/** An invited user has no password until the invite is accepted: verifyPassword refuses anything that is not an scrypt hash. */
export const NO_PASSWORD = '';

function toStaffUser(row: Pick<UserRow, 'id' | 'email' | 'name' | 'role' | 'disabledAt' | 'passwordHash' | 'createdAt'>) {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    active: row.disabledAt === null,
    invitePending: row.passwordHash === NO_PASSWORD,
    createdAt: row.createdAt,
  };
}

export async function listStaffUsers(db: Db, actor: Actor) {
  const rows = await db.selectFrom('users').selectAll().where('practiceId', '=', actor.practiceId).orderBy('name').orderBy('email').execute();
  return wholeList(rows.map(toStaffUser));
}

async function requireStaffUser(db: Db, actor: Actor, userId: string): Promise<UserRow> {
  const row = await db.selectFrom('users').selectAll().where('id', '=', userId).where('practiceId', '=', actor.practiceId).executeTakeFirst();
  if (!row) throw new AppError('not_found', 'User not found.');
  return row;
}

async function issueInvite(trx: Trx, actor: Actor, userId: string) {
  const token = newSecretToken('pli');
  const now = nowIso();
  const expiresAt = new Date(Date.now() + INVITE_DAYS * 86_400_000).toISOString();
  // A new link replaces any earlier one: only the latest works.
  await trx.updateTable('userInvites').set({ usedAt: now }).where('userId', '=', userId).where('usedAt', 'is', null).execute();
  await trx
    .insertInto('userInvites')
    .values({ id: newId(), practiceId: actor.practiceId, userId, tokenHash: hashToken(token), createdAt: now, createdBy: actor.id, expiresAt, usedAt: null })
    .execute();
  return { inviteUrl: `/invite/${token}`, inviteExpiresAt: expiresAt };
}

/** Creates a user without a password and a one-time link (shown once) with which they set one. */
export async function inviteStaffUser(db: Db, actor: Actor, input: InviteUserBody) {
  return inTransaction(db, async (trx) => {
    const row: UserRow = {
      id: newId(),
      practiceId: actor.practiceId,
      email: input.email,
      name: input.name,
      passwordHash: NO_PASSWORD,
      role: input.role,
      createdAt: nowIso(),
      disabledAt: null,
    };
    // Emails are unique across practices (they sign in): the constraint decides, inTransaction answers 409.
    await trx.insertInto('users').values(row).execute();
    const invite = await issueInvite(trx, actor, row.id);
    await recordAudit(trx, actor, { action: 'user.invited', entityType: 'user', entityId: row.id, after: { email: row.email, name: row.name, role: row.role } });
    return { user: toStaffUser(row), ...invite };
  });
}

/** A fresh link for a user who has not set a password yet (the first expired or was lost). */
export async function reissueInvite(db: Db, actor: Actor, userId: string) {
  return inTransaction(db, async (trx) => {
    const row = await requireStaffUser(trx, actor, userId);
    if (row.passwordHash !== NO_PASSWORD) throw new AppError('conflict', `${row.name} has already set a password.`);
    if (row.disabledAt !== null) throw new AppError('conflict', `${row.name} is deactivated: activate them first.`);
    const invite = await issueInvite(trx, actor, row.id);
    await recordAudit(trx, actor, { action: 'user.invite_reissued', entityType: 'user', entityId: row.id });
    return { user: toStaffUser(row), ...invite };
  });
}

/**
 * Changes a user's role or deactivates (or reactivates) them. Deactivating
 * ends their sessions at once. The practice always keeps one active admin who
 * can sign in: the change that would remove the last one answers 409.
 */
export async function updateStaffUser(db: Db, actor: Actor, userId: string, input: UpdateUserBody) {
  return inTransaction(db, async (trx) => {
    const before = await requireStaffUser(trx, actor, userId);
    const role = input.role ?? before.role;
    const active = input.active ?? before.disabledAt === null;
    const wasSigningAdmin = before.role === 'admin' && before.disabledAt === null && before.passwordHash !== NO_PASSWORD;
    if (wasSigningAdmin && (role !== 'admin' || !active)) {
      // Lock the practice row, so two admins demoting each other at once cannot both pass the count (PostgreSQL; SQLite writers are serial).
      await trx.updateTable('practices').set((eb) => ({ name: eb.ref('name') })).where('id', '=', actor.practiceId).execute();
      const others = await trx
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('practiceId', '=', actor.practiceId)
        .where('role', '=', 'admin')
        .where('disabledAt', 'is', null)
        .where('passwordHash', '!=', NO_PASSWORD)
        .where('id', '!=', userId)
        .executeTakeFirstOrThrow();
      if (Number(others.n) === 0) {
        throw new AppError('conflict', `${before.name} is the last active admin: make another user an admin first.`);
      }
    }
    const disabledAt = active ? null : (before.disabledAt ?? nowIso());
    await trx.updateTable('users').set({ role, disabledAt }).where('id', '=', userId).execute();
    // Deactivated: every open session ends now, not when it would expire.
    if (!active) await trx.deleteFrom('sessions').where('userId', '=', userId).execute();
    await recordAudit(trx, actor, {
      action: 'user.updated',
      entityType: 'user',
      entityId: userId,
      before: { role: before.role, active: before.disabledAt === null },
      after: { role, active },
    });
    return toStaffUser({ ...before, role, disabledAt });
  });
}
