import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { PortalFinishBody, PortalPayBody, PortalPayResult, PortalStartBody, PortalStartResult } from '../../contracts/portal.ts';
import type { PaymentRow } from '../../db/database.ts';
import type { Db, Trx } from '../../db/transaction.ts';
import { idempotently, type IdempotencyRequest } from '../idempotency/idempotently.ts';
import { AppError } from '../../domain/errors.ts';
import { nowIso } from '../../db/ids.ts';
import { recordAudit } from '../../db/repositories/audit.ts';
import { formatCents, toCents } from '../../domain/money.ts';
import { formatPaymentNumber } from '../../domain/payments/payment-status.ts';
import type { Actor } from '../actor.ts';
import { applyUnappliedFunds } from '../applications/apply-unapplied-funds.ts';
import { chargeWork, finishHostedCharge, hostedChargeWork, type Charged } from '../payments/charge-payment.ts';
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
  const idempotency = portalIdempotency(actor, patientId, idempotencyKey, `portal-pay ${patientId} ${input.amountCents} ${input.card}`);
  const work = chargeWork(actor, (trx) => preparePortalPayment(trx, actor, patientId, input.amountCents), { source: input.card, method: 'online' }, processor, (trx, charged) =>
    portalAnswer(trx, actor, patientId, charged),
  );
  return (await idempotently(db, idempotency, 200, work)).body as PortalPayResult;
}

/**
 * With Stripe (ADR 0027): the same payment, checks and claim as `payFromPortal`,
 * but the card goes into Stripe's element in the patient's browser. This
 * creates the charge the browser then confirms; `finishPortalCardPayment`
 * books it. A retry with the same Idempotency-Key replays the same charge.
 */
export async function startPortalCardPayment(db: Db, processor: PaymentProcessor, input: PortalStartBody, idempotencyKey?: string): Promise<PortalStartResult> {
  const { actor, patientId } = await requirePortalSession(db, input.portalToken);
  const idempotency = portalIdempotency(actor, patientId, idempotencyKey, `portal-start ${patientId} ${input.amountCents}`);
  const work = hostedChargeWork(
    actor,
    (trx) => preparePortalPayment(trx, actor, patientId, input.amountCents),
    'online',
    processor,
    async (trx, charged, started) => ({ ...(await portalAnswer(trx, actor, patientId, charged)), chargeReference: started?.chargeReference ?? null, clientSecret: started?.clientSecret ?? null }),
    // The webhook, if it books the charge first, applies it as the portal would.
    { channel: 'portal' },
  );
  return (await idempotently(db, idempotency, 200, work)).body as PortalStartResult;
}

/** Books the charge the patient's browser confirmed (read back from the processor) and applies it, oldest visit first. */
export async function finishPortalCardPayment(db: Db, processor: PaymentProcessor, input: PortalFinishBody): Promise<PortalPayResult> {
  const { actor, patientId } = await requirePortalSession(db, input.portalToken);
  const number = Number(/^PAY-(\d{1,12})$/i.exec(input.paymentNumber.trim())?.[1] ?? NaN);
  const payment = Number.isSafeInteger(number)
    ? await db.selectFrom('payments').select('id').where('practiceId', '=', actor.practiceId).where('patientId', '=', patientId).where('number', '=', number).executeTakeFirst()
    : undefined;
  // Another patient's payment is as unknown as a missing one.
  if (!payment) throw new AppError('not_found', 'No such payment on this account.');
  return finishHostedCharge(db, actor, processor, payment.id, input.chargeReference, (trx, charged) => portalAnswer(trx, actor, patientId, charged));
}

function portalIdempotency(actor: Actor, patientId: string, idempotencyKey: string | undefined, request: string): IdempotencyRequest | undefined {
  return idempotencyKey
    ? {
        practiceId: actor.practiceId,
        // Namespaced: a patient's key can never meet a staff client's.
        key: `portal:${patientId}:${idempotencyKey}`,
        requestHash: createHash('sha256').update(request).digest('hex'),
      }
    : undefined;
}

/**
 * In the charge's claim transaction: the payment to charge, checked against
 * what the patient may pay — a Failed one tried again, else a new one —
 * committed with the claim (Processing) and the Idempotency-Key.
 */
async function preparePortalPayment(trx: Trx, actor: Actor, patientId: string, amountCents: number): Promise<string> {
  // The patient row is the lock: two portal payments of one patient are checked one after the other.
  await trx.updateTable('patients').set((eb) => ({ accountId: eb.ref('accountId') })).where('id', '=', patientId).execute();
  const payable = await payableCents(trx, actor, patientId);
  if (amountCents > payable) {
    throw new AppError(
      'amount_exceeds_balance',
      payable > 0 ? `You can pay at most ${formatCents(payable)}, the balance due.` : 'There is no balance to pay.',
      { payableCents: payable },
    );
  }
  // A declined attempt is tried again on the same payment, so declines never pile up as Failed payments.
  const retried = await retryFailedPortalPayment(trx, actor, patientId, amountCents);
  if (retried !== null) return retried;
  const { row: created } = await insertPayment(trx, actor, {
    patientId,
    amountCents,
    type: 'private_pay',
    method: 'online',
    status: 'pending',
    memo: 'Paid online through the patient portal',
  });
  return created.id;
}

/** What the portal answers after a charge, in the settlement's transaction: a Paid payment is applied first. */
async function portalAnswer(trx: Trx, actor: Actor, patientId: string, charged: Charged): Promise<PortalPayResult> {
  const payment = await applyPaidPortalPayment(trx, actor, patientId, charged.payment);
  return {
    paymentNumber: formatPaymentNumber(payment.number),
    amountCents: payment.amountCents,
    status: payment.status,
    failure: charged.failure,
    account: await portalAccountSummary(trx, actor, patientId),
  };
}

/** A Paid portal payment goes to the patient's open responsibility, oldest visit first (repeating it applies nothing more). */
export async function applyPaidPortalPayment(trx: Trx, actor: Actor, patientId: string, payment: PaymentRow): Promise<PaymentRow> {
  if (payment.status !== 'paid') return payment;
  await applyUnappliedFunds(trx, actor, patientId, null, payment.id);
  return requirePayment(trx, actor, payment.id);
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
