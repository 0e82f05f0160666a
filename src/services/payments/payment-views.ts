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

export async function namesFor(db: Db, row: Pick<PaymentRow, 'practiceId' | 'patientId' | 'locationId'>): Promise<PaymentNames> {
  const patient = await db
    .selectFrom('patients')
    .select(['firstName', 'lastName'])
    .where('id', '=', row.patientId)
    .executeTakeFirstOrThrow();
  const location = row.locationId
    ? await db.selectFrom('locations').select('name').where('id', '=', row.locationId).executeTakeFirst()
    : undefined;
  return { patientName: `${patient.firstName} ${patient.lastName}`, locationName: location?.name ?? null, today: await practiceDate(db, row.practiceId) };
}
