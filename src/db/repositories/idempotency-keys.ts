import { AppError } from '../../domain/errors.ts';
import { nowIso } from '../ids.ts';
import type { Db, Trx } from '../transaction.ts';

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

/** The response stored for this key, undefined when none; 409 when the key came with another request. */
export async function findStoredResponse<T>(db: Db, request: IdempotencyRequest): Promise<StoredResponse<T> | undefined> {
  const stored = await db
    .selectFrom('idempotencyKeys')
    .selectAll()
    .where('practiceId', '=', request.practiceId)
    .where('key', '=', request.key)
    .executeTakeFirst();
  if (!stored) return undefined;
  if (stored.requestHash !== request.requestHash) {
    throw new AppError('idempotency_key_reused', 'This Idempotency-Key was already used with a different request.');
  }
  return { status: stored.responseStatus, body: JSON.parse(stored.responseBody) as T };
}

/** Stores the response in the transaction that made the change: it exists exactly when the change committed. */
export async function storeResponse(trx: Trx, request: IdempotencyRequest, status: number, body: unknown): Promise<void> {
  await trx
    .insertInto('idempotencyKeys')
    .values({
      practiceId: request.practiceId,
      key: request.key,
      requestHash: request.requestHash,
      responseStatus: status,
      responseBody: JSON.stringify(body),
      createdAt: nowIso(),
    })
    .execute();
}
