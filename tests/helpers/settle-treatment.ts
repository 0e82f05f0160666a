/**
 * STAND-IN FOR 835 POSTING, for tests written before the remittance importer.
 * Each function does what posting an ERA will do for one claim; replace the
 * callers with real 835 files through POST /remittances once it exists.
 */
import { inTransaction, type Db } from '../../src/db/transaction.ts';
import { nowIso } from '../../src/db/ids.ts';
import { postJournalEntry } from '../../src/db/repositories/journal.ts';
import { transfer } from '../../src/domain/ledger/journal.ts';
import type { Actor } from '../../src/services/actor.ts';
import { settlePatientResponsibility } from '../../src/services/treatments/settle-patient-responsibility.ts';
import { openClaim } from '../../src/services/claims/claims.ts';

/** The payer's answer to a claim: processed on `processedDate` with these amounts. */
export async function markClaimProcessed(
  db: Db,
  claimId: string,
  answer: { processedDate: string; paidCents?: number; contractualCents?: number; patientResponsibilityCents?: number; status?: 'processed' | 'denied' },
) {
  await db
    .updateTable('claims')
    .set({
      status: answer.status ?? 'processed',
      processedDate: answer.processedDate,
      paidCents: answer.paidCents ?? 0,
      contractualCents: answer.contractualCents ?? 0,
      patientResponsibilityCents: answer.patientResponsibilityCents ?? 0,
      updatedAt: nowIso(),
    })
    .where('id', '=', claimId)
    .execute();
}

/** A payer left a remainder (PR, status 19/20/21) and the case has a next coverage: the claim to it. */
export async function forwardToNextPayer(db: Db, actor: Actor, treatmentId: string, coverageOrder: number, billedCents: number) {
  return inTransaction(db, (trx) => openClaim(trx, actor, treatmentId, coverageOrder, billedCents));
}

/**
 * The last payer is done: its PR amount becomes the treatment's patient
 * responsibility (journal: Dr patient_receivable / Cr insurance_receivable),
 * the treatment is settled, and the patient's unapplied funds apply to it
 * first, then to their other balances oldest first — in one transaction.
 */
export async function settleTreatment(db: Db, actor: Actor, treatmentId: string, patientResponsibilityCents: number) {
  await inTransaction(db, async (trx) => {
    const treatment = await trx.selectFrom('treatments').selectAll().where('id', '=', treatmentId).executeTakeFirstOrThrow();
    if (patientResponsibilityCents > 0) {
      await postJournalEntry(trx, actor, {
        kind: 'remittance',
        memo: 'Patient responsibility from remittance (test stand-in)',
        lines: transfer(
          patientResponsibilityCents,
          { account: 'patient_receivable', patientId: treatment.patientId, treatmentId },
          { account: 'insurance_receivable', patientId: treatment.patientId, treatmentId },
        ),
      });
    }
    // What posting does next, through the same service.
    await settlePatientResponsibility(trx, actor, treatment, patientResponsibilityCents);
  });
}
