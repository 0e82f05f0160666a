import type { Db } from '../../db/transaction.ts';
import type { Actor } from '../actor.ts';

export interface AuditEventQuery {
  entityType?: string | undefined;
  entityId?: string | undefined;
  page: number;
  pageSize: number;
}

function parseJson(value: string | null): unknown {
  if (value === null) return null;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/**
 * The audit trail of the actor's practice, newest first: who (user, API
 * token, CLI, system job, portal patient) did what to which record, when,
 * from what to what. Read-only: nothing in the product edits or deletes it.
 */
export async function listAuditEvents(db: Db, actor: Actor, query: AuditEventQuery) {
  let filtered = db.selectFrom('auditEvents').where('auditEvents.practiceId', '=', actor.practiceId);
  if (query.entityType) filtered = filtered.where('auditEvents.entityType', '=', query.entityType);
  if (query.entityId) filtered = filtered.where('auditEvents.entityId', '=', query.entityId);
  const [rows, count] = await Promise.all([
    filtered
      // Names of who acted, from the row of their kind in the same practice.
      .leftJoin('users', (join) =>
        join.onRef('users.id', '=', 'auditEvents.actorId').on('auditEvents.actorType', '=', 'user').on('users.practiceId', '=', actor.practiceId),
      )
      .leftJoin('apiTokens', (join) =>
        join.onRef('apiTokens.id', '=', 'auditEvents.actorId').on('auditEvents.actorType', '=', 'token').on('apiTokens.practiceId', '=', actor.practiceId),
      )
      .select([
        'auditEvents.id',
        'auditEvents.actorType',
        'auditEvents.actorId',
        'auditEvents.action',
        'auditEvents.entityType',
        'auditEvents.entityId',
        'auditEvents.before',
        'auditEvents.after',
        'auditEvents.createdAt',
        'users.name as userName',
        'apiTokens.name as tokenName',
      ])
      .orderBy('auditEvents.createdAt', 'desc')
      .orderBy('auditEvents.id', 'desc')
      .limit(query.pageSize)
      .offset((query.page - 1) * query.pageSize)
      .execute(),
    filtered.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  const items = rows.map((row) => ({
    id: row.id,
    action: row.action,
    entityType: row.entityType,
    entityId: row.entityId,
    actor: { type: row.actorType, id: row.actorId, name: actorName(row.actorType, row.actorId, row.userName, row.tokenName) },
    before: parseJson(row.before),
    after: parseJson(row.after),
    createdAt: row.createdAt,
  }));
  return { items, total: Number(count.n), page: query.page, pageSize: query.pageSize };
}

function actorName(type: string, id: string, userName: string | null, tokenName: string | null): string {
  if (type === 'user') return userName ?? 'a removed user';
  if (type === 'token') return tokenName ? `API token "${tokenName}"` : 'an API token';
  if (type === 'cli') return 'ledger CLI';
  if (type === 'patient') return 'the patient (portal or payment link)';
  return id === 'system' ? 'system' : `system (${id})`;
}
