import type { ProcessorPayoutItemTable } from '../../db/database.ts';
import { newId, nowIso } from '../../db/ids.ts';
import { recordAudit } from '../../db/repositories/audit.ts';
import { postJournalEntry } from '../../db/repositories/journal.ts';
import { inTransaction, type Db } from '../../db/transaction.ts';
import { AppError } from '../../domain/errors.ts';
import { processorFee } from '../../domain/ledger/postings.ts';
import { recordProcessorRefund } from '../refunds/refund-payment.ts';
import { systemActor } from '../actor.ts';
import type { PaymentProcessor, PayoutItem, ProcessorPayout } from '../processors/payment-processor.ts';
import { bookProcessorCharge } from './book-processor-charge.ts';
import { paymentForCharge } from './payment-for-charge.ts';

interface Match {
  practiceId: string;
  paymentId: string;
  patientId: string;
  refundId: string | null;
  disputeId: string | null;
}

export interface RecordPayoutResult {
  /** Practices the payout was recorded for now (none on a repeat). */
  recorded: number;
  items: number;
  /** Items known to our books: a payment, a refund, a dispute, or a dashboard charge held on unidentified receipts. */
  matched: number;
  unmatched: number;
  feesBooked: number;
  /** Items matched to no practice in a payout that spans none or several: kept out of every practice's books and logged. */
  unassigned: number;
}

/**
 * A payout reached the bank (`payout.paid`): its balance transactions are
 * fetched from the processor and matched — charges to our payments by the
 * processor reference, refunds by their refund id, disputes by their dispute
 * id. The payout is recorded per practice whose money it carries; items that
 * match nothing are kept and listed (never dropped, never guessed onto a
 * patient), with the payout's practice when it has exactly one. Each matched
 * item's fee is booked to processor_fees against its payment, exactly once
 * per balance transaction (the unique payout and item rows decide).
 */
export async function recordPayout(db: Db, processor: PaymentProcessor, payout: ProcessorPayout): Promise<RecordPayoutResult> {
  const items = await processor.payoutItems(payout.id);
  const matches = new Map<string, Match>();
  for (const item of items) {
    const match = (await matchItem(db, item)) ?? (await bookUnseenRefund(db, processor, item));
    if (match) matches.set(item.id, match);
  }
  const matchedPractices = [...new Set([...matches.values()].map((m) => m.practiceId))];
  // A charge made in the processor's dashboard whose own webhook never came (or came first): booked once, for its patient or held (ADR 0028).
  const receipts = new Map<string, { receiptId: string; practiceId: string }>();
  for (const item of items) {
    if (matches.has(item.id) || item.type !== 'charge' || !item.charge) continue;
    const booked = await bookProcessorCharge(db, processor.name, item.charge, matchedPractices.length === 1 ? matchedPractices[0] : undefined);
    if (booked.outcome === 'ours' || booked.outcome === 'unassigned') continue;
    receipts.set(item.id, { receiptId: booked.receiptId, practiceId: booked.practiceId });
    const match = await matchItem(db, item);
    if (match) matches.set(item.id, match);
  }
  // A refund or dispute of a dashboard charge still held (or given back) is the receipt's (ADR 0029).
  for (const item of items) {
    if (matches.has(item.id) || receipts.has(item.id)) continue;
    const receipt = await receiptOfItem(db, item);
    if (receipt) receipts.set(item.id, { receiptId: receipt.id, practiceId: receipt.practiceId });
  }
  const practices = [...new Set([...matches.values(), ...receipts.values()].map((m) => m.practiceId))].sort();
  const home = practices.length === 1 ? practices[0] : undefined;
  const result: RecordPayoutResult = { recorded: 0, items: items.length, matched: new Set([...matches.keys(), ...receipts.keys()]).size, unmatched: 0, feesBooked: 0, unassigned: 0 };
  const practiceOf = (item: PayoutItem) => matches.get(item.id)?.practiceId ?? receipts.get(item.id)?.practiceId ?? home;
  for (const item of items) {
    if (!practiceOf(item)) result.unassigned++;
  }

  for (const practiceId of practices) {
    const own = items.filter((item) => practiceOf(item) === practiceId);
    const actor = systemActor(practiceId, `${processor.name}-payout`);
    await inTransaction(db, async (trx) => {
      const payoutId = newId();
      const createdAt = nowIso();
      const inserted = await trx
        .insertInto('processorPayouts')
        .values({ id: payoutId, practiceId, processor: processor.name, processorPayoutId: payout.id, amountCents: payout.amountCents, arrivalDate: payout.arrivalDate, status: payout.status, createdAt })
        .onConflict((oc) => oc.columns(['practiceId', 'processorPayoutId']).doNothing())
        .returning('id')
        .executeTakeFirst();
      // A repeated payout.paid: recorded and booked the first time.
      if (!inserted) return;
      result.recorded++;
      for (const item of own) {
        const match = matches.get(item.id);
        const row: ProcessorPayoutItemTable = {
          id: newId(),
          practiceId,
          payoutId,
          balanceTransactionId: item.id,
          type: item.type,
          amountCents: item.amountCents,
          feeCents: item.feeCents,
          netCents: item.netCents,
          sourceReference: item.sourceReference,
          paymentId: match?.paymentId ?? null,
          refundId: match?.refundId ?? null,
          disputeId: match?.disputeId ?? null,
          processorReceiptId: receipts.get(item.id)?.receiptId ?? null,
          description: item.description,
          createdAt,
        };
        await trx.insertInto('processorPayoutItems').values(row).execute();
        if (!match && !row.processorReceiptId) {
          result.unmatched++;
          continue;
        }
        // A fee the processor gave back (negative) or none moves nothing on our side; a held receipt's fee is the practice's cost all the same, against no payment (ADR 0029).
        if (item.feeCents > 0) {
          await postJournalEntry(trx, actor, { ...processorFee({ payoutItemId: row.id, paymentId: match?.paymentId ?? null, patientId: match?.patientId ?? null, feeCents: item.feeCents }), memo: `Processor fee, payout ${payout.id}` });
          result.feesBooked++;
        }
      }
      await recordAudit(trx, actor, {
        action: 'payout.recorded',
        entityType: 'processor_payout',
        entityId: payoutId,
        after: { processorPayoutId: payout.id, amountCents: payout.amountCents, arrivalDate: payout.arrivalDate, items: own.length },
      });
    });
  }
  return result;
}

/**
 * A refund of one of our payments that we never heard of (made in the
 * processor's dashboard, its `charge.refunded` lost or not yet arrived): booked
 * now through the same path as that webhook — once per refund id, so the
 * webhook arriving later books nothing — and matched. One that does not fit
 * what remains of the payment stays unmatched, for a person to look at.
 */
async function bookUnseenRefund(db: Db, processor: PaymentProcessor, item: PayoutItem): Promise<Match | undefined> {
  if (item.type !== 'refund' || !item.sourceReference || item.amountCents >= 0) return undefined;
  const payment = await paymentForCharge(db, item.chargeReferences);
  if (!payment) return undefined;
  try {
    await recordProcessorRefund(db, systemActor(payment.practiceId, `${processor.name}-payout`), payment.id, { amountCents: -item.amountCents, processorReference: item.sourceReference });
  } catch (error) {
    if (error instanceof AppError) return undefined;
    throw error;
  }
  return matchItem(db, item);
}

/** Which of our records a balance transaction is: a charge's payment, a refund, a dispute; undefined when none. */
async function matchItem(db: Db, item: PayoutItem): Promise<Match | undefined> {
  if (item.type === 'charge') {
    const payment = await paymentForCharge(db, item.chargeReferences.length ? item.chargeReferences : [item.sourceReference]);
    return payment ? { practiceId: payment.practiceId, paymentId: payment.id, patientId: payment.patientId, refundId: null, disputeId: null } : undefined;
  }
  if (!item.sourceReference) return undefined;
  if (item.type === 'refund') {
    const refund = await db.selectFrom('refunds').select(['id', 'practiceId', 'paymentId', 'patientId']).where('processorReference', '=', item.sourceReference).where('status', '=', 'succeeded').executeTakeFirst();
    return refund ? { practiceId: refund.practiceId, paymentId: refund.paymentId, patientId: refund.patientId, refundId: refund.id, disputeId: null } : undefined;
  }
  if (item.type === 'dispute') {
    const dispute = await db.selectFrom('processorDisputes').select(['id', 'practiceId', 'paymentId', 'patientId']).where('processorDisputeId', '=', item.sourceReference).executeTakeFirst();
    return dispute ? { practiceId: dispute.practiceId, paymentId: dispute.paymentId, patientId: dispute.patientId, refundId: null, disputeId: dispute.id } : undefined;
  }
  return undefined;
}

/** The dashboard receipt a refund or dispute transaction concerns, when its charge is one still held or given back (never one that became a payment: that matched above). */
async function receiptOfItem(db: Db, item: PayoutItem) {
  if (item.type === 'dispute' && item.sourceReference) {
    const disputed = await db.selectFrom('processorReceipts').select(['id', 'practiceId']).where('disputeReference', '=', item.sourceReference).executeTakeFirst();
    if (disputed) return disputed;
  }
  const references = item.chargeReferences.filter(Boolean);
  if (item.type !== 'refund' || references.length === 0) return undefined;
  return db.selectFrom('processorReceipts').select(['id', 'practiceId']).where('processorReference', 'in', references).where('status', 'in', ['held', 'returned']).executeTakeFirst();
}
