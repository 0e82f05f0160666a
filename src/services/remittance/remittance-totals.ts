import type { Db } from '../../db/transaction.ts';
import type { Actor } from '../actor.ts';

/** What each remittance paid (its 835 payments' BPR amounts) and the payers, for a page of the remittances list. */
export async function remittanceTotals(db: Db, actor: Actor, remittanceIds: string[]) {
  const totals = new Map<string, { paymentCents: number; payers: string[]; traceNumbers: string[] }>();
  if (remittanceIds.length === 0) return totals;
  const rows = await db
    .selectFrom('remittancePayments')
    .select(['remittanceId', 'paymentCents', 'payerName', 'traceNumber'])
    .where('practiceId', '=', actor.practiceId)
    .where('remittanceId', 'in', remittanceIds)
    .orderBy('id')
    .execute();
  for (const r of rows) {
    const t = totals.get(r.remittanceId) ?? { paymentCents: 0, payers: [], traceNumbers: [] };
    t.paymentCents += Number(r.paymentCents);
    if (r.payerName && !t.payers.includes(r.payerName)) t.payers.push(r.payerName);
    if (r.traceNumber) t.traceNumbers.push(r.traceNumber);
    totals.set(r.remittanceId, t);
  }
  return totals;
}
