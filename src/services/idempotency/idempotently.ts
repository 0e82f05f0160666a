import { claimKey, finishKey, freeKey, pendingClaim, readKey, rememberPendingClaim, storedAnswer, type IdempotencyRequest, type KeyRow, type StoredResponse } from '../../db/repositories/idempotency-keys.ts';
import { inTransaction, type Db, type TransactionOptions, type Trx } from '../../db/transaction.ts';
import { isLateNumber, valueWithNumber } from '../../db/late-number.ts';
import { writeTogether, type Write } from '../../db/write-together.ts';
import { AppError } from '../../domain/errors.ts';

export type { IdempotencyRequest } from '../../db/repositories/idempotency-keys.ts';

/**
 * Work that calls a processor, in two phases: `claim` runs in the transaction
 * that claims the key (it claims the row: Pending → Processing, a refund's
 * reservation) or finishes at once (`done`); `complete` runs outside any
 * transaction (the processor call) and books the outcome through `settle`,
 * which stores the answer in the same transaction. An AppError thrown by
 * `complete` outside `settle` frees the key (the work undid its own claim
 * first, so a retry runs again); any other error, or any error while
 * booking, leaves the outcome unknown and the key pending, for the recovery
 * job (and `recover`) to finish.
 */
export interface TwoPhase<C, T> {
  /** Done at once: its answer, and its last writes when it left them for the key's answer (as AnswerWithWrites). */
  claim(trx: Trx): Promise<Done<T> | { pending: C }>;
  complete(pending: C, settle: (book: (trx: Trx) => Promise<T>) => Promise<T>): Promise<T>;
  /**
   * For a retry that finds the key still pending: the answer when the work
   * was finished by someone else (the recovery job, after the first request's
   * process stopped mid-way), else undefined and the retry keeps waiting.
   * `pending` is what the first request claimed (kept on the key row).
   */
  recover?(trx: Trx, pending: C | undefined): Promise<T | undefined>;
}

/**
 * A one-phase work's answer with its last writes not yet sent (rows nobody
 * reads back before the commit). The helper sends them in the statement that
 * stores the key's answer, or alone when there is no key: on PostgreSQL one
 * round trip fewer while the work's locks are held (a payment's number row,
 * ADR 0064). Build it with `answerWithWrites`.
 */
export class AnswerWithWrites<T> {
  constructor(
    readonly body: T,
    readonly writes: readonly Write[],
  ) {}
}

export function answerWithWrites<T>(body: T, writes: readonly Write[]): AnswerWithWrites<T> {
  return new AnswerWithWrites(body, writes);
}

export type Work<T> = ((trx: Trx) => Promise<T | AnswerWithWrites<T>>) | TwoPhase<unknown, T>;

/** What a transaction of the helper answers: the body, and the writes still to send before its commit. */
export interface Done<T> {
  done: T;
  writes?: readonly Write[];
}

export interface IdempotentAnswer<T> {
  status: number;
  body: T;
}

/** How long a retry waits for the first request's processor call before answering 409 in progress. */
const waitLimitMs = 35_000;
const pollMs = 50;

/**
 * THE idempotency helper: every money-moving POST runs through it. Without a
 * key, the work runs (in one transaction, or two phases). With a key, the
 * first request claims it in the transaction that makes the change; a
 * concurrent or later retry with the same key and request waits for that
 * answer and replays it (never a second effect, never a 500); with another
 * request, 409. Errors are not stored: the change rolled back, so a retry
 * runs again. `undivided`: the work never carries on after a step it calls
 * fails, so those steps join its transaction without savepoints
 * (TransactionOptions; the helper itself never carries on after the work fails).
 */
export async function idempotently<T>(
  db: Db,
  idempotency: IdempotencyRequest | undefined,
  statusFor: number | ((body: T) => number),
  work: Work<T>,
  options: TransactionOptions = {},
): Promise<IdempotentAnswer<T>> {
  const answer = (body: T): IdempotentAnswer<T> => ({ status: typeof statusFor === 'function' ? statusFor(body) : statusFor, body });
  const steps: { claim(trx: Trx): Promise<Done<T> | { pending: unknown }> } & Omit<TwoPhase<unknown, T>, 'claim'> =
    typeof work === 'function' ? { claim: async (trx) => doneOf(await work(trx)), complete: async () => unreachable() } : work;
  if (!idempotency) {
    const first = await inTransaction(db, async (trx) => {
      const claimed = await steps.claim(trx);
      if (!('done' in claimed) || !claimed.writes) return claimed;
      await writeTogether(trx, claimed.writes);
      return { done: withTakenNumber(claimed) };
    }, options);
    if ('done' in first) return answer(first.done);
    return answer(await steps.complete(first.pending, (book) => inTransaction(db, book, options)));
  }

  const deadline = Date.now() + waitLimitMs;
  for (;;) {
    const first = await inTransaction(db, async (trx): Promise<{ seen: KeyRow | undefined } | { pending: unknown } | { done: T }> => {
      const owner = await claimKey(trx, idempotency);
      if (owner !== true) return { seen: owner };
      const claimed = await steps.claim(trx);
      if (!('done' in claimed)) {
        await rememberPendingClaim(trx, idempotency, claimed.pending);
        return { pending: claimed.pending };
      }
      await finishKey(trx, idempotency, answer(claimed.done).status, claimed.done, claimed.writes);
      return { done: withTakenNumber(claimed) };
    }, options);
    if ('done' in first) return answer(first.done);
    if ('pending' in first) {
      let bookingFailed = false;
      try {
        const body = await steps.complete(first.pending, async (book) => {
          try {
            return await inTransaction(db, async (trx) => {
              const body = await book(trx);
              await finishKey(trx, idempotency, answer(body).status, body);
              return body;
            }, options);
          } catch (error) {
            bookingFailed = true;
            throw error;
          }
        });
        return answer(body);
      } catch (error) {
        // The processor may have acted when the booking failed: the key stays pending for recovery, never reused.
        if (error instanceof AppError && !bookingFailed) await inTransaction(db, (trx) => freeKey(trx, idempotency));
        throw error;
      }
    }
    // Another request owns the key: replay its answer, or wait for it (its processor call is under way).
    const stored = first.seen ? storedAnswer<T>(first.seen, idempotency) : undefined;
    if (stored) return stored;
    const waited = first.seen ? await waitForAnswer<T>(db, idempotency, deadline, steps.recover, answer) : 'gone';
    if (waited !== 'gone') return waited;
    // The first request failed and freed the key (or it vanished between claim and read): run again.
  }
}

async function waitForAnswer<T>(
  db: Db,
  idempotency: IdempotencyRequest,
  deadline: number,
  recover: TwoPhase<unknown, T>['recover'],
  answer: (body: T) => IdempotentAnswer<T>,
): Promise<StoredResponse<T> | 'gone'> {
  for (let first = true; ; first = false) {
    if (Date.now() > deadline) {
      throw new AppError('idempotency_key_in_progress', 'A request with this Idempotency-Key is still being processed; retry shortly.');
    }
    if (!first) await new Promise((resolve) => setTimeout(resolve, pollMs));
    const row = await readKey(db, idempotency);
    if (!row) return 'gone';
    const stored = storedAnswer<T>(row, idempotency);
    if (stored) return stored;
    if (recover) {
      const recovered = await inTransaction(db, async (trx) => {
        const body = await recover(trx, pendingClaim(row));
        if (body !== undefined) await finishKey(trx, idempotency, answer(body).status, body);
        return body;
      });
      if (recovered !== undefined) return answer(recovered);
    }
  }
}

/** The answer once its writes were sent: a late number they took in place of its stand-in (late-number.ts). */
function withTakenNumber<T>({ done, writes }: Done<T>): T {
  const late = writes?.find(isLateNumber);
  return late ? valueWithNumber(late, done) : done;
}

function doneOf<T>(result: T | AnswerWithWrites<T>): Done<T> {
  return result instanceof AnswerWithWrites ? { done: result.body, writes: result.writes } : { done: result };
}

function unreachable(): never {
  throw new Error('unreachable: one-phase work has nothing to complete');
}
