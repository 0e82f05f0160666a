import { sql } from 'kysely';
import type { ListProcessorReceiptsQuery, ProcessorReceipt } from '../../contracts/reconciliation.ts';
import type { ProcessorReceiptReturnKind, ProcessorReceiptTable } from '../../db/database.ts';
import { newId, nowIso } from '../../db/ids.ts';
import { recordAudit } from '../../db/repositories/audit.ts';
import { postJournalEntry } from '../../db/repositories/journal.ts';
import { inTransaction, type Db, type Trx } from '../../db/transaction.ts';
import { AppError } from '../../domain/errors.ts';
import { processorReceiptReleased, processorReceiptReturned } from '../../domain/ledger/postings.ts';
import { formatPaymentNumber } from '../../domain/payments/payment-status.ts';
import { systemActor, type Actor } from '../actor.ts';
import type { TwoPhase } from '../idempotency/idempotently.ts';
import { ProcessorError, type PaymentProcessor } from '../processors/payment-processor.ts';
import { requirePatient } from '../patients/patients.ts';
import { insertPayment } from '../payments/create-payment.ts';
import { pageWithTotal } from '../whole-list.ts';

const resolvedStatuses = ['booked', 'assigned', 'returned'] as const;

function receiptRows(db: Db | Trx, actor: Actor) {
  return db
    .selectFrom('processorReceipts as r')
    .leftJoin('payments as p', 'p.id', 'r.paymentId')
    .leftJoin('patients as pt', 'pt.id', 'p.patientId')
    .selectAll('r')
    .select(['p.number', 'pt.firstName', 'pt.lastName'])
    .where('r.practiceId', '=', actor.practiceId);
}
type ReceiptRow = Awaited<ReturnType<ReturnType<typeof receiptRows>['executeTakeFirstOrThrow']>>;

function toReceipt(r: ReceiptRow): ProcessorReceipt {
  return {
    id: r.id,
    processorReference: r.processorReference,
    amountCents: Number(r.amountCents),
    status: r.status,
    payerEmail: r.payerEmail,
    description: r.description,
    paymentId: r.paymentId,
    paymentNumber: r.number === null ? null : formatPaymentNumber(Number(r.number)),
    patientName: r.firstName === null ? null : `${r.firstName} ${r.lastName}`,
    receivedAt: r.receivedAt,
    resolvedAt: r.resolvedAt,
    resolvedBy: r.resolvedBy,
    returnedCents: Number(r.returnedCents),
    returnUnderWay: r.returnStartedAt !== null,
    dispute:
      r.disputeReference === null
        ? null
        : {
            processorDisputeId: r.disputeReference,
            amountCents: Number(r.disputeAmountCents),
            reason: r.disputeReason ?? '',
            status: r.disputeStatus ?? 'open',
            evidenceDueBy: r.disputeEvidenceDueBy,
          },
  };
}

/** `GET /processor-receipts`: the held ones (the biller's queue, oldest first), or those resolved, newest first. */
export async function listProcessorReceipts(db: Db, actor: Actor, query: ListProcessorReceiptsQuery) {
  const statuses: readonly ProcessorReceipt['status'][] = query.status === 'held' ? ['held'] : query.status === 'resolved' ? resolvedStatuses : ['held', ...resolvedStatuses];
  const page = await pageWithTotal(
    query,
    (n) =>
      receiptRows(db, actor)
        .where('r.status', 'in', statuses)
        .orderBy('r.receivedAt', query.status === 'held' ? 'asc' : 'desc')
        .orderBy('r.id')
        .limit(query.pageSize)
        .offset((n - 1) * query.pageSize)
        .execute(),
    async () =>
      Number(
        (await db.selectFrom('processorReceipts').where('practiceId', '=', actor.practiceId).where('status', 'in', statuses).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n,
      ),
  );
  return { ...page, items: page.items.map(toReceipt) };
}

/** The practice's held receipts, oldest first (the reconciliation report lists them all). */
export async function heldProcessorReceipts(db: Db, actor: Actor): Promise<ProcessorReceipt[]> {
  const rows = await receiptRows(db, actor).where('r.status', '=', 'held').orderBy('r.receivedAt').orderBy('r.id').execute();
  return rows.map(toReceipt);
}

/**
 * `POST /processor-receipts/:id/assign`: a biller says whose a held receipt
 * is. The holding account gives the money back to clearing, and a Paid card
 * payment for the patient receives it through the one payment path (applied
 * to open patient responsibility like a desk payment), keeping the charge's
 * reference so a later refund or dispute finds it. Once: the conditional
 * update from held decides; a second assign answers 422.
 */
export async function assignProcessorReceipt(db: Db, actor: Actor, receiptId: string, patientId: string): Promise<ProcessorReceipt> {
  return inTransaction(db, async (trx) => {
    const receipt = await trx.selectFrom('processorReceipts').selectAll().where('id', '=', receiptId).where('practiceId', '=', actor.practiceId).executeTakeFirst();
    if (!receipt) throw new AppError('not_found', 'Processor receipt not found.');
    const patient = await requirePatient(trx, actor, patientId);
    if (receipt.disputeStatus === 'open') throw new AppError('business_rule', 'The cardholder disputes this charge; assign it once the dispute is settled.');
    if (receipt.returnStartedAt !== null) throw new AppError('business_rule', 'A return of this receipt to the card is under way; it cannot be assigned.');
    const resolvedAt = nowIso();
    const claimed = await trx
      .updateTable('processorReceipts')
      .set({ status: 'assigned', resolvedAt, resolvedBy: actor.name })
      .where('id', '=', receipt.id)
      .where('status', '=', 'held')
      .where('returnedCents', '=', receipt.returnedCents)
      .where('returnStartedAt', 'is', null)
      .where((eb) => eb.or([eb('disputeStatus', 'is', null), eb('disputeStatus', '<>', 'open')]))
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) throw new AppError('business_rule', `This receipt is ${receipt.status === 'held' ? 'changing meanwhile' : receipt.status} already; only a held receipt can be assigned.`);
    // What was given back to the card meanwhile is not the patient's money.
    const amountCents = Number(receipt.amountCents) - Number(receipt.returnedCents);
    await postJournalEntry(trx, actor, { ...processorReceiptReleased({ receiptId: receipt.id, amountCents }), memo: `Card charge ${receipt.processorReference} assigned to ${patient.firstName} ${patient.lastName}` });
    const { row: payment } = await insertPayment(trx, actor, {
      patientId: patient.id,
      amountCents,
      method: 'card',
      status: 'paid',
      processorReference: receipt.processorReference,
      memo: `Card charge ${receipt.processorReference} made in the ${receipt.processor} dashboard`,
    });
    await trx.updateTable('processorReceipts').set({ paymentId: payment.id }).where('id', '=', receipt.id).execute();
    await recordAudit(trx, actor, { action: 'processor_receipt.assigned', entityType: 'processor_receipt', entityId: receipt.id, before: { status: 'held' }, after: { status: 'assigned', patientId: patient.id, paymentId: payment.id } });
    return toReceipt((await receiptRows(trx, actor).where('r.id', '=', receipt.id).executeTakeFirstOrThrow()) as ReceiptRow);
  });
}

/**
 * Gives part or all of a held receipt back to the cardholder, once per
 * processor reference (ADR 0029): the return row and the holding account's
 * release are written together, and the receipt's running total moves only
 * from the value the caller read and never past the receipt's amount, so two
 * processes booking the same money (the webhook and our Return button) book
 * it once. Returned whole, the receipt is resolved. False when someone else
 * booked it first (the caller reads the receipt again).
 */
export async function bookReceiptReturn(
  trx: Trx,
  actor: Actor,
  receipt: Pick<ProcessorReceiptTable, 'id' | 'practiceId' | 'processorReference' | 'returnedCents'>,
  ret: { kind: ProcessorReceiptReturnKind; processorReference: string; amountCents: number },
): Promise<boolean> {
  if (ret.amountCents <= 0) return false;
  const known = await trx.selectFrom('processorReceiptReturns').select('id').where('practiceId', '=', receipt.practiceId).where('processorReference', '=', ret.processorReference).executeTakeFirst();
  if (known) return false;
  const now = nowIso();
  const whole = sql<boolean>`returned_cents + ${ret.amountCents} = amount_cents`;
  const moved = await trx
    .updateTable('processorReceipts')
    .set({
      returnedCents: sql`returned_cents + ${ret.amountCents}`,
      status: sql`case when ${whole} then 'returned' else status end`,
      resolvedAt: sql`case when ${whole} then ${now} else resolved_at end`,
      resolvedBy: sql`case when ${whole} then ${actor.name} else resolved_by end`,
      returnStartedAt: null,
    })
    .where('id', '=', receipt.id)
    .where('status', '=', 'held')
    .where('returnedCents', '=', receipt.returnedCents)
    .where(sql<boolean>`returned_cents + ${ret.amountCents} <= amount_cents`)
    .executeTakeFirst();
  if (Number(moved.numUpdatedRows) !== 1) return false;
  const returnId = newId();
  await trx
    .insertInto('processorReceiptReturns')
    .values({ id: returnId, practiceId: receipt.practiceId, receiptId: receipt.id, kind: ret.kind, processorReference: ret.processorReference, amountCents: ret.amountCents, createdAt: now, createdBy: actor.name })
    .execute();
  const why = ret.kind === 'chargeback' ? `lost in dispute ${ret.processorReference}` : `refunded to the card (${ret.processorReference})`;
  await postJournalEntry(trx, actor, { ...processorReceiptReturned({ returnId, amountCents: ret.amountCents }), memo: `Card charge ${receipt.processorReference} ${why} before anyone was named` });
  await recordAudit(trx, actor, {
    action: 'processor_receipt.returned',
    entityType: 'processor_receipt',
    entityId: receipt.id,
    before: { returnedCents: Number(receipt.returnedCents) },
    after: { returnedCents: Number(receipt.returnedCents) + ret.amountCents, kind: ret.kind, processorReference: ret.processorReference },
  });
  return true;
}

/**
 * The processor refunded a held receipt (`charge.refunded`: the biller gave
 * money back in the processor's dashboard, or the processor confirms our
 * Return button). The event carries the charge's cumulative refund, so what
 * is new is that total less the refunds booked so far — a repeat, or the
 * event of a return we booked already, moves nothing. Whole or in part; the
 * rest stays held.
 */
export async function returnHeldReceipt(
  db: Db,
  processor: string,
  charge: { references: readonly (string | null)[]; amountRefundedCents: number; newestRefundId: string | null },
): Promise<boolean> {
  const known = charge.references.filter((r): r is string => Boolean(r));
  if (known.length === 0) return false;
  const found = await db.selectFrom('processorReceipts').select(['id', 'practiceId']).where('processorReference', 'in', known).where('status', '=', 'held').executeTakeFirst();
  if (!found) return false;
  const actor = systemActor(found.practiceId, `${processor}-webhook`);
  return inTransaction(db, async (trx) => {
    const receipt = await trx.selectFrom('processorReceipts').selectAll().where('id', '=', found.id).executeTakeFirstOrThrow();
    const refunded = await trx
      .selectFrom('processorReceiptReturns')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('amountCents'), sql<number>`0`).as('cents'))
      .where('receiptId', '=', receipt.id)
      .where('kind', '=', 'refund')
      .executeTakeFirstOrThrow();
    const fresh = charge.amountRefundedCents - Number(refunded.cents);
    // Named by the newest refund when the event lists it; else by the charge's running total, which is the same for a repeat of the event.
    const reference = charge.newestRefundId ?? `${receipt.processorReference}:refunded:${charge.amountRefundedCents}`;
    return bookReceiptReturn(trx, actor, receipt, { kind: 'refund', processorReference: reference, amountCents: fresh });
  });
}

/**
 * `POST /processor-receipts/:id/return`: nobody can be named, so the biller
 * gives what remains of a held receipt back to the card, from here (ADR
 * 0029). Two phases through the one idempotency helper: the claim marks the
 * return under way (the receipt can no longer be assigned), the processor
 * refunds with a key fixed by the receipt and what it had returned — a retry
 * after a time-out asks the processor the same question, never a second
 * refund — and the booking is bookReceiptReturn's, so the processor's own
 * `charge.refunded` arriving first books it once all the same.
 */
export function returnProcessorReceiptWork(db: Db, processor: PaymentProcessor, actor: Actor, receiptId: string): TwoPhase<{ receiptId: string; returnedCents: number; amountCents: number; reference: string }, ProcessorReceipt> {
  const present = async (trx: Db | Trx) => toReceipt((await receiptRows(trx, actor).where('r.id', '=', receiptId).executeTakeFirstOrThrow()) as ReceiptRow);
  return {
    claim: async (trx) => {
      const receipt = await trx.selectFrom('processorReceipts').selectAll().where('id', '=', receiptId).where('practiceId', '=', actor.practiceId).executeTakeFirst();
      if (!receipt) throw new AppError('not_found', 'Processor receipt not found.');
      if (receipt.status !== 'held') throw new AppError('business_rule', `This receipt is ${receipt.status}; only a held receipt can be returned.`);
      if (receipt.disputeStatus === 'open') throw new AppError('business_rule', 'The cardholder disputes this charge; the processor settles it, nothing can be returned meanwhile.');
      const remaining = Number(receipt.amountCents) - Number(receipt.returnedCents);
      await trx.updateTable('processorReceipts').set({ returnStartedAt: nowIso() }).where('id', '=', receipt.id).where('returnStartedAt', 'is', null).execute();
      return { pending: { receiptId: receipt.id, returnedCents: Number(receipt.returnedCents), amountCents: remaining, reference: receipt.processorReference } };
    },
    complete: async (pending, book) => {
      let refundReference: string;
      try {
        const refund = await processor.refund({
          chargeReference: pending.reference,
          amountCents: pending.amountCents,
          reason: 'returned_unidentified',
          idempotencyKey: `receipt-return:${pending.receiptId}:${pending.returnedCents}`,
        });
        refundReference = refund.reference;
      } catch (error) {
        if (!(error instanceof ProcessorError)) throw error;
        await inTransaction(db, (trx) => trx.updateTable('processorReceipts').set({ returnStartedAt: null }).where('id', '=', pending.receiptId).where('status', '=', 'held').execute());
        throw new AppError(error.failure === 'declined' ? 'processor_declined' : 'processor_unavailable', `Nothing was returned: ${error.message} The receipt stays held.`);
      }
      return book(async (trx) => {
        const receipt = await trx.selectFrom('processorReceipts').selectAll().where('id', '=', pending.receiptId).executeTakeFirstOrThrow();
        // The processor's own event may have booked this refund already (by its running total): then it is in returnedCents.
        if (Number(receipt.returnedCents) === pending.returnedCents) {
          await bookReceiptReturn(trx, actor, receipt, { kind: 'refund', processorReference: refundReference, amountCents: pending.amountCents });
        }
        return present(trx);
      });
    },
    recover: async (trx) => {
      const receipt = await trx.selectFrom('processorReceipts').select('status').where('id', '=', receiptId).executeTakeFirst();
      return receipt?.status === 'returned' ? present(trx) : undefined;
    },
  };
}
