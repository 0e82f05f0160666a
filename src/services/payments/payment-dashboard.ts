import { sql } from 'kysely';
import type { Db } from '../../db/transaction.ts';
import { paymentStatuses } from '../../domain/payments/payment-status.ts';
import type { Actor } from '../actor.ts';

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

/**
 * SPEC section 3: Total Collected = Paid and Partially Refunded payments net
 * of refunds, by month of payment; Outstanding = Draft, Pending, Processing;
 * a count per status. One grouped scan by status and paid month.
 */
export async function paymentDashboard(db: Db, actor: Actor, query: { locationId?: string | undefined }, today: string) {
  const months = lastTwelveMonths(today);
  let base = db.selectFrom('payments').where('practiceId', '=', actor.practiceId);
  if (query.locationId) base = base.where('locationId', '=', query.locationId);
  const byStatusRows = await base
    .select(['status'])
    .select((eb) => [
      eb.fn.countAll<number>().as('n'),
      eb.fn.sum<number>(sql`amount_cents - refunded_cents`).as('net'),
    ])
    .groupBy('status')
    .execute();
  const monthRows = await base
    .select(sql<string>`substr(paid_date, 1, 7)`.as('month'))
    .select(sql<number>`sum(amount_cents - refunded_cents)`.as('collected'))
    .where('status', 'in', ['paid', 'partially_refunded'])
    .where('paidDate', '>=', `${months[0]}-01`)
    .groupBy(sql`substr(paid_date, 1, 7)`)
    .execute();

  const byStatus: Record<string, number> = Object.fromEntries(paymentStatuses.map((s) => [s, 0]));
  let totalCollectedCents = 0;
  let outstandingCents = 0;
  for (const row of byStatusRows) {
    byStatus[row.status] = Number(row.n);
    if (row.status === 'paid' || row.status === 'partially_refunded') totalCollectedCents += Number(row.net);
    if (row.status === 'draft' || row.status === 'pending' || row.status === 'processing') outstandingCents += Number(row.net);
  }
  const collectedByMonth = new Map(monthRows.map((r) => [r.month, Number(r.collected)]));
  return {
    totalCollectedCents,
    outstandingCents,
    monthly: months.map((month) => ({ month, collectedCents: collectedByMonth.get(month) ?? 0 })),
    byStatus,
  };
}
