import type { ProcessorReconciliation, ProcessorReconciliationQuery } from '../../contracts/reconciliation.ts';
import type { Db } from '../../db/transaction.ts';
import { formatPaymentNumber } from '../../domain/payments/payment-status.ts';
import type { Actor } from '../actor.ts';
import { heldProcessorReceipts } from './processor-receipts.ts';

type Totals = ProcessorReconciliation['payouts'][number]['totals'];

function emptyTotals(): Totals {
  return { grossCents: 0, refundsCents: 0, disputesCents: 0, adjustmentsCents: 0, feesCents: 0, netCents: 0 };
}

function add(totals: Totals, item: { type: string; amountCents: number; feeCents: number; netCents: number }) {
  if (item.type === 'charge') totals.grossCents += item.amountCents;
  else if (item.type === 'refund') totals.refundsCents += item.amountCents;
  else if (item.type === 'dispute') totals.disputesCents += item.amountCents;
  else totals.adjustmentsCents += item.amountCents;
  totals.feesCents += item.feeCents;
  totals.netCents += item.netCents;
}

/**
 * GET /reports/processor-reconciliation: the practice's payouts arriving in
 * the range, each with its items matched (or not) to our payments, refunds
 * and disputes, totals that net to the payout amount, and the disputes still open.
 */
export async function processorReconciliationReport(db: Db, actor: Actor, query: ProcessorReconciliationQuery): Promise<ProcessorReconciliation> {
  const payouts = await db
    .selectFrom('processorPayouts')
    .selectAll()
    .where('practiceId', '=', actor.practiceId)
    .where('arrivalDate', '>=', query.from)
    .where('arrivalDate', '<=', query.to)
    .orderBy('arrivalDate')
    .orderBy('processorPayoutId')
    .execute();
  const items = payouts.length
    ? await db
        .selectFrom('processorPayoutItems as i')
        .leftJoin('payments as p', 'p.id', 'i.paymentId')
        .leftJoin('patients as pt', 'pt.id', 'p.patientId')
        .selectAll('i')
        .select(['p.number', 'pt.firstName', 'pt.lastName'])
        .where('i.practiceId', '=', actor.practiceId)
        .where(
          'i.payoutId',
          'in',
          payouts.map((p) => p.id),
        )
        .orderBy('i.payoutId')
        .orderBy('i.type')
        .orderBy('i.balanceTransactionId')
        .execute()
    : [];
  const totals = { ...emptyTotals(), payoutsCents: 0 };
  let unmatchedCount = 0;
  const report = payouts.map((payout) => {
    const own = items.filter((i) => i.payoutId === payout.id);
    const payoutTotals = emptyTotals();
    const rows = own.map((i) => {
      const item = { type: i.type, amountCents: Number(i.amountCents), feeCents: Number(i.feeCents), netCents: Number(i.netCents) };
      add(payoutTotals, item);
      add(totals, item);
      // Known to our books: a payment's (charge, refund, dispute), or a dashboard charge's still held on unidentified receipts.
      const matched = i.paymentId !== null || i.processorReceiptId !== null;
      if (!matched) unmatchedCount++;
      return {
        id: i.id,
        balanceTransactionId: i.balanceTransactionId,
        ...item,
        sourceReference: i.sourceReference,
        matched,
        paymentId: i.paymentId,
        paymentNumber: i.number === null ? null : formatPaymentNumber(Number(i.number)),
        patientName: i.firstName === null ? null : `${i.firstName} ${i.lastName}`,
        refundId: i.refundId,
        disputeId: i.disputeId,
        processorReceiptId: i.processorReceiptId,
        description: i.description,
      };
    });
    totals.payoutsCents += Number(payout.amountCents);
    return {
      id: payout.id,
      processorPayoutId: payout.processorPayoutId,
      amountCents: Number(payout.amountCents),
      arrivalDate: payout.arrivalDate,
      status: payout.status,
      totals: payoutTotals,
      balanced: payoutTotals.netCents === Number(payout.amountCents),
      items: rows,
    };
  });
  const disputes = await db
    .selectFrom('processorDisputes as d')
    .innerJoin('payments as p', 'p.id', 'd.paymentId')
    .innerJoin('patients as pt', 'pt.id', 'd.patientId')
    .select(['d.id', 'd.processorDisputeId', 'd.paymentId', 'p.number', 'pt.firstName', 'pt.lastName', 'd.amountCents', 'd.reason', 'd.evidenceDueBy', 'd.openedAt'])
    .where('d.practiceId', '=', actor.practiceId)
    .where('d.status', '=', 'open')
    .orderBy('d.openedAt')
    .execute();
  return {
    from: query.from,
    to: query.to,
    payouts: report,
    totals,
    unmatchedCount,
    openDisputes: disputes.map((d) => ({
      id: d.id,
      processorDisputeId: d.processorDisputeId,
      paymentId: d.paymentId,
      paymentNumber: formatPaymentNumber(Number(d.number)),
      patientName: `${d.firstName} ${d.lastName}`,
      amountCents: Number(d.amountCents),
      reason: d.reason,
      evidenceDueBy: d.evidenceDueBy,
      openedAt: d.openedAt,
    })),
    heldReceipts: await heldProcessorReceipts(db, actor),
  };
}
