import { z } from 'zod';
import { AppError } from '../../domain/errors.ts';
import { isRole, type Role } from '../../domain/roles.ts';
import { newId, nowIso } from '../../db/ids.ts';
import { recordAudit } from '../../db/repositories/audit.ts';
import { inTransaction, type Db } from '../../db/transaction.ts';
import type { Actor } from '../actor.ts';
import { hashPassword } from './passwords.ts';

export interface CreateUserInput {
  email: string;
  password: string;
  role: string;
  name?: string;
}

export async function createUser(db: Db, actor: Actor, input: CreateUserInput) {
  const email = z.string().trim().toLowerCase().email('a valid email address is required').parse(input.email);
  if (input.password.length < 8) throw new AppError('validation_failed', 'A password needs at least 8 characters.');
  if (!isRole(input.role)) throw new AppError('validation_failed', 'role must be admin, biller or front_desk.');
  const role: Role = input.role;
  const passwordHash = await hashPassword(input.password);
  return inTransaction(db, async (trx) => {
    const taken = await trx.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
    if (taken) throw new AppError('conflict', `A user with email ${email} already exists.`);
    const user = {
      id: newId(),
      practiceId: actor.practiceId,
      email,
      name: input.name?.trim() || email,
      passwordHash,
      role,
      createdAt: nowIso(),
      disabledAt: null,
    };
    await trx.insertInto('users').values(user).execute();
    await recordAudit(trx, actor, {
      action: 'user.created',
      entityType: 'user',
      entityId: user.id,
      after: { email, role, name: user.name },
    });
    return { id: user.id, email, name: user.name, role };
  });
}
