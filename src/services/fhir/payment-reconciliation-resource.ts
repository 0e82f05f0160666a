import type { PaymentReconciliation, PaymentReconciliationDetail } from '@medplum/fhirtypes';
import type { PaymentRow } from '../../db/database.ts';
import type { Db } from '../../db/transaction.ts';
import { calendarDateIn } from '../../domain/calendar/practice-calendar.ts';
import { AppError } from '../../domain/errors.ts';
import { toCents } from '../../domain/money.ts';
import { formatPaymentNumber } from '../../domain/payments/payment-status.ts';
import type { Actor } from '../actor.ts';
import { CLAIM_CONTROL_NUMBER_SYSTEM, EFT_TRACE_SYSTEM, instant, PAYMENT_NUMBER_SYSTEM, PAYMENT_TYPE_SYSTEM, PAYER_ID_SYSTEM, patientExtension } from './fhir-references.ts';
import { financialStatus, isCollected } from './payment-notice-resource.ts';
import { fhirMoney } from './fhir-money.ts';

const paymentType = (code: 'payment' | 'adjustment') => ({ coding: [{ system: PAYMENT_TYPE_SYSTEM, code }] });

/**
 * The 835 claim rows that are a ClaimResponse: postings and denials, and
 * postings the payer reversed since (then cancelled). The reversal itself is
 * no adjudication of its own: it is the original's cancellation, and shows
 * as the money taken back in its payment's PaymentReconciliation.
 */
export const postedClaimOutcomes = ['posted', 'denied', 'reversed'] as const;

interface Practice {
  name: string;
  timeZone: string;
}

async function practiceOf(db: Db, actor: Actor): Promise<Practice> {
  return db.selectFrom('practices').select(['name', 'timeZone']).where('id', '=', actor.practiceId).executeTakeFirstOrThrow();
}

function paymentOutcome(status: string): 'queued' | 'complete' | 'error' {
  if (isCollected(status)) return 'complete';
  return status === 'failed' ? 'error' : 'queued';
}

/**
 * A patient payment: what it applied to which visit (detail `payment`, the
 * Invoice as its request) and what was refunded (detail `adjustment`, negative).
 */
async function patientPaymentReconciliations(db: Db, actor: Actor, practice: Practice, rows: PaymentRow[]): Promise<PaymentReconciliation[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const [applications, refunds] = await Promise.all([
    db
      .selectFrom('applications')
      .select(['paymentId', 'treatmentId', 'amountCents', 'createdAt'])
      .where('practiceId', '=', actor.practiceId)
      .where('paymentId', 'in', ids)
      .where('removedAt', 'is', null)
      .orderBy('createdAt')
      .orderBy('id')
      .execute(),
    db
      .selectFrom('refunds')
      .select(['id', 'paymentId', 'amountCents', 'createdAt', 'settledAt'])
      .where('practiceId', '=', actor.practiceId)
      .where('paymentId', 'in', ids)
      .where('status', '=', 'succeeded')
      .orderBy('createdAt')
      .orderBy('id')
      .execute(),
  ]);
  const day = (iso: string) => calendarDateIn(practice.timeZone, iso);
  return rows.map((row) => {
    const detail: PaymentReconciliationDetail[] = [
      ...applications
        .filter((a) => a.paymentId === row.id)
        .map((a) => ({ type: paymentType('payment'), request: { reference: `Invoice/${a.treatmentId}` }, date: day(a.createdAt), amount: fhirMoney(toCents(a.amountCents)) })),
      ...refunds
        .filter((r) => r.paymentId === row.id)
        .map((r) => ({ identifier: { value: r.id }, type: paymentType('adjustment'), date: day(r.settledAt ?? r.createdAt), amount: fhirMoney(-toCents(r.amountCents)) })),
    ];
    return {
      resourceType: 'PaymentReconciliation',
      id: row.id,
      identifier: [{ system: PAYMENT_NUMBER_SYSTEM, value: formatPaymentNumber(row.number) }],
      status: financialStatus(row.status),
      created: instant(row.createdAt),
      extension: [patientExtension(row.patientId)],
      requestor: { display: practice.name },
      outcome: paymentOutcome(row.status),
      disposition: `Patient payment ${formatPaymentNumber(row.number)}: ${row.status}${row.method ? ` (${row.method})` : ''}`,
      paymentDate: row.paidDate ?? row.dueDate ?? day(row.createdAt),
      paymentAmount: fhirMoney(toCents(row.amountCents)),
      ...(detail.length > 0 ? { detail } : {}),
    };
  });
}

function remittancePayments(db: Db, actor: Actor) {
  return db.selectFrom('remittancePayments').selectAll().where('practiceId', '=', actor.practiceId).where('status', '=', 'posted');
}

type RemittancePaymentRow = Awaited<ReturnType<ReturnType<typeof remittancePayments>['executeTakeFirstOrThrow']>>;

/**
 * A payer's 835 payment: one detail per claim it paid (the ClaimResponse as
 * its response, the claim's control number as its request) and the provider
 * adjustment (PLB) as an `adjustment`, so the details add up to the payment.
 */
async function remittanceReconciliations(db: Db, actor: Actor, practice: Practice, rows: RemittancePaymentRow[]): Promise<PaymentReconciliation[]> {
  if (rows.length === 0) return [];
  const claims = await db
    .selectFrom('remittanceClaims as rc')
    .leftJoin('claims as c', 'c.id', 'rc.claimId')
    .select(['rc.id', 'rc.remittancePaymentId', 'rc.patientControlNumber', 'rc.paidCents', 'rc.outcome', 'c.patientId'])
    .where('rc.practiceId', '=', actor.practiceId)
    .where(
      'rc.remittancePaymentId',
      'in',
      rows.map((r) => r.id),
    )
    .orderBy('rc.segmentNumber')
    .orderBy('rc.id')
    .execute();
  return rows.map((row) => {
    const date = row.paymentDate ?? calendarDateIn(practice.timeZone, row.createdAt);
    const detail: PaymentReconciliationDetail[] = claims
      .filter((c) => c.remittancePaymentId === row.id)
      .map((c) => ({
        identifier: { system: CLAIM_CONTROL_NUMBER_SYSTEM, value: c.patientControlNumber },
        type: paymentType('payment'),
        request: { identifier: { system: CLAIM_CONTROL_NUMBER_SYSTEM, value: c.patientControlNumber } },
        ...((postedClaimOutcomes as readonly string[]).includes(c.outcome) ? { response: { reference: `ClaimResponse/${c.id}` } } : {}),
        ...(c.patientId ? { extension: [patientExtension(c.patientId)] } : {}),
        date,
        amount: fhirMoney(toCents(c.paidCents)),
      }));
    const plb = toCents(row.providerAdjustmentCents);
    if (plb !== 0) detail.push({ type: paymentType('adjustment'), date, amount: fhirMoney(-plb) });
    return {
      resourceType: 'PaymentReconciliation',
      id: row.id,
      ...(row.traceNumber ? { identifier: [{ system: EFT_TRACE_SYSTEM, value: row.traceNumber }] } : {}),
      status: 'active',
      created: instant(row.createdAt),
      paymentIssuer: { display: row.payerName ?? 'Payer', ...(row.payerId ? { identifier: { system: PAYER_ID_SYSTEM, value: row.payerId } } : {}) },
      requestor: { display: practice.name },
      outcome: 'complete',
      disposition: `835 payment ${row.traceNumber ?? row.controlNumber}`,
      paymentDate: date,
      paymentAmount: fhirMoney(toCents(row.paymentCents)),
      ...(row.traceNumber ? { paymentIdentifier: { system: EFT_TRACE_SYSTEM, value: row.traceNumber } } : {}),
      ...(detail.length > 0 ? { detail } : {}),
    };
  });
}

/** A patient payment or a posted 835 payment (ids never collide: both are UUIDs). */
export async function readFhirPaymentReconciliation(db: Db, actor: Actor, id: string): Promise<PaymentReconciliation> {
  const practice = await practiceOf(db, actor);
  const payment = await db.selectFrom('payments').selectAll().where('id', '=', id).where('practiceId', '=', actor.practiceId).executeTakeFirst();
  if (payment) return (await patientPaymentReconciliations(db, actor, practice, [payment]))[0]!;
  const remittance = await remittancePayments(db, actor).where('id', '=', id).executeTakeFirst();
  if (remittance) return (await remittanceReconciliations(db, actor, practice, [remittance]))[0]!;
  throw new AppError('not_found', 'PaymentReconciliation not found.');
}

/** The patient's own payments, then the payers' 835 payments that paid a claim of the patient. */
export async function searchFhirPaymentReconciliations(db: Db, actor: Actor, patientId: string): Promise<PaymentReconciliation[]> {
  const practice = await practiceOf(db, actor);
  const payments = await db.selectFrom('payments').selectAll().where('practiceId', '=', actor.practiceId).where('patientId', '=', patientId).orderBy('number').execute();
  const remittances = await remittancePayments(db, actor)
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('remittanceClaims as rc')
        .innerJoin('claims as c', 'c.id', 'rc.claimId')
        .select('rc.remittancePaymentId')
        .where('rc.practiceId', '=', actor.practiceId)
        .where('c.patientId', '=', patientId),
    )
    .orderBy('createdAt')
    .orderBy('id')
    .execute();
  return [...(await patientPaymentReconciliations(db, actor, practice, payments)), ...(await remittanceReconciliations(db, actor, practice, remittances))];
}
