import type { ClaimTable } from '../../db/database.ts';
import { newId, nowIso } from '../../db/ids.ts';
import { recordAudit } from '../../db/repositories/audit.ts';
import { postJournalEntry } from '../../db/repositories/journal.ts';
import { enqueueEvent } from '../../db/repositories/outbox.ts';
import type { Trx } from '../../db/transaction.ts';
import type { JournalLine } from '../../domain/ledger/journal.ts';
import { claimStatusCodes, decideClaimPosting, type ClaimStatusCode } from '../../domain/remittance/decide-claim-posting.ts';
import type { Claim835 } from '../../x12/index.ts';
import type { Actor } from '../actor.ts';
import { unapplyPayment } from '../applications/apply-payment.ts';
import { openClaim } from '../claims/claims.ts';
import { settlePatientResponsibility } from '../treatments/settle-patient-responsibility.ts';

export type ClaimOutcome = 'posted' | 'denied' | 'reversal' | 'exception';

export interface PostedClaim {
  outcome: ClaimOutcome;
  patientControlNumber: string;
  statusCode: string;
  claimId: string | null;
  treatmentId: string | null;
  paidCents: number;
  contractualCents: number;
  patientResponsibilityCents: number;
  /** What passed to the next payer, or became the patient's. */
  forwardedCents: number;
  toPatientCents: number;
  message: string | null;
  segmentNumber: number;
  warnings: string[];
}

/** What a posting moved, kept on the remittance claim so a reversal can undo exactly that. */
interface PostingDetail {
  paidCents: number;
  contractualCents: number;
  patientResponsibilityCents: number;
  forwardedCents: number;
  toPatientCents: number;
  nextClaimId: string | null;
  adjustments: Array<{ group: string; reason: string; amountCents: number; level: 'claim' | 'line' }>;
  serviceLines: Array<{ code: string; modifiers: string[]; chargeCents: number; paidCents: number; units: number | null }>;
}

export interface PostingContext {
  remittanceId: string;
  remittancePaymentId: string;
  /** BPR16 (or today): the date the claims count as processed, for the refund review's 45 days. */
  processedDate: string;
  payerName: string | null;
}

function exception(clp: Claim835, message: string, claim?: ClaimTable): PostedClaim {
  return {
    outcome: 'exception',
    patientControlNumber: clp.patientControlNumber,
    statusCode: clp.status,
    claimId: claim?.id ?? null,
    treatmentId: claim?.treatmentId ?? null,
    paidCents: clp.paidCents,
    contractualCents: 0,
    patientResponsibilityCents: clp.patientResponsibilityCents ?? 0,
    forwardedCents: 0,
    toPatientCents: 0,
    message,
    segmentNumber: clp.segmentNumber,
    warnings: [],
  };
}

/** Remittance money for one treatment: cash from the payer, write-offs, and what moves to the patient. */
function remittanceLines(claim: ClaimTable, d: { paidCents: number; contractualCents: number; toPatientCents: number }): JournalLine[] {
  const dims = { patientId: claim.patientId, treatmentId: claim.treatmentId };
  const lines: JournalLine[] = [];
  const take = (account: JournalLine['account'], amount: number) => {
    if (amount === 0) return;
    lines.push({ account, amountCents: amount, ...dims });
    lines.push({ account: 'insurance_receivable', amountCents: -amount, ...dims });
  };
  take('cash_clearing', d.paidCents);
  take('contractual_writeoff', d.contractualCents);
  take('patient_receivable', d.toPatientCents);
  return lines;
}

/** Lowers a treatment's patient responsibility, first taking back applications beyond it (newest first) so it never goes below what is applied. */
async function lowerPatientResponsibility(trx: Trx, actor: Actor, treatmentId: string, byCents: number) {
  const treatment = await trx.selectFrom('treatments').select(['patientResponsibilityCents', 'appliedCents']).where('id', '=', treatmentId).executeTakeFirstOrThrow();
  let excess = treatment.appliedCents - (treatment.patientResponsibilityCents - byCents);
  if (excess > 0) {
    const applications = await trx
      .selectFrom('applications')
      .select(['id', 'amountCents'])
      .where('treatmentId', '=', treatmentId)
      .where('removedAt', 'is', null)
      .orderBy('createdAt', 'desc')
      .orderBy('id', 'desc')
      .execute();
    for (const application of applications) {
      if (excess <= 0) break;
      await unapplyPayment(trx, actor, application.id);
      excess -= Number(application.amountCents);
    }
  }
  await trx
    .updateTable('treatments')
    .set((eb) => ({ patientResponsibilityCents: eb('patientResponsibilityCents', '-', byCents) }))
    .where('id', '=', treatmentId)
    .execute();
}

/**
 * Posts one CLP of an 835 (SPEC section 6), inside the caller's transaction
 * (one per transaction set): matched to our claim by CLP01, then processed,
 * denied, reversed, or sent to the exceptions list — never dropped.
 */
export async function postClaimPayment(trx: Trx, actor: Actor, clp: Claim835, context: PostingContext): Promise<PostedClaim> {
  const claim = await trx
    .selectFrom('claims')
    .selectAll()
    .where('practiceId', '=', actor.practiceId)
    .where('controlNumber', '=', clp.patientControlNumber)
    .executeTakeFirst();
  if (!claim) return record(trx, actor, context, clp, exception(clp, `No claim of ours has control number ${clp.patientControlNumber}.`), null);
  if (!(claimStatusCodes as readonly string[]).includes(clp.status)) {
    return record(trx, actor, context, clp, exception(clp, `Claim status ${clp.status} is not one we post; review it by hand.`, claim), null);
  }
  const code = clp.status as ClaimStatusCode;
  if (code === '23') {
    return record(trx, actor, context, clp, exception(clp, 'The payer says this is not its claim (status 23); bill the right payer.', claim), null);
  }
  if (code === '22') return reverse(trx, actor, clp, claim, context);
  if (claim.status !== 'submitted') {
    return record(trx, actor, context, clp, exception(clp, `Claim ${claim.controlNumber} is already ${claim.status}; a corrected payment must follow a reversal (status 22).`, claim), null);
  }

  const adjustments = [
    ...clp.adjustments.map((a) => ({ group: a.group, reason: a.reason, amountCents: a.amountCents, level: 'claim' as const })),
    ...clp.serviceLines.flatMap((line) => line.adjustments.map((a) => ({ group: a.group, reason: a.reason, amountCents: a.amountCents, level: 'line' as const }))),
  ];
  const next = await trx
    .selectFrom('coverages')
    .select('coverageOrder')
    .where('patientId', '=', claim.patientId)
    .where('coverageOrder', '=', claim.coverageOrder + 1)
    .executeTakeFirst();
  const decision = decideClaimPosting({
    claimStatusCode: code,
    chargeCents: clp.chargeCents,
    paidCents: clp.paidCents,
    adjustments,
    coverageOrder: claim.coverageOrder as 1 | 2 | 3,
    hasNextCoverage: Boolean(next) && claim.coverageOrder < 3,
  });
  const detail: PostingDetail = {
    paidCents: decision.paidCents,
    contractualCents: decision.kind === 'denied' ? 0 : decision.contractualCents,
    patientResponsibilityCents: decision.kind === 'denied' ? 0 : decision.patientResponsibilityCents,
    forwardedCents: decision.kind === 'denied' ? 0 : decision.forwardToNextPayerCents,
    toPatientCents: decision.kind === 'denied' ? 0 : decision.toPatientCents,
    nextClaimId: null,
    adjustments,
    serviceLines: clp.serviceLines.map((l) => ({ code: l.procedure.code, modifiers: l.procedure.modifiers, chargeCents: l.chargeCents, paidCents: l.paidCents, units: l.units })),
  };
  const lines = remittanceLines(claim, detail);
  if (lines.length > 0) {
    await postJournalEntry(trx, actor, { kind: 'remittance', source: { type: 'remittance_payment', id: context.remittancePaymentId }, memo: `835 ${context.payerName ?? ''} claim ${claim.controlNumber} status ${code}`.trim(), lines });
  }
  await trx
    .updateTable('claims')
    .set({
      status: decision.kind === 'denied' ? 'denied' : 'processed',
      paidCents: detail.paidCents,
      contractualCents: detail.contractualCents,
      patientResponsibilityCents: detail.patientResponsibilityCents,
      processedDate: context.processedDate,
      updatedAt: nowIso(),
    })
    .where('id', '=', claim.id)
    .execute();

  if (decision.kind === 'processed') {
    if (detail.forwardedCents > 0) {
      // The remainder passes to the next coverage: a claim to it, for what this payer left.
      const nextClaim = await openClaim(trx, actor, claim.treatmentId, claim.coverageOrder + 1, detail.forwardedCents);
      detail.nextClaimId = nextClaim.id;
    } else {
      await settlePatientResponsibility(trx, actor, { id: claim.treatmentId, patientId: claim.patientId }, detail.toPatientCents);
    }
  }
  await recordAudit(trx, actor, {
    action: `claim.${decision.kind}`,
    entityType: 'treatment',
    entityId: claim.treatmentId,
    before: { claimId: claim.id, status: claim.status },
    after: { claimId: claim.id, statusCode: code, ...detail, adjustments: undefined, serviceLines: undefined },
  });
  await enqueueEvent(trx, actor.practiceId, `claim.${decision.kind}`, { claimId: claim.id, treatmentId: claim.treatmentId, paidCents: detail.paidCents, patientResponsibilityCents: detail.toPatientCents });
  const posted: PostedClaim = {
    outcome: decision.kind === 'denied' ? 'denied' : 'posted',
    patientControlNumber: clp.patientControlNumber,
    statusCode: code,
    claimId: claim.id,
    treatmentId: claim.treatmentId,
    paidCents: detail.paidCents,
    contractualCents: detail.contractualCents,
    patientResponsibilityCents: detail.patientResponsibilityCents,
    forwardedCents: detail.forwardedCents,
    toPatientCents: detail.toPatientCents,
    message: decision.kind === 'denied' ? 'Denied by the payer: review the claim.' : null,
    segmentNumber: clp.segmentNumber,
    warnings: decision.warnings,
  };
  return record(trx, actor, context, clp, posted, detail);
}

/**
 * Status 22: undoes the last posting of the claim exactly (its journal lines
 * negated, the patient responsibility it set taken back, the next payer's
 * claim it opened cancelled), so the corrected payment that follows posts
 * afresh.
 */
async function reverse(trx: Trx, actor: Actor, clp: Claim835, claim: ClaimTable, context: PostingContext): Promise<PostedClaim> {
  const original = await trx
    .selectFrom('remittanceClaims')
    .selectAll()
    .where('claimId', '=', claim.id)
    .where('outcome', 'in', ['posted', 'denied'])
    .orderBy('createdAt', 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirst();
  if (!original) return record(trx, actor, context, clp, exception(clp, 'A reversal of a payment we never posted.', claim), null);
  const detail = JSON.parse(original.detail) as PostingDetail;
  if (detail.nextClaimId) {
    const nextClaim = await trx.selectFrom('claims').selectAll().where('id', '=', detail.nextClaimId).executeTakeFirstOrThrow();
    if (nextClaim.status !== 'submitted' && nextClaim.status !== 'cancelled') {
      return record(trx, actor, context, clp, exception(clp, `The next payer already processed claim ${nextClaim.controlNumber}; reverse that first.`, claim), null);
    }
    await trx.updateTable('claims').set({ status: 'cancelled', updatedAt: nowIso() }).where('id', '=', nextClaim.id).execute();
  }
  if (detail.toPatientCents !== 0) await lowerPatientResponsibility(trx, actor, claim.treatmentId, detail.toPatientCents);
  const lines = remittanceLines(claim, { paidCents: -detail.paidCents, contractualCents: -detail.contractualCents, toPatientCents: -detail.toPatientCents });
  if (lines.length > 0) {
    await postJournalEntry(trx, actor, { kind: 'remittance', source: { type: 'remittance_payment', id: context.remittancePaymentId }, memo: `835 reversal of claim ${claim.controlNumber}`, lines });
  }
  await trx
    .updateTable('claims')
    .set({ status: 'submitted', paidCents: 0, contractualCents: 0, patientResponsibilityCents: 0, processedDate: null, updatedAt: nowIso() })
    .where('id', '=', claim.id)
    .execute();
  await trx.updateTable('treatments').set({ insuranceStatus: 'awaiting' }).where('id', '=', claim.treatmentId).execute();
  await trx.updateTable('remittanceClaims').set({ outcome: 'reversed' }).where('id', '=', original.id).execute();
  await recordAudit(trx, actor, { action: 'claim.reversed', entityType: 'treatment', entityId: claim.treatmentId, before: { claimId: claim.id, ...detail, adjustments: undefined, serviceLines: undefined }, after: { claimId: claim.id, status: 'submitted' } });
  await enqueueEvent(trx, actor.practiceId, 'claim.reversed', { claimId: claim.id, treatmentId: claim.treatmentId });
  return record(
    trx,
    actor,
    context,
    clp,
    {
      outcome: 'reversal',
      patientControlNumber: clp.patientControlNumber,
      statusCode: clp.status,
      claimId: claim.id,
      treatmentId: claim.treatmentId,
      paidCents: -detail.paidCents,
      contractualCents: -detail.contractualCents,
      patientResponsibilityCents: -detail.patientResponsibilityCents,
      forwardedCents: -detail.forwardedCents,
      toPatientCents: -detail.toPatientCents,
      message: 'Reversal: the earlier posting was undone; a corrected payment can post again.',
      segmentNumber: clp.segmentNumber,
      warnings: [],
    },
    { ...detail, paidCents: -detail.paidCents, contractualCents: -detail.contractualCents, patientResponsibilityCents: -detail.patientResponsibilityCents, forwardedCents: -detail.forwardedCents, toPatientCents: -detail.toPatientCents, nextClaimId: null },
  );
}

async function record(trx: Trx, actor: Actor, context: PostingContext, clp: Claim835, posted: PostedClaim, detail: PostingDetail | null): Promise<PostedClaim> {
  if (posted.outcome === 'exception' && clp.paidCents !== 0) {
    // The payer's money for an exception still arrived with the payment: it waits in suspense, so the cash matches BPR02.
    await postJournalEntry(trx, actor, {
      kind: 'remittance',
      source: { type: 'remittance_payment', id: context.remittancePaymentId },
      memo: `835 exception ${clp.patientControlNumber}: held in suspense`,
      lines: [
        { account: 'cash_clearing', amountCents: clp.paidCents },
        { account: 'remittance_suspense', amountCents: -clp.paidCents },
      ],
    });
  }
  await trx
    .insertInto('remittanceClaims')
    .values({
      id: newId(),
      practiceId: actor.practiceId,
      remittanceId: context.remittanceId,
      remittancePaymentId: context.remittancePaymentId,
      claimId: posted.claimId,
      patientControlNumber: clp.patientControlNumber,
      statusCode: clp.status,
      chargeCents: clp.chargeCents,
      paidCents: clp.paidCents,
      patientResponsibilityCents: clp.patientResponsibilityCents ?? 0,
      contractualCents: posted.contractualCents,
      detail: JSON.stringify(detail ?? { adjustments: clp.adjustments, serviceLines: clp.serviceLines.length }),
      outcome: posted.outcome,
      message: posted.message,
      segmentNumber: clp.segmentNumber,
      createdAt: nowIso(),
    })
    .execute();
  return posted;
}

