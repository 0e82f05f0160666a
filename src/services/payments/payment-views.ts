import { remainingRefundable } from '../../domain/refunds/refund-rules.ts';
import type { Payment } from '../../contracts/payments.ts';
import type { PaymentRow } from '../../db/database.ts';
import type { Db } from '../../db/transaction.ts';
import { billingView } from '../../domain/payments/billing-view.ts';
import { isOverdue } from '../../domain/payments/overdue.ts';
import {
  formatPaymentNumber,
  isEditable,
  manualTransitions,
  type PaymentMethod,
  type PaymentStatus,
  type PaymentType,
} from '../../domain/payments/payment-status.ts';
import { AppError } from '../../domain/errors.ts';
import type { Actor } from '../actor.ts';
import { practiceDate } from '../practices/practice-settings.ts';
import { calendarDateIn } from '../../domain/calendar/practice-calendar.ts';

export interface PaymentNames {
  patientName: string;
  locationName: string | null;
  /** The practice's calendar date now: "today" for the overdue flag. */
  today: string;
}

/** The one mapper from a payment row to what the API shows. */
export function toPayment(row: PaymentRow, names: PaymentNames, publicUrl: string): Payment {
  const status = row.status as PaymentStatus;
  return {
    id: row.id,
    number: formatPaymentNumber(row.number),
    patientId: row.patientId,
    patientName: names.patientName,
    locationId: row.locationId,
    locationName: names.locationName,
    treatmentId: row.treatmentId,
    amountCents: row.amountCents,
    refundedCents: row.refundedCents,
    status,
    type: row.type as PaymentType,
    method: row.method as PaymentMethod | null,
    checkNumber: row.checkNumber,
    dueDate: row.dueDate,
    paidDate: row.paidDate,
    memo: row.memo,
    createdAt: row.createdAt,
    createdBy: row.createdBy,
    updatedAt: row.updatedAt,
    refundableCents: remainingRefundable({ status, method: row.method as PaymentMethod | null, amountCents: row.amountCents, refundedCents: row.refundedCents, refundingCents: row.refundingCents }),
    chargedThroughProcessor: row.processorReference !== null,
    allowedStatusChanges: manualTransitions(status),
    editable: isEditable(status),
    overdue: isOverdue(status, row.dueDate, names.today),
    link: row.linkToken && row.linkExpiresAt ? { url: paymentLinkUrl(publicUrl, row.linkToken), expiresAt: row.linkExpiresAt } : null,
    billing: billingView({
      number: row.number,
      status,
      amountCents: row.amountCents,
      refundedCents: row.refundedCents,
      appliedCents: row.appliedCents,
      checkNumber: row.checkNumber,
    }),
  };
}

export function paymentLinkUrl(publicUrl: string, token: string): string {
  return `${publicUrl}/pay/${token}`;
}

/** Loads a payment of the actor's practice, or 404 (another practice's payment is "not found" too). */
export async function requirePayment(db: Db, actor: Actor, paymentId: string): Promise<PaymentRow> {
  const row = await db
    .selectFrom('payments')
    .selectAll()
    .where('id', '=', paymentId)
    .where('practiceId', '=', actor.practiceId)
    .executeTakeFirst();
  if (!row) throw new AppError('not_found', 'Payment not found.');
  return row;
}

/** A payment row with the names it is shown with. */
export interface NamedPayment {
  row: PaymentRow;
  names: PaymentNames;
}

/**
 * The names a payment is shown with. `known`: what the caller already has in
 * hand (the patient it just read, the practice's date), so only the rest is read.
 */
export async function namesFor(db: Db, row: Pick<PaymentRow, 'practiceId' | 'patientId' | 'locationId'>, known: Partial<PaymentNames> = {}): Promise<PaymentNames> {
  let patientName = known.patientName;
  if (patientName === undefined) {
    const patient = await db.selectFrom('patients').select(['firstName', 'lastName']).where('id', '=', row.patientId).executeTakeFirstOrThrow();
    patientName = `${patient.firstName} ${patient.lastName}`;
  }
  const locationName = known.locationName !== undefined ? known.locationName : await locationNameOf(db, row.locationId);
  return { patientName, locationName, today: known.today ?? (await practiceDate(db, row.practiceId)) };
}

/** A payment's location name (none without a location). */
export async function locationNameOf(db: Db, locationId: string | null): Promise<string | null> {
  if (!locationId) return null;
  return (await db.selectFrom('locations').select('name').where('id', '=', locationId).executeTakeFirst())?.name ?? null;
}

/**
 * requirePayment and namesFor in one statement: the payment of the actor's
 * practice (or 404) with its patient's and location's names and the practice's date.
 */
export async function requireNamedPayment(db: Db, actor: Actor, paymentId: string): Promise<NamedPayment> {
  const found = await db
    .selectFrom('payments')
    .innerJoin('patients', 'patients.id', 'payments.patientId')
    .innerJoin('practices', 'practices.id', 'payments.practiceId')
    .leftJoin('locations', 'locations.id', 'payments.locationId')
    .selectAll('payments')
    .select(['patients.firstName as patientFirstName', 'patients.lastName as patientLastName', 'locations.name as locationName', 'practices.timeZone as practiceTimeZone'])
    .where('payments.id', '=', paymentId)
    .where('payments.practiceId', '=', actor.practiceId)
    .executeTakeFirst();
  if (!found) throw new AppError('not_found', 'Payment not found.');
  const { patientFirstName, patientLastName, locationName, practiceTimeZone, ...row } = found;
  return { row, names: { patientName: `${patientFirstName} ${patientLastName}`, locationName, today: calendarDateIn(practiceTimeZone) } };
}
