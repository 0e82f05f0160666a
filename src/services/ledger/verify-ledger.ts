import { sql } from 'kysely';
import type { Db } from '../../db/transaction.ts';
import { formatCents } from '../../domain/money.ts';
import { formatPaymentNumber } from '../../domain/payments/payment-status.ts';
import { payerBalancePlbCodes } from '../../domain/remittance/payer-balances.ts';

export interface LedgerProblem {
  check: string;
  practiceId: string;
  entity: string;
  detail: string;
}

const collected = sql.raw(`('paid', 'partially_refunded', 'refunded', 'disputed')`);

/**
 * Proves the books (docs/decisions/0007): every journal entry sums to zero;
 * every entry names a source record and its lines are exactly what that
 * record says (re-derived here in SQL, independently of the posting code);
 * every account's balance equals what its source records say — cash clearing
 * per payment and per remittance payment (= BPR02), insurance receivable and
 * contractual write-off per treatment from its claims, suspense from open
 * exceptions, unidentified processor receipts from those held (ADR 0028),
 * provider adjustments from PLB, charges per treatment, and the
 * patient accounts; and every cached total staff see equals the journal.
 * Each check is one grouped query, so it runs in seconds on millions of rows.
 */
export async function verifyLedger(db: Db, options: { practiceId?: string } = {}): Promise<LedgerProblem[]> {
  const problems: LedgerProblem[] = [];
  const inPractice = (column: string) =>
    options.practiceId ? sql`and ${sql.ref(column)} = ${options.practiceId}` : sql``;

  const unbalanced = await sql<{ entryId: string; practiceId: string; total: number }>`
    select entry_id, practice_id, sum(amount_cents) as total from journal_lines
    where 1 = 1 ${inPractice('practice_id')}
    group by entry_id, practice_id having sum(amount_cents) <> 0`.execute(db);
  for (const row of unbalanced.rows) {
    problems.push({
      check: 'entry_balances',
      practiceId: row.practiceId,
      entity: `journal entry ${row.entryId}`,
      detail: `lines sum to ${formatCents(Number(row.total))}, not zero`,
    });
  }

  const payments = await sql<{
    id: string;
    practiceId: string;
    number: number;
    status: string;
    amountCents: number;
    refundedCents: number;
    refundingCents: number;
    appliedCents: number;
    received: number;
    unapplied: number;
    applications: number;
    refunds: number;
    pendingRefunds: number;
  }>`
    select p.id, p.practice_id, p.number, p.status, p.amount_cents, p.refunded_cents, p.refunding_cents, p.applied_cents,
      coalesce(r.received, 0) as received, coalesce(u.unapplied, 0) as unapplied, coalesce(a.applications, 0) as applications,
      coalesce(f.refunds, 0) as refunds, coalesce(f.pending_refunds, 0) as pending_refunds
    from payments p
    left join (
      select l.payment_id, -sum(l.amount_cents) as received from journal_lines l
      join journal_entries e on e.id = l.entry_id
      where e.kind in ('payment_received', 'credit_applied') and l.account = 'patient_unapplied'
      group by l.payment_id
    ) r on r.payment_id = p.id
    left join (
      select payment_id, -sum(amount_cents) as unapplied from journal_lines
      where account = 'patient_unapplied' group by payment_id
    ) u on u.payment_id = p.id
    left join (
      select payment_id, sum(amount_cents) as applications from applications
      where removed_at is null group by payment_id
    ) a on a.payment_id = p.id
    left join (
      select payment_id,
        sum(case when status = 'succeeded' then amount_cents else 0 end) as refunds,
        sum(case when status = 'pending' then amount_cents else 0 end) as pending_refunds
      from refunds group by payment_id
    ) f on f.payment_id = p.id
    where 1 = 1 ${inPractice('p.practice_id')}
    and (
      coalesce(f.refunds, 0) <> p.refunded_cents
      or coalesce(f.pending_refunds, 0) <> p.refunding_cents
      or p.status in ('partially_refunded', 'refunded') and p.status <> case when p.refunded_cents >= p.amount_cents then 'refunded' else 'partially_refunded' end
      or
      coalesce(r.received, 0) <> case when p.status in ${collected} then p.amount_cents else 0 end
      or coalesce(u.unapplied, 0) <> (case when p.status in ${collected} then p.amount_cents else 0 end) - p.refunded_cents - p.applied_cents
      or coalesce(a.applications, 0) <> p.applied_cents
    )`.execute(db);
  for (const p of payments.rows) {
    const number = formatPaymentNumber(Number(p.number));
    const expectedReceived = ['paid', 'partially_refunded', 'refunded', 'disputed'].includes(p.status) ? Number(p.amountCents) : 0;
    if (Number(p.received) !== expectedReceived) {
      problems.push({
        check: 'payment_received',
        practiceId: p.practiceId,
        entity: number,
        detail: `journal received ${formatCents(Number(p.received))}, a ${p.status} payment of ${formatCents(Number(p.amountCents))} should show ${formatCents(expectedReceived)}`,
      });
    }
    const expectedUnapplied = expectedReceived - Number(p.refundedCents) - Number(p.appliedCents);
    if (Number(p.unapplied) !== expectedUnapplied) {
      problems.push({
        check: 'payment_balances',
        practiceId: p.practiceId,
        entity: number,
        detail: `paid = applied + unapplied + refunded fails: journal unapplied ${formatCents(Number(p.unapplied))}, expected ${formatCents(expectedUnapplied)}`,
      });
    }
    if (Number(p.refunds) !== Number(p.refundedCents) || Number(p.pendingRefunds) !== Number(p.refundingCents)) {
      problems.push({
        check: 'payment_refunded',
        practiceId: p.practiceId,
        entity: number,
        detail: `refunded ${formatCents(Number(p.refundedCents))} (reserved ${formatCents(Number(p.refundingCents))}) but its refunds sum to ${formatCents(Number(p.refunds))} (pending ${formatCents(Number(p.pendingRefunds))})`,
      });
    }
    const refundedStatus = Number(p.refundedCents) >= Number(p.amountCents) ? 'refunded' : 'partially_refunded';
    if ((p.status === 'partially_refunded' || p.status === 'refunded') && p.status !== refundedStatus) {
      problems.push({
        check: 'payment_status',
        practiceId: p.practiceId,
        entity: number,
        detail: `status ${p.status} but ${formatCents(Number(p.refundedCents))} of ${formatCents(Number(p.amountCents))} is refunded`,
      });
    }
    if (Number(p.applications) !== Number(p.appliedCents)) {
      problems.push({
        check: 'payment_applied',
        practiceId: p.practiceId,
        entity: number,
        detail: `applied ${formatCents(Number(p.appliedCents))} but its applications sum to ${formatCents(Number(p.applications))}`,
      });
    }
  }

  const treatments = await sql<{ id: string; practiceId: string; serviceDate: string; expected: number; journal: number; appliedCents: number; applications: number }>`
    select t.id, t.practice_id, t.service_date, t.applied_cents, coalesce(a.applied, 0) as applications,
      t.patient_responsibility_cents - coalesce(a.applied, 0) as expected, coalesce(j.receivable, 0) as journal
    from treatments t
    left join (select treatment_id, sum(amount_cents) as applied from applications where removed_at is null group by treatment_id) a
      on a.treatment_id = t.id
    left join (select treatment_id, sum(amount_cents) as receivable from journal_lines where account = 'patient_receivable' group by treatment_id) j
      on j.treatment_id = t.id
    where 1 = 1 ${inPractice('t.practice_id')}
    and (t.patient_responsibility_cents - coalesce(a.applied, 0) <> coalesce(j.receivable, 0) or t.applied_cents <> coalesce(a.applied, 0))`.execute(db);
  for (const t of treatments.rows) {
    if (Number(t.appliedCents) !== Number(t.applications)) {
      problems.push({
        check: 'treatment_applied',
        practiceId: t.practiceId,
        entity: `treatment ${t.id} (${t.serviceDate})`,
        detail: `applied ${formatCents(Number(t.appliedCents))} but its applications sum to ${formatCents(Number(t.applications))}`,
      });
      continue;
    }
    problems.push({
      check: 'treatment_receivable',
      practiceId: t.practiceId,
      entity: `treatment ${t.id} (${t.serviceDate})`,
      detail: `open patient balance ${formatCents(Number(t.expected))} but the journal's patient receivable is ${formatCents(Number(t.journal))}`,
    });
  }

  // Credit lots: what remains of a patient's lots is what the journal holds for them as credit.
  const credits = await sql<{ patientId: string; practiceId: string; remaining: number; journal: number }>`
    select c.patient_id, c.practice_id, c.remaining, coalesce(j.credit, 0) as journal
    from (select patient_id, practice_id, sum(remaining_cents) as remaining from credits group by patient_id, practice_id) c
    left join (select patient_id, -sum(amount_cents) as credit from journal_lines where account = 'patient_credit' group by patient_id) j
      on j.patient_id = c.patient_id
    where c.remaining <> coalesce(j.credit, 0) ${inPractice('c.practice_id')}
    union all
    select j.patient_id, j.practice_id, 0 as remaining, j.credit as journal
    from (select patient_id, practice_id, -sum(amount_cents) as credit from journal_lines where account = 'patient_credit' group by patient_id, practice_id) j
    where j.credit <> 0 and not exists (select 1 from credits c where c.patient_id = j.patient_id) ${inPractice('j.practice_id')}`.execute(db);
  for (const c of credits.rows) {
    problems.push({
      check: 'patient_credit',
      practiceId: c.practiceId,
      entity: `patient ${c.patientId}`,
      detail: `credit lots hold ${formatCents(Number(c.remaining))} but the journal's patient credit is ${formatCents(Number(c.journal))}`,
    });
  }
  problems.push(...(await verifyEntries(db, inPractice)));
  problems.push(...(await verifyInsuranceAccounts(db, inPractice)));
  problems.push(...(await verifyRemittancePayments(db, inPractice)));
  problems.push(...(await verifyCash(db, inPractice)));
  problems.push(...(await verifyPayerBalances(db, inPractice)));
  problems.push(...(await verifyUnidentifiedReceipts(db, inPractice)));
  problems.push(...(await verifyDashboardTotals(db, inPractice)));
  problems.push(...(await verifyPaymentNames(db, inPractice)));
  problems.push(...(await verifyPaymentDays(db, inPractice)));
  return problems;
}

type InPractice = (column: string) => ReturnType<typeof sql>;

/** Which record explains each kind of entry. */
const sourceOfKind: Record<string, string> = {
  payment_received: 'payment',
  credit_applied: 'payment',
  payment_reversed: 'payment',
  refund: 'refund',
  refund_to_credit: 'refund',
  application: 'application',
  unapplication: 'application',
  credit_created: 'credit',
  credit_transferred: 'credit',
  charge: 'treatment',
  remittance: 'remittance_payment',
  dispute_hold: 'processor_dispute',
  dispute_release: 'processor_dispute',
  processor_fee: 'processor_payout_item',
  payer_balance: 'payer_balance_item',
  payer_balance_settled: 'payer_balance_item',
  processor_receipt_held: 'processor_receipt',
  processor_receipt_released: 'processor_receipt',
  processor_receipt_returned: 'processor_receipt_return',
  receipt_dispute_hold: 'processor_receipt',
  receipt_dispute_release: 'processor_receipt',
};
const sourceTables: Record<string, string> = {
  payment: 'payments',
  refund: 'refunds',
  application: 'applications',
  credit: 'credits',
  treatment: 'treatments',
  remittance_payment: 'remittance_payments',
  processor_dispute: 'processor_disputes',
  processor_payout_item: 'processor_payout_items',
  payer_balance_item: 'payer_balance_items',
  processor_receipt: 'processor_receipts',
  processor_receipt_return: 'processor_receipt_returns',
};

/** Where a payer balance item's money comes from, by its source (postings.ts `payerBalance`). */
const payerBalanceCounterAccount = sql.raw(
  `case i.source when 'provider_adjustment' then 'cash_clearing' when 'exception_resolved' then 'remittance_suspense' when 'paid_more_than_billed' then 'contractual_writeoff' else '?' end`,
);

/** PLB reason codes booked as payer balances (domain/remittance/payer-balances.ts), as an SQL list. */
const payerBalancePlb = sql.raw(`(${payerBalancePlbCodes.map((c) => `'${c}'`).join(', ')})`);

/**
 * The lines each kind of entry must have, from its source record (the posting
 * rules of src/domain/ledger/postings.ts, restated in SQL so that a wrong rule
 * and a wrong line are both caught). Each branch yields (entry, account,
 * patient, payment, treatment, amount) with the amount negated; added to the
 * entry's real lines, everything must cancel. A source in a state that explains
 * no entry (a refund not succeeded, an application still active for an
 * unapplication) yields nothing, so the entry's lines stand unexplained.
 */
const expectedLines = sql`
  select e.id as entry_id, 'cash_clearing' as account, p.patient_id as patient, p.id as payment, coalesce(p.treatment_id, '') as treatment, -p.amount_cents as amount
    from journal_entries e join payments p on p.id = e.source_id
    where e.kind = 'payment_received' and p.status in ${collected} and coalesce(p.method, '') <> 'patient_credit'
  union all select e.id, 'patient_unapplied', p.patient_id, p.id, coalesce(p.treatment_id, ''), p.amount_cents
    from journal_entries e join payments p on p.id = e.source_id
    where e.kind = 'payment_received' and p.status in ${collected} and coalesce(p.method, '') <> 'patient_credit'
  union all select e.id, 'patient_credit', p.patient_id, '', '', -p.amount_cents
    from journal_entries e join payments p on p.id = e.source_id
    where e.kind = 'credit_applied' and p.status in ${collected} and p.method = 'patient_credit'
  union all select e.id, 'patient_unapplied', p.patient_id, p.id, coalesce(p.treatment_id, ''), p.amount_cents
    from journal_entries e join payments p on p.id = e.source_id
    where e.kind = 'credit_applied' and p.status in ${collected} and p.method = 'patient_credit'
  union all select e.id, 'patient_unapplied', r.patient_id, r.payment_id, '', -r.amount_cents
    from journal_entries e join refunds r on r.id = e.source_id
    where e.kind = 'refund' and r.status = 'succeeded' and r.method <> 'credit'
  union all select e.id, 'cash_clearing', r.patient_id, r.payment_id, '', r.amount_cents
    from journal_entries e join refunds r on r.id = e.source_id
    where e.kind = 'refund' and r.status = 'succeeded' and r.method <> 'credit'
  union all select e.id, 'patient_unapplied', r.patient_id, r.payment_id, '', -r.amount_cents
    from journal_entries e join refunds r on r.id = e.source_id
    where e.kind = 'refund_to_credit' and r.status = 'succeeded' and r.method = 'credit'
  union all select e.id, 'patient_credit', r.patient_id, '', '', r.amount_cents
    from journal_entries e join refunds r on r.id = e.source_id
    where e.kind = 'refund_to_credit' and r.status = 'succeeded' and r.method = 'credit'
  union all select e.id, 'patient_unapplied', a.patient_id, a.payment_id, '', -a.amount_cents
    from journal_entries e join applications a on a.id = e.source_id where e.kind = 'application'
  union all select e.id, 'patient_receivable', a.patient_id, '', a.treatment_id, a.amount_cents
    from journal_entries e join applications a on a.id = e.source_id where e.kind = 'application'
  union all select e.id, 'patient_receivable', a.patient_id, '', a.treatment_id, -a.amount_cents
    from journal_entries e join applications a on a.id = e.source_id where e.kind = 'unapplication' and a.removed_at is not null
  union all select e.id, 'patient_unapplied', a.patient_id, a.payment_id, '', a.amount_cents
    from journal_entries e join applications a on a.id = e.source_id where e.kind = 'unapplication' and a.removed_at is not null
  union all select e.id, 'credit_adjustment', c.patient_id, '', '', -c.amount_cents
    from journal_entries e join credits c on c.id = e.source_id where e.kind = 'credit_created' and c.source = 'manual'
  union all select e.id, 'patient_credit', c.patient_id, '', '', c.amount_cents
    from journal_entries e join credits c on c.id = e.source_id where e.kind = 'credit_created' and c.source = 'manual'
  union all select e.id, 'patient_credit', f.patient_id, '', '', -c.amount_cents
    from journal_entries e join credits c on c.id = e.source_id join credits f on f.id = c.transferred_from_id
    where e.kind = 'credit_transferred' and c.source = 'transfer'
  union all select e.id, 'patient_credit', c.patient_id, '', '', c.amount_cents
    from journal_entries e join credits c on c.id = e.source_id join credits f on f.id = c.transferred_from_id
    where e.kind = 'credit_transferred' and c.source = 'transfer'
  union all select e.id, case when t.insurance_status = 'self_pay' then 'patient_receivable' else 'insurance_receivable' end, t.patient_id, '', t.id, -t.charge_cents
    from journal_entries e join treatments t on t.id = e.source_id where e.kind = 'charge'
  union all select e.id, 'charges', t.patient_id, '', t.id, t.charge_cents
    from journal_entries e join treatments t on t.id = e.source_id where e.kind = 'charge'
  union all select e.id, 'processor_disputes', d.patient_id, d.payment_id, '', -d.amount_cents
    from journal_entries e join processor_disputes d on d.id = e.source_id where e.kind = 'dispute_hold'
  union all select e.id, 'cash_clearing', d.patient_id, d.payment_id, '', d.amount_cents
    from journal_entries e join processor_disputes d on d.id = e.source_id where e.kind = 'dispute_hold'
  union all select e.id, 'cash_clearing', d.patient_id, d.payment_id, '', -d.amount_cents
    from journal_entries e join processor_disputes d on d.id = e.source_id where e.kind = 'dispute_release' and d.status in ('won', 'lost')
  union all select e.id, 'processor_disputes', d.patient_id, d.payment_id, '', d.amount_cents
    from journal_entries e join processor_disputes d on d.id = e.source_id where e.kind = 'dispute_release' and d.status in ('won', 'lost')
  union all select e.id, 'processor_fees', p.patient_id, i.payment_id, '', -i.fee_cents
    from journal_entries e join processor_payout_items i on i.id = e.source_id join payments p on p.id = i.payment_id
    where e.kind = 'processor_fee' and i.fee_cents > 0
  union all select e.id, 'cash_clearing', p.patient_id, i.payment_id, '', i.fee_cents
    from journal_entries e join processor_payout_items i on i.id = e.source_id join payments p on p.id = i.payment_id
    where e.kind = 'processor_fee' and i.fee_cents > 0
  union all select e.id, 'payer_overpayment', '', '', '', case when i.direction = 'owed_to_payer' then i.amount_cents else -i.amount_cents end
    from journal_entries e join payer_balance_items i on i.id = e.source_id where e.kind = 'payer_balance' and i.booked = 1
  union all select e.id, ${payerBalanceCounterAccount}, '', '', '', case when i.direction = 'owed_to_payer' then -i.amount_cents else i.amount_cents end
    from journal_entries e join payer_balance_items i on i.id = e.source_id where e.kind = 'payer_balance' and i.booked = 1
  union all select e.id, 'payer_overpayment', '', '', '', -i.amount_cents
    from journal_entries e join payer_balance_items i on i.id = e.source_id
    where e.kind = 'payer_balance_settled' and i.settlement = 'refunded' and i.direction = 'owed_to_payer' and i.booked = 1
  union all select e.id, 'cash_clearing', '', '', '', i.amount_cents
    from journal_entries e join payer_balance_items i on i.id = e.source_id
    where e.kind = 'payer_balance_settled' and i.settlement = 'refunded' and i.direction = 'owed_to_payer' and i.booked = 1
  union all select e.id, 'cash_clearing', '', '', '', -r.amount_cents
    from journal_entries e join processor_receipts r on r.id = e.source_id where e.kind = 'processor_receipt_held' and r.status in ('held', 'assigned', 'returned')
  union all select e.id, 'unidentified_receipts', '', '', '', r.amount_cents
    from journal_entries e join processor_receipts r on r.id = e.source_id where e.kind = 'processor_receipt_held' and r.status in ('held', 'assigned', 'returned')
  union all select e.id, 'unidentified_receipts', '', '', '', -(r.amount_cents - r.returned_cents)
    from journal_entries e join processor_receipts r on r.id = e.source_id where e.kind = 'processor_receipt_released' and r.status in ('assigned', 'returned')
  union all select e.id, 'cash_clearing', '', '', '', r.amount_cents - r.returned_cents
    from journal_entries e join processor_receipts r on r.id = e.source_id where e.kind = 'processor_receipt_released' and r.status in ('assigned', 'returned')
  union all select e.id, 'unidentified_receipts', '', '', '', -x.amount_cents
    from journal_entries e join processor_receipt_returns x on x.id = e.source_id where e.kind = 'processor_receipt_returned'
  union all select e.id, 'cash_clearing', '', '', '', x.amount_cents
    from journal_entries e join processor_receipt_returns x on x.id = e.source_id where e.kind = 'processor_receipt_returned'
  union all select e.id, 'processor_disputes', '', '', '', -r.dispute_amount_cents
    from journal_entries e join processor_receipts r on r.id = e.source_id where e.kind = 'receipt_dispute_hold' and r.dispute_status is not null
  union all select e.id, 'cash_clearing', '', '', '', r.dispute_amount_cents
    from journal_entries e join processor_receipts r on r.id = e.source_id where e.kind = 'receipt_dispute_hold' and r.dispute_status is not null
  union all select e.id, 'cash_clearing', '', '', '', -r.dispute_amount_cents
    from journal_entries e join processor_receipts r on r.id = e.source_id where e.kind = 'receipt_dispute_release' and r.dispute_status in ('won', 'lost')
  union all select e.id, 'processor_disputes', '', '', '', r.dispute_amount_cents
    from journal_entries e join processor_receipts r on r.id = e.source_id where e.kind = 'receipt_dispute_release' and r.dispute_status in ('won', 'lost')
  union all select e.id, 'processor_fees', '', '', '', -i.fee_cents
    from journal_entries e join processor_payout_items i on i.id = e.source_id
    where e.kind = 'processor_fee' and i.fee_cents > 0 and i.payment_id is null and i.processor_receipt_id is not null
  union all select e.id, 'cash_clearing', '', '', '', i.fee_cents
    from journal_entries e join processor_payout_items i on i.id = e.source_id
    where e.kind = 'processor_fee' and i.fee_cents > 0 and i.payment_id is null and i.processor_receipt_id is not null`;

/** Accounts a remittance entry may touch; its patient-side lines must name a treatment with a claim in that remittance payment. */
const remittanceAccounts = sql.raw(`('cash_clearing', 'insurance_receivable', 'contractual_writeoff', 'patient_receivable', 'remittance_suspense', 'provider_adjustment')`);

async function verifyEntries(db: Db, inPractice: InPractice): Promise<LedgerProblem[]> {
  const problems: LedgerProblem[] = [];
  const entries = await sql<{ id: string; practiceId: string; kind: string; sourceType: string | null; sourceId: string | null; memo: string | null }>`
    select e.id, e.practice_id, e.kind, e.source_type, e.source_id, e.memo from journal_entries e
    where 1 = 1 ${inPractice('e.practice_id')}
    and (e.source_type is null or e.source_id is null
      ${sql.join(
        Object.entries(sourceTables).map(
          ([type, table]) =>
            sql`or e.source_type = ${type} and not exists (select 1 from ${sql.table(table)} s where s.id = e.source_id and s.practice_id = e.practice_id)`,
        ),
        sql` `,
      )}
      or e.source_type not in (${sql.join(Object.keys(sourceTables))})
      or e.kind not in (${sql.join(Object.keys(sourceOfKind))})
      ${sql.join(
        Object.entries(sourceOfKind).map(([kind, type]) => sql`or e.kind = ${kind} and e.source_type <> ${type}`),
        sql` `,
      )})`.execute(db);
  for (const e of entries.rows) {
    problems.push({
      check: 'entry_source',
      practiceId: e.practiceId,
      entity: `journal entry ${e.id} (${e.kind}${e.memo ? `: ${e.memo}` : ''})`,
      detail: e.sourceType && e.sourceId ? `no ${e.sourceType} ${e.sourceId} of this practice explains a ${e.kind} entry` : 'names no source record',
    });
  }

  // Each record explains at most one entry of each kind (remittance payments explain one per claim and PLB).
  const duplicates = await sql<{ practiceId: string; kind: string; sourceType: string; sourceId: string; n: number; firstId: string; lastId: string }>`
    select practice_id, kind, source_type, source_id, count(*) as n, min(id) as first_id, max(id) as last_id from journal_entries
    where kind <> 'remittance' and source_id is not null ${inPractice('practice_id')}
    group by practice_id, kind, source_type, source_id having count(*) > 1`.execute(db);
  for (const d of duplicates.rows) {
    problems.push({
      check: 'entry_duplicate',
      practiceId: d.practiceId,
      entity: `journal entry ${d.lastId} (${d.kind})`,
      detail: `${d.sourceType} ${d.sourceId} is posted ${Number(d.n)} times as ${d.kind} (also entry ${d.firstId})`,
    });
  }

  const wrongLines = await sql<{ entryId: string; practiceId: string; kind: string; account: string; patient: string; payment: string; treatment: string; off: number }>`
    select x.entry_id, e.practice_id, e.kind, x.account, x.patient, x.payment, x.treatment, sum(x.amount) as off from (
      select l.entry_id, l.account, coalesce(l.patient_id, '') as patient, coalesce(l.payment_id, '') as payment, coalesce(l.treatment_id, '') as treatment, l.amount_cents as amount
      from journal_lines l join journal_entries e on e.id = l.entry_id where e.kind <> 'remittance'
      union all ${expectedLines}
    ) x join journal_entries e on e.id = x.entry_id
    where 1 = 1 ${inPractice('e.practice_id')}
    group by x.entry_id, e.practice_id, e.kind, x.account, x.patient, x.payment, x.treatment
    having sum(x.amount) <> 0
    order by x.entry_id, x.account`.execute(db);
  for (const w of wrongLines.rows) {
    const off = Number(w.off);
    const dims = [w.patient && `patient ${w.patient}`, w.payment && `payment ${w.payment}`, w.treatment && `treatment ${w.treatment}`].filter(Boolean).join(', ');
    problems.push({
      check: 'entry_lines',
      practiceId: w.practiceId,
      entity: `journal entry ${w.entryId} (${w.kind})`,
      detail: `${w.account}${dims ? ` (${dims})` : ''} is ${off > 0 ? 'debited' : 'credited'} ${formatCents(Math.abs(off))} more than its source record explains`,
    });
  }

  const strayRemittanceLines = await sql<{ entryId: string; practiceId: string; account: string; treatmentId: string | null; amountCents: number }>`
    select l.entry_id, e.practice_id, l.account, l.treatment_id, l.amount_cents from journal_lines l join journal_entries e on e.id = l.entry_id
    where e.kind = 'remittance' ${inPractice('e.practice_id')}
    and (l.account not in ${remittanceAccounts}
      or l.account in ('insurance_receivable', 'contractual_writeoff', 'patient_receivable') and not exists (
        select 1 from remittance_claims rc join claims c on c.id = rc.claim_id
        where rc.remittance_payment_id = e.source_id and c.treatment_id = l.treatment_id))`.execute(db);
  for (const l of strayRemittanceLines.rows) {
    problems.push({
      check: 'entry_lines',
      practiceId: l.practiceId,
      entity: `journal entry ${l.entryId} (remittance)`,
      detail: `${formatCents(Number(l.amountCents))} on ${l.account}${l.treatmentId ? ` for treatment ${l.treatmentId}` : ''} is explained by no claim of its remittance payment`,
    });
  }
  return problems;
}

/** Entry ids that put lines on an account for a treatment or a remittance payment, to name them in a problem. */
async function entriesTouching(db: Db, where: { account: string; treatmentId?: string; remittancePaymentId?: string; paymentId?: string }): Promise<string> {
  const rows = await sql<{ entryId: string }>`
    select distinct l.entry_id from journal_lines l join journal_entries e on e.id = l.entry_id
    where l.account = ${where.account}
    ${where.treatmentId ? sql`and l.treatment_id = ${where.treatmentId}` : sql``}
    ${where.paymentId ? sql`and l.payment_id = ${where.paymentId}` : sql``}
    ${where.remittancePaymentId ? sql`and e.source_type = 'remittance_payment' and e.source_id = ${where.remittancePaymentId}` : sql``}
    order by l.entry_id`.execute(db);
  const ids = rows.rows.map((r) => r.entryId);
  if (ids.length === 0) return 'no journal entry';
  return `journal ${ids.length === 1 ? 'entry' : 'entries'} ${ids.slice(0, 8).join(', ')}${ids.length > 8 ? ` and ${ids.length - 8} more` : ''}`;
}

/**
 * Per treatment, from its claims: insurance receivable = what is not yet
 * billed + per claim (billed − paid − adjusted − passed on to the next payer
 * or the patient); contractual write-off = the claims' contractual
 * adjustments; charges = the treatment's charge.
 */
async function verifyInsuranceAccounts(db: Db, inPractice: InPractice): Promise<LedgerProblem[]> {
  const problems: LedgerProblem[] = [];
  const rows = await sql<{
    id: string;
    practiceId: string;
    serviceDate: string;
    claims: number;
    receivable: number;
    expectedReceivable: number;
    writeoff: number;
    expectedWriteoff: number;
    charges: number;
    chargeCents: number;
  }>`
    select t.id, t.practice_id, t.service_date, t.charge_cents, coalesce(c.claims, 0) as claims,
      coalesce(j.receivable, 0) as receivable, coalesce(j.writeoff, 0) as writeoff, coalesce(j.charges, 0) as charges,
      case when t.insurance_status = 'self_pay' then 0 else t.charge_cents - coalesce(c.primary_billed, 0) + coalesce(c.open_cents, 0) end as expected_receivable,
      coalesce(c.contractual, 0) as expected_writeoff
    from treatments t
    left join (
      select treatment_id, count(*) as claims,
        sum(case when coverage_order = 1 then billed_cents else 0 end) as primary_billed,
        sum(billed_cents - paid_cents - contractual_cents - case when status = 'processed' then patient_responsibility_cents else 0 end) as open_cents,
        sum(contractual_cents) as contractual
      from claims where status <> 'cancelled' group by treatment_id
    ) c on c.treatment_id = t.id
    left join (
      select treatment_id,
        sum(case when account = 'insurance_receivable' then amount_cents else 0 end) as receivable,
        sum(case when account = 'contractual_writeoff' then amount_cents else 0 end) as writeoff,
        -sum(case when account = 'charges' then amount_cents else 0 end) as charges
      from journal_lines where treatment_id is not null and account in ('insurance_receivable', 'contractual_writeoff', 'charges') group by treatment_id
    ) j on j.treatment_id = t.id
    where 1 = 1 ${inPractice('t.practice_id')}
    and (coalesce(j.receivable, 0) <> case when t.insurance_status = 'self_pay' then 0 else t.charge_cents - coalesce(c.primary_billed, 0) + coalesce(c.open_cents, 0) end
      or coalesce(j.writeoff, 0) <> coalesce(c.contractual, 0)
      or coalesce(j.charges, 0) <> t.charge_cents)`.execute(db);
  for (const t of rows.rows) {
    const entity = `treatment ${t.id} (${t.serviceDate})`;
    if (Number(t.receivable) !== Number(t.expectedReceivable)) {
      const claims = await db.selectFrom('claims').select('controlNumber').where('treatmentId', '=', t.id).where('status', '<>', 'cancelled').orderBy('coverageOrder').execute();
      problems.push({
        check: 'insurance_receivable',
        practiceId: t.practiceId,
        entity: `${entity}${claims.length ? `, claim ${claims.map((c) => c.controlNumber).join(', ')}` : ''}`,
        detail: `the journal's insurance receivable is ${formatCents(Number(t.receivable))}; billed − paid − adjusted − passed on says ${formatCents(Number(t.expectedReceivable))} (${await entriesTouching(db, { account: 'insurance_receivable', treatmentId: t.id })})`,
      });
    }
    if (Number(t.writeoff) !== Number(t.expectedWriteoff)) {
      problems.push({
        check: 'contractual_writeoff',
        practiceId: t.practiceId,
        entity,
        detail: `the journal's contractual write-off is ${formatCents(Number(t.writeoff))}; the CO adjustments posted on its claims are ${formatCents(Number(t.expectedWriteoff))} (${await entriesTouching(db, { account: 'contractual_writeoff', treatmentId: t.id })})`,
      });
    }
    if (Number(t.charges) !== Number(t.chargeCents)) {
      problems.push({
        check: 'charges',
        practiceId: t.practiceId,
        entity,
        detail: `the journal's charges are ${formatCents(Number(t.charges))}, the visit's charge ${formatCents(Number(t.chargeCents))} (${await entriesTouching(db, { account: 'charges', treatmentId: t.id })})`,
      });
    }
  }
  return problems;
}

/**
 * Per remittance payment (one 835 transaction set): the cash posted is what its
 * claims paid (every claim but a duplicate) less its PLB, and
 * equals BPR02 when the payment balances; suspense holds what its open
 * exceptions paid; provider adjustments are its PLB amounts.
 */
async function verifyRemittancePayments(db: Db, inPractice: InPractice): Promise<LedgerProblem[]> {
  const problems: LedgerProblem[] = [];
  const rows = await sql<{
    id: string;
    practiceId: string;
    traceNumber: string | null;
    controlNumber: string;
    status: string;
    balanced: number;
    paymentCents: number;
    claimsPaid: number;
    exceptionsPaid: number;
    plb: number;
    providerPlb: number;
    payerPlb: number;
    returned: number;
    cash: number;
    suspense: number;
    adjustment: number;
    overpayment: number;
  }>`
    select rp.id, rp.practice_id, rp.trace_number, rp.control_number, rp.status, rp.balanced, rp.payment_cents,
      coalesce(rc.claims_paid, 0) as claims_paid, coalesce(rc.exceptions_paid, 0) as exceptions_paid, coalesce(pa.plb, 0) as plb,
      coalesce(pa.provider_plb, 0) as provider_plb, coalesce(pa.payer_plb, 0) as payer_plb, coalesce(rs.returned, 0) as returned,
      coalesce(j.cash, 0) as cash, coalesce(j.suspense, 0) as suspense, coalesce(j.adjustment, 0) as adjustment, coalesce(j.overpayment, 0) as overpayment
    from remittance_payments rp
    left join (
      select remittance_payment_id,
        -- Every claim of a posted payment brought its CLP04 in (posted, denied, reversed, or held in suspense); only a duplicate did not.
        sum(case when outcome <> 'duplicate' then paid_cents else 0 end) as claims_paid,
        -- Suspense holds what each open exception set aside (a matched or resolved one has left it).
        sum(case when outcome = 'exception' and coalesce(exception_status, 'open') = 'open' then suspense_cents else 0 end) as exceptions_paid
      from remittance_claims group by remittance_payment_id
    ) rc on rc.remittance_payment_id = rp.id
    left join (
      select remittance_payment_id, sum(amount_cents) as plb,
        sum(case when upper(trim(reason_code)) in ${payerBalancePlb} then 0 else amount_cents end) as provider_plb,
        sum(case when upper(trim(reason_code)) in ${payerBalancePlb} then amount_cents else 0 end) as payer_plb
      from provider_adjustments group by remittance_payment_id
    ) pa on pa.remittance_payment_id = rp.id
    left join (
      select remittance_payment_id, sum(case when exception_status = 'resolved' then suspense_cents else 0 end) as returned,
        sum(case when outcome = 'exception' and exception_status = 'matched' then suspense_cents else 0 end) as matched
      from remittance_claims group by remittance_payment_id
    ) rs on rs.remittance_payment_id = rp.id
    left join (
      -- A payer balance item's entry belongs to the remittance payment that brought it.
      select coalesce(i.remittance_payment_id, e.source_id) as remittance_payment_id,
        sum(case when l.account = 'cash_clearing' then l.amount_cents else 0 end) as cash,
        -sum(case when l.account = 'remittance_suspense' then l.amount_cents else 0 end) as suspense,
        sum(case when l.account = 'provider_adjustment' then l.amount_cents else 0 end) as adjustment,
        sum(case when l.account = 'payer_overpayment' and i.source in ('provider_adjustment', 'exception_resolved') then l.amount_cents else 0 end) as overpayment
      from journal_entries e join journal_lines l on l.entry_id = e.id
      left join payer_balance_items i on e.source_type = 'payer_balance_item' and i.id = e.source_id
      -- A refund to the payer is cash of its own (checked line by line), not the remittance payment's.
      where e.source_type in ('remittance_payment', 'payer_balance_item') and e.kind <> 'payer_balance_settled'
      group by coalesce(i.remittance_payment_id, e.source_id)
    ) j on j.remittance_payment_id = rp.id
    where 1 = 1 ${inPractice('rp.practice_id')}`.execute(db);
  for (const rp of rows.rows) {
    const entity = `remittance payment ${rp.traceNumber ?? rp.controlNumber} (${rp.id})`;
    // A duplicate transaction set posts nothing: its claims were posted by the earlier import.
    const posted = rp.status === 'posted';
    const expectedCash = posted ? Number(rp.claimsPaid) - Number(rp.plb) : 0;
    const cash = Number(rp.cash);
    if (cash !== expectedCash) {
      problems.push({
        check: 'remittance_cash',
        practiceId: rp.practiceId,
        entity,
        detail: `cash posted ${formatCents(cash)}, but its claims paid ${formatCents(Number(rp.claimsPaid))} less PLB ${formatCents(Number(rp.plb))} = ${formatCents(expectedCash)} (${await entriesTouching(db, { account: 'cash_clearing', remittancePaymentId: rp.id })})`,
      });
    } else if (posted && Number(rp.balanced) === 1 && cash !== Number(rp.paymentCents)) {
      problems.push({
        check: 'remittance_cash',
        practiceId: rp.practiceId,
        entity,
        detail: `cash posted ${formatCents(cash)} but BPR02 is ${formatCents(Number(rp.paymentCents))} (${await entriesTouching(db, { account: 'cash_clearing', remittancePaymentId: rp.id })})`,
      });
    }
    const expectedSuspense = posted ? Number(rp.exceptionsPaid) : 0;
    if (Number(rp.suspense) !== expectedSuspense) {
      problems.push({
        check: 'remittance_suspense',
        practiceId: rp.practiceId,
        entity,
        detail: `suspense holds ${formatCents(Number(rp.suspense))} but its open exceptions paid ${formatCents(expectedSuspense)} (${await entriesTouching(db, { account: 'remittance_suspense', remittancePaymentId: rp.id })})`,
      });
    }
    const expectedAdjustment = posted ? Number(rp.providerPlb) : 0;
    if (Number(rp.adjustment) !== expectedAdjustment) {
      problems.push({
        check: 'provider_adjustment',
        practiceId: rp.practiceId,
        entity,
        detail: `provider adjustments posted ${formatCents(Number(rp.adjustment))} but its PLB amounts (other than ${payerBalancePlbCodes.join('/')}) sum to ${formatCents(expectedAdjustment)} (${await entriesTouching(db, { account: 'provider_adjustment', remittancePaymentId: rp.id })})`,
      });
    }
    // Debit positive: a PLB the payer withheld is held by the payer; suspense returned to the payer is owed to it.
    const expectedOverpayment = posted ? Number(rp.payerPlb) - Number(rp.returned) : 0;
    if (Number(rp.overpayment) !== expectedOverpayment) {
      problems.push({
        check: 'payer_overpayment',
        practiceId: rp.practiceId,
        entity,
        detail: `payer overpayment posted ${formatCents(Number(rp.overpayment))} but its ${payerBalancePlbCodes.join('/')} PLB less the exceptions resolved to the payer say ${formatCents(expectedOverpayment)}`,
      });
    }
  }
  return problems;
}

/** An entry (alias e) that is a held receipt's dispute, or the fee of a payout item carrying a held receipt: money against no payment by design (ADR 0029). */
const receiptProcessorEntry = sql`(e.kind in ('receipt_dispute_hold', 'receipt_dispute_release')
  or e.kind = 'processor_fee' and exists (select 1 from processor_payout_items i where i.id = e.source_id and i.payment_id is null and i.processor_receipt_id is not null))`;

/**
 * Cash clearing per patient payment = money received (not drawn from credit)
 * − money refunded as money − what the processor holds for its open disputes
 * − the processor's fees on it; processor_disputes per payment = its open
 * disputes; processor_fees per payment = the fees of its payout items; and
 * every cash line is either a patient payment's or a remittance payment's.
 */
async function verifyCash(db: Db, inPractice: InPractice): Promise<LedgerProblem[]> {
  const problems: LedgerProblem[] = [];
  const expected = sql`case when p.status in ${collected} and coalesce(p.method, '') <> 'patient_credit' then p.amount_cents else 0 end
    - coalesce(r.refunded, 0) - coalesce(d.held, 0) - coalesce(f.fees, 0)`;
  const payments = await sql<{ id: string; practiceId: string; number: number; cash: number; expected: number; held: number; heldJournal: number; fees: number; feesJournal: number }>`
    select p.id, p.practice_id, p.number, coalesce(j.cash, 0) as cash, ${expected} as expected,
      coalesce(d.held, 0) as held, coalesce(j.held, 0) as held_journal, coalesce(f.fees, 0) as fees, coalesce(j.fees, 0) as fees_journal
    from payments p
    left join (
      select payment_id,
        sum(case when account = 'cash_clearing' then amount_cents else 0 end) as cash,
        sum(case when account = 'processor_disputes' then amount_cents else 0 end) as held,
        sum(case when account = 'processor_fees' then amount_cents else 0 end) as fees
      from journal_lines where account in ('cash_clearing', 'processor_disputes', 'processor_fees') and payment_id is not null group by payment_id
    ) j on j.payment_id = p.id
    left join (select payment_id, sum(amount_cents) as refunded from refunds where status = 'succeeded' and method <> 'credit' group by payment_id) r
      on r.payment_id = p.id
    left join (select payment_id, sum(amount_cents) as held from processor_disputes where status = 'open' group by payment_id) d
      on d.payment_id = p.id
    left join (select payment_id, sum(fee_cents) as fees from processor_payout_items where payment_id is not null and fee_cents > 0 group by payment_id) f
      on f.payment_id = p.id
    where 1 = 1 ${inPractice('p.practice_id')}
    and (coalesce(j.cash, 0) <> ${expected} or coalesce(j.held, 0) <> coalesce(d.held, 0) or coalesce(j.fees, 0) <> coalesce(f.fees, 0))`.execute(db);
  for (const p of payments.rows) {
    const entity = formatPaymentNumber(Number(p.number));
    if (Number(p.cash) !== Number(p.expected)) {
      problems.push({
        check: 'cash_clearing',
        practiceId: p.practiceId,
        entity,
        detail: `cash clearing holds ${formatCents(Number(p.cash))} for it; received − refunded as money − held in disputes − processor fees is ${formatCents(Number(p.expected))}`,
      });
    }
    if (Number(p.heldJournal) !== Number(p.held)) {
      problems.push({
        check: 'processor_disputes',
        practiceId: p.practiceId,
        entity,
        detail: `processor disputes hold ${formatCents(Number(p.heldJournal))} for it; its open disputes are ${formatCents(Number(p.held))} (${await entriesTouching(db, { account: 'processor_disputes', paymentId: p.id })})`,
      });
    }
    if (Number(p.feesJournal) !== Number(p.fees)) {
      problems.push({
        check: 'processor_fees',
        practiceId: p.practiceId,
        entity,
        detail: `processor fees booked ${formatCents(Number(p.feesJournal))} for it; its payout items' fees are ${formatCents(Number(p.fees))} (${await entriesTouching(db, { account: 'processor_fees', paymentId: p.id })})`,
      });
    }
  }
  // Disputed means a dispute is open on it (ADR 0019); a payment left Disputed after its dispute closed is stuck.
  const strandedDisputed = await sql<{ practiceId: string; number: number }>`
    select p.practice_id, p.number from payments p
    where p.status = 'disputed' ${inPractice('p.practice_id')}
    and not exists (select 1 from processor_disputes d where d.payment_id = p.id and d.status = 'open')`.execute(db);
  for (const p of strandedDisputed.rows) {
    problems.push({
      check: 'payment_status',
      practiceId: p.practiceId,
      entity: formatPaymentNumber(Number(p.number)),
      detail: 'status disputed but no dispute is open on it',
    });
  }
  // Held disputes and fees belong to a payment, or to a dashboard charge still held on unidentified receipts (ADR 0029).
  const strayProcessor = await sql<{ entryId: string; practiceId: string; kind: string; account: string; amountCents: number }>`
    select l.entry_id, e.practice_id, e.kind, l.account, l.amount_cents from journal_lines l join journal_entries e on e.id = l.entry_id
    where l.account in ('processor_disputes', 'processor_fees') and l.payment_id is null ${inPractice('e.practice_id')}
    and not ${receiptProcessorEntry}`.execute(db);
  for (const l of strayProcessor.rows) {
    problems.push({
      check: l.account,
      practiceId: l.practiceId,
      entity: `journal entry ${l.entryId} (${l.kind})`,
      detail: `${formatCents(Number(l.amountCents))} on ${l.account} belongs to no payment`,
    });
  }
  const stray = await sql<{ entryId: string; practiceId: string; kind: string; amountCents: number }>`
    select l.entry_id, e.practice_id, e.kind, l.amount_cents from journal_lines l join journal_entries e on e.id = l.entry_id
    where l.account = 'cash_clearing' and l.payment_id is null and e.kind not in ('remittance', 'payer_balance', 'payer_balance_settled', 'processor_receipt_held', 'processor_receipt_released', 'processor_receipt_returned')
    and not ${receiptProcessorEntry} ${inPractice('e.practice_id')}`.execute(db);
  for (const l of stray.rows) {
    problems.push({
      check: 'cash_clearing',
      practiceId: l.practiceId,
      entity: `journal entry ${l.entryId} (${l.kind})`,
      detail: `${formatCents(Number(l.amountCents))} of cash belongs to no payment and no remittance`,
    });
  }
  // Credit-funded payments are never refunded as money (the Patient Credit guard).
  const creditAsCash = await sql<{ id: string; practiceId: string; number: number; refundId: string }>`
    select p.id, p.practice_id, p.number, r.id as refund_id from refunds r join payments p on p.id = r.payment_id
    where p.method = 'patient_credit' and r.method <> 'credit' and r.status <> 'failed' ${inPractice('p.practice_id')}`.execute(db);
  for (const r of creditAsCash.rows) {
    problems.push({
      check: 'patient_credit_guard',
      practiceId: r.practiceId,
      entity: formatPaymentNumber(Number(r.number)),
      detail: `refund ${r.refundId} pays a Patient Credit payment back as money`,
    });
  }
  return problems;
}

/**
 * payer_overpayment: every booked payer balance item has its entry (the
 * entry's lines are checked against the item with the other entries), and
 * the account's balance per practice is what the open booked items say
 * (owed to payers a credit, owed by payers a debit).
 */
async function verifyPayerBalances(db: Db, inPractice: InPractice): Promise<LedgerProblem[]> {
  const problems: LedgerProblem[] = [];
  const unbooked = await sql<{ id: string; practiceId: string; description: string }>`
    select i.id, i.practice_id, i.description from payer_balance_items i
    where i.booked = 1 ${inPractice('i.practice_id')}
    and not exists (select 1 from journal_entries e where e.source_type = 'payer_balance_item' and e.source_id = i.id and e.kind = 'payer_balance')`.execute(db);
  for (const i of unbooked.rows) {
    problems.push({ check: 'payer_overpayment', practiceId: i.practiceId, entity: `payer balance item ${i.id}`, detail: `has no journal entry: ${i.description}` });
  }
  const unrefunded = await sql<{ id: string; practiceId: string; description: string }>`
    select i.id, i.practice_id, i.description from payer_balance_items i
    where i.booked = 1 and i.settlement = 'refunded' ${inPractice('i.practice_id')}
    and not exists (select 1 from journal_entries e where e.source_type = 'payer_balance_item' and e.source_id = i.id and e.kind = 'payer_balance_settled')`.execute(db);
  for (const i of unrefunded.rows) {
    problems.push({ check: 'payer_overpayment', practiceId: i.practiceId, entity: `payer balance item ${i.id}`, detail: `is settled as refunded but no refund was posted: ${i.description}` });
  }
  const badOffsets = await sql<{ id: string; practiceId: string }>`
    select i.id, i.practice_id from payer_balance_items i left join payer_balance_items o on o.id = i.offset_item_id
    where i.settlement = 'offset' ${inPractice('i.practice_id')}
    and (o.id is null or o.offset_item_id <> i.id or o.settlement <> 'offset' or o.amount_cents <> i.amount_cents or o.direction = i.direction)`.execute(db);
  for (const i of badOffsets.rows) {
    problems.push({ check: 'payer_overpayment', practiceId: i.practiceId, entity: `payer balance item ${i.id}`, detail: 'is settled as an offset without an opposite item of the same amount settled against it' });
  }
  const totals = await sql<{ practiceId: string; journal: number; items: number }>`
    select x.practice_id, sum(x.journal) as journal, sum(x.items) as items from (
      select practice_id, amount_cents as journal, 0 as items from journal_lines where account = 'payer_overpayment'
      union all select practice_id, 0, case when direction = 'owed_to_payer' then -amount_cents else amount_cents end
        from payer_balance_items where booked = 1 and settled_date is null
    ) x where 1 = 1 ${inPractice('x.practice_id')}
    group by x.practice_id having sum(x.journal) <> sum(x.items)`.execute(db);
  for (const t of totals.rows) {
    problems.push({
      check: 'payer_overpayment',
      practiceId: t.practiceId,
      entity: 'payer_overpayment account',
      detail: `the journal holds ${formatCents(Number(t.journal))} but the open payer balance items say ${formatCents(Number(t.items))} (debit: owed by payers; credit: owed to payers)`,
    });
  }
  return problems;
}

/**
 * unidentified_receipts (ADR 0028): per practice, the account holds exactly
 * the receipts still held (a credit); a held, assigned or returned receipt
 * has its holding entry, an assigned or returned one its release, and a
 * booked or assigned one the payment it became. (Each entry's lines are
 * checked against its receipt with the other entries.)
 */
async function verifyUnidentifiedReceipts(db: Db, inPractice: InPractice): Promise<LedgerProblem[]> {
  const problems: LedgerProblem[] = [];
  const hasEntry = (kind: string) => sql`exists (select 1 from journal_entries e where e.source_type = 'processor_receipt' and e.source_id = r.id and e.kind = ${kind})`;
  // Assigned: the rest left the holding account for the payment. Returned: given back whole, by its returns (or, before ADR 0029, one release).
  const notReleased = sql`(r.status = 'assigned' and not ${hasEntry('processor_receipt_released')}
    or r.status = 'returned' and r.returned_cents <> r.amount_cents and not ${hasEntry('processor_receipt_released')})`;
  const returnsDisagree = sql`(r.returned_cents <> coalesce((select sum(x.amount_cents) from processor_receipt_returns x where x.receipt_id = r.id), 0) or r.returned_cents > r.amount_cents)`;
  const disputeUnbooked = sql`(r.dispute_status is not null and not ${hasEntry('receipt_dispute_hold')}
    or r.dispute_status in ('won', 'lost') and not ${hasEntry('receipt_dispute_release')})`;
  const missing = await sql<{ id: string; practiceId: string; processorReference: string; status: string; why: string }>`
    select r.id, r.practice_id, r.processor_reference, r.status, case
        when r.status in ('held', 'assigned', 'returned') and not exists (select 1 from journal_entries e where e.source_type = 'processor_receipt' and e.source_id = r.id and e.kind = 'processor_receipt_held') then 'has no holding entry'
        when ${notReleased} then 'was never released from the holding account'
        when ${returnsDisagree} then 'has given back more or less than its returns say'
        when ${disputeUnbooked} then 'has a dispute whose hold or release is not booked'
        else 'names no payment' end as why
    from processor_receipts r
    where 1 = 1 ${inPractice('r.practice_id')}
    and (r.status in ('held', 'assigned', 'returned') and not exists (select 1 from journal_entries e where e.source_type = 'processor_receipt' and e.source_id = r.id and e.kind = 'processor_receipt_held')
      or ${notReleased} or ${returnsDisagree} or ${disputeUnbooked}
      or r.status in ('booked', 'assigned') and r.payment_id is null)`.execute(db);
  for (const r of missing.rows) {
    problems.push({ check: 'unidentified_receipts', practiceId: r.practiceId, entity: `processor receipt ${r.processorReference}`, detail: `${r.status} but ${r.why}` });
  }
  const totals = await sql<{ practiceId: string; journal: number; held: number }>`
    select x.practice_id, sum(x.journal) as journal, sum(x.held) as held from (
      select practice_id, amount_cents as journal, 0 as held from journal_lines where account = 'unidentified_receipts'
      union all select practice_id, 0, -(amount_cents - returned_cents) from processor_receipts where status = 'held'
    ) x where 1 = 1 ${inPractice('x.practice_id')}
    group by x.practice_id having sum(x.journal) <> sum(x.held)`.execute(db);
  for (const t of totals.rows) {
    problems.push({
      check: 'unidentified_receipts',
      practiceId: t.practiceId,
      entity: 'unidentified_receipts account',
      detail: `the journal holds ${formatCents(-Number(t.journal))} but the receipts held for assignment come to ${formatCents(-Number(t.held))}`,
    });
  }
  return problems;
}

/**
 * dashboard_totals: the running totals the dashboard reads (migration 0022,
 * kept by triggers) equal the payments and refunds they sum, recomputed here.
 */
async function verifyDashboardTotals(db: Db, inPractice: InPractice): Promise<LedgerProblem[]> {
  const problems: LedgerProblem[] = [];
  const compare = (check: string, kept: { practiceId: string; k: string; n: number; amount: number }[], source: typeof kept) => {
    const key = (r: (typeof kept)[number]) => `${r.practiceId}|${r.k}`;
    const want = new Map(source.map((r) => [key(r), r]));
    const seen = new Set<string>();
    for (const r of kept) {
      const s = want.get(key(r));
      seen.add(key(r));
      if (Number(r.n) !== Number(s?.n ?? 0) || Number(r.amount) !== Number(s?.amount ?? 0)) {
        problems.push({ check, practiceId: r.practiceId, entity: r.k, detail: `kept ${Number(r.n)} for ${formatCents(Number(r.amount))}, the rows say ${Number(s?.n ?? 0)} for ${formatCents(Number(s?.amount ?? 0))}` });
      }
    }
    for (const s of source) {
      if (!seen.has(key(s))) problems.push({ check, practiceId: s.practiceId, entity: s.k, detail: `missing: the rows say ${Number(s.n)} for ${formatCents(Number(s.amount))}` });
    }
  };
  const keptPayments = await sql<{ practiceId: string; k: string; n: number; amount: number }>`
    select practice_id, location_id || '/' || status || '/' || cash_method || '/' || paid_month as k, payments as n, amount_cents as amount
    from payment_totals where (payments <> 0 or amount_cents <> 0) ${inPractice('practice_id')}`.execute(db);
  const sourcePayments = await sql<{ practiceId: string; k: string; n: number; amount: number }>`
    select practice_id, k, count(*) as n, sum(amount_cents) as amount from (
      select practice_id, amount_cents, coalesce(location_id, '') || '/' || status || '/'
        || (case when method is not null and method <> 'patient_credit' then 1 else 0 end) || '/' || coalesce(substr(paid_date, 1, 7), '') as k
      from payments where 1 = 1 ${inPractice('practice_id')}) s
    group by practice_id, k`.execute(db);
  compare('dashboard_totals', keptPayments.rows, sourcePayments.rows);
  const keptRefunds = await sql<{ practiceId: string; k: string; n: number; amount: number }>`
    select practice_id, location_id || '/' || hour as k, refunds as n, amount_cents as amount
    from refund_totals where (refunds <> 0 or amount_cents <> 0) ${inPractice('practice_id')}`.execute(db);
  const sourceRefunds = await sql<{ practiceId: string; k: string; n: number; amount: number }>`
    select practice_id, k, count(*) as n, sum(amount_cents) as amount from (
      select p.practice_id, r.amount_cents, coalesce(p.location_id, '') || '/' || substr(coalesce(r.settled_at, r.created_at), 1, 13) as k
      from refunds r join payments p on p.id = r.payment_id
      where r.status = 'succeeded' and r.method <> 'credit' and p.method is not null and p.method <> 'patient_credit' ${inPractice('p.practice_id')}) s
    group by practice_id, k`.execute(db);
  compare('dashboard_totals', keptRefunds.rows, sourceRefunds.rows);
  return problems;
}

/**
 * payment_names: every name a payment carries is in the name dictionary the
 * list's search reads (migration 0027, kept by triggers); a name missing from
 * it would make that payment unfindable by name. payment_name_counts: each
 * name's payment count (migration 0032), the search's total, is the number
 * of payments carrying it.
 */
async function verifyPaymentNames(db: Db, inPractice: InPractice): Promise<LedgerProblem[]> {
  const missing = await sql<{ practiceId: string; patientName: string }>`
    select p.practice_id, p.patient_name from (select distinct practice_id, patient_name from payments where 1 = 1 ${inPractice('practice_id')}) p
    where not exists (select 1 from payment_names n where n.practice_id = p.practice_id and n.patient_name = p.patient_name)
    limit 100`.execute(db);
  const problems: LedgerProblem[] = missing.rows.map((r) => ({ check: 'payment_names', practiceId: r.practiceId, entity: r.patientName, detail: 'payments carry this name but the search dictionary lacks it' }));
  // Each name's count (migration 0032), recounted through the (practice, name) list index: a wrong one is a wrong search total.
  const miscounted = await sql<{ practiceId: string; patientName: string; kept: number; actual: number }>`
    select practice_id, patient_name, kept, actual from (
      select n.practice_id, n.patient_name, n.payments as kept,
        (select count(*) from payments p where p.practice_id = n.practice_id and p.patient_name = n.patient_name) as actual
      from payment_names n where 1 = 1 ${inPractice('n.practice_id')}) c
    where kept <> actual limit 100`.execute(db);
  for (const r of miscounted.rows) {
    problems.push({ check: 'payment_name_counts', practiceId: r.practiceId, entity: r.patientName, detail: `kept ${Number(r.kept)} payments for this name, the payments say ${Number(r.actual)}` });
  }
  return problems;
}

/**
 * payment_days: the payments per practice and day of created_at (migration 0032, kept by triggers) that a
 * deep page of the list skips by; a wrong count would show the wrong rows on that page.
 */
async function verifyPaymentDays(db: Db, inPractice: InPractice): Promise<LedgerProblem[]> {
  const wrong = await sql<{ practiceId: string; day: string; kept: number | null; actual: number | null }>`
    select coalesce(k.practice_id, a.practice_id) as practice_id, coalesce(k.day, a.day) as day, k.payments as kept, a.payments as actual
    from (select practice_id, day, payments from payment_days where payments <> 0 ${inPractice('practice_id')}) k
    full outer join (select practice_id, substr(created_at, 1, 10) as day, count(*) as payments from payments where 1 = 1 ${inPractice('practice_id')} group by 1, 2) a
      on a.practice_id = k.practice_id and a.day = k.day
    where k.payments is null or a.payments is null or k.payments <> a.payments
    limit 100`.execute(db);
  return wrong.rows.map((r) => ({ check: 'payment_days', practiceId: r.practiceId, entity: r.day, detail: `kept ${Number(r.kept ?? 0)} payments created this day, the payments say ${Number(r.actual ?? 0)}` }));
}
