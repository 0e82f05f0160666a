import type { ListProcessorReceiptsQuery, ProcessorReceipt } from '../../contracts/reconciliation.ts';
import { nowIso } from '../../db/ids.ts';
import { recordAudit } from '../../db/repositories/audit.ts';
import { postJournalEntry } from '../../db/repositories/journal.ts';
import { inTransaction, type Db, type Trx } from '../../db/transaction.ts';
import { AppError } from '../../domain/errors.ts';
import { processorReceiptReleased } from '../../domain/ledger/postings.ts';
import { formatPaymentNumber } from '../../domain/payments/payment-status.ts';
import { systemActor, type Actor } from '../actor.ts';
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
    const resolvedAt = nowIso();
    const claimed = await trx.updateTable('processorReceipts').set({ status: 'assigned', resolvedAt, resolvedBy: actor.name }).where('id', '=', receipt.id).where('status', '=', 'held').executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) throw new AppError('business_rule', `This receipt is ${receipt.status === 'held' ? 'being assigned' : receipt.status} already; only a held receipt can be assigned.`);
    const amountCents = Number(receipt.amountCents);
    await postJournalEntry(trx, actor, { ...processorReceiptReleased({ receiptId: receipt.id, amountCents }), memo: `Card charge ${receipt.processorReference} assigned to ${patient.firstName} ${patient.lastName}` });
    const payment = await insertPayment(trx, actor, {
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
 * The processor refunded a held receipt whole (the biller gave it back in the
 * processor's dashboard: there is no patient to refund through our refund
 * path). The holding account and clearing both give it up, once: the
 * conditional update from held decides. A partial refund of a held receipt
 * books nothing here; once assigned, it reaches the payment through the
 * refund reconciliation (charge.refunded or the payout) like any refund.
 */
export async function returnHeldReceipt(db: Db, processor: string, references: readonly (string | null)[], amountRefundedCents: number): Promise<boolean> {
  const known = references.filter((r): r is string => Boolean(r));
  if (known.length === 0) return false;
  const receipt = await db.selectFrom('processorReceipts').selectAll().where('processorReference', 'in', known).where('status', '=', 'held').executeTakeFirst();
  if (!receipt || amountRefundedCents < Number(receipt.amountCents)) return false;
  const actor = systemActor(receipt.practiceId, `${processor}-webhook`);
  return inTransaction(db, async (trx) => {
    const resolvedAt = nowIso();
    const claimed = await trx.updateTable('processorReceipts').set({ status: 'returned', resolvedAt, resolvedBy: actor.name }).where('id', '=', receipt.id).where('status', '=', 'held').executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) return false;
    await postJournalEntry(trx, actor, { ...processorReceiptReleased({ receiptId: receipt.id, amountCents: Number(receipt.amountCents) }), memo: `Card charge ${receipt.processorReference} refunded in the ${processor} dashboard` });
    await recordAudit(trx, actor, { action: 'processor_receipt.returned', entityType: 'processor_receipt', entityId: receipt.id, before: { status: 'held' }, after: { status: 'returned' } });
    return true;
  });
}
