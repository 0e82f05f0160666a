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
  let base = db.selectFrom('payments').where('payments.practiceId', '=', actor.practiceId);
  if (query.locationId) base = base.where('payments.locationId', '=', query.locationId);

  const byStatusRows = await base
    .select(['payments.status'])
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('payments.amountCents').as('amount')])
    .groupBy('payments.status')
    .execute();
  const received = base.where('payments.status', 'in', [...receivedStatuses]).where('payments.method', '!=', 'patient_credit');
  const receivedTotal = await received.select(sql<number>`coalesce(sum(payments.amount_cents), 0)`.as('total')).executeTakeFirstOrThrow();
  const receivedByMonth = await received
    .select(sql<string>`substr(payments.paid_date, 1, 7)`.as('month'))
    .select(sql<number>`sum(payments.amount_cents)`.as('amount'))
    .where('payments.paidDate', '>=', `${months[0]}-01`)
    .groupBy(sql`substr(payments.paid_date, 1, 7)`)
    .execute();

  // Money that went back to patients: settled refunds not issued as credit, of money received (not of a credit draw).
  const cashRefunds = base
    .innerJoin('refunds', 'refunds.paymentId', 'payments.id')
    .where('refunds.status', '=', 'succeeded')
    .where('refunds.method', '!=', 'credit')
    .where('payments.method', '!=', 'patient_credit');
  const refundedTotal = await cashRefunds.select(sql<number>`coalesce(sum(refunds.amount_cents), 0)`.as('total')).executeTakeFirstOrThrow();
  // A day of margin before the first month: the practice's calendar may run behind UTC.
  const windowStart = new Date(Date.parse(`${months[0]}-01T00:00:00Z`) - 2 * 86_400_000).toISOString();
  const recentRefunds = await cashRefunds
    .select(['refunds.amountCents', 'refunds.settledAt', 'refunds.createdAt'])
    .where(sql<boolean>`coalesce(refunds.settled_at, refunds.created_at) >= ${windowStart}`)
    .execute();

  const byStatus: Record<string, number> = Object.fromEntries(paymentStatuses.map((s) => [s, 0]));
  let outstandingCents = 0;
  for (const row of byStatusRows) {
    byStatus[row.status] = Number(row.n);
    if (row.status === 'draft' || row.status === 'pending' || row.status === 'processing') outstandingCents += Number(row.amount);
  }
  const collectedByMonth = new Map(receivedByMonth.map((r) => [r.month, Number(r.amount)]));
  for (const refund of recentRefunds) {
    const month = calendarMonth(calendarDateIn(timeZone, refund.settledAt ?? refund.createdAt));
    collectedByMonth.set(month, (collectedByMonth.get(month) ?? 0) - Number(refund.amountCents));
  }
  return {
    totalCollectedCents: Number(receivedTotal.total) - Number(refundedTotal.total),
    outstandingCents,
    monthly: months.map((month) => ({ month, collectedCents: collectedByMonth.get(month) ?? 0 })),
    byStatus,
  };
}
