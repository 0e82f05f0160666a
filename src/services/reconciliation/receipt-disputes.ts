import { nowIso } from '../../db/ids.ts';
import { recordAudit } from '../../db/repositories/audit.ts';
import { postJournalEntry } from '../../db/repositories/journal.ts';
import { enqueueEvent } from '../../db/repositories/outbox.ts';
import { inTransaction, type Db } from '../../db/transaction.ts';
import { calendarDateIn } from '../../domain/calendar/practice-calendar.ts';
import { receiptDisputeHold, receiptDisputeRelease } from '../../domain/ledger/postings.ts';
import { systemActor } from '../actor.ts';
import { practiceTimeZone } from '../practices/practice-settings.ts';
import type { DisputeSummary } from '../processors/payment-processor.ts';
import { bookReceiptReturn } from './processor-receipts.ts';

/**
 * Disputes of a dashboard charge still held on unidentified receipts (ADR
 * 0029). There is no payment to mark Disputed and no patient for a task, so
 * the dispute lives on the receipt — the biller's work item already, shown
 * Disputed in the queue — and the processor's hold is booked against no
 * payment: Dr processor_disputes / Cr cash_clearing. The processor allows one
 * dispute per charge; the receipt's dispute columns, set only while empty,
 * make each event book once.
 */
export async function openReceiptDispute(db: Db, processor: string, dispute: DisputeSummary): Promise<'opened' | 'already_open' | 'unmatched'> {
  const receipt = await heldReceiptFor(db, dispute);
  if (!receipt) return 'unmatched';
  if (receipt.disputeReference !== null) return 'already_open';
  const actor = systemActor(receipt.practiceId, `${processor}-webhook`);
  return inTransaction(db, async (trx) => {
    const timeZone = await practiceTimeZone(trx, receipt.practiceId);
    const evidenceDueBy = dispute.evidenceDueBy === null ? null : calendarDateIn(timeZone, new Date(dispute.evidenceDueBy * 1000));
    const opened = await trx
      .updateTable('processorReceipts')
      .set({ disputeReference: dispute.id, disputeAmountCents: dispute.amountCents, disputeReason: dispute.reason, disputeStatus: 'open', disputeEvidenceDueBy: evidenceDueBy, disputeOpenedAt: nowIso() })
      .where('id', '=', receipt.id)
      .where('disputeReference', 'is', null)
      .executeTakeFirst();
    if (Number(opened.numUpdatedRows) !== 1) return 'already_open' as const;
    await postJournalEntry(trx, actor, { ...receiptDisputeHold({ receiptId: receipt.id, amountCents: dispute.amountCents }), memo: `Dispute ${dispute.id} (${dispute.reason}) of card charge ${receipt.processorReference}, held: nobody named yet` });
    const event = { processorReceiptId: receipt.id, processorDisputeId: dispute.id, amountCents: dispute.amountCents, reason: dispute.reason, status: 'open', evidenceDueBy };
    await recordAudit(trx, actor, { action: 'processor_receipt.disputed', entityType: 'processor_receipt', entityId: receipt.id, after: event });
    await enqueueEvent(trx, receipt.practiceId, 'processor_receipt.disputed', event);
    return 'opened' as const;
  });
}

/**
 * The processor settled a held receipt's dispute: the hold comes back; lost,
 * the processor keeps the money for the cardholder, so that much of the
 * receipt is given back (a chargeback return) — what remains stays held for
 * assignment. Settled once: the conditional update from open decides.
 * `undefined` when no held receipt carries this dispute (the caller goes on
 * to payments). A close before its open opens it first.
 */
export async function closeReceiptDispute(db: Db, processor: string, dispute: DisputeSummary, outcome: 'won' | 'lost'): Promise<'won' | 'lost' | 'already_closed' | undefined> {
  let receipt = await heldReceiptFor(db, dispute);
  if (!receipt) return undefined;
  if (receipt.disputeReference === null) {
    await openReceiptDispute(db, processor, dispute);
    receipt = await heldReceiptFor(db, dispute);
    if (!receipt) return undefined;
  }
  if (receipt.disputeReference !== dispute.id) return undefined;
  const found = receipt;
  const actor = systemActor(found.practiceId, `${processor}-webhook`);
  return inTransaction(db, async (trx) => {
    const closed = await trx.updateTable('processorReceipts').set({ disputeStatus: outcome, disputeClosedAt: nowIso() }).where('id', '=', found.id).where('disputeStatus', '=', 'open').executeTakeFirst();
    if (Number(closed.numUpdatedRows) !== 1) return 'already_closed' as const;
    const held = Number(found.disputeAmountCents);
    await postJournalEntry(trx, actor, { ...receiptDisputeRelease({ receiptId: found.id, amountCents: held }), memo: `Dispute ${dispute.id} ${outcome}` });
    if (outcome === 'lost') {
      const now = await trx.selectFrom('processorReceipts').selectAll().where('id', '=', found.id).executeTakeFirstOrThrow();
      // The processor cannot take back more than remains of the charge with us.
      const chargeback = Math.min(held, Number(now.amountCents) - Number(now.returnedCents));
      if (chargeback > 0 && !(await bookReceiptReturn(trx, actor, now, { kind: 'chargeback', processorReference: dispute.id, amountCents: chargeback }))) {
        throw new Error(`the chargeback of held receipt ${found.id} could not be booked`);
      }
    }
    const event = { processorReceiptId: found.id, processorDisputeId: dispute.id, amountCents: held, reason: found.disputeReason ?? dispute.reason, status: outcome, evidenceDueBy: found.disputeEvidenceDueBy };
    await recordAudit(trx, actor, { action: `processor_receipt.dispute_${outcome}`, entityType: 'processor_receipt', entityId: found.id, before: { disputeStatus: 'open' }, after: event });
    await enqueueEvent(trx, found.practiceId, 'processor_receipt.dispute_closed', event);
    return outcome;
  });
}

/** The held receipt a dispute is about: by the dispute it already carries, else by the disputed charge's ids. */
async function heldReceiptFor(db: Db, dispute: DisputeSummary) {
  const byDispute = await db.selectFrom('processorReceipts').selectAll().where('disputeReference', '=', dispute.id).executeTakeFirst();
  if (byDispute) return byDispute;
  const references = dispute.chargeReferences.filter(Boolean);
  if (references.length === 0) return undefined;
  return db.selectFrom('processorReceipts').selectAll().where('processorReference', 'in', references).where('status', '=', 'held').executeTakeFirst();
}
