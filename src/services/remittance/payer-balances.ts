import type { PayerBalanceItemTable } from '../../db/database.ts';
import { newId, nowIso } from '../../db/ids.ts';
import { postJournalEntry } from '../../db/repositories/journal.ts';
import type { Db, Trx } from '../../db/transaction.ts';
import { payerBalance, type PayerBalanceFacts } from '../../domain/ledger/postings.ts';
import { isOverdue, overpaymentDeadline, type PayerBalanceDirection } from '../../domain/remittance/payer-balances.ts';
import type { Actor } from '../actor.ts';
import { practiceDate } from '../practices/practice-settings.ts';

export interface NewPayerBalanceItem {
  payerName: string | null;
  payerId: string | null;
  direction: PayerBalanceDirection;
  amountCents: number;
  source: PayerBalanceItemTable['source'];
  remittancePaymentId: string;
  remittanceClaimId?: string | null;
  providerAdjustmentId?: string | null;
  reasonCode?: string | null;
  reference?: string | null;
  description: string;
  /** The account the money moves from or to on payer_overpayment; left out when the claim posting itself already settled it (nothing is booked). */
  counterAccount?: PayerBalanceFacts['counterAccount'];
  /** Settled when identified: the payer already took the money back within the same payment. */
  settledAtOnce?: boolean;
}

/**
 * Records money owed to or by a payer, identified today in the practice's
 * calendar with the 60-day deadline, and books it on payer_overpayment
 * through the one posting rule, inside the caller's transaction.
 */
export async function recordPayerBalanceItem(trx: Trx, actor: Actor, item: NewPayerBalanceItem): Promise<string> {
  const id = newId();
  const identifiedDate = await practiceDate(trx, actor.practiceId);
  await trx
    .insertInto('payerBalanceItems')
    .values({
      id,
      practiceId: actor.practiceId,
      payerName: item.payerName,
      payerId: item.payerId,
      amountCents: item.amountCents,
      direction: item.direction,
      source: item.source,
      booked: item.counterAccount ? 1 : 0,
      remittancePaymentId: item.remittancePaymentId,
      remittanceClaimId: item.remittanceClaimId ?? null,
      providerAdjustmentId: item.providerAdjustmentId ?? null,
      reasonCode: item.reasonCode ?? null,
      reference: item.reference ?? null,
      description: item.description,
      identifiedDate,
      deadlineDate: overpaymentDeadline(identifiedDate),
      settledDate: item.settledAtOnce ? identifiedDate : null,
      createdAt: nowIso(),
    })
    .execute();
  if (item.counterAccount) {
    await postJournalEntry(trx, actor, {
      ...payerBalance({ payerBalanceItemId: id, amountCents: item.amountCents, direction: item.direction, counterAccount: item.counterAccount }),
      memo: item.description,
    });
  }
  return id;
}

/**
 * `GET /reports/payer-balances`: every item per payer, newest deadline last,
 * with each payer's open totals and the overdue ones flagged as of `asOf`
 * (the practice's today by default).
 */
export async function payerBalancesReport(db: Db, actor: Actor, query: { asOf?: string | undefined; status?: 'open' | 'settled' | 'all' | undefined }) {
  const asOf = query.asOf ?? (await practiceDate(db, actor.practiceId));
  let q = db.selectFrom('payerBalanceItems').selectAll().where('practiceId', '=', actor.practiceId).where('identifiedDate', '<=', asOf);
  const status = query.status ?? 'all';
  if (status === 'open') q = q.where('settledDate', 'is', null);
  if (status === 'settled') q = q.where('settledDate', 'is not', null);
  const rows = await q.orderBy('payerName').orderBy('deadlineDate').orderBy('id').execute();
  const payers = new Map<string, { payerName: string | null; payerId: string | null; owedToPayerCents: number; owedByPayerCents: number; overdueCents: number; items: ReturnType<typeof toItem>[] }>();
  for (const row of rows) {
    const key = `${row.payerId ?? ''}|${row.payerName ?? ''}`;
    let payer = payers.get(key);
    if (!payer) payers.set(key, (payer = { payerName: row.payerName, payerId: row.payerId, owedToPayerCents: 0, owedByPayerCents: 0, overdueCents: 0, items: [] }));
    const item = toItem(row, asOf);
    payer.items.push(item);
    if (item.settledDate === null) {
      if (item.direction === 'owed_to_payer') payer.owedToPayerCents += item.amountCents;
      else payer.owedByPayerCents += item.amountCents;
      if (item.overdue) payer.overdueCents += item.amountCents;
    }
  }
  const list = [...payers.values()].map((p) => ({ ...p, netOwedToPayerCents: p.owedToPayerCents - p.owedByPayerCents }));
  return {
    asOf,
    payers: list,
    owedToPayerCents: list.reduce((s, p) => s + p.owedToPayerCents, 0),
    owedByPayerCents: list.reduce((s, p) => s + p.owedByPayerCents, 0),
    overdueCount: list.reduce((s, p) => s + p.items.filter((i) => i.overdue).length, 0),
  };
}

function toItem(row: PayerBalanceItemTable, asOf: string) {
  return {
    id: row.id,
    amountCents: Number(row.amountCents),
    direction: row.direction,
    source: row.source,
    booked: row.booked === 1,
    reasonCode: row.reasonCode,
    reference: row.reference,
    description: row.description,
    identifiedDate: row.identifiedDate,
    deadlineDate: row.deadlineDate,
    settledDate: row.settledDate,
    overdue: isOverdue(row, asOf),
    remittancePaymentId: row.remittancePaymentId,
  };
}
