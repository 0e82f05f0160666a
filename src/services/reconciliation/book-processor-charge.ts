import type { PatientRow } from '../../db/database.ts';
import { newId, nowIso } from '../../db/ids.ts';
import { recordAudit } from '../../db/repositories/audit.ts';
import { postJournalEntry } from '../../db/repositories/journal.ts';
import { inTransaction, type Db } from '../../db/transaction.ts';
import { processorReceiptHeld } from '../../domain/ledger/postings.ts';
import { formatCents } from '../../domain/money.ts';
import { systemActor } from '../actor.ts';
import { insertPayment } from '../payments/create-payment.ts';
import type { ProcessorCharge } from '../processors/payment-processor.ts';
import { paymentForCharge } from './payment-for-charge.ts';

export type BookChargeResult =
  | { outcome: 'ours'; paymentId: string | null }
  | { outcome: 'booked'; receiptId: string; practiceId: string; paymentId: string }
  | { outcome: 'held'; receiptId: string; practiceId: string }
  | { outcome: 'already_booked'; receiptId: string; practiceId: string }
  /** No practice can be told (several practices, nothing in the charge names one): logged, listed when its payout comes. */
  | { outcome: 'unassigned' };

/**
 * A charge the processor made that may not be ours — made in its own
 * dashboard (ADR 0028). Ours (our metadata or a payment with its reference)
 * is booked by the charge path and nothing happens here. Otherwise it is
 * booked once per practice and charge reference (the unique receipt row is
 * inserted first; a repeat, a concurrent delivery to another process, the
 * PaymentIntent's own event or the payout carrying it inserts nothing): as a
 * Paid card payment for the patient it names — through the payment path, so
 * it is applied to open patient responsibility like a desk payment — else
 * held on unidentified_receipts for a biller to assign.
 * `homePracticeId` is the practice of the payout that carried it, if known.
 */
export async function bookProcessorCharge(db: Db, processor: string, charge: ProcessorCharge, homePracticeId?: string): Promise<BookChargeResult> {
  const reference = charge.chargeReferences[0];
  if (!reference || charge.amountCents <= 0) return { outcome: 'unassigned' };
  const known = await paymentForCharge(db, charge.chargeReferences);
  if (known) return { outcome: 'ours', paymentId: known.id };
  // Our own charges carry their payment and attempt (charge-payment.ts); the charge path books them, even when this event outruns it.
  if (charge.metadata.chargeAttempt || charge.metadata.paymentId) return { outcome: 'ours', paymentId: null };
  const earlier = await db.selectFrom('processorReceipts').select(['id', 'practiceId']).where('processorReference', 'in', charge.chargeReferences).executeTakeFirst();
  if (earlier) return { outcome: 'already_booked', receiptId: earlier.id, practiceId: earlier.practiceId };

  const practiceId = await practiceNamed(db, charge.metadata.practice);
  const patient = await patientNamed(db, charge, practiceId);
  const home = patient?.practiceId ?? practiceId ?? homePracticeId ?? (await onlyPractice(db));
  if (!home) return { outcome: 'unassigned' };
  const actor = systemActor(home, `${processor}-webhook`);
  return inTransaction(db, async (trx): Promise<BookChargeResult> => {
    const receivedAt = nowIso();
    const receiptId = newId();
    const inserted = await trx
      .insertInto('processorReceipts')
      .values({
        id: receiptId,
        practiceId: home,
        processor,
        processorReference: reference,
        amountCents: charge.amountCents,
        status: patient ? 'booked' : 'held',
        payerEmail: charge.email,
        description: charge.description,
        paymentId: null,
        receivedAt,
        resolvedAt: null,
        resolvedBy: null,
        returnedCents: 0,
        returnStartedAt: null,
        ...noDispute,
      })
      .onConflict((oc) => oc.columns(['practiceId', 'processorReference']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) {
      const row = await trx.selectFrom('processorReceipts').select('id').where('practiceId', '=', home).where('processorReference', '=', reference).executeTakeFirstOrThrow();
      return { outcome: 'already_booked', receiptId: row.id, practiceId: home };
    }
    const memo = `Card charge ${reference} made in the ${processor} dashboard`;
    if (patient) {
      const { row: payment } = await insertPayment(trx, actor, { patientId: patient.id, amountCents: charge.amountCents, method: 'card', status: 'paid', processorReference: reference, memo });
      await trx.updateTable('processorReceipts').set({ paymentId: payment.id, resolvedAt: receivedAt, resolvedBy: actor.name }).where('id', '=', receiptId).execute();
      await recordAudit(trx, actor, { action: 'processor_receipt.booked', entityType: 'processor_receipt', entityId: receiptId, after: { processorReference: reference, amountCents: charge.amountCents, paymentId: payment.id } });
      return { outcome: 'booked', receiptId, practiceId: home, paymentId: payment.id };
    }
    await postJournalEntry(trx, actor, { ...processorReceiptHeld({ receiptId, amountCents: charge.amountCents }), memo: `${memo}: ${formatCents(charge.amountCents)} from nobody known yet` });
    await recordAudit(trx, actor, { action: 'processor_receipt.held', entityType: 'processor_receipt', entityId: receiptId, after: { processorReference: reference, amountCents: charge.amountCents, payerEmail: charge.email } });
    return { outcome: 'held', receiptId, practiceId: home };
  });
}

const noDispute = {
  disputeReference: null,
  disputeAmountCents: null,
  disputeReason: null,
  disputeStatus: null,
  disputeEvidenceDueBy: null,
  disputeOpenedAt: null,
  disputeClosedAt: null,
} as const;

/** The practice a charge's `practice` metadata names, by slug or id. */
async function practiceNamed(db: Db, name: string | undefined): Promise<string | undefined> {
  if (!name) return undefined;
  const row = await db.selectFrom('practices').select('id').where((eb) => eb.or([eb('slug', '=', name), eb('id', '=', name)])).executeTakeFirst();
  return row?.id;
}

/** A deployment with one practice: its processor account is that practice's. */
async function onlyPractice(db: Db): Promise<string | undefined> {
  const rows = await db.selectFrom('practices').select('id').limit(2).execute();
  return rows.length === 1 ? rows[0]!.id : undefined;
}

/**
 * The one patient the charge names: by `patientId`, else `accountId`, else
 * the payer's email — each only when exactly one patient (of the named
 * practice, when one is named) answers to it. Never a guess between two.
 */
async function patientNamed(db: Db, charge: ProcessorCharge, practiceId: string | undefined): Promise<PatientRow | undefined> {
  const inPractice = db.selectFrom('patients').selectAll().$if(Boolean(practiceId), (q) => q.where('practiceId', '=', practiceId!));
  const one = async (q: typeof inPractice) => {
    const rows = await q.limit(2).execute();
    return rows.length === 1 ? rows[0] : undefined;
  };
  const { patientId, accountId } = charge.metadata;
  if (patientId) {
    const found = await one(inPractice.where('id', '=', patientId));
    if (found) return found;
  }
  if (accountId) {
    const found = await one(inPractice.where('accountId', '=', accountId));
    if (found) return found;
  }
  const email = charge.email?.trim().toLowerCase();
  if (email) return one(inPractice.where((eb) => eb(eb.fn('lower', ['email']), '=', email)));
  return undefined;
}
