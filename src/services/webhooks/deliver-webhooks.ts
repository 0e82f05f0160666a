import { eventMatches } from '../../contracts/webhooks.ts';
import type { Dialect } from '../../db/connect.ts';
import type { Insertable } from 'kysely';
import type { WebhookDeliveryTable } from '../../db/database.ts';
import { newId, nowIso } from '../../db/ids.ts';
import type { Db } from '../../db/transaction.ts';
import { AppError } from '../../domain/errors.ts';
import { nextRetryDelayMs, RETRY_WINDOW_MS, signWebhook } from '../../domain/webhooks/signature.ts';
import type { Actor } from '../actor.ts';
import { deliveriesWithAttempts } from './webhook-endpoints.ts';

/**
 * Webhook delivery from the outbox, in two steps that are each safe to run
 * from many processes at once:
 * 1. fan-out: every outbox event not yet handed on becomes one delivery per
 *    matching live endpoint. The unique (endpoint, event) pair makes a second
 *    process's insert a no-op; on PostgreSQL `FOR UPDATE SKIP LOCKED` also
 *    keeps two processes off the same events.
 * 2. send: a due delivery is leased by a conditional update of locked_until
 *    (the row that changed is the lock, on both databases), sent outside any
 *    transaction with a timeout, and its attempt recorded. A process that dies
 *    mid-send leaves a lease that expires, so the event is sent again: at
 *    least once.
 */

export interface DeliveryOptions {
  dialect: Dialect;
  retryBaseMs: number;
  timeoutMs: number;
  /** Deliveries sent in parallel per pass. */
  concurrency?: number;
  log?: { warn(obj: object, msg: string): void; info?(obj: object, msg: string): void };
}

export interface PassResult {
  eventsFannedOut: number;
  attempted: number;
  delivered: number;
}

const FAN_OUT_BATCH = 200;

function isoAfter(iso: string, ms: number): string {
  return new Date(Date.parse(iso) + ms).toISOString();
}

/** Step 1: outbox events → deliveries. Returns how many outbox events it handed on. */
export async function fanOutOutbox(db: Db, dialect: Dialect): Promise<number> {
  return db.transaction().execute(async (trx) => {
    let pick = trx
      .selectFrom('outboxEvents')
      .select(['id', 'practiceId', 'type', 'createdAt'])
      .where('deliveredAt', 'is', null)
      .orderBy('createdAt')
      .orderBy('id')
      .limit(FAN_OUT_BATCH);
    if (dialect === 'postgres') pick = pick.forUpdate().skipLocked();
    const events = await pick.execute();
    if (events.length === 0) return 0;
    const practiceIds = [...new Set(events.map((e) => e.practiceId))];
    const endpoints = await trx
      .selectFrom('webhookEndpoints')
      .select(['id', 'practiceId', 'events'])
      .where('practiceId', 'in', practiceIds)
      .where('deletedAt', 'is', null)
      .where('disabledAt', 'is', null)
      .execute();
    const now = nowIso();
    const rows: Insertable<WebhookDeliveryTable>[] = [];
    for (const event of events) {
      for (const endpoint of endpoints) {
        if (endpoint.practiceId !== event.practiceId || !eventMatches(JSON.parse(endpoint.events) as string[], event.type)) continue;
        rows.push({
          id: newId(),
          practiceId: event.practiceId,
          endpointId: endpoint.id,
          eventId: event.id,
          eventType: event.type,
          status: 'pending',
          attemptCount: 0,
          nextAttemptAt: now,
          giveUpAt: isoAfter(event.createdAt, RETRY_WINDOW_MS),
          lockedUntil: null,
          lastResponseCode: null,
          deliveredAt: null,
          createdAt: now,
        });
      }
    }
    for (let i = 0; i < rows.length; i += 100) {
      await trx
        .insertInto('webhookDeliveries')
        .values(rows.slice(i, i + 100))
        .onConflict((oc) => oc.columns(['endpointId', 'eventId']).doNothing())
        .execute();
    }
    await trx
      .updateTable('outboxEvents')
      .set({ deliveredAt: now })
      .where(
        'id',
        'in',
        events.map((e) => e.id),
      )
      .where('deliveredAt', 'is', null)
      .execute();
    return events.length;
  });
}

interface Leased {
  id: string;
  practiceId: string;
  eventId: string;
  attemptCount: number;
  giveUpAt: string;
}

/**
 * Leases one delivery for this process if nobody holds it. The lease outlasts
 * the HTTP timeout so it cannot lapse while the request is still in flight.
 */
async function lease(db: Db, deliveryId: string, now: string, leaseMs: number, extra: { pendingOnly: boolean }): Promise<boolean> {
  let q = db
    .updateTable('webhookDeliveries')
    .set({ lockedUntil: isoAfter(now, leaseMs) })
    .where('id', '=', deliveryId)
    .where((eb) => eb.or([eb('lockedUntil', 'is', null), eb('lockedUntil', '<', now)]));
  if (extra.pendingOnly) q = q.where('status', '=', 'pending').where('nextAttemptAt', '<=', now);
  const result = await q.executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Step 2a: the due deliveries of live endpoints this process now holds the lease of. */
async function leaseDue(db: Db, options: DeliveryOptions, limit: number): Promise<Leased[]> {
  const now = nowIso();
  const leaseMs = options.timeoutMs * 3 + 5000;
  const pickAndLease = async (conn: Db) => {
    let pick = conn
      .selectFrom('webhookDeliveries')
      .innerJoin('webhookEndpoints', 'webhookEndpoints.id', 'webhookDeliveries.endpointId')
      .select([
        'webhookDeliveries.id',
        'webhookDeliveries.practiceId',
        'webhookDeliveries.eventId',
        'webhookDeliveries.attemptCount',
        'webhookDeliveries.giveUpAt',
      ])
      .where('webhookDeliveries.status', '=', 'pending')
      .where('webhookDeliveries.nextAttemptAt', '<=', now)
      .where((eb) => eb.or([eb('webhookDeliveries.lockedUntil', 'is', null), eb('webhookDeliveries.lockedUntil', '<', now)]))
      .where('webhookEndpoints.deletedAt', 'is', null)
      .where('webhookEndpoints.disabledAt', 'is', null)
      .orderBy('webhookDeliveries.nextAttemptAt')
      .limit(limit);
    if (options.dialect === 'postgres') pick = pick.forUpdate('webhookDeliveries').skipLocked();
    const due = await pick.execute();
    const held: Leased[] = [];
    for (const d of due) {
      if (await lease(conn, d.id, now, leaseMs, { pendingOnly: true })) held.push({ ...d, attemptCount: Number(d.attemptCount) });
    }
    return held;
  };
  // SQLite: each conditional update is atomic on its own; PostgreSQL: the row locks keep other processes' picks disjoint.
  return options.dialect === 'postgres' ? db.transaction().execute(pickAndLease) : pickAndLease(db);
}

interface AttemptOutcome {
  succeeded: boolean;
  responseCode: number | null;
  error: string | null;
  durationMs: number;
}

/** One HTTP POST of the event, signed now. Never throws: a failure is an outcome. */
async function send(url: string, secret: string, body: string, eventId: string, eventType: string, timeoutMs: number): Promise<AttemptOutcome> {
  const started = Date.now();
  const timestamp = Math.floor(started / 1000);
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'PatientLedger-Webhooks/1',
        'ledger-signature': signWebhook(secret, timestamp, body),
        'ledger-event-id': eventId,
        'ledger-event-type': eventType,
      },
      body,
      // A redirect could move the signed body somewhere the admin did not configure.
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    // Read (and drop) the answer so the connection is freed, still within the timeout.
    await response.arrayBuffer().catch(() => undefined);
    const succeeded = response.status >= 200 && response.status < 300;
    return { succeeded, responseCode: response.status, error: succeeded ? null : `HTTP ${response.status}`, durationMs: Date.now() - started };
  } catch (error) {
    const e = error as { name?: string; cause?: { code?: string }; message?: string };
    const reason = e.name === 'TimeoutError' || e.name === 'AbortError' ? 'timeout' : (e.cause?.code ?? e.name ?? 'error');
    return { succeeded: false, responseCode: null, error: String(reason).slice(0, 100), durationMs: Date.now() - started };
  }
}

/** Sends one leased delivery and records the attempt; the lease is released in the same write. */
async function attempt(db: Db, options: DeliveryOptions, leased: Leased, manual: boolean): Promise<boolean> {
  const row = await db
    .selectFrom('webhookDeliveries')
    .innerJoin('webhookEndpoints', 'webhookEndpoints.id', 'webhookDeliveries.endpointId')
    .innerJoin('outboxEvents', 'outboxEvents.id', 'webhookDeliveries.eventId')
    .select(['webhookEndpoints.url', 'webhookEndpoints.secret', 'outboxEvents.type', 'outboxEvents.payload', 'outboxEvents.createdAt'])
    .where('webhookDeliveries.id', '=', leased.id)
    .executeTakeFirstOrThrow();
  // The same bytes on every attempt: the event id lets the receiver drop repeats.
  const body = `{"id":${JSON.stringify(leased.eventId)},"type":${JSON.stringify(row.type)},"createdAt":${JSON.stringify(row.createdAt)},"data":${row.payload}}`;
  const outcome = await send(row.url, row.secret, body, leased.eventId, row.type, options.timeoutMs);
  const now = nowIso();
  const attempts = leased.attemptCount + 1;
  const retryAt = isoAfter(now, nextRetryDelayMs(options.retryBaseMs, attempts));
  const status = outcome.succeeded ? 'delivered' : retryAt > leased.giveUpAt ? 'failed' : 'pending';
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('webhookAttempts')
      .values({
        id: newId(),
        practiceId: leased.practiceId,
        deliveryId: leased.id,
        attemptedAt: now,
        durationMs: outcome.durationMs,
        responseCode: outcome.responseCode,
        succeeded: outcome.succeeded ? 1 : 0,
        error: outcome.error,
        manual: manual ? 1 : 0,
      })
      .execute();
    await trx
      .updateTable('webhookDeliveries')
      .set((eb) => ({
        status,
        attemptCount: eb('attemptCount', '+', 1),
        lastResponseCode: outcome.responseCode,
        lockedUntil: null,
        nextAttemptAt: status === 'pending' ? retryAt : now,
        deliveredAt: outcome.succeeded ? now : null,
      }))
      .where('id', '=', leased.id)
      .execute();
  });
  // Only ids and codes: never the payload or the secret.
  if (!outcome.succeeded) {
    options.log?.warn({ deliveryId: leased.id, eventType: row.type, responseCode: outcome.responseCode, error: outcome.error, status }, 'webhook attempt failed');
  }
  return outcome.succeeded;
}

/** One pass: hand on the outbox, then send everything due, until nothing is left due right now. */
export async function deliverWebhooks(db: Db, options: DeliveryOptions, { maxRounds = 50 }: { maxRounds?: number } = {}): Promise<PassResult> {
  const result: PassResult = { eventsFannedOut: 0, attempted: 0, delivered: 0 };
  const concurrency = options.concurrency ?? 8;
  for (let round = 0; round < maxRounds; round++) {
    const fanned = await fanOutOutbox(db, options.dialect);
    result.eventsFannedOut += fanned;
    const held = await leaseDue(db, options, concurrency);
    const outcomes = await Promise.all(held.map((d) => attempt(db, options, d, false)));
    result.attempted += outcomes.length;
    result.delivered += outcomes.filter(Boolean).length;
    if (fanned < FAN_OUT_BATCH && held.length < concurrency) break;
  }
  return result;
}

/**
 * POST /webhook-deliveries/:id/replay: send it again now, whatever its state,
 * with a fresh 3-day retry window if this attempt fails. Refused while another
 * process is sending it, and for a disabled or deleted endpoint.
 */
export async function replayWebhookDelivery(db: Db, actor: Actor, deliveryId: string, options: DeliveryOptions) {
  const row = await db
    .selectFrom('webhookDeliveries')
    .innerJoin('webhookEndpoints', 'webhookEndpoints.id', 'webhookDeliveries.endpointId')
    .select(['webhookDeliveries.id', 'webhookDeliveries.eventId', 'webhookDeliveries.practiceId', 'webhookDeliveries.attemptCount', 'webhookEndpoints.deletedAt', 'webhookEndpoints.disabledAt'])
    .where('webhookDeliveries.id', '=', deliveryId)
    .where('webhookDeliveries.practiceId', '=', actor.practiceId)
    .executeTakeFirst();
  if (!row || row.deletedAt !== null) throw new AppError('not_found', 'Webhook delivery not found.');
  if (row.disabledAt !== null) throw new AppError('business_rule', 'The endpoint is disabled: enable it before replaying its deliveries.');
  const now = nowIso();
  if (!(await lease(db, deliveryId, now, options.timeoutMs * 3 + 5000, { pendingOnly: false }))) {
    throw new AppError('conflict', 'This delivery is being sent right now; try again in a moment.');
  }
  const giveUpAt = isoAfter(now, RETRY_WINDOW_MS);
  await db.updateTable('webhookDeliveries').set({ giveUpAt, status: 'pending' }).where('id', '=', deliveryId).execute();
  await attempt(db, options, { id: row.id, eventId: row.eventId, practiceId: row.practiceId, attemptCount: Number(row.attemptCount), giveUpAt }, true);
  const after = await db.selectFrom('webhookDeliveries').selectAll().where('id', '=', deliveryId).executeTakeFirstOrThrow();
  return (await deliveriesWithAttempts(db, [after]))[0]!;
}
