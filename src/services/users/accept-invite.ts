import { nowIso } from '../../db/ids.ts';
import { recordAudit } from '../../db/repositories/audit.ts';
import { inTransaction, type Db } from '../../db/transaction.ts';
import { AppError } from '../../domain/errors.ts';
import type { Actor } from '../actor.ts';
import { openSession } from '../auth/authenticate.ts';
import { hashPassword } from '../auth/passwords.ts';
import { hashToken } from '../auth/tokens.ts';

async function findInvite(db: Db, token: string) {
  const row = await db
    .selectFrom('userInvites')
    .innerJoin('users', 'users.id', 'userInvites.userId')
    .innerJoin('practices', 'practices.id', 'userInvites.practiceId')
    .select([
      'userInvites.id',
      'userInvites.expiresAt',
      'userInvites.usedAt',
      'users.id as userId',
      'users.practiceId',
      'users.email',
      'users.name',
      'users.role',
      'users.disabledAt',
      'practices.name as practiceName',
    ])
    .where('userInvites.tokenHash', '=', hashToken(token))
    .executeTakeFirst();
  if (!row) throw new AppError('not_found', 'This invite link is not valid.');
  if (row.usedAt !== null) throw new AppError('invite_used', 'This invite link was already used (or replaced by a newer one). Sign in, or ask an admin for a new link.');
  if (row.expiresAt <= nowIso() || row.disabledAt !== null) throw new AppError('invite_expired', 'This invite link has expired. Ask an admin for a new one.');
  return row;
}

/** What the invite page shows before the password is set: whose account, at which practice. */
export async function describeInvite(db: Db, token: string) {
  const invite = await findInvite(db, token);
  return { email: invite.email, name: invite.name, practiceName: invite.practiceName, expiresAt: invite.expiresAt };
}

/** Sets the invited user's password and opens their first session; the link works once. */
export async function acceptInvite(db: Db, token: string, password: string, sessionDays: number) {
  const passwordHash = await hashPassword(password);
  return inTransaction(db, async (trx) => {
    const invite = await findInvite(trx, token);
    const now = nowIso();
    // Conditional on still unused and unexpired: two tabs submitting at once set one password.
    const claimed = await trx
      .updateTable('userInvites')
      .set({ usedAt: now })
      .where('id', '=', invite.id)
      .where('usedAt', 'is', null)
      .where('expiresAt', '>', now)
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) throw new AppError('invite_used', 'This invite link was already used.');
    await trx.updateTable('users').set({ passwordHash }).where('id', '=', invite.userId).execute();
    const actor: Actor = { practiceId: invite.practiceId, kind: 'user', id: invite.userId, name: invite.name, role: invite.role as Actor['role'] };
    await recordAudit(trx, actor, { action: 'user.invite_accepted', entityType: 'user', entityId: invite.userId });
    return openSession(trx, { id: invite.userId, practiceId: invite.practiceId }, sessionDays);
  });
}
