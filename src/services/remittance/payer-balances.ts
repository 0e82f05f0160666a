import type { Selectable } from 'kysely';
import type { PayerBalanceItemTable } from '../../db/database.ts';
import { newId, nowIso } from '../../db/ids.ts';
import { postJournalEntry } from '../../db/repositories/journal.ts';
import type { Db, Trx } from '../../db/transaction.ts';
import { payerBalance, payerRefunded, type PayerBalanceFacts } from '../../domain/ledger/postings.ts';
import { AppError } from '../../domain/errors.ts';
import { formatCents } from '../../domain/money.ts';
import { recordAudit } from '../../db/repositories/audit.ts';
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
      settlement: item.settledAtOnce ? 'recouped' : null,
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

function toItem(row: Selectable<PayerBalanceItemTable>, asOf: string) {
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
    settlement: row.settlement,
    settlementNote: row.settlementNote,
    overdue: isOverdue(row, asOf),
    remittancePaymentId: row.remittancePaymentId,
  };
}

/**
 * `POST /payer-balance-items/:id/refund`: the practice returned an
 * overpayment it owed the payer (a refund check or transfer). Once only: the
 * item is taken by a conditional update (open → settled) before the money
 * moves; a second attempt is 409.
 */
export async function refundPayerBalance(trx: Trx, actor: Actor, itemId: string, input: { note: string }) {
  const item = await trx.selectFrom('payerBalanceItems').selectAll().where('id', '=', itemId).where('practiceId', '=', actor.practiceId).executeTakeFirst();
  if (!item) throw new AppError('not_found', 'Payer balance item not found.');
  if (item.settledDate !== null) throw new AppError('payer_balance_settled', `This item was already settled on ${item.settledDate}.`);
  if (item.direction !== 'owed_to_payer' || item.booked !== 1) {
    throw new AppError('business_rule', 'Only money the practice owes a payer is refunded to it.');
  }
  const today = await practiceDate(trx, actor.practiceId);
  const taken = await trx
    .updateTable('payerBalanceItems')
    .set({ settledDate: today, settlement: 'refunded', settlementNote: input.note, settledBy: actor.name })
    .where('id', '=', item.id)
    .where('settledDate', 'is', null)
    .executeTakeFirst();
  if (Number(taken.numUpdatedRows) !== 1) throw new AppError('payer_balance_settled', 'This item was settled by someone else just now.');
  const amountCents = Number(item.amountCents);
  await postJournalEntry(trx, actor, { ...payerRefunded({ payerBalanceItemId: item.id, amountCents }), memo: `Refunded ${formatCents(amountCents)} to ${item.payerName ?? 'the payer'}: ${input.note}` });
  await recordAudit(trx, actor, {
    action: 'payer_balance.refunded',
    entityType: 'payer_balance_item',
    entityId: item.id,
    before: { settledDate: null, amountCents },
    after: { settledDate: today, settlement: 'refunded', note: input.note },
  });
  const row = await trx.selectFrom('payerBalanceItems').selectAll().where('id', '=', item.id).executeTakeFirstOrThrow();
  return toItem(row, today);
}

/**
 * `POST /payer-balance-items/:id/offset` {againstItemId, note}: two open
 * items of one payer, one owed to it and one owed by it, of the same amount,
 * cancel each other (a later WO recovering an earlier FB). Both are settled
 * together; no money moves, so no entry is posted — the two booked amounts
 * already net to zero on payer_overpayment. Once only, by conditional updates.
 */
export async function offsetPayerBalances(trx: Trx, actor: Actor, itemId: string, input: { againstItemId: string; note: string }) {
  const items = await trx.selectFrom('payerBalanceItems').selectAll().where('id', 'in', [itemId, input.againstItemId]).where('practiceId', '=', actor.practiceId).execute();
  const item = items.find((i) => i.id === itemId);
  const against = items.find((i) => i.id === input.againstItemId);
  if (!item || !against) throw new AppError('not_found', 'Payer balance item not found.');
  for (const i of [item, against]) {
    if (i.settledDate !== null) throw new AppError('payer_balance_settled', `Item ${i.id} was already settled on ${i.settledDate}.`);
  }
  if (item.id === against.id || item.direction === against.direction || Number(item.amountCents) !== Number(against.amountCents) || item.booked !== 1 || against.booked !== 1) {
    throw new AppError('business_rule', 'An offset pairs an amount owed to the payer with the same amount owed by it.');
  }
  if ((item.payerId ?? item.payerName) !== (against.payerId ?? against.payerName)) throw new AppError('business_rule', 'Both items must be of the same payer.');
  const today = await practiceDate(trx, actor.practiceId);
  for (const [one, other] of [[item, against], [against, item]] as const) {
    const taken = await trx
      .updateTable('payerBalanceItems')
      .set({ settledDate: today, settlement: 'offset', settlementNote: input.note, settledBy: actor.name, offsetItemId: other.id })
      .where('id', '=', one.id)
      .where('settledDate', 'is', null)
      .executeTakeFirst();
    if (Number(taken.numUpdatedRows) !== 1) throw new AppError('payer_balance_settled', 'One of the items was settled by someone else just now.');
  }
  await recordAudit(trx, actor, {
    action: 'payer_balance.offset',
    entityType: 'payer_balance_item',
    entityId: item.id,
    before: { settledDate: null, amountCents: Number(item.amountCents) },
    after: { settledDate: today, settlement: 'offset', againstItemId: against.id, note: input.note },
  });
  const row = await trx.selectFrom('payerBalanceItems').selectAll().where('id', '=', item.id).executeTakeFirstOrThrow();
  return toItem(row, today);
}
