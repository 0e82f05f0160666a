import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { PortalPayBody, PortalPayResult } from '../../contracts/portal.ts';
import type { Db, Trx } from '../../db/transaction.ts';
import { idempotently, type IdempotencyRequest } from '../idempotency/idempotently.ts';
import { AppError } from '../../domain/errors.ts';
import { nowIso } from '../../db/ids.ts';
import { recordAudit } from '../../db/repositories/audit.ts';
import { formatCents, toCents } from '../../domain/money.ts';
import { formatPaymentNumber } from '../../domain/payments/payment-status.ts';
import type { Actor } from '../actor.ts';
import { applyUnappliedFunds } from '../applications/apply-unapplied-funds.ts';
import { chargeWork } from '../payments/charge-payment.ts';
import { insertPayment } from '../payments/create-payment.ts';
import { requirePayment } from '../payments/payment-views.ts';
import type { PaymentProcessor } from '../processors/payment-processor.ts';
import { portalAccountSummary } from './portal-account-summary.ts';
import { patientBalanceFigures } from '../patients/patient-balance-figures.ts';
import { requirePortalSession } from './portal-sessions.ts';

/**
 * A patient pays all or part of their balance from the portal: a Private Pay
 * payment (method Online) is created Pending, charged through the processor
 * (Processing, then Paid or Failed), and once Paid applied to the patient's
 * open responsibility, oldest visit first.
 *
 * The one charge path (chargeWork) in two transactions: creating the payment
 * with its claim (Processing, and the Idempotency-Key), then — after the
 * processor — booking the charge and applying it together. A retry with the
 * same key waits for and replays the first answer; it never creates or
 * charges a second payment.
 */
export async function payFromPortal(db: Db, processor: PaymentProcessor, input: PortalPayBody, idempotencyKey?: string): Promise<PortalPayResult> {
  const { actor, patientId } = await requirePortalSession(db, input.portalToken);
  const idempotency: IdempotencyRequest | undefined = idempotencyKey
    ? {
        practiceId: actor.practiceId,
        // Namespaced: a patient's key can never meet a staff client's.
        key: `portal:${patientId}:${idempotencyKey}`,
        requestHash: createHash('sha256').update(`portal-pay ${patientId} ${input.amountCents} ${input.card}`).digest('hex'),
      }
    : undefined;

  // Created in the charge's claim transaction: the payment, the key and Processing commit together.
  const create = async (trx: Trx) => {
    // The patient row is the lock: two portal payments of one patient are checked one after the other.
    await trx.updateTable('patients').set((eb) => ({ accountId: eb.ref('accountId') })).where('id', '=', patientId).execute();
    const payable = await payableCents(trx, actor, patientId);
    if (input.amountCents > payable) {
      throw new AppError(
        'amount_exceeds_balance',
        payable > 0 ? `You can pay at most ${formatCents(payable)}, the balance due.` : 'There is no balance to pay.',
        { payableCents: payable },
      );
    }
    // A declined attempt is tried again on the same payment, so declines never pile up as Failed payments.
    const retried = await retryFailedPortalPayment(trx, actor, patientId, input.amountCents);
    if (retried !== null) return retried;
    const created = await insertPayment(trx, actor, {
      patientId,
      amountCents: input.amountCents,
      type: 'private_pay',
      method: 'online',
      status: 'pending',
      memo: 'Paid online through the patient portal',
    });
    return created.id;
  };
  const work = chargeWork(actor, create, { source: input.card, method: 'online' }, processor, async (trx, charged) => {
    let payment = charged.payment;
    if (payment.status === 'paid') {
      await applyUnappliedFunds(trx, actor, patientId, null, payment.id);
      payment = await requirePayment(trx, actor, payment.id);
    }
    return {
      paymentNumber: formatPaymentNumber(payment.number),
      amountCents: payment.amountCents,
      status: payment.status,
      failure: charged.failure,
      account: await portalAccountSummary(trx, actor, patientId),
    };
  });
  return (await idempotently(db, idempotency, 200, work)).body as PortalPayResult;
}

/**
 * What the patient may still pay: the open responsibility of their visits,
 * less portal money already on its way (online payments not yet Paid, or Paid
 * and not yet applied), so that two tabs cannot together pay more than is owed.
 */
async function payableCents(db: Db, actor: Actor, patientId: string): Promise<number> {
  // What the portal shows as the balance due (the one computation), less the portal's own money not yet applied.
  const { balance } = await patientBalanceFigures(db, actor, patientId);
  const inFlight = await db
    .selectFrom('payments')
    .select(
      sql<number>`coalesce(sum(case when status in ('pending', 'processing') then amount_cents else amount_cents - refunded_cents - refunding_cents - applied_cents end), 0)`.as(
        'total',
      ),
    )
    .where('practiceId', '=', actor.practiceId)
    .where('patientId', '=', patientId)
    // Only the portal's own payments: a link staff sent for the same visits is theirs to reconcile.
    .where('createdBy', '=', actor.name)
    .where('method', '=', 'online')
    .where('treatmentId', 'is', null)
    .where((eb) =>
      eb.or([
        eb('status', 'in', ['pending', 'processing']),
        eb.and([eb('status', 'in', ['paid', 'partially_refunded']), eb(sql`amount_cents - refunded_cents - refunding_cents - applied_cents`, '>', 0)]),
      ]),
    )
    .executeTakeFirstOrThrow();
  return Math.max(0, balance.patientResponsibilityCents - toCents(inFlight.total));
}

/**
 * The patient's Failed portal payment, if any, set to this attempt's amount
 * (a Failed payment has booked nothing, so its amount may change) and
 * returned to be charged again; null when there is none.
 */
async function retryFailedPortalPayment(trx: Trx, actor: Actor, patientId: string, amountCents: number): Promise<string | null> {
  const failed = await trx
    .selectFrom('payments')
    .select(['id', 'amountCents'])
    .where('practiceId', '=', actor.practiceId)
    .where('patientId', '=', patientId)
    .where('createdBy', '=', actor.name)
    .where('method', '=', 'online')
    .where('treatmentId', 'is', null)
    .where('status', '=', 'failed')
    .where('chargeAttempt', 'is', null)
    .orderBy('number', 'desc')
    .executeTakeFirst();
  if (failed === undefined) return null;
  if (failed.amountCents !== amountCents) {
    await trx.updateTable('payments').set({ amountCents, updatedAt: nowIso() }).where('id', '=', failed.id).where('status', '=', 'failed').execute();
    await recordAudit(trx, actor, { action: 'payment.updated', entityType: 'payment', entityId: failed.id, before: { amountCents: failed.amountCents }, after: { amountCents } });
  }
  return failed.id;
}
