import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Db, TransactionOptions } from '../../db/transaction.ts';
import { AppError } from '../../domain/errors.ts';
import { idempotently, type IdempotencyRequest, type IdempotentAnswer, type Work } from '../../services/idempotency/idempotently.ts';
import { actorOf } from './authentication.ts';

export type { IdempotentAnswer as IdempotentResult };

/** The raw Idempotency-Key header, checked; undefined without it. */
export function idempotencyKeyOf(request: FastifyRequest): string | undefined {
  const raw = request.headers['idempotency-key'];
  if (raw === undefined) return undefined;
  const key = String(raw);
  if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
    throw new AppError('validation_failed', 'Idempotency-Key must be 1 to 255 visible ASCII characters.');
  }
  return key;
}

/**
 * The request's Idempotency-Key with a fingerprint of method, route, params
 * and body (or `content`, for bodies that are files); undefined without the
 * header. `practiceId` and a key prefix serve the public routes (payment
 * links, the portal), which have no signed-in actor.
 */
export function idempotencyOf(request: FastifyRequest, scope?: { practiceId: string; prefix: string; content?: string | Buffer }): IdempotencyRequest | undefined {
  const key = idempotencyKeyOf(request);
  if (key === undefined) return undefined;
  const hash = createHash('sha256').update(`${request.method} ${request.routeOptions.url ?? ''} ${JSON.stringify(request.params ?? {})} `);
  const content = scope?.content ?? (Buffer.isBuffer(request.body) || typeof request.body === 'string' ? request.body : JSON.stringify(request.body ?? null));
  hash.update(content);
  return {
    practiceId: scope?.practiceId ?? actorOf(request).practiceId,
    // Namespaced: a patient's key can never meet a staff client's.
    key: scope ? `${scope.prefix}:${key}` : key,
    requestHash: hash.digest('hex'),
  };
}

/**
 * A money-moving route's work, run once per Idempotency-Key through the one
 * helper (services/idempotency). `content`: a file body's fingerprint;
 * `undivided`: see idempotently.
 */
export async function idempotent<T, S extends number>(
  db: Db,
  request: FastifyRequest,
  status: S | ((body: T) => S),
  work: Work<T>,
  options: { content?: string | Buffer } & TransactionOptions = {},
): Promise<{ status: S; body: T }> {
  const { content, ...transaction } = options;
  const idempotency = content === undefined ? idempotencyOf(request) : idempotencyOf(request, { practiceId: actorOf(request).practiceId, prefix: 'file', content });
  return (await idempotently(db, idempotency, status, work, transaction)) as { status: S; body: T };
}
