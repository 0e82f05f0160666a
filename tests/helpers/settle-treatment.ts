/**
 * STAND-IN FOR 835 POSTING, for tests written before the remittance importer.
 * Each function does what posting an ERA does for one claim — the claim's
 * figures, a remittance payment and remittance claim as their source record,
 * and the journal lines — so that `ledger verify` can explain every line.
 * Replace the callers with real 835 files through POST /remittances.
 */
import { randomUUID } from 'node:crypto';
import { inTransaction, type Db } from '../../src/db/transaction.ts';
import { newId, nowIso } from '../../src/db/ids.ts';
import { postJournalEntry } from '../../src/db/repositories/journal.ts';
import type { JournalLine } from '../../src/domain/ledger/journal.ts';
import type { Actor } from '../../src/services/actor.ts';
import { settlePatientResponsibility } from '../../src/services/treatments/settle-patient-responsibility.ts';
import { openClaim } from '../../src/services/claims/claims.ts';

/** The payer's answer to a claim: processed on `processedDate` with these amounts, paid in a one-claim remittance. */
export async function markClaimProcessed(
  db: Db,
  claimId: string,
  answer: { processedDate: string; paidCents?: number; contractualCents?: number; patientResponsibilityCents?: number; status?: 'processed' | 'denied' },
) {
  const paidCents = answer.paidCents ?? 0;
  const contractualCents = answer.contractualCents ?? 0;
  const patientResponsibilityCents = answer.patientResponsibilityCents ?? 0;
  await inTransaction(db, async (trx) => {
    const claim = await trx.selectFrom('claims').selectAll().where('id', '=', claimId).executeTakeFirstOrThrow();
    const actor: Actor = { practiceId: claim.practiceId, kind: 'system', id: 'test-era', name: 'Test ERA', role: 'admin' };
    await trx
      .updateTable('claims')
      .set({ status: answer.status ?? 'processed', processedDate: answer.processedDate, paidCents, contractualCents, patientResponsibilityCents, updatedAt: nowIso() })
      .where('id', '=', claimId)
      .execute();
    const now = nowIso();
    const remittanceId = newId();
    const remittancePaymentId = newId();
    await trx
      .insertInto('remittances')
      .values({ id: remittanceId, practiceId: claim.practiceId, fileSha256: randomUUID(), fileName: 'test stand-in', fileBytes: 0, claimCount: 1, postedCount: 1, exceptionCount: 0, duplicateCount: 0, warnings: '[]', createdAt: now, createdBy: actor.name })
      .execute();
    await trx
      .insertInto('remittancePayments')
      .values({ id: remittancePaymentId, practiceId: claim.practiceId, remittanceId, controlNumber: '0001', payerName: claim.payerName, payerId: claim.payerId, traceNumber: randomUUID(), paymentCents: paidCents, paymentDate: answer.processedDate, providerAdjustmentCents: 0, balanced: 1, status: 'posted', message: null, createdAt: now })
      .execute();
    await trx
      .insertInto('remittanceClaims')
      .values({
        id: newId(),
        practiceId: claim.practiceId,
        remittanceId,
        remittancePaymentId,
        claimId,
        patientControlNumber: claim.controlNumber,
        statusCode: answer.status === 'denied' ? '4' : '1',
        chargeCents: claim.billedCents,
        paidCents,
        patientResponsibilityCents,
        contractualCents,
        detail: JSON.stringify({ paidCents, contractualCents, patientResponsibilityCents, adjustments: [], serviceLines: [] }),
        outcome: answer.status === 'denied' ? 'denied' : 'posted',
        message: null,
        segmentNumber: null,
        postingClaimId: claimId,
        contentSha256: null,
        exceptionStatus: null,
        reasonCode: null,
        suspenseCents: 0,
        duplicateOfRemittanceId: null,
        createdAt: now,
      })
      .execute();
    const dims = { patientId: claim.patientId, treatmentId: claim.treatmentId };
    const lines: JournalLine[] = [];
    for (const [account, amount] of [['cash_clearing', paidCents], ['contractual_writeoff', contractualCents]] as const) {
      if (amount === 0) continue;
      lines.push({ account, amountCents: amount, ...dims }, { account: 'insurance_receivable', amountCents: -amount, ...dims });
    }
    if (lines.length > 0) {
      await postJournalEntry(trx, actor, { kind: 'remittance', source: { type: 'remittance_payment', id: remittancePaymentId }, memo: 'Remittance (test stand-in)', lines });
    }
  });
}

/** A payer left a remainder (PR, status 19/20/21) and the case has a next coverage: the claim to it. */
export async function forwardToNextPayer(db: Db, actor: Actor, treatmentId: string, coverageOrder: number, billedCents: number) {
  return inTransaction(db, (trx) => openClaim(trx, actor, treatmentId, coverageOrder, billedCents));
}

/**
 * The last payer is done: its PR amount becomes the treatment's patient
 * responsibility (journal: Dr patient_receivable / Cr insurance_receivable,
 * explained by that payer's remittance), the treatment is settled, and the
 * patient's unapplied funds apply to it first, then to their other balances
 * oldest first — in one transaction.
 */
export async function settleTreatment(db: Db, actor: Actor, treatmentId: string, patientResponsibilityCents: number) {
  await inTransaction(db, async (trx) => {
    const treatment = await trx.selectFrom('treatments').selectAll().where('id', '=', treatmentId).executeTakeFirstOrThrow();
    if (patientResponsibilityCents > 0) {
      const last = await trx
        .selectFrom('remittanceClaims')
        .innerJoin('claims', 'claims.id', 'remittanceClaims.claimId')
        .select('remittanceClaims.remittancePaymentId')
        .where('claims.treatmentId', '=', treatmentId)
        .orderBy('claims.coverageOrder', 'desc')
        .executeTakeFirstOrThrow();
      const dims = { patientId: treatment.patientId, treatmentId };
      await postJournalEntry(trx, actor, {
        kind: 'remittance',
        source: { type: 'remittance_payment', id: last.remittancePaymentId },
        memo: 'Patient responsibility from remittance (test stand-in)',
        lines: [
          { account: 'patient_receivable', amountCents: patientResponsibilityCents, ...dims },
          { account: 'insurance_receivable', amountCents: -patientResponsibilityCents, ...dims },
        ],
      });
    }
    // What posting does next, through the same service.
    await settlePatientResponsibility(trx, actor, treatment, patientResponsibilityCents);
  });
}
