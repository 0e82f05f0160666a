import { sql } from 'kysely';
import type { ArAging, ArAgingPatientRow, ArAgingPayerRow } from '../../contracts/ledger.ts';
import type { Db } from '../../db/transaction.ts';
import { addToAging, emptyAging, sumAging, type AgingTotals } from '../../domain/ledger/aging.ts';
import { toCents } from '../../domain/money.ts';
import type { Actor } from '../actor.ts';
import { practiceDate } from '../practices/practice-settings.ts';
import { journalCutoff } from './trial-balance.ts';

const NOT_BILLED = 'Not yet billed';

/**
 * The practice's A/R aging (issue 14 item 3): patient A/R per patient (the
 * patient_receivable account) and insurance A/R per payer (insurance_receivable),
 * each visit's open amount aged from its date of service, from the journal as
 * of a day — the same entries the trial balance sums, so the totals over every
 * location equal its two receivable accounts to the cent.
 */
export async function arAging(db: Db, actor: Actor, query: { asOf?: string | undefined; locationId?: string | undefined }): Promise<ArAging> {
  // Without a day, every entry so far (as the trial balance without asOf), aged to today in the practice's calendar.
  const asOf = query.asOf ?? (await practiceDate(db, actor.practiceId));
  const open = await sql<{ account: string; patientId: string | null; treatmentId: string | null; serviceDate: string | null; locationId: string | null; total: number }>`
    select l.account, l.patient_id as "patientId", l.treatment_id as "treatmentId", t.service_date as "serviceDate", t.location_id as "locationId", sum(l.amount_cents) as total
    from journal_lines l
    join journal_entries e on e.id = l.entry_id
    left join treatments t on t.id = l.treatment_id
    where l.practice_id = ${actor.practiceId}
      and l.account in ('patient_receivable', 'insurance_receivable')
      ${query.asOf ? sql`and e.created_at < ${journalCutoff(query.asOf)}` : sql``}
      ${query.locationId ? sql`and t.location_id = ${query.locationId}` : sql``}
    group by l.account, l.patient_id, l.treatment_id, t.service_date, t.location_id`.execute(db);
  const rows = open.rows.map((r) => ({ ...r, total: toCents(r.total) })).filter((r) => r.total !== 0);

  // Patient A/R, per patient.
  const byPatient = new Map<string, AgingTotals>();
  for (const r of rows.filter((r) => r.account === 'patient_receivable')) {
    const key = r.patientId ?? '';
    byPatient.set(key, addToAging(byPatient.get(key) ?? emptyAging(), r.serviceDate, asOf, r.total));
  }
  const patientIds = [...byPatient.keys()].filter(Boolean);
  const names = new Map(
    (patientIds.length ? await db.selectFrom('patients').select(['id', 'firstName', 'lastName', 'accountId']).where('practiceId', '=', actor.practiceId).where('id', 'in', patientIds).execute() : []).map((p) => [p.id, p]),
  );
  const patients: ArAgingPatientRow[] = [...byPatient].map(([patientId, aging]) => {
    const p = names.get(patientId);
    return { patientId, patientName: p ? `${p.lastName}, ${p.firstName}` : 'Unknown patient', accountId: p?.accountId ?? '', ...aging };
  });

  // Insurance A/R, per payer: a visit's receivable is owed by its latest claim as of the day, else not yet billed.
  const insured = rows.filter((r) => r.account === 'insurance_receivable');
  const treatmentIds = [...new Set(insured.map((r) => r.treatmentId).filter((id): id is string => id !== null))];
  let claimQuery = db
    .selectFrom('claims')
    .select(['treatmentId', 'payerName', 'payerId', 'coverageOrder', 'createdAt'])
    .where('practiceId', '=', actor.practiceId)
    .where('status', '!=', 'cancelled')
    .orderBy('coverageOrder')
    .orderBy('createdAt');
  if (query.asOf) claimQuery = claimQuery.where('createdAt', '<', journalCutoff(query.asOf));
  const claims = treatmentIds.length ? await claimQuery.where('treatmentId', 'in', treatmentIds).execute() : [];
  const holder = new Map<string, { payerName: string; payerId: string }>();
  for (const c of claims) holder.set(c.treatmentId, { payerName: c.payerName, payerId: c.payerId });
  const byPayer = new Map<string, { payerName: string; payerId: string | null; aging: AgingTotals }>();
  for (const r of insured) {
    const payer = (r.treatmentId && holder.get(r.treatmentId)) || { payerName: NOT_BILLED, payerId: null };
    const key = `${payer.payerId ?? ''}\u0000${payer.payerName}`;
    const entry = byPayer.get(key) ?? { ...payer, aging: emptyAging() };
    addToAging(entry.aging, r.serviceDate, asOf, r.total);
    byPayer.set(key, entry);
  }
  const payers: ArAgingPayerRow[] = [...byPayer.values()].map(({ payerName, payerId, aging }) => ({ payerName, payerId, ...aging }));

  const largestFirst = <T extends { totalCents: number }>(a: T, b: T) => b.totalCents - a.totalCents;
  patients.sort((a, b) => largestFirst(a, b) || a.patientName.localeCompare(b.patientName));
  payers.sort((a, b) => largestFirst(a, b) || a.payerName.localeCompare(b.payerName));
  return {
    asOf,
    locationId: query.locationId ?? null,
    patients,
    patientTotals: sumAging([...byPatient.values()]),
    payers,
    insuranceTotals: sumAging([...byPayer.values()].map((p) => p.aging)),
  };
}
