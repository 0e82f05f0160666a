import { AppError } from '../../domain/errors.ts';
import type { IdempotencyKeyTable } from '../database.ts';
import { nowIso } from '../ids.ts';
import { preparedQuery } from '../prepared-query.ts';
import type { Db, Trx } from '../transaction.ts';
import { writeTogether, type Write } from '../write-together.ts';

/** A client's Idempotency-Key and the fingerprint of the request it came with. */
export interface IdempotencyRequest {
  practiceId: string;
  key: string;
  requestHash: string;
}

export interface StoredResponse<T> {
  status: number;
  body: T;
}

export type KeyRow = Pick<IdempotencyKeyTable, 'requestHash' | 'responseStatus' | 'responseBody' | 'createdAt'> & { state: 'pending' | 'done' };

export async function readKey(db: Db, request: IdempotencyRequest): Promise<KeyRow | undefined> {
  return db
    .selectFrom('idempotencyKeys')
    .select(['requestHash', 'responseStatus', 'responseBody', 'createdAt', 'state'])
    .where('practiceId', '=', request.practiceId)
    .where('key', '=', request.key)
    .executeTakeFirst();
}

/**
 * Claims the key for this request: true when this transaction now owns it
 * (a pending row), else the row of the request that owns it. ON CONFLICT,
 * not read-then-insert: on PostgreSQL a second claimer waits here until the
 * first transaction commits (then sees its row) or rolls back (then claims).
 */
export async function claimKey(trx: Trx, request: IdempotencyRequest): Promise<true | KeyRow | undefined> {
  const inserted = await trx.executeQuery(insertPendingKey(trx, { ...request, createdAt: nowIso() }));
  if (Number(inserted.numAffectedRows ?? 0n) === 1) return true;
  return readKey(trx, request);
}

// The claim and the finish are in every keyed money request: compiled once (ADR 0050).
const insertPendingKey = preparedQuery((db, v: IdempotencyRequest & { createdAt: string }) =>
  db
    .insertInto('idempotencyKeys')
    .values({ practiceId: v.practiceId, key: v.key, requestHash: v.requestHash, responseStatus: 0, responseBody: 'null', createdAt: v.createdAt, state: 'pending' })
    .onConflict((oc) => oc.columns(['practiceId', 'key']).doNothing()),
);
const storeAnswer = preparedQuery((db, v: { practiceId: string; key: string; status: number; body: string }) =>
  db
    .updateTable('idempotencyKeys')
    .set({ state: 'done', responseStatus: v.status, responseBody: v.body })
    .where('practiceId', '=', v.practiceId)
    .where('key', '=', v.key)
    .where('state', '=', 'pending'),
);

/**
 * Stores the answer in the transaction that made the change: it exists exactly
 * when the change committed. `alongside`: the work's last writes, sent in the
 * same statement on PostgreSQL (writeTogether).
 */
export async function finishKey(trx: Trx, request: IdempotencyRequest, status: number, body: unknown, alongside: readonly Write[] = []): Promise<void> {
  await writeTogether(trx, [...alongside, storeAnswer(trx, { practiceId: request.practiceId, key: request.key, status, body: JSON.stringify(body) })]);
}

/**
 * While the first request is with the processor, its key row holds what it
 * claimed (e.g. which payment and charge attempt), so a retry that arrives
 * after a crash can find the work the recovery job finished.
 */
export async function rememberPendingClaim(trx: Trx, request: IdempotencyRequest, claimed: unknown): Promise<void> {
  await trx
    .updateTable('idempotencyKeys')
    .set({ responseBody: JSON.stringify(claimed ?? null) })
    .where('practiceId', '=', request.practiceId)
    .where('key', '=', request.key)
    .where('state', '=', 'pending')
    .execute();
}

/** What the pending first request claimed (see rememberPendingClaim); undefined once the row is done. */
export function pendingClaim<C>(row: KeyRow): C | undefined {
  if (row.state !== 'pending') return undefined;
  const claimed = JSON.parse(row.responseBody) as C | null;
  return claimed ?? undefined;
}

/** Frees a key whose request failed (nothing stored, nothing moved): a retry runs again. */
export async function freeKey(trx: Trx, request: IdempotencyRequest): Promise<void> {
  await trx.deleteFrom('idempotencyKeys').where('practiceId', '=', request.practiceId).where('key', '=', request.key).where('state', '=', 'pending').execute();
}

/** The stored answer of a finished row; 409 when the key came with another request. */
export function storedAnswer<T>(row: KeyRow, request: IdempotencyRequest): StoredResponse<T> | undefined {
  if (row.requestHash !== request.requestHash) {
    throw new AppError('idempotency_key_reused', 'This Idempotency-Key was already used with a different request.');
  }
  if (row.state !== 'done') return undefined;
  return { status: row.responseStatus, body: JSON.parse(row.responseBody) as T };
}
