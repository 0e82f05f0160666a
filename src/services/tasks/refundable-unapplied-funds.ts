import { sql, type Expression } from 'kysely';
import type { Db } from '../../db/transaction.ts';
import type { Actor } from '../actor.ts';
import { hasUnappliedCents, unappliedCents } from '../applications/unapplied-cents.ts';

export interface UnappliedLot {
  paymentId: string;
  method: string | null;
  /** The processor's charge id: a card refund can go back through it. */
  processorReference: string | null;
  unappliedCents: number;
}

/**
 * Money received: a Paid or Partially Refunded payment. With a patient's id
 * beside it, the (practice, patient, status) index of migration 0031 serves
 * it on both databases (ADR 0035; tests/query-plans.test.ts).
 */
export function receivedPayment() {
  return sql<boolean>`payments.status in ('paid', 'partially_refunded')`;
}

/**
 * Money collected for a visit still with the payers is held for that visit: a payment's funds are refundable
 * with no visit, or with one not awaiting the payers (`insuranceStatus`, the visit's; null when there is none).
 */
export function refundableVisit(treatmentId: Expression<unknown>, insuranceStatus: Expression<unknown>) {
  return sql<boolean>`(${treatmentId} is null or ${insuranceStatus} != 'awaiting')`;
}

/**
 * The rule for refundable money, in one place: a received payment's
 * unapplied funds that no visit is waiting for. Money collected for a visit
 * still with the payers is held for that visit, not owed back. Over-applied
 * payments (negative unapplied) are a work-list item, not funds.
 */
function refundableLots(db: Db, actor: Actor) {
  return db
    .selectFrom('payments')
    .leftJoin('treatments', 'treatments.id', 'payments.treatmentId')
    .where('payments.practiceId', '=', actor.practiceId)
    .where(receivedPayment())
    .where(hasUnappliedCents)
    .where(refundableVisit(sql.ref('payments.treatmentId'), sql.ref('treatments.insuranceStatus')));
}

/** The patient's payments holding refundable unapplied funds, oldest first: what a refund-owed task is about. */
export async function refundableUnappliedFunds(db: Db, actor: Actor, patientId: string): Promise<UnappliedLot[]> {
  const rows = await refundableLots(db, actor)
    .select(['payments.id', 'payments.method', 'payments.processorReference', unappliedCents.as('unapplied')])
    .where('payments.patientId', '=', patientId)
    .orderBy(sql`coalesce(payments.paid_date, substr(payments.created_at, 1, 10))`)
    .orderBy('payments.createdAt')
    .orderBy('payments.id')
    .execute();
  return rows.map((r) => ({
    paymentId: r.id,
    method: r.method,
    processorReference: r.processorReference,
    unappliedCents: Number(r.unapplied),
  }));
}

/**
 * The same total as refundableUnappliedFunds for many patients in one query
 * (the refund review's page): patient id → cents; a patient with none is absent.
 */
export async function refundableCentsByPatient(db: Db, actor: Actor, patientIds: readonly string[]): Promise<Map<string, number>> {
  if (patientIds.length === 0) return new Map();
  const rows = await refundableLots(db, actor)
    .select(['payments.patientId', sql<number>`sum(${unappliedCents})`.as('cents')])
    .where('payments.patientId', 'in', patientIds)
    .groupBy('payments.patientId')
    .execute();
  return new Map(rows.map((r) => [r.patientId, Number(r.cents)]));
}

/**
 * The same total for the patient an outer query names (`patient`, a column),
 * as a correlated subquery: the refund review reads it beside each case.
 */
export function refundableSum(db: Db, actor: Actor, patient: Expression<unknown>) {
  return refundableLots(db, actor)
    .select(sql<number>`sum(${unappliedCents})`.as('cents'))
    .where(sql<boolean>`${sql.ref('payments.patientId')} = ${patient}`);
}

export function totalCents(lots: readonly UnappliedLot[]): number {
  return lots.reduce((sum, lot) => sum + lot.unappliedCents, 0);
}

/** Takes `amountCents` out of the lots, oldest first: [{ lot, amountCents }]. The caller checks the total suffices. */
export function takeOldestFirst(lots: readonly UnappliedLot[], amountCents: number): Array<{ lot: UnappliedLot; amountCents: number }> {
  const parts: Array<{ lot: UnappliedLot; amountCents: number }> = [];
  let left = amountCents;
  for (const lot of lots) {
    if (left <= 0) break;
    const part = Math.min(left, lot.unappliedCents);
    if (part > 0) parts.push({ lot, amountCents: part });
    left -= part;
  }
  return parts;
}
