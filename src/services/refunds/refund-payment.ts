import { sql } from 'kysely';
import type { RefundTable } from '../../db/database.ts';
import { newId, nowIso } from '../../db/ids.ts';
import { recordAudit } from '../../db/repositories/audit.ts';
import { postJournalEntry } from '../../db/repositories/journal.ts';
import { enqueueEvent } from '../../db/repositories/outbox.ts';
import { inTransaction, type Db, type Trx } from '../../db/transaction.ts';
import { AppError } from '../../domain/errors.ts';
import { refundToCash, refundToCredit } from '../../domain/ledger/postings.ts';
import type { PaymentMethod, PaymentStatus } from '../../domain/payments/payment-status.ts';
import { refundableStatuses, refundAmount, refundMethodFor, statusAfterRefund, type RefundMethod, type RefundReason } from '../../domain/refunds/refund-rules.ts';
import type { Actor } from '../actor.ts';
import { insertCreditLot } from '../credits/credit-lots.ts';
import { namesFor, requirePayment, toPayment } from '../payments/payment-views.ts';
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

async function present(trx: Db, actor: Actor, refund: RefundRow, publicUrl: string) {
  const payment = await requirePayment(trx, actor, refund.paymentId);
  return { ...toRefund(refund), payment: toPayment(payment, await namesFor(trx, payment), publicUrl) };
}
export type RefundResponse = Awaited<ReturnType<typeof present>>;

/**
 * Books a successful refund: the payment's refunded total and status, the
 * journal entry (money back, or into a credit lot), audit and outbox.
 */
async function settle(trx: Trx, actor: Actor, refund: RefundRow, reserved: boolean, creditSource: 'refund' | 'task_dismissal' = 'refund', creditLotId?: string): Promise<RefundRow> {
  const x = Number(refund.amountCents);
  // Claim the refund first: of two settlers (a request and the recovery job), exactly one books it.
  const claimed = await trx
    .updateTable('refunds')
    .set({ status: 'succeeded' })
    .where('id', '=', refund.id)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  if (Number(claimed.numUpdatedRows) !== 1) throw new AppError('conflict', 'This refund was already settled.');
  const before = await requirePayment(trx, actor, refund.paymentId);
  const result = await trx
    .updateTable('payments')
    .set((eb) => ({
      refundedCents: eb('refundedCents', '+', x),
      refundingCents: reserved ? eb('refundingCents', '-', x) : eb.ref('refundingCents'),
      updatedAt: nowIso(),
    }))
    .where('id', '=', refund.paymentId)
    .where('status', 'in', refundableStatuses)
    // The limit lives in the write: with the reservation already counted when there is one.
    .where(sql<boolean>`refunded_cents + refunding_cents + ${reserved ? 0 : x} <= amount_cents`)
    .returning(['amountCents', 'refundedCents'])
    .executeTakeFirst();
  if (!result) {
    throw new AppError('refund_exceeds_remaining', 'Another refund of this payment got there first; nothing remains to refund this amount.');
  }
  // The row is ours until commit (the update above locked it): its new totals decide the status, by the one rule.
  await trx
    .updateTable('payments')
    .set({ status: statusAfterRefund(Number(result.amountCents), Number(result.refundedCents)) })
    .where('id', '=', refund.paymentId)
    .execute();
  const facts = { refundId: refund.id, paymentId: refund.paymentId, patientId: refund.patientId, amountCents: x };
  let creditId: string | null = null;
  if (refund.method === 'credit') {
    if (creditLotId) {
      // The lot and the journal grow together in this transaction, so verify stays clean between the parts.
      const grown = await trx
        .updateTable('credits')
        .set((eb) => ({ amountCents: eb('amountCents', '+', x), remainingCents: eb('remainingCents', '+', x) }))
        .where('id', '=', creditLotId)
        .where('practiceId', '=', actor.practiceId)
        .where('patientId', '=', refund.patientId)
        .executeTakeFirst();
      if (Number(grown.numUpdatedRows) !== 1) throw new AppError('not_found', 'The credit to add to was not found.');
      creditId = creditLotId;
    } else {
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
    await postJournalEntry(trx, actor, refundToCredit(facts));
  } else {
    await postJournalEntry(trx, actor, { ...refundToCash(facts), memo: `Refund by ${refund.method}` });
  }
  const settled: RefundRow = { ...refund, status: 'succeeded', creditId, settledAt: nowIso() };
  await trx
    .updateTable('refunds')
    .set({ status: 'succeeded', creditId, settledAt: settled.settledAt, processorReference: refund.processorReference })
    .where('id', '=', refund.id)
    .execute();
  const after = await requirePayment(trx, actor, refund.paymentId);
  await recordAudit(trx, actor, {
    action: 'payment.refunded',
    entityType: 'payment',
    entityId: refund.paymentId,
    before: { status: before.status, refundedCents: before.refundedCents },
    after: { status: after.status, refundedCents: after.refundedCents, refund: toRefund(settled) },
  });
  await enqueueEvent(trx, actor.practiceId, 'refund.succeeded', { refundId: refund.id, paymentId: refund.paymentId, amountCents: x, method: refund.method, creditId });
  return settled;
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
      const payment = await requirePayment(trx, actor, paymentId);
      const amount = refundAmount(
        { status: payment.status as PaymentStatus, method: payment.method as PaymentMethod, amountCents: payment.amountCents, refundedCents: payment.refundedCents, refundingCents: payment.refundingCents },
        request,
      );
      const method = refundMethodFor(payment.method as PaymentMethod | null, request, payment.processorReference !== null);
      const refund: RefundRow = {
        id: newId(),
        practiceId: actor.practiceId,
        paymentId,
        patientId: payment.patientId,
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
      await trx.insertInto('refunds').values(refund).execute();
      if (method !== 'processor') {
        const settled = await settle(trx, actor, refund, false, request.creditSource, request.creditLotId);
        return { done: await present(trx, actor, settled, publicUrl) };
      }
      // Reserve the amount: the same conditional write that settles, so two racing refunds cannot both fit.
      const reserved = await trx
        .updateTable('payments')
        .set((eb) => ({ refundingCents: eb('refundingCents', '+', amount) }))
        .where('id', '=', paymentId)
        .where('status', 'in', refundableStatuses)
        .where(sql<boolean>`refunded_cents + refunding_cents + ${amount} <= amount_cents`)
        .executeTakeFirst();
      if (Number(reserved.numUpdatedRows) !== 1) {
        throw new AppError('refund_exceeds_remaining', 'Another refund of this payment got there first; nothing remains to refund this amount.');
      }
      refund.processorKey = await processorKeyFor(trx, refund, idempotency);
      await trx.updateTable('refunds').set({ processorKey: refund.processorKey }).where('id', '=', refund.id).execute();
      return { pending: { refund, chargeReference: payment.processorReference! } };
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
      return book(async (trx) => present(trx, actor, await settle(trx, actor, { ...refund, processorReference: result.reference }, true), publicUrl));
    },
    // Settled by the recovery job after the request that made it was cut off: answer with it.
    recover: async (trx) => {
      if (!idempotency) return undefined;
      const made = await trx.selectFrom('refunds').selectAll().where('practiceId', '=', actor.practiceId).where('idempotencyKey', '=', idempotency.key).executeTakeFirst();
      return made?.status === 'succeeded' ? present(trx, actor, made, publicUrl) : undefined;
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
    const payment = await requirePayment(trx, actor, paymentId);
    const row: RefundRow = {
      id: newId(),
      practiceId: actor.practiceId,
      paymentId,
      patientId: payment.patientId,
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
    await trx.insertInto('refunds').values(row).execute();
    return toRefund(await settle(trx, actor, row, false));
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
      await inTransaction(db, (trx) => settle(trx, actor, { ...refund, processorReference: result.reference }, true));
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
