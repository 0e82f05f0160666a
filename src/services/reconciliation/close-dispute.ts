import { nowIso } from '../../db/ids.ts';
import { recordAudit } from '../../db/repositories/audit.ts';
import { postJournalEntry } from '../../db/repositories/journal.ts';
import { enqueueEvent } from '../../db/repositories/outbox.ts';
import { inTransaction, type Db } from '../../db/transaction.ts';
import { disputeRelease } from '../../domain/ledger/postings.ts';
import { systemActor } from '../actor.ts';
import type { DisputeSummary } from '../processors/payment-processor.ts';
import { recordProcessorRefund } from '../refunds/refund-payment.ts';
import { openDispute } from './open-dispute.ts';
import { closeReceiptDispute } from './receipt-disputes.ts';

export type CloseDisputeResult = { outcome: 'won' | 'lost'; disputeId: string | null; refundId: string | null } | { outcome: 'already_closed' | 'unmatched' };

/**
 * The processor settled a dispute. The hold always comes back to cash
 * clearing and the payment returns to the status it had. Won, that is all;
 * lost, the processor keeps the money: a refund of the disputed amount with
 * reason `chargeback` is booked through the one path for refunds the
 * processor made without us, so the patient's balance, the over-applied list
 * and verify see an ordinary refund. Settled once: the conditional update
 * from open decides, a repeat finds nothing open. A close that arrives before
 * its open (webhooks are not ordered) opens it first.
 */
export async function closeDispute(db: Db, processor: string, dispute: DisputeSummary, outcome: 'won' | 'lost'): Promise<CloseDisputeResult> {
  let row = await findDispute(db, dispute.id);
  if (!row) {
    // A dispute of a dashboard charge still held names no payment: it is settled on the receipt (ADR 0029).
    const onReceipt = await closeReceiptDispute(db, processor, dispute, outcome);
    if (onReceipt === 'already_closed') return { outcome: 'already_closed' };
    if (onReceipt) return { outcome: onReceipt, disputeId: null, refundId: null };
    const opened = await openDispute(db, processor, dispute);
    if (opened.outcome === 'unmatched' || opened.outcome === 'opened_on_receipt') return { outcome: 'unmatched' };
    row = await findDispute(db, dispute.id);
    if (!row) return { outcome: 'unmatched' };
  }
  const found = row;
  const actor = systemActor(found.practiceId, `${processor}-webhook`);
  return inTransaction(db, async (trx) => {
    const closedAt = nowIso();
    const claimed = await trx.updateTable('processorDisputes').set({ status: outcome, closedAt }).where('id', '=', found.id).where('status', '=', 'open').executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) return { outcome: 'already_closed' as const };
    const amountCents = Number(found.amountCents);
    await postJournalEntry(trx, actor, { ...disputeRelease({ disputeId: found.id, paymentId: found.paymentId, patientId: found.patientId, amountCents }), memo: `Dispute ${dispute.id} ${outcome}` });
    await trx.updateTable('payments').set({ status: found.statusBefore, updatedAt: closedAt }).where('id', '=', found.paymentId).where('status', '=', 'disputed').execute();
    if (found.taskId) {
      await trx.updateTable('tasks').set({ status: 'completed', resolvedAt: closedAt, resolvedBy: actor.name }).where('id', '=', found.taskId).where('status', '=', 'open').execute();
    }

    let refundId: string | null = null;
    if (outcome === 'lost') {
      const payment = await trx.selectFrom('payments').select(['amountCents', 'refundedCents', 'refundingCents']).where('id', '=', found.paymentId).executeTakeFirstOrThrow();
      // The processor cannot take back more than remains; a refund made meanwhile already gave part of it back.
      const remaining = Number(payment.amountCents) - Number(payment.refundedCents) - Number(payment.refundingCents);
      const chargeback = Math.min(amountCents, remaining);
      if (chargeback > 0) {
        const refund = await recordProcessorRefund(trx, actor, found.paymentId, {
          amountCents: chargeback,
          processorReference: dispute.id,
          reason: 'chargeback',
          notes: `Chargeback: dispute ${dispute.id} (${found.reason}) lost`,
        });
        refundId = refund?.id ?? null;
        if (refundId) await trx.updateTable('processorDisputes').set({ refundId }).where('id', '=', found.id).execute();
      }
    }
    const event = { disputeId: found.id, processorDisputeId: dispute.id, paymentId: found.paymentId, amountCents, reason: found.reason, status: outcome, refundId };
    await recordAudit(trx, actor, { action: `dispute.${outcome}`, entityType: 'payment', entityId: found.paymentId, before: { status: 'disputed' }, after: event });
    await enqueueEvent(trx, found.practiceId, 'dispute.closed', event);
    return { outcome, disputeId: found.id, refundId };
  });
}

async function findDispute(db: Db, processorDisputeId: string) {
  return db.selectFrom('processorDisputes').selectAll().where('processorDisputeId', '=', processorDisputeId).executeTakeFirst();
}
