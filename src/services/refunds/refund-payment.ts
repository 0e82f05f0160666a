import { sql, type Compilable } from 'kysely';
import type { RefundTable } from '../../db/database.ts';
import { newId, nowIso } from '../../db/ids.ts';
import { auditWrite, recordAudit } from '../../db/repositories/audit.ts';
import { journalEntryWrites } from '../../db/repositories/journal.ts';
import { eventWrite } from '../../db/repositories/outbox.ts';
import { writeTogether } from '../../db/write-together.ts';
import { inTransaction, type Db, type Trx } from '../../db/transaction.ts';
import { AppError } from '../../domain/errors.ts';
import { refundToCash, refundToCredit } from '../../domain/ledger/postings.ts';
import type { PaymentMethod, PaymentStatus } from '../../domain/payments/payment-status.ts';
import { refundableStatuses, refundAmount, refundMethodFor, type RefundMethod, type RefundReason } from '../../domain/refunds/refund-rules.ts';
import type { Actor } from '../actor.ts';
import { unappliedCents } from '../applications/unapplied-cents.ts';
import { insertCreditLot } from '../credits/credit-lots.ts';
import { requireNamedPayment, requirePayment, toPayment, type NamedPayment } from '../payments/payment-views.ts';
import { idempotently, type IdempotencyRequest, type TwoPhase } from '../idempotency/idempotently.ts';
import { ProcessorError, type PaymentProcessor, type RefundResult } from '../processors/payment-processor.ts';
import { wholeList } from '../whole-list.ts';

export interface RefundRequest {
  amountCents?: number | undefined;
  full?: boolean | undefined;
  reason: RefundReason;
  notes?: string | undefined;
  asCredit?: boolean | undefined;
  /**
   * How the money went back when staff say so (a refund-owed task recorded as
   * cash or check); by default it follows the payment's method.
   */
  recordAs?: 'cash' | 'check' | 'recorded' | undefined;
  /** What a credit lot made by this refund is marked as coming from (a dismissed refund-owed task keeps money as credit). */
  creditSource?: 'refund' | 'task_dismissal' | undefined;
  /**
   * A credit refund that tops up this existing lot instead of making a new one: a dismissed task drawn
   * from several payments is one credit for the patient (each payment still has its own refund row).
   */
  creditLotId?: string | undefined;
  /**
   * Refund only money no application holds (a refund-owed task: the patient's unapplied funds). The payment's
   * applications count against the amount in the same conditional write, so money an 835 applies meanwhile
   * is not also refunded. Without it a refund may leave the payment over-applied (SPEC section 4).
   */
  unappliedOnly?: boolean | undefined;
}

export interface RefundOptions {
  processor: PaymentProcessor;
  publicUrl: string;
  idempotency?: IdempotencyRequest | undefined;
}

type RefundRow = RefundTable;

export function toRefund(row: RefundRow) {
  return {
    id: row.id,
    paymentId: row.paymentId,
    patientId: row.patientId,
    amountCents: Number(row.amountCents),
    reason: row.reason as RefundReason,
    notes: row.notes,
    method: row.method as RefundMethod,
    status: row.status as 'pending' | 'succeeded' | 'failed',
    processorReference: row.processorReference,
    failureReason: row.failureReason,
    creditId: row.creditId,
    createdAt: row.createdAt,
    createdBy: row.createdBy,
    settledAt: row.settledAt,
  };
}

function present(refund: RefundRow, payment: NamedPayment, publicUrl: string) {
  return { ...toRefund(refund), payment: toPayment(payment.row, payment.names, publicUrl) };
}
export type RefundResponse = ReturnType<typeof present>;

interface SettleOptions {
  /** The amount is reserved on the payment (a card refund back from the processor). */
  reserved: boolean;
  /**
   * The refund is new, not yet written, and this is its payment as read in
   * this transaction: the refund is inserted settled. Without it the refund
   * is pending in the database and is claimed first.
   */
  fresh?: NamedPayment;
  creditSource?: 'refund' | 'task_dismissal' | undefined;
  creditLotId?: string | undefined;
  unappliedOnly?: boolean | undefined;
}

/**
 * The limit of a refund of `cents` more, in the payment's conditional write: within what is not yet refunded
 * or on its way back, or with `unappliedOnly` within the payment's unapplied money (applications count too).
 */
function refundFits(cents: number, unappliedOnly: boolean | undefined) {
  return unappliedOnly ? sql<boolean>`${unappliedCents} >= ${cents}` : sql<boolean>`refunded_cents + refunding_cents + ${cents} <= amount_cents`;
}

function refundRefused(unappliedOnly: boolean | undefined) {
  return new AppError(
    'refund_exceeds_remaining',
    unappliedOnly
      ? 'The payment no longer has this much unapplied (applied or refunded meanwhile); nothing was refunded.'
      : 'Another refund of this payment got there first; nothing remains to refund this amount.',
  );
}

/**
 * Books a successful refund: the payment's refunded total and status (one
 * conditional update), the journal entry (money back, or into a credit lot),
 * the refund row, audit and outbox. Answers the settled refund and the
 * payment as it now is.
 */
async function settle(trx: Trx, actor: Actor, refund: RefundRow, options: SettleOptions): Promise<{ refund: RefundRow; payment: NamedPayment }> {
  const { writes, ...settled } = await settledWithWrites(trx, actor, refund, options);
  await writeTogether(trx, writes);
  return settled;
}

/**
 * settle with its last writes (the refund row, journal entry, audit row and event) left unsent, for a caller that
 * sends them with its own next write and reads none of them before (the key's answer: ADR 0070).
 */
async function settledWithWrites(trx: Trx, actor: Actor, refund: RefundRow, options: SettleOptions): Promise<{ refund: RefundRow; payment: NamedPayment; writes: Compilable[] }> {
  const x = Number(refund.amountCents);
  const settledAt = nowIso();
  let before = options.fresh;
  if (!before) {
    // Claim the refund first: of two settlers (a request and the recovery job), exactly one books it.
    const claimed = await trx
      .updateTable('refunds')
      .set({ status: 'succeeded', settledAt, processorReference: refund.processorReference })
      .where('id', '=', refund.id)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) throw new AppError('conflict', 'This refund was already settled.');
    before = await requireNamedPayment(trx, actor, refund.paymentId);
  }
  const after = await trx
    .updateTable('payments')
    .set((eb) => ({
      refundedCents: eb('refundedCents', '+', x),
      refundingCents: options.reserved ? eb('refundingCents', '-', x) : eb.ref('refundingCents'),
      // statusAfterRefund (refunded once the total refunded reaches the amount), decided by the totals this update writes.
      status: sql<string>`case when refunded_cents + ${x} >= amount_cents then 'refunded' else 'partially_refunded' end`,
      updatedAt: settledAt,
    }))
    .where('id', '=', refund.paymentId)
    .where('status', 'in', refundableStatuses)
    // The limit lives in the write: with the reservation already counted when there is one.
    // (A reserved amount was checked, applications included when asked, by the reservation; applications respect it since.)
    .where(options.reserved ? refundFits(0, false) : refundFits(x, options.unappliedOnly))
    .returningAll()
    .executeTakeFirst();
  if (!after) throw refundRefused(!options.reserved && options.unappliedOnly);
  const facts = { refundId: refund.id, paymentId: refund.paymentId, patientId: refund.patientId, amountCents: x };
  let creditId: string | null = null;
  let journal: ReturnType<typeof journalEntryWrites>;
  if (refund.method === 'credit') {
    if (options.creditLotId) {
      // The lot and the journal grow together in this transaction, so verify stays clean between the parts.
      const grown = await trx
        .updateTable('credits')
        .set((eb) => ({ amountCents: eb('amountCents', '+', x), remainingCents: eb('remainingCents', '+', x) }))
        .where('id', '=', options.creditLotId)
        .where('practiceId', '=', actor.practiceId)
        .where('patientId', '=', refund.patientId)
        .executeTakeFirst();
      if (Number(grown.numUpdatedRows) !== 1) throw new AppError('not_found', 'The credit to add to was not found.');
      creditId = options.creditLotId;
    } else {
      const creditSource = options.creditSource ?? 'refund';
      const lot = await insertCreditLot(trx, actor, {
        patientId: refund.patientId,
        amountCents: x,
        source: creditSource,
        refundId: refund.id,
        paymentId: refund.paymentId,
        description: creditSource === 'task_dismissal' ? 'Unapplied funds kept as credit (refund-owed task dismissed)' : 'Refund issued as credit',
      });
      creditId = lot.id;
    }
    journal = journalEntryWrites(trx, actor, refundToCredit(facts));
  } else {
    journal = journalEntryWrites(trx, actor, { ...refundToCash(facts), memo: `Refund by ${refund.method}` });
  }
  const settled: RefundRow = { ...refund, status: 'succeeded', creditId, settledAt };
  const writes: Compilable[] = [];
  if (options.fresh) writes.push(trx.insertInto('refunds').values(settled));
  else if (creditId !== null) writes.push(trx.updateTable('refunds').set({ creditId }).where('id', '=', refund.id));
  writes.push(
    ...journal.writes,
    auditWrite(trx, actor, {
      action: 'payment.refunded',
      entityType: 'payment',
      entityId: refund.paymentId,
      before: { status: before.row.status, refundedCents: before.row.refundedCents },
      after: { status: after.status, refundedCents: after.refundedCents, refund: toRefund(settled) },
    }),
    eventWrite(trx, actor.practiceId, 'refund.succeeded', { refundId: refund.id, paymentId: refund.paymentId, amountCents: x, method: refund.method, creditId }),
  );
  return { refund: settled, payment: { row: after, names: before.names }, writes };
}

/**
 * SPEC section 4. Cash, check and credit refunds are one transaction. Card
 * refunds reserve the amount (so racing refunds can never together exceed the
 * payment), ask the processor outside any transaction, then settle or
 * release: a processor failure leaves the payment exactly as it was. Both
 * through the one idempotency helper (two-phase for card refunds: the key and
 * the reservation in one transaction, the processor outside, the booking and
 * the answer in a second). (Called inside a caller's transaction — demo
 * seeding — the steps are savepoints of it.)
 */
export async function refundPayment(db: Db, actor: Actor, paymentId: string, request: RefundRequest, options: RefundOptions): Promise<RefundResponse> {
  const { idempotency, processor, publicUrl } = options;
  type Pending = { refund: RefundRow; chargeReference: string };
  const work: TwoPhase<Pending, RefundResponse> = {
    claim: async (trx) => {
      const payment = await requireNamedPayment(trx, actor, paymentId);
      const { row } = payment;
      const amount = refundAmount(
        { status: row.status as PaymentStatus, method: row.method as PaymentMethod, amountCents: row.amountCents, refundedCents: row.refundedCents, refundingCents: row.refundingCents },
        request,
      );
      const method = refundMethodFor(row.method as PaymentMethod | null, request, row.processorReference !== null);
      const refund: RefundRow = {
        id: newId(),
        practiceId: actor.practiceId,
        paymentId,
        patientId: row.patientId,
        amountCents: amount,
        reason: request.reason,
        notes: request.notes ?? null,
        method,
        status: 'pending',
        processorReference: null,
        processorKey: null,
        failureReason: null,
        failureKind: null,
        creditId: null,
        idempotencyKey: idempotency?.key ?? null,
        createdAt: nowIso(),
        createdBy: actor.name,
        settledAt: null,
      };
      if (method !== 'processor') {
        // Its last writes go with the key's answer (or alone without a key): one round trip fewer (ADR 0070).
        const settled = await settledWithWrites(trx, actor, refund, { reserved: false, fresh: payment, creditSource: request.creditSource, creditLotId: request.creditLotId, unappliedOnly: request.unappliedOnly });
        return { done: present(settled.refund, settled.payment, publicUrl), writes: settled.writes };
      }
      // Reserve the amount: the same conditional write that settles, so two racing refunds cannot both fit.
      const reserved = await trx
        .updateTable('payments')
        .set((eb) => ({ refundingCents: eb('refundingCents', '+', amount) }))
        .where('id', '=', paymentId)
        .where('status', 'in', refundableStatuses)
        .where(refundFits(amount, request.unappliedOnly))
        .executeTakeFirst();
      if (Number(reserved.numUpdatedRows) !== 1) throw refundRefused(request.unappliedOnly);
      refund.processorKey = await processorKeyFor(trx, refund, idempotency);
      await trx.insertInto('refunds').values(refund).execute();
      return { pending: { refund, chargeReference: row.processorReference! } };
    },
    complete: async ({ refund, chargeReference }, book) => {
      let result: RefundResult;
      try {
        result = await processor.refund({ chargeReference, amountCents: Number(refund.amountCents), reason: refund.reason, idempotencyKey: refund.processorKey! });
      } catch (error) {
        if (!(error instanceof ProcessorError)) throw error;
        await releaseFailedRefund(db, actor, refund, error);
        throw new AppError(
          error.failure === 'declined' ? 'processor_declined' : 'processor_unavailable',
          `The refund was not made: ${error.message} The payment is unchanged.`,
        );
      }
      return book(async (trx) => {
        const settled = await settle(trx, actor, { ...refund, processorReference: result.reference }, { reserved: true });
        return present(settled.refund, settled.payment, publicUrl);
      });
    },
    // Settled by the recovery job after the request that made it was cut off: answer with it.
    recover: async (trx) => {
      if (!idempotency) return undefined;
      const made = await trx.selectFrom('refunds').selectAll().where('practiceId', '=', actor.practiceId).where('idempotencyKey', '=', idempotency.key).executeTakeFirst();
      return made?.status === 'succeeded' ? present(made, await requireNamedPayment(trx, actor, made.paymentId), publicUrl) : undefined;
    },
  };
  return (await idempotently(db, idempotency, 201, work)).body;
}

/**
 * The key the processor sees for this refund: the client's Idempotency-Key
 * (with its request) when there is one; else the key of an earlier attempt at
 * the same refund that timed out — the processor may have made it without
 * telling us, and must answer with that refund rather than make another;
 * else a new one.
 */
async function processorKeyFor(trx: Trx, refund: RefundRow, idempotency: IdempotencyRequest | undefined): Promise<string> {
  if (idempotency) return `${idempotency.practiceId}:${idempotency.key}:${idempotency.requestHash.slice(0, 16)}`;
  const timedOut = await trx
    .selectFrom('refunds')
    .select(['id', 'processorKey'])
    .where('paymentId', '=', refund.paymentId)
    .where('status', '=', 'failed')
    .where('failureKind', '=', 'unavailable')
    .where('amountCents', '=', refund.amountCents)
    .where('processorKey', 'is not', null)
    .orderBy('createdAt', 'desc')
    .executeTakeFirst();
  if (!timedOut?.processorKey) return refund.id;
  // Hand the key over, so it is reused once.
  await trx.updateTable('refunds').set({ processorKey: null }).where('id', '=', timedOut.id).execute();
  return timedOut.processorKey;
}

/** Gives back a failed refund's reservation and frees the client's idempotency key; the refund stays on record as failed. */
async function releaseFailedRefund(db: Db, actor: Actor, refund: RefundRow, error: ProcessorError) {
  const reason = error.message;
  await inTransaction(db, async (trx) => {
    const x = Number(refund.amountCents);
    // Only a refund still pending is released: one settled meanwhile (by the recovery job) stays settled.
    const claimed = await trx.updateTable('refunds').set({ status: 'failed' }).where('id', '=', refund.id).where('status', '=', 'pending').executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) return;
    await trx
      .updateTable('payments')
      .set((eb) => ({ refundingCents: eb('refundingCents', '-', x) }))
      .where('id', '=', refund.paymentId)
      .execute();
    await trx
      .updateTable('refunds')
      .set({
        status: 'failed',
        failureReason: reason,
        failureKind: error.failure,
        // Only a timeout may have refunded unseen; a declined refund's key is done with.
        processorKey: error.failure === 'unavailable' ? refund.processorKey : null,
        idempotencyKey: null,
        settledAt: nowIso(),
      })
      .where('id', '=', refund.id)
      .execute();
    await recordAudit(trx, actor, {
      action: 'payment.refund_failed',
      entityType: 'payment',
      entityId: refund.paymentId,
      after: { refundId: refund.id, amountCents: x, reason },
    });
  });
}

/**
 * Records a refund the processor made without us (a refund issued in its
 * dashboard, reported by webhook; a chargeback when a dispute is lost):
 * booked like any other, once per processor refund (or dispute) id, within
 * what remains of the payment.
 */
export async function recordProcessorRefund(
  db: Db,
  actor: Actor,
  paymentId: string,
  refund: { amountCents: number; processorReference: string; reason?: RefundReason; notes?: string },
) {
  return inTransaction(db, async (trx) => {
    const known = await trx.selectFrom('refunds').select('id').where('paymentId', '=', paymentId).where('processorReference', '=', refund.processorReference).executeTakeFirst();
    if (known) return undefined;
    const payment = await requireNamedPayment(trx, actor, paymentId);
    const row: RefundRow = {
      id: newId(),
      practiceId: actor.practiceId,
      paymentId,
      patientId: payment.row.patientId,
      amountCents: refund.amountCents,
      reason: refund.reason ?? 'other',
      notes: refund.notes ?? 'Refunded at the payment processor',
      method: 'processor',
      status: 'pending',
      processorReference: refund.processorReference,
      processorKey: null,
      failureReason: null,
      failureKind: null,
      creditId: null,
      idempotencyKey: null,
      createdAt: nowIso(),
      createdBy: actor.name,
      settledAt: null,
    };
    return toRefund((await settle(trx, actor, row, { reserved: false, fresh: payment })).refund);
  });
}

/**
 * Finishes card refunds left pending by a process that stopped between
 * asking the processor and booking the answer (a crash, a deploy). Each is
 * asked again with the same idempotency key — the processor answers with the
 * refund it made, or makes it now — then booked, or released when declined.
 * Still unreachable: left pending for the next run.
 */
export async function resumePendingRefunds(db: Db, processor: PaymentProcessor, options: { olderThanMs?: number } = {}) {
  const cutoff = new Date(Date.now() - (options.olderThanMs ?? 60_000)).toISOString();
  const pending = await db
    .selectFrom('refunds')
    .innerJoin('payments', 'payments.id', 'refunds.paymentId')
    .selectAll('refunds')
    .select('payments.processorReference as chargeReference')
    .where('refunds.status', '=', 'pending')
    .where('refunds.createdAt', '<', cutoff)
    .orderBy('refunds.createdAt')
    .limit(500)
    .execute();
  const outcome = { settled: 0, released: 0, stillPending: 0 };
  for (const { chargeReference, ...refund } of pending) {
    const actor: Actor = { practiceId: refund.practiceId, kind: 'system', id: 'refund-recovery', name: 'Refund recovery', role: 'admin' };
    try {
      const result = await processor.refund({
        // Stryker disable next-line StringLiteral: equivalent, a refund pending with the processor is of a payment charged through us, which has a processor reference.
        chargeReference: chargeReference ?? '',
        amountCents: Number(refund.amountCents),
        reason: refund.reason,
        idempotencyKey: refund.processorKey ?? refund.id,
      });
      await inTransaction(db, (trx) => settle(trx, actor, { ...refund, processorReference: result.reference }, { reserved: true }));
      outcome.settled++;
    } catch (error) {
      if (error instanceof ProcessorError && error.failure === 'declined') {
        await releaseFailedRefund(db, actor, refund, error);
        outcome.released++;
      } else if (
        error instanceof ProcessorError ||
        (error instanceof AppError && error.code === 'conflict') ||
        // Its payment became Disputed meanwhile (ADR 0019): the refund settles once the dispute closes.
        (error instanceof AppError && error.code === 'refund_exceeds_remaining')
      ) {
        outcome.stillPending++;
      } else {
        throw error;
      }
    }
  }
  return outcome;
}

export async function listRefunds(db: Db, actor: Actor, paymentId: string) {
  await requirePayment(db, actor, paymentId);
  const rows = await db.selectFrom('refunds').selectAll().where('paymentId', '=', paymentId).orderBy('createdAt').orderBy('id').execute();
  const items = rows.map(toRefund);
  return wholeList(items);
}
