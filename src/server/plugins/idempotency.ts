import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { findStoredResponse, storeResponse, type IdempotencyRequest } from '../../db/repositories/idempotency-keys.ts';
import type { Db, Trx } from '../../db/transaction.ts';
import { AppError } from '../../domain/errors.ts';
import { actorOf } from './authentication.ts';

export interface IdempotentResult<T, S extends number> {
  status: S;
  body: T;
}

/** The request's Idempotency-Key with a fingerprint of method, route, params and body; undefined without the header. */
export function idempotencyOf(request: FastifyRequest): IdempotencyRequest | undefined {
  const raw = request.headers['idempotency-key'];
  if (raw === undefined) return undefined;
  const key = String(raw);
  if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
    throw new AppError('validation_failed', 'Idempotency-Key must be 1 to 255 visible ASCII characters.');
  }
  const requestHash = createHash('sha256')
    .update(`${request.method} ${request.routeOptions.url ?? ''} ${JSON.stringify(request.params ?? {})} `)
    .update(JSON.stringify(request.body ?? null))
    .digest('hex');
  return { practiceId: actorOf(request).practiceId, key, requestHash };
}

/**
 * Runs a money-moving operation once per Idempotency-Key. The key is stored
 * in the operation's own transaction, so the stored response exists exactly
 * when the change committed: a retry with the same key and request returns
 * the first response; with another request, 409. Errors are not stored (the
 * transaction rolled back, nothing happened), so a retry runs again.
 */
export async function idempotent<T, S extends number>(
  db: Db,
  request: FastifyRequest,
  status: S,
  operation: (trx: Trx) => Promise<T>,
): Promise<IdempotentResult<T, S>> {
  const idempotency = idempotencyOf(request);
  if (!idempotency) return { status, body: await db.transaction().execute(operation) };
  // A key is bound to one route, which always answers success with the same status.
  const replay = async (from: Db) => findStoredResponse<T>(from, idempotency) as Promise<IdempotentResult<T, S> | undefined>;
  try {
    return await db.transaction().execute(async (trx) => {
      const earlier = await replay(trx);
      if (earlier) return earlier;
      const body = await operation(trx);
      await storeResponse(trx, idempotency, status, body);
      return { status, body };
    });
  } catch (error) {
    // A concurrent request with the same key committed first (our insert of the key collided, or our
    // conditional update found the row already changed): ours rolled back; answer with theirs.
    const earlier = await replay(db);
    if (earlier) return earlier;
    throw error;
  }
}
