import { randomBytes } from 'node:crypto';
import type {
  CreateWebhookEndpointBody,
  UpdateWebhookEndpointBody,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEndpointWithSecret,
} from '../../contracts/webhooks.ts';
import type { WebhookDeliveryRow, WebhookDeliveryStatus, WebhookEndpointRow } from '../../db/database.ts';
import { recordAudit } from '../../db/repositories/audit.ts';
import { newId, nowIso } from '../../db/ids.ts';
import { inTransaction, type Db } from '../../db/transaction.ts';
import { AppError } from '../../domain/errors.ts';
import type { Actor } from '../actor.ts';

/** Admins' webhook endpoints: the secret is returned by create and roll only, and never written to the audit log. */

function newSecret(): string {
  return `whsec_${randomBytes(24).toString('hex')}`;
}

export function toWebhookEndpoint(row: WebhookEndpointRow): WebhookEndpoint {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    events: JSON.parse(row.events) as string[],
    enabled: row.disabledAt === null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** An endpoint of the actor's practice that was not deleted; anything else is not found. */
export async function requireWebhookEndpoint(db: Db, actor: Actor, endpointId: string): Promise<WebhookEndpointRow> {
  const row = await db
    .selectFrom('webhookEndpoints')
    .selectAll()
    .where('id', '=', endpointId)
    .where('practiceId', '=', actor.practiceId)
    .where('deletedAt', 'is', null)
    .executeTakeFirst();
  if (!row) throw new AppError('not_found', 'Webhook endpoint not found.');
  return row;
}

export async function createWebhookEndpoint(db: Db, actor: Actor, input: CreateWebhookEndpointBody): Promise<WebhookEndpointWithSecret> {
  return inTransaction(db, async (trx) => {
    const now = nowIso();
    const row: WebhookEndpointRow = {
      id: newId(),
      practiceId: actor.practiceId,
      url: input.url,
      description: input.description,
      events: JSON.stringify([...new Set(input.events)]),
      secret: newSecret(),
      disabledAt: input.enabled ? null : now,
      deletedAt: null,
      createdAt: now,
      updatedAt: now,
    };
    await trx.insertInto('webhookEndpoints').values(row).execute();
    const view = toWebhookEndpoint(row);
    await recordAudit(trx, actor, { action: 'webhook_endpoint.created', entityType: 'webhook_endpoint', entityId: row.id, after: view });
    return { ...view, secret: row.secret };
  });
}

export async function listWebhookEndpoints(db: Db, actor: Actor): Promise<WebhookEndpoint[]> {
  const rows = await db
    .selectFrom('webhookEndpoints')
    .selectAll()
    .where('practiceId', '=', actor.practiceId)
    .where('deletedAt', 'is', null)
    .orderBy('createdAt')
    .orderBy('id')
    .execute();
  return rows.map(toWebhookEndpoint);
}

export async function updateWebhookEndpoint(db: Db, actor: Actor, endpointId: string, input: UpdateWebhookEndpointBody): Promise<WebhookEndpoint> {
  return inTransaction(db, async (trx) => {
    const before = await requireWebhookEndpoint(trx, actor, endpointId);
    const now = nowIso();
    const set: Partial<WebhookEndpointRow> = { updatedAt: now };
    if (input.url !== undefined) set.url = input.url;
    if (input.description !== undefined) set.description = input.description;
    if (input.events !== undefined) set.events = JSON.stringify([...new Set(input.events)]);
    if (input.enabled !== undefined) set.disabledAt = input.enabled ? null : (before.disabledAt ?? now);
    await trx.updateTable('webhookEndpoints').set(set).where('id', '=', endpointId).where('practiceId', '=', actor.practiceId).execute();
    const after = toWebhookEndpoint({ ...before, ...set });
    await recordAudit(trx, actor, {
      action: 'webhook_endpoint.updated',
      entityType: 'webhook_endpoint',
      entityId: endpointId,
      before: toWebhookEndpoint(before),
      after,
    });
    return after;
  });
}

/**
 * Deleting keeps the row (its delivery log stays readable in the audit trail)
 * but the endpoint is gone from the API and gets nothing more: pending
 * deliveries are marked failed so no worker sends them.
 */
export async function deleteWebhookEndpoint(db: Db, actor: Actor, endpointId: string): Promise<void> {
  await inTransaction(db, async (trx) => {
    const before = await requireWebhookEndpoint(trx, actor, endpointId);
    const now = nowIso();
    await trx.updateTable('webhookEndpoints').set({ deletedAt: now, updatedAt: now }).where('id', '=', endpointId).execute();
    await trx
      .updateTable('webhookDeliveries')
      .set({ status: 'failed' })
      .where('endpointId', '=', endpointId)
      .where('status', '=', 'pending')
      .execute();
    await recordAudit(trx, actor, { action: 'webhook_endpoint.deleted', entityType: 'webhook_endpoint', entityId: endpointId, before: toWebhookEndpoint(before) });
  });
}

/** A new secret takes effect at once; the old one signs nothing more. */
export async function rollWebhookSecret(db: Db, actor: Actor, endpointId: string): Promise<WebhookEndpointWithSecret> {
  return inTransaction(db, async (trx) => {
    const before = await requireWebhookEndpoint(trx, actor, endpointId);
    const secret = newSecret();
    const now = nowIso();
    await trx.updateTable('webhookEndpoints').set({ secret, updatedAt: now }).where('id', '=', endpointId).execute();
    await recordAudit(trx, actor, { action: 'webhook_endpoint.secret_rolled', entityType: 'webhook_endpoint', entityId: endpointId });
    return { ...toWebhookEndpoint({ ...before, updatedAt: now }), secret };
  });
}

export async function deliveriesWithAttempts(db: Db, rows: WebhookDeliveryRow[]): Promise<WebhookDelivery[]> {
  const ids = rows.map((r) => r.id);
  const attempts = ids.length
    ? await db.selectFrom('webhookAttempts').selectAll().where('deliveryId', 'in', ids).orderBy('attemptedAt').orderBy('id').execute()
    : [];
  return rows.map((row) => ({
    id: row.id,
    endpointId: row.endpointId,
    eventId: row.eventId,
    eventType: row.eventType,
    status: row.status,
    attemptCount: Number(row.attemptCount),
    nextAttemptAt: row.status === 'pending' ? row.nextAttemptAt : null,
    lastResponseCode: row.lastResponseCode === null ? null : Number(row.lastResponseCode),
    deliveredAt: row.deliveredAt,
    createdAt: row.createdAt,
    attempts: attempts
      .filter((a) => a.deliveryId === row.id)
      .map((a) => ({
        id: a.id,
        attemptedAt: a.attemptedAt,
        durationMs: Number(a.durationMs),
        responseCode: a.responseCode === null ? null : Number(a.responseCode),
        succeeded: Number(a.succeeded) === 1,
        error: a.error,
        manual: Number(a.manual) === 1,
      })),
  }));
}

/** GET /webhook-endpoints/:id/deliveries: newest first, each with every attempt. */
export async function listWebhookDeliveries(
  db: Db,
  actor: Actor,
  endpointId: string,
  query: { page: number; pageSize: number; status?: WebhookDeliveryStatus | undefined },
) {
  await requireWebhookEndpoint(db, actor, endpointId);
  let base = db.selectFrom('webhookDeliveries').where('endpointId', '=', endpointId).where('practiceId', '=', actor.practiceId);
  if (query.status) base = base.where('status', '=', query.status);
  const [rows, count] = await Promise.all([
    base
      .selectAll()
      .orderBy('createdAt', 'desc')
      .orderBy('id', 'desc')
      .limit(query.pageSize)
      .offset((query.page - 1) * query.pageSize)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: await deliveriesWithAttempts(db, rows), total: Number(count.n), page: query.page, pageSize: query.pageSize };
}
