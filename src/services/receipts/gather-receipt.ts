import type { Db } from '../../db/transaction.ts';
import { calendarDateIn } from '../../domain/calendar/practice-calendar.ts';
import { AppError } from '../../domain/errors.ts';
import { toCents } from '../../domain/money.ts';
import { collectedStatuses, formatPaymentNumber, type PaymentStatus } from '../../domain/payments/payment-status.ts';
import type { Actor } from '../actor.ts';
import { patientBalanceFigures } from '../patients/patient-balance-figures.ts';
import { practiceTimeZone } from '../practices/practice-settings.ts';

export interface ReceiptLine {
  label: string;
  amountCents: number;
}

/** What a receipt prints: the practice, the patient, the money that moved and where it went, and what is left to pay. */
export interface Receipt {
  kind: 'payment' | 'refund';
  practice: { name: string; locationName: string | null };
  patient: { name: string; accountId: string };
  /** "Payment PAY-001" or "Refund of PAY-001". */
  title: string;
  number: string;
  date: string;
  method: string;
  amountCents: number;
  /** Where the money went: visits it was applied to, refunds, what is left unapplied. */
  lines: ReceiptLine[];
  /** What the patient still owes (the patient page's balance). */
  balanceRemainingCents: number;
  creditCents: number;
  /** The practice's today: when the receipt was printed. */
  printedOn: string;
}

const paymentMethods: Record<string, string> = { cash: 'Cash', check: 'Check', card: 'Card', online: 'Online', patient_credit: 'Patient credit' };
const refundMethods: Record<string, string> = { processor: 'Back to the card', cash: 'Cash', check: 'Check', recorded: 'Recorded', credit: 'Kept as patient credit' };

async function practiceFacts(db: Db, actor: Actor, locationId: string | null) {
  const practice = await db.selectFrom('practices').select(['name']).where('id', '=', actor.practiceId).executeTakeFirstOrThrow();
  const location = locationId
    ? await db.selectFrom('locations').select('name').where('id', '=', locationId).where('practiceId', '=', actor.practiceId).executeTakeFirst()
    : undefined;
  return { name: practice.name, locationName: location?.name ?? null };
}

async function patientFacts(db: Db, actor: Actor, patientId: string) {
  const p = await db.selectFrom('patients').select(['firstName', 'lastName', 'accountId']).where('id', '=', patientId).where('practiceId', '=', actor.practiceId).executeTakeFirstOrThrow();
  const figures = await patientBalanceFigures(db, actor, patientId);
  return { patient: { name: `${p.firstName} ${p.lastName}`, accountId: p.accountId }, balance: figures.balance };
}

async function loadPayment(db: Db, actor: Actor, paymentId: string) {
  const payment = await db.selectFrom('payments').selectAll().where('id', '=', paymentId).where('practiceId', '=', actor.practiceId).executeTakeFirst();
  if (!payment) throw new AppError('not_found', 'Payment not found.');
  return payment;
}

function methodOf(payment: { method: string | null; checkNumber: string | null; cardLast4: string | null }): string {
  const base = paymentMethods[payment.method ?? ''] ?? 'Other';
  if (payment.checkNumber) return `${base} #${payment.checkNumber}`;
  if (payment.cardLast4) return `${base} ending ${payment.cardLast4}`;
  return base;
}

/** A receipt for money received: only a payment that was collected (Paid, Partially Refunded, Refunded) has one. */
export async function gatherPaymentReceipt(db: Db, actor: Actor, paymentId: string): Promise<Receipt> {
  const payment = await loadPayment(db, actor, paymentId);
  if (!collectedStatuses.includes(payment.status as PaymentStatus)) {
    throw new AppError('business_rule', `${formatPaymentNumber(payment.number)} has not been paid, so there is no receipt for it yet.`);
  }
  const timeZone = await practiceTimeZone(db, actor.practiceId);
  const applications = await db
    .selectFrom('applications as a')
    .innerJoin('treatments as t', 't.id', 'a.treatmentId')
    .select(['a.amountCents', 't.id as treatmentId', 't.serviceDate', 't.physician'])
    .where('a.practiceId', '=', actor.practiceId)
    .where('a.paymentId', '=', payment.id)
    .where('a.removedAt', 'is', null)
    .orderBy('t.serviceDate')
    .orderBy('a.createdAt')
    .execute();
  const cpts = applications.length
    ? await db.selectFrom('treatmentLines').select(['treatmentId', 'cpt']).where('treatmentId', 'in', applications.map((a) => a.treatmentId)).orderBy('lineNumber').execute()
    : [];
  const refunds = await db
    .selectFrom('refunds')
    .select(['amountCents', 'method', 'settledAt'])
    .where('practiceId', '=', actor.practiceId)
    .where('paymentId', '=', payment.id)
    .where('status', '=', 'succeeded')
    .orderBy('createdAt')
    .execute();
  const amount = toCents(payment.amountCents);
  const applied = toCents(payment.appliedCents);
  const refunded = toCents(payment.refundedCents);
  const lines: ReceiptLine[] = applications.map((a) => {
    const codes = cpts.filter((c) => c.treatmentId === a.treatmentId).map((c) => c.cpt);
    return { label: `Applied to visit ${a.serviceDate}${codes.length ? ` (CPT ${codes.join(', ')})` : ''}, ${a.physician}`, amountCents: toCents(a.amountCents) };
  });
  for (const r of refunds) {
    lines.push({ label: `Refunded${r.settledAt ? ` ${calendarDateIn(timeZone, r.settledAt)}` : ''}: ${refundMethods[r.method] ?? r.method}`, amountCents: toCents(r.amountCents) });
  }
  // Refunded money can stay applied (SPEC section 4): only a positive remainder is held for the patient.
  const unapplied = amount - refunded - applied;
  if (unapplied > 0) lines.push({ label: 'Held on your account, not yet applied to a visit', amountCents: unapplied });
  const { patient, balance } = await patientFacts(db, actor, payment.patientId);
  return {
    kind: 'payment',
    practice: await practiceFacts(db, actor, payment.locationId),
    patient,
    title: `Payment ${formatPaymentNumber(payment.number)}`,
    number: formatPaymentNumber(payment.number),
    date: payment.paidDate ?? calendarDateIn(timeZone, payment.updatedAt),
    method: methodOf(payment),
    amountCents: amount,
    lines,
    balanceRemainingCents: balance.patientResponsibilityCents,
    creditCents: balance.creditCents,
    printedOn: calendarDateIn(timeZone),
  };
}

/** A receipt for money given back: only a refund that went through has one. */
export async function gatherRefundReceipt(db: Db, actor: Actor, refundId: string): Promise<Receipt> {
  const refund = await db.selectFrom('refunds').selectAll().where('id', '=', refundId).where('practiceId', '=', actor.practiceId).executeTakeFirst();
  if (!refund) throw new AppError('not_found', 'Refund not found.');
  if (refund.status !== 'succeeded') throw new AppError('business_rule', 'This refund has not gone through, so there is no receipt for it yet.');
  const payment = await loadPayment(db, actor, refund.paymentId);
  const timeZone = await practiceTimeZone(db, actor.practiceId);
  const number = formatPaymentNumber(payment.number);
  const reason = refund.reason.replace(/_/g, ' ');
  const lines: ReceiptLine[] = [
    { label: `Original payment ${number}${payment.paidDate ? ` of ${payment.paidDate}` : ''} (${methodOf(payment)})`, amountCents: toCents(payment.amountCents) },
    { label: `Refunded, reason: ${reason}${refund.notes ? ` (${refund.notes})` : ''}`, amountCents: toCents(refund.amountCents) },
  ];
  const { patient, balance } = await patientFacts(db, actor, payment.patientId);
  return {
    kind: 'refund',
    practice: await practiceFacts(db, actor, payment.locationId),
    patient,
    title: `Refund of ${number}`,
    number,
    date: calendarDateIn(timeZone, refund.settledAt ?? refund.createdAt),
    method: refundMethods[refund.method] ?? refund.method,
    amountCents: toCents(refund.amountCents),
    lines,
    balanceRemainingCents: balance.patientResponsibilityCents,
    creditCents: balance.creditCents,
    printedOn: calendarDateIn(timeZone),
  };
}
