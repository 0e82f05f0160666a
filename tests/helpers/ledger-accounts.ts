import { sql } from 'kysely';
import type { Db } from '../../src/db/transaction.ts';

export interface PatientAccounts {
  /** Debit positive: money the practice holds for this patient's payments, net of refunds (payer money excluded). */
  cash_clearing: number;
  /** Debit positive: what the patient still owes on visits. */
  patient_receivable: number;
  /** Credit negative: money received and not applied (owed to the patient). */
  patient_unapplied: number;
  /** Credit negative: credit held for the patient. */
  patient_credit: number;
}

/** The journal's balance of each patient account of one patient, summed from the lines (debit positive). */
export async function patientAccounts(db: Db, patientId: string): Promise<PatientAccounts> {
  const rows = await db
    .selectFrom('journalLines')
    .innerJoin('journalEntries', 'journalEntries.id', 'journalLines.entryId')
    .select(['journalLines.account', sql<number>`sum(journal_lines.amount_cents)`.as('total')])
    .where('journalLines.patientId', '=', patientId)
    .where('journalLines.account', 'in', ['cash_clearing', 'patient_receivable', 'patient_unapplied', 'patient_credit'])
    // The payer's cash on a remittance also carries the patient: it is not the patient's money.
    .where((eb) => eb.or([eb('journalLines.account', '!=', 'cash_clearing'), eb('journalEntries.kind', '!=', 'remittance')]))
    .groupBy('journalLines.account')
    .execute();
  const totals = Object.fromEntries(rows.map((r) => [r.account, Number(r.total)]));
  return {
    cash_clearing: totals.cash_clearing ?? 0,
    patient_receivable: totals.patient_receivable ?? 0,
    patient_unapplied: totals.patient_unapplied ?? 0,
    patient_credit: totals.patient_credit ?? 0,
  };
}
