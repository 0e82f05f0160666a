import type { Actor } from '../../domain/actor.ts';
import { newId, nowIso } from '../ids.ts';
import type { Trx } from '../transaction.ts';

export interface AuditChange {
  action: string;
  entityType: string;
  entityId: string;
  before?: unknown;
  after?: unknown;
}

/** One audit event per change: who, when, what, before and after. */
export async function recordAudit(trx: Trx, actor: Actor, change: AuditChange): Promise<void> {
  await auditWrite(trx, actor, change).execute();
}

/** The insert of recordAudit, for writeTogether with the other rows of the same change. */
export function auditWrite(trx: Trx, actor: Actor, change: AuditChange) {
  return trx
    .insertInto('auditEvents')
    .values({
      id: newId(),
      practiceId: actor.practiceId,
      actorType: actor.kind,
      actorId: actor.id,
      action: change.action,
      entityType: change.entityType,
      entityId: change.entityId,
      before: change.before === undefined ? null : JSON.stringify(change.before),
      after: change.after === undefined ? null : JSON.stringify(change.after),
      createdAt: nowIso(),
    });
}
