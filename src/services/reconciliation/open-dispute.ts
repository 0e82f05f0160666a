import type { ProcessorDisputeTable, TaskTable } from '../../db/database.ts';
import { newId, nowIso } from '../../db/ids.ts';
import { recordAudit } from '../../db/repositories/audit.ts';
import { postJournalEntry } from '../../db/repositories/journal.ts';
import { enqueueEvent } from '../../db/repositories/outbox.ts';
import { inTransaction, type Db } from '../../db/transaction.ts';
import { calendarDateIn } from '../../domain/calendar/practice-calendar.ts';
import { disputeHold } from '../../domain/ledger/postings.ts';
import { refundableStatuses } from '../../domain/refunds/refund-rules.ts';
import { systemActor } from '../actor.ts';
import { practiceTimeZone } from '../practices/practice-settings.ts';
import type { DisputeSummary } from '../processors/payment-processor.ts';
import { paymentForCharge } from './payment-for-charge.ts';
import { openReceiptDispute } from './receipt-disputes.ts';

export type OpenDisputeResult = { outcome: 'opened'; disputeId: string } | { outcome: 'opened_on_receipt' | 'already_open' | 'unmatched' };

/**
 * A cardholder disputed a charge (SPEC section 9, ADR 0019): the processor
 * holds the amount, so it leaves cash clearing for the processor_disputes
 * account; the payment becomes Disputed (no refund, no manual change) and the
 * biller gets a task due when evidence is due. Booked once per processor
 * dispute id: the unique row is inserted first, and a repeat inserts nothing.
 */
export async function openDispute(db: Db, processor: string, dispute: DisputeSummary): Promise<OpenDisputeResult> {
  const payment = await paymentForCharge(db, dispute.chargeReferences);
  if (!payment) {
    // A dashboard charge still held on unidentified receipts is disputed on the receipt (ADR 0029); else not ours, and the payout that carries it lists it unmatched.
    const onReceipt = await openReceiptDispute(db, processor, dispute);
    return onReceipt === 'opened' ? { outcome: 'opened_on_receipt' } : { outcome: onReceipt };
  }
  const actor = systemActor(payment.practiceId, `${processor}-webhook`);
  return inTransaction(db, async (trx) => {
    const current = await trx.selectFrom('payments').select(['status']).where('id', '=', payment.id).executeTakeFirstOrThrow();
    const timeZone = await practiceTimeZone(trx, payment.practiceId);
    const openedAt = nowIso();
    const row: ProcessorDisputeTable = {
      id: newId(),
      practiceId: payment.practiceId,
      paymentId: payment.id,
      patientId: payment.patientId,
      processor,
      processorDisputeId: dispute.id,
      amountCents: dispute.amountCents,
      reason: dispute.reason,
      status: 'open',
      statusBefore: current.status,
      evidenceDueBy: dispute.evidenceDueBy === null ? null : calendarDateIn(timeZone, new Date(dispute.evidenceDueBy * 1000)),
      taskId: null,
      refundId: null,
      openedAt,
      closedAt: null,
    };
    const inserted = await trx
      .insertInto('processorDisputes')
      .values(row)
      .onConflict((oc) => oc.columns(['practiceId', 'processorDisputeId']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) return { outcome: 'already_open' as const };

    // Only a payment that could be refunded becomes Disputed; one already refunded keeps its status, the hold is booked all the same.
    if ((refundableStatuses as readonly string[]).includes(current.status)) {
      await trx.updateTable('payments').set({ status: 'disputed', updatedAt: openedAt }).where('id', '=', payment.id).where('status', '=', current.status).execute();
    }
    await postJournalEntry(trx, actor, { ...disputeHold({ disputeId: row.id, paymentId: payment.id, patientId: payment.patientId, amountCents: row.amountCents }), memo: `Dispute ${dispute.id} (${dispute.reason})` });

    const task: TaskTable = {
      id: newId(),
      practiceId: payment.practiceId,
      patientId: payment.patientId,
      type: 'dispute',
      status: 'open',
      amountCents: row.amountCents,
      dueDate: row.evidenceDueBy ?? calendarDateIn(timeZone),
      createdAt: openedAt,
      resolvedAt: null,
      resolvedBy: null,
      resolution: null,
    };
    await trx.insertInto('tasks').values(task).execute();
    await trx.updateTable('processorDisputes').set({ taskId: task.id }).where('id', '=', row.id).execute();

    const event = { disputeId: row.id, processorDisputeId: dispute.id, paymentId: payment.id, amountCents: row.amountCents, reason: row.reason, status: 'open', evidenceDueBy: row.evidenceDueBy };
    await recordAudit(trx, actor, { action: 'payment.disputed', entityType: 'payment', entityId: payment.id, before: { status: current.status }, after: { status: 'disputed', dispute: event } });
    await enqueueEvent(trx, payment.practiceId, 'dispute.created', event);
    await enqueueEvent(trx, payment.practiceId, 'payment.disputed', { paymentId: payment.id, from: current.status, to: 'disputed', amountCents: row.amountCents });
    const taskPayload = { id: task.id, patientId: task.patientId, type: task.type, status: task.status, amountCents: task.amountCents, dueDate: task.dueDate };
    await recordAudit(trx, actor, { action: 'task.created', entityType: 'task', entityId: task.id, after: taskPayload });
    await enqueueEvent(trx, payment.practiceId, 'task.created', taskPayload);
    return { outcome: 'opened' as const, disputeId: row.id };
  });
}
