import type { Compilable, Insertable } from 'kysely';
import type { Actor } from '../../domain/actor.ts';
import type { AuditEventTable } from '../database.ts';
import { deferRow } from '../deferred-rows.ts';
import { newId, nowIso } from '../ids.ts';
import { insertRows, rowsWrites } from '../insert-rows.ts';
import { preparedInsert } from '../prepared-query.ts';
import type { Trx } from '../transaction.ts';

export interface AuditChange {
  action: string;
  entityType: string;
  entityId: string;
  before?: unknown;
  after?: unknown;
}

/** The one shape of an audit row: who, when, what, before and after. */
function auditRow(actor: Actor, change: AuditChange): Insertable<AuditEventTable> {
  return {
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
  };
}

/** One audit event per change. */
export async function recordAudit(trx: Trx, actor: Actor, change: AuditChange): Promise<void> {
  const row = auditRow(actor, change);
  if (deferRow(trx, 'auditEvents', row)) return;
  await trx.insertInto('auditEvents').values(row).execute();
}

const insertAudit = preparedInsert('auditEvents', { id: true, practiceId: true, actorType: true, actorId: true, action: true, entityType: true, entityId: true, before: true, after: true, createdAt: true });

/** The insert of recordAudit, for writeTogether with the other rows of the same change (compiled once: ADR 0050). */
export function auditWrite(trx: Trx, actor: Actor, change: AuditChange) {
  return insertAudit(trx, [auditRow(actor, change)]);
}

/** Many changes by one actor (a batch job's page), as multi-row inserts: the same rows recordAudit writes. */
export async function recordAudits(trx: Trx, actor: Actor, changes: readonly AuditChange[]): Promise<void> {
  await insertRows(
    trx,
    'auditEvents',
    changes.map((change) => auditRow(actor, change)),
  );
}

/** recordAudits' inserts, not run: for writeTogether with the rows they record (a batch job's page, ADR 0062). */
export function auditsWrites(trx: Trx, actor: Actor, changes: readonly AuditChange[]): Compilable[] {
  return rowsWrites(
    trx,
    'auditEvents',
    changes.map((change) => auditRow(actor, change)),
  );
}
