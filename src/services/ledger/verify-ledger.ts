import { sql } from 'kysely';
import type { Db } from '../../db/transaction.ts';
import { formatCents } from '../../domain/money.ts';
import { formatPaymentNumber } from '../../domain/payments/payment-status.ts';

export interface LedgerProblem {
  check: string;
  practiceId: string;
  entity: string;
  detail: string;
}

const collected = sql.raw(`('paid', 'partially_refunded', 'refunded')`);

/**
 * Proves the books balance: every journal entry sums to zero, and every
 * cached total staff see (a payment's refunded and applied amounts, a
 * treatment's open patient balance) equals what the journal says, to the cent.
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
      where e.kind = 'payment_received' and l.account = 'patient_unapplied'
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
    const expectedReceived = ['paid', 'partially_refunded', 'refunded'].includes(p.status) ? Number(p.amountCents) : 0;
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
  return problems;
}
