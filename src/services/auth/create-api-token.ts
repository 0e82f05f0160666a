import { AppError } from '../../domain/errors.ts';
import { isRole } from '../../domain/roles.ts';
import { newId, nowIso } from '../../db/ids.ts';
import { recordAudit } from '../../db/repositories/audit.ts';
import { inTransaction, type Db } from '../../db/transaction.ts';
import type { Actor } from '../actor.ts';
import { hashToken, newSecretToken } from './tokens.ts';

/** Returns the token once; only its hash is stored. */
export async function createApiToken(db: Db, actor: Actor, input: { role: string; name?: string }) {
  if (!isRole(input.role)) throw new AppError('validation_failed', 'role must be admin, biller or front_desk.');
  const token = newSecretToken('pl');
  const row = {
    id: newId(),
    practiceId: actor.practiceId,
    name: input.name ?? `${input.role} token`,
    role: input.role,
    tokenHash: hashToken(token),
    createdAt: nowIso(),
    revokedAt: null,
  };
  await inTransaction(db, async (trx) => {
    await trx.insertInto('apiTokens').values(row).execute();
    await recordAudit(trx, actor, {
      action: 'api_token.created',
      entityType: 'api_token',
      entityId: row.id,
      after: { name: row.name, role: row.role },
    });
  });
  return { id: row.id, token, role: row.role, name: row.name };
}
