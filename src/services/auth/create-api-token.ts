import { AppError } from '../../domain/errors.ts';
import { isRole } from '../../domain/roles.ts';
import { newId, nowIso } from '../../db/ids.ts';
import { recordAudit } from '../../db/repositories/audit.ts';
import { inTransaction, type Db } from '../../db/transaction.ts';
import type { Actor } from '../actor.ts';
import { hashToken, newSecretToken } from './tokens.ts';

/** Longest expiry a token may be given: ten years. */
export const MAX_TOKEN_DAYS = 3650;

/** Returns the token once; only its hash is stored. Without expiresInDays it lasts until revoked. */
export async function createApiToken(db: Db, actor: Actor, input: { role: string; name?: string | undefined; expiresInDays?: number | undefined }) {
  if (!isRole(input.role)) throw new AppError('validation_failed', 'role must be admin, biller or front_desk.');
  const days = input.expiresInDays;
  if (days !== undefined && (!Number.isInteger(days) || days < 1 || days > MAX_TOKEN_DAYS)) {
    throw new AppError('validation_failed', `expiresInDays must be a whole number of days from 1 to ${MAX_TOKEN_DAYS}.`);
  }
  const name = input.name?.trim() || `${input.role} token`;
  if (name.length > 100) throw new AppError('validation_failed', 'A token name is at most 100 characters.');
  const token = newSecretToken('pl');
  const createdAt = nowIso();
  const row = {
    id: newId(),
    practiceId: actor.practiceId,
    name,
    role: input.role,
    tokenHash: hashToken(token),
    createdAt,
    revokedAt: null,
    expiresAt: days === undefined ? null : new Date(Date.parse(createdAt) + days * 86_400_000).toISOString(),
    lastUsedAt: null,
  };
  await inTransaction(db, async (trx) => {
    await trx.insertInto('apiTokens').values(row).execute();
    await recordAudit(trx, actor, {
      action: 'api_token.created',
      entityType: 'api_token',
      entityId: row.id,
      after: { name: row.name, role: row.role, expiresAt: row.expiresAt },
    });
  });
  return { id: row.id, token, role: row.role, name: row.name, createdAt: row.createdAt, expiresAt: row.expiresAt };
}
