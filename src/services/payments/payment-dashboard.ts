import { sql } from 'kysely';
import type { Db } from '../../db/transaction.ts';
import { calendarDateIn, calendarMonth } from '../../domain/calendar/practice-calendar.ts';
import { paymentStatuses } from '../../domain/payments/payment-status.ts';
import type { Actor } from '../actor.ts';
import { practiceTimeZone } from '../practices/practice-settings.ts';

/** The twelve months ending with this one, as 'YYYY-MM'. */
export function lastTwelveMonths(today: string): string[] {
  const [y, m] = today.split('-').map(Number) as [number, number];
  const months: string[] = [];
  for (let i = 11; i >= 0; i--) {
    const index = y * 12 + (m - 1) - i;
    months.push(`${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`);
  }
  return months;
}

/** Statuses of a payment whose money was received (some of it may have gone back since). */
const receivedStatuses = ['paid', 'partially_refunded', 'refunded', 'disputed'] as const;

/**
 * SPEC section 3, the dashboard:
 * - Total Collected: money received from patients net of refunds. A payment
 *   counts when it was received (Paid, Partially Refunded, Refunded), except
 *   a Patient Credit payment (a draw from a credit is not new money); a
 *   refund counts against it only when money went back (a refund issued as
 *   credit, or a dismissed refund-owed task, keeps the money with the
 *   practice). This is exactly the net of the cash_clearing journal lines of
 *   patient payments and refunds.
 * - monthly: the same by month, payments by their paid date and refunds by
 *   the day they settled, both on the practice's calendar.
 * - Outstanding: the amounts of Draft, Pending and Processing payments.
 * - byStatus: a count of payments per status.
 */
export async function paymentDashboard(db: Db, actor: Actor, query: { locationId?: string | undefined }, today: string) {
  const months = lastTwelveMonths(today);
  const timeZone = await practiceTimeZone(db, actor.practiceId);
  // The running totals the triggers of migration 0022 keep (ADR 0026): a few hundred rows, not every payment.
  let payments = db.selectFrom('paymentTotals').where('practiceId', '=', actor.practiceId);
  let refunds = db.selectFrom('refundTotals').where('practiceId', '=', actor.practiceId);
  if (query.locationId) {
    payments = payments.where('locationId', '=', query.locationId);
    refunds = refunds.where('locationId', '=', query.locationId);
  }
  const paymentRows = await payments
    .select(['status', 'cashMethod', 'paidMonth'])
    .select((eb) => [eb.fn.sum<number>('payments').as('n'), eb.fn.sum<number>('amountCents').as('amount')])
    .groupBy(['status', 'cashMethod', 'paidMonth'])
    .execute();
  const refundedTotal = await refunds.select(sql<number>`coalesce(sum(amount_cents), 0)`.as('total')).executeTakeFirstOrThrow();
  // A day of margin before the first month: the practice's calendar may run behind UTC.
  const windowStart = new Date(Date.parse(`${months[0]}-01T00:00:00Z`) - 2 * 86_400_000).toISOString().slice(0, 13);
  const recentRefunds = await refunds
    .select('hour')
    .select((eb) => eb.fn.sum<number>('amountCents').as('amount'))
    .where('hour', '>=', windowStart)
    .groupBy('hour')
    .execute();

  const byStatus: Record<string, number> = Object.fromEntries(paymentStatuses.map((s) => [s, 0]));
  const received = new Set<string>(receivedStatuses);
  let outstandingCents = 0;
  let receivedCents = 0;
  const collectedByMonth = new Map<string, number>();
  for (const row of paymentRows) {
    byStatus[row.status] = (byStatus[row.status] ?? 0) + Number(row.n);
    if (row.status === 'draft' || row.status === 'pending' || row.status === 'processing') outstandingCents += Number(row.amount);
    if (received.has(row.status) && Number(row.cashMethod) === 1) {
      receivedCents += Number(row.amount);
      if (row.paidMonth >= months[0]!) collectedByMonth.set(row.paidMonth, (collectedByMonth.get(row.paidMonth) ?? 0) + Number(row.amount));
    }
  }
  const refundMonths = new RefundMonths(timeZone);
  const splitHours: string[] = [];
  for (const row of recentRefunds) {
    const month = refundMonths.of(row.hour);
    if (month === undefined) splitHours.push(row.hour);
    else collectedByMonth.set(month, (collectedByMonth.get(month) ?? 0) - Number(row.amount));
  }
  // An hour a month begins in (a practice whose offset is not whole hours): its refunds one by one.
  for (const hour of splitHours) {
    let split = db
      .selectFrom('refunds')
      .innerJoin('payments', 'payments.id', 'refunds.paymentId')
      .select(['refunds.amountCents', 'refunds.settledAt', 'refunds.createdAt'])
      .where('refunds.practiceId', '=', actor.practiceId)
      .where(sql<string>`coalesce(refunds.settled_at, refunds.created_at)`, '>=', `${hour}:00:00`)
      // ':99' sorts after every minute of the hour and before the next hour.
      .where(sql<string>`coalesce(refunds.settled_at, refunds.created_at)`, '<', `${hour}:99`)
      .where('refunds.status', '=', 'succeeded')
      .where('refunds.method', '!=', 'credit')
      .where('payments.method', '!=', 'patient_credit');
    if (query.locationId) split = split.where('payments.locationId', '=', query.locationId);
    for (const refund of await split.execute()) {
      const month = calendarMonth(calendarDateIn(timeZone, refund.settledAt ?? refund.createdAt));
      collectedByMonth.set(month, (collectedByMonth.get(month) ?? 0) - Number(refund.amountCents));
    }
  }
  return {
    totalCollectedCents: receivedCents - Number(refundedTotal.total),
    outstandingCents,
    monthly: months.map((month) => ({ month, collectedCents: collectedByMonth.get(month) ?? 0 })),
    byStatus,
  };
}

/** The practice's calendar month of a UTC hour ('YYYY-MM-DDTHH'), or undefined when a month begins inside it. */
class RefundMonths {
  readonly #days = new Map<string, string | undefined>();
  constructor(private readonly timeZone: string) {}

  of(hour: string): string | undefined {
    const day = hour.slice(0, 10);
    // Most UTC days lie within one practice month: one look per day, not per hour.
    if (!this.#days.has(day)) this.#days.set(day, this.#within(`${day}T00:00:00.000Z`, `${day}T23:59:59.999Z`));
    return this.#days.get(day) ?? this.#within(`${hour}:00:00.000Z`, `${hour}:59:59.999Z`);
  }

  #within(first: string, last: string): string | undefined {
    const month = calendarMonth(calendarDateIn(this.timeZone, first));
    return month === calendarMonth(calendarDateIn(this.timeZone, last)) ? month : undefined;
  }
}
