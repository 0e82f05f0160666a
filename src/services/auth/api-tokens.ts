import { AppError } from '../../domain/errors.ts';
import { nowIso } from '../../db/ids.ts';
import { recordAudit } from '../../db/repositories/audit.ts';
import { inTransaction, type Db } from '../../db/transaction.ts';
import type { Actor } from '../actor.ts';

export type ApiTokenState = 'active' | 'expired' | 'revoked';

export interface ApiTokenView {
  id: string;
  name: string;
  role: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  state: ApiTokenState;
}

function stateOf(row: { revokedAt: string | null; expiresAt: string | null }, now: string): ApiTokenState {
  if (row.revokedAt) return 'revoked';
  if (row.expiresAt && row.expiresAt <= now) return 'expired';
  return 'active';
}

/** A practice's API tokens, newest first; never the token itself (only its hash is kept). */
export async function listApiTokens(db: Db, actor: Actor): Promise<ApiTokenView[]> {
  const rows = await db
    .selectFrom('apiTokens')
    .select(['id', 'name', 'role', 'createdAt', 'expiresAt', 'lastUsedAt', 'revokedAt'])
    .where('practiceId', '=', actor.practiceId)
    .orderBy('createdAt', 'desc')
    .orderBy('id', 'desc')
    .execute();
  const now = nowIso();
  return rows.map((row) => ({ ...row, state: stateOf(row, now) }));
}

/** Revokes a token of the actor's practice at once (its next request answers 401); revoking twice changes nothing. */
export async function revokeApiToken(db: Db, actor: Actor, tokenId: string): Promise<ApiTokenView> {
  return inTransaction(db, async (trx) => {
    const revokedAt = nowIso();
    const changed = await trx
      .updateTable('apiTokens')
      .set({ revokedAt })
      .where('id', '=', tokenId)
      .where('practiceId', '=', actor.practiceId)
      .where('revokedAt', 'is', null)
      .executeTakeFirst();
    const row = await trx
      .selectFrom('apiTokens')
      .select(['id', 'name', 'role', 'createdAt', 'expiresAt', 'lastUsedAt', 'revokedAt'])
      .where('id', '=', tokenId)
      .where('practiceId', '=', actor.practiceId)
      .executeTakeFirst();
    if (!row) throw new AppError('not_found', 'API token not found.');
    if (Number(changed.numUpdatedRows) === 1) {
      await recordAudit(trx, actor, { action: 'api_token.revoked', entityType: 'api_token', entityId: row.id, before: { revokedAt: null }, after: { revokedAt } });
    }
    return { ...row, state: stateOf(row, nowIso()) };
  });
}

/** The token by id in any practice (the CLI revokes by id alone), for its practice. */
export async function findApiTokenPractice(db: Db, tokenId: string): Promise<string> {
  const row = await db.selectFrom('apiTokens').select('practiceId').where('id', '=', tokenId).executeTakeFirst();
  if (!row) throw new AppError('not_found', 'API token not found.');
  return row.practiceId;
}
