import { createHash } from 'node:crypto';
import { sql, type Insertable } from 'kysely';
import type { ClaimTable, RemittanceClaimTable } from '../../db/database.ts';
import { deferRow } from '../../db/deferred-rows.ts';
import { newId, nowIso } from '../../db/ids.ts';
import { recordAudit } from '../../db/repositories/audit.ts';
import { postJournalEntry } from '../../db/repositories/journal.ts';
import { enqueueEvent } from '../../db/repositories/outbox.ts';
import type { Trx } from '../../db/transaction.ts';
import { formatCents } from '../../domain/money.ts';
import { checkClaimBalance } from '../../domain/remittance/claim-balance.ts';
import { claimStatusCodes, decideClaimPosting, type ClaimPostingDecision, type ClaimStatusCode } from '../../domain/remittance/decide-claim-posting.ts';
import { claimPaymentJournalLines, type ClaimPaymentMovement } from '../../domain/remittance/remittance-journal-lines.ts';
import type { Claim835 } from '../../x12/index.ts';
import type { Actor } from '../actor.ts';
import { unapplyPayment } from '../applications/apply-payment.ts';
import { readPatientFunds, type PatientFunds } from '../applications/patient-funds.ts';
import { openClaim } from '../claims/claims.ts';
import { settlePatientResponsibility } from '../treatments/settle-patient-responsibility.ts';
import { recordPayerBalanceItem } from './payer-balances.ts';

export type ClaimOutcome = 'posted' | 'denied' | 'reversal' | 'exception' | 'duplicate';

/** Why a claim is an exception or a duplicate: a stable code a work queue can filter on. */
export type ClaimReasonCode =
  | 'no_claim'
  | 'status_not_posted'
  | 'not_ours'
  | 'does_not_balance'
  | 'malformed'
  | 'already_posted'
  | 'already_processed'
  | 'reversal_without_posting'
  | 'reversal_mismatch'
  | 'next_payer_processed'
  | 'posting_failed';

export interface EarlierImport {
  remittanceId: string;
  fileName: string | null;
  importedAt: string;
}

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
  /** For exceptions and duplicates. */
  reasonCode: ClaimReasonCode | null;
  message: string | null;
  /** For duplicates: the import that posted the same claim payment first. */
  duplicateOf: EarlierImport | null;
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
  /** RARC remark codes of the claim (MOA/MIA/LQ), for the denials work list. */
  remarkCodes?: string[];
}

export interface PostingContext {
  remittanceId: string;
  remittancePaymentId: string;
  /** BPR16 (or today): the date the claims count as processed, for the refund review's 45 days. */
  processedDate: string;
  payerName: string | null;
  payerId?: string | null;
  /** What the import read for the whole transaction set (readSetLookups); a posting without it reads for itself. */
  lookups?: SetLookups | undefined;
}

/**
 * What a transaction set's claims need, read for the whole set in five
 * queries instead of five per claim: our claims by control number as they
 * stood before the set (each taken once, by its first CLP: a later CLP of the
 * same claim reads it afresh, after what the earlier one did), the patients'
 * coverage orders (the posting does not change coverages), and the patients'
 * funds (readPatientFunds), which settling claims keep up to date; a step
 * that changes them otherwise (a reversal, a claim rolled back) drops its
 * patient's, to be read afresh.
 */
export interface SetLookups {
  claims: Map<string, ClaimTable | null>;
  coverages: Set<string>;
  funds: Map<string, PatientFunds>;
  /** The CLPs whose claims takeSetClaims took (or, null, whose take the guard refused), before they post. */
  taken: Map<Claim835, SetTake | null>;
}

/** A claim taken for its CLP by the set's one conditional update: the claim as read, and the decision it was taken with. */
interface SetTake {
  claim: ClaimTable;
  decision: ClaimPostingDecision;
}

const coverageKey = (patientId: string, coverageOrder: number) => `${patientId}:${coverageOrder}`;
/** Bound values per IN list: well under either database's limit. */
const LOOKUP_CHUNK = 500;

export async function readSetLookups(trx: Trx, actor: Actor, clps: readonly Claim835[]): Promise<SetLookups> {
  const numbers = [...new Set(clps.map((c) => c.patientControlNumber))];
  const claims = new Map<string, ClaimTable | null>(numbers.map((n) => [n, null]));
  for (let i = 0; i < numbers.length; i += LOOKUP_CHUNK) {
    const rows = await trx
      .selectFrom('claims')
      .selectAll()
      .where('practiceId', '=', actor.practiceId)
      .where('controlNumber', 'in', numbers.slice(i, i + LOOKUP_CHUNK))
      .execute();
    for (const row of rows) claims.set(row.controlNumber, row);
  }
  const patientIds = [...new Set([...claims.values()].flatMap((c) => (c ? [c.patientId] : [])))];
  const coverages = new Set<string>();
  for (let i = 0; i < patientIds.length; i += LOOKUP_CHUNK) {
    const rows = await trx.selectFrom('coverages').select(['patientId', 'coverageOrder']).where('patientId', 'in', patientIds.slice(i, i + LOOKUP_CHUNK)).execute();
    for (const row of rows) coverages.add(coverageKey(row.patientId, row.coverageOrder));
  }
  return { claims, coverages, funds: await readPatientFunds(trx, actor, patientIds), taken: new Map() };
}

/** Rows per set-wise take: 5 bound values a row, well under either database's limit. */
const TAKE_CHUNK = 500;

/**
 * Takes the claims of these CLPs that postClaimPayment would post (processed
 * or denied: postToClaim) in one conditional update per chunk instead of one
 * each: `status = 'submitted'` is still each row's guard, checked from what
 * `returning` names. Only the first CLP of a claim in the set (the one that
 * posts from the set's read), and only claims alone on their treatment among
 * these CLPs (posting one opens the next payer's claim for the treatment,
 * which another claim's status could decide). The caller passes the CLPs up
 * to the next reversal, whose undoing may cancel a claim that follows it.
 * Every decision is the one postToClaim makes, taken from the same facts.
 * A CLP whose posting then fails must have its claim put back
 * (releaseSetTake): the take is outside the claim's savepoint.
 */
export async function takeSetClaims(trx: Trx, clps: readonly Claim835[], context: PostingContext & { lookups: SetLookups }): Promise<void> {
  const { lookups } = context;
  const candidates: Array<{ clp: Claim835; claim: ClaimTable; decision: ClaimPostingDecision }> = [];
  const seen = new Set<string>();
  const perTreatment = new Map<string, number>();
  for (const clp of clps) {
    if (seen.has(clp.patientControlNumber)) continue;
    seen.add(clp.patientControlNumber);
    const claim = lookups.claims.get(clp.patientControlNumber);
    if (!claim || claim.status !== 'submitted') continue;
    const route = routeClaim(clp, claim);
    if (route.kind !== 'post') continue;
    candidates.push({ clp, claim, decision: await decide(trx, clp, claim, route.code, context) });
    perTreatment.set(claim.treatmentId, (perTreatment.get(claim.treatmentId) ?? 0) + 1);
  }
  const taking = candidates.filter((c) => perTreatment.get(c.claim.treatmentId) === 1);
  const updatedAt = nowIso();
  for (let i = 0; i < taking.length; i += TAKE_CHUNK) {
    const chunk = taking.slice(i, i + TAKE_CHUNK);
    const rows = chunk.map(
      ({ claim, decision }) =>
        sql`(${claim.id}, ${decision.kind === 'denied' ? 'denied' : 'processed'}, cast(${decision.paidCents} as bigint), cast(${decision.contractualCents} as bigint), cast(${decision.patientResponsibilityCents} as bigint))`,
    );
    // SQLite has no FOR UPDATE and PostgreSQL's READ COMMITTED re-checks each row after a concurrent commit: the conditional update is the lock, row by row.
    const { rows: took } = await sql<{ id: string }>`
      with taken (id, status, paid_cents, contractual_cents, patient_responsibility_cents) as (values ${sql.join(rows)})
      update claims set status = taken.status, paid_cents = taken.paid_cents, contractual_cents = taken.contractual_cents,
        patient_responsibility_cents = taken.patient_responsibility_cents, processed_date = ${context.processedDate}, updated_at = ${updatedAt}
      from taken where claims.id = taken.id and claims.status = 'submitted'
      returning claims.id`.execute(trx);
    const ids = new Set(took.map((r) => r.id));
    for (const { clp, claim, decision } of chunk) lookups.taken.set(clp, ids.has(claim.id) ? { claim, decision } : null);
  }
}

/**
 * The CLP's posting failed and its savepoint rolled back: a claim the set
 * took for it (outside that savepoint) is put back as it was read, so
 * nothing of the claim stays half-posted.
 */
export async function releaseSetTake(trx: Trx, lookups: SetLookups | undefined, clp: Claim835): Promise<void> {
  const take = lookups?.taken.get(clp);
  if (!take) return;
  lookups!.taken.delete(clp);
  const { claim } = take;
  await trx
    .updateTable('claims')
    .set({ status: claim.status, paidCents: claim.paidCents, contractualCents: claim.contractualCents, patientResponsibilityCents: claim.patientResponsibilityCents, processedDate: claim.processedDate, updatedAt: claim.updatedAt })
    .where('id', '=', claim.id)
    .execute();
}

/** The claim of this control number as the set's lookups hold it, once; undefined when it must be read. */
function takeClaim(lookups: SetLookups | undefined, controlNumber: string): ClaimTable | null | undefined {
  const claim = lookups?.claims.get(controlNumber);
  lookups?.claims.delete(controlNumber);
  return claim;
}

/** The claim payment's content, so a repeat of the same payment is recognised whatever envelope it came in. */
export function claimContentSha256(clp: Claim835): string {
  const content = {
    id: clp.patientControlNumber,
    status: clp.status,
    charge: clp.chargeCents,
    paid: clp.paidCents,
    pr: clp.patientResponsibilityCents,
    payerClaim: clp.payerClaimControlNumber,
    cas: clp.adjustments.map((a) => [a.group, a.reason, a.amountCents]),
    svc: clp.serviceLines.map((l) => [l.procedure.code, l.procedure.modifiers, l.chargeCents, l.paidCents, l.units, l.adjustments.map((a) => [a.group, a.reason, a.amountCents])]),
  };
  return createHash('sha256').update(JSON.stringify(content)).digest('hex');
}

function base(clp: Claim835, claim?: ClaimTable) {
  return {
    patientControlNumber: clp.patientControlNumber,
    statusCode: clp.status,
    claimId: claim?.id ?? null,
    treatmentId: claim?.treatmentId ?? null,
    segmentNumber: clp.segmentNumber,
    duplicateOf: null,
    warnings: [] as string[],
  };
}

export function exception(clp: Claim835, reasonCode: ClaimReasonCode, message: string, claim?: ClaimTable): PostedClaim {
  return {
    ...base(clp, claim),
    outcome: 'exception',
    paidCents: clp.paidCents,
    contractualCents: 0,
    patientResponsibilityCents: clp.patientResponsibilityCents ?? 0,
    forwardedCents: 0,
    toPatientCents: 0,
    reasonCode,
    message,
  };
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

/** The claim's live posting (the one a reversal would undo) and the import that made it. */
async function livePosting(trx: Trx, claimId: string) {
  return trx
    .selectFrom('remittanceClaims as rc')
    .innerJoin('remittances as r', 'r.id', 'rc.remittanceId')
    .select(['rc.id', 'rc.detail', 'rc.contentSha256', 'rc.remittanceId', 'r.fileName', 'r.createdAt as importedAt'])
    .where('rc.postingClaimId', '=', claimId)
    .executeTakeFirst();
}

/**
 * Posts one CLP of an 835 (SPEC section 6), inside the caller's transaction:
 * matched to our claim by CLP01, then processed, denied, reversed, or sent to
 * the exceptions list with its money in suspense — never dropped, never
 * posted twice. The claim is taken by a conditional update (submitted →
 * processed, one row or none) before anything is written, so two imports
 * carrying the same claim at once post it once; the unique live posting per
 * claim backs that up in the schema.
 */
export async function postClaimPayment(trx: Trx, actor: Actor, clp: Claim835, context: PostingContext): Promise<PostedClaim> {
  const contentSha256 = claimContentSha256(clp);
  const known = takeClaim(context.lookups, clp.patientControlNumber);
  const claim =
    known === undefined
      ? await trx.selectFrom('claims').selectAll().where('practiceId', '=', actor.practiceId).where('controlNumber', '=', clp.patientControlNumber).executeTakeFirst()
      : (known ?? undefined);
  const done = (posted: PostedClaim, detail: PostingDetail | null = null) => record(trx, actor, context, clp, contentSha256, posted, detail);
  const route = routeClaim(clp, claim);
  if (route.kind === 'exception') return done(exception(clp, route.reasonCode, route.message, claim));
  if (route.kind === 'reversal') return reverse(trx, actor, clp, claim!, context, contentSha256);
  const posted = await postToClaim(trx, actor, { clp, claim: claim!, code: route.code, context, fundedFrom: 'cash_clearing' });
  if (!posted) return alreadyPosted(trx, clp, claim!, contentSha256, done);
  return done(posted.result, posted.detail);
}

/** What postClaimPayment does with a CLP and the claim it names, before any write: an exception, a reversal, or a posting (postToClaim). */
function routeClaim(
  clp: Claim835,
  claim: ClaimTable | undefined,
): { kind: 'exception'; reasonCode: ClaimReasonCode; message: string } | { kind: 'reversal' } | { kind: 'post'; code: Exclude<ClaimStatusCode, '22' | '23'> } {
  const refuse = (reasonCode: ClaimReasonCode, message: string) => ({ kind: 'exception' as const, reasonCode, message });
  if (clp.problem) {
    const which = clp.patientControlNumber === '' ? 'A claim with no control number' : claim ? `Claim ${clp.patientControlNumber}` : `Claim ${clp.patientControlNumber} (no claim of ours)`;
    const what = clp.status === '22' ? `${which}: a reversal that cannot be posted` : `${which} cannot be posted`;
    return refuse('malformed', `${what}: ${clp.problem.message} (segment ${clp.problem.segmentNumber ?? clp.segmentNumber}).`);
  }
  if (!claim) return refuse('no_claim', `No claim of ours has control number ${clp.patientControlNumber}.`);
  if (!(claimStatusCodes as readonly string[]).includes(clp.status)) return refuse('status_not_posted', `Claim status ${clp.status} is not one we post; review it by hand.`);
  const code = clp.status as ClaimStatusCode;
  // The claim stays with us as submitted: no posting, no processed date, so the refund review's clock does not start.
  if (code === '23') return refuse('not_ours', 'The payer says this is not its claim (status 23); bill the right payer.');
  const balance = checkClaimBalance({ ...clp, serviceLines: clp.serviceLines });
  if (!balance.balanced) return refuse('does_not_balance', balance.message!);
  if (code === '22') return { kind: 'reversal' };
  return { kind: 'post', code };
}

function claimAdjustments(clp: Claim835) {
  return [
    ...clp.adjustments.map((a) => ({ group: a.group, reason: a.reason, amountCents: a.amountCents, level: 'claim' as const })),
    ...clp.serviceLines.flatMap((line) => line.adjustments.map((a) => ({ group: a.group, reason: a.reason, amountCents: a.amountCents, level: 'line' as const }))),
  ];
}

/** The one rule's decision for a claim payment (the next coverage from the set's lookups, or read). */
async function decide(trx: Trx, clp: Claim835, claim: ClaimTable, code: Exclude<ClaimStatusCode, '22' | '23'>, context: PostingContext): Promise<ClaimPostingDecision> {
  const next = context.lookups
    ? context.lookups.coverages.has(coverageKey(claim.patientId, claim.coverageOrder + 1))
    : await trx.selectFrom('coverages').select('coverageOrder').where('patientId', '=', claim.patientId).where('coverageOrder', '=', claim.coverageOrder + 1).executeTakeFirst();
  return decideClaimPosting({
    claimStatusCode: code,
    chargeCents: clp.chargeCents,
    paidCents: clp.paidCents,
    adjustments: claimAdjustments(clp),
    coverageOrder: claim.coverageOrder as 1 | 2 | 3,
    hasNextCoverage: Boolean(next) && claim.coverageOrder < 3,
  });
}

/**
 * THE claim posting (SPEC section 6), used by the import and by matching an
 * exception: decides by the one rule, takes the claim (submitted → processed
 * or denied, one row or none), writes the rule's journal lines with the
 * payer's money taken from `fundedFrom` (cash as it arrives; suspense when a
 * biller matches an exception), passes PR to the next coverage or settles it
 * as patient responsibility (unapplied funds then apply), and records a
 * payer balance when the payer paid more than was billed. Undefined when the
 * claim was no longer submitted: nothing was written.
 */
export async function postToClaim(
  trx: Trx,
  actor: Actor,
  input: { clp: Claim835; claim: ClaimTable; code: Exclude<ClaimStatusCode, '22' | '23'>; context: PostingContext; fundedFrom: 'cash_clearing' | 'remittance_suspense' },
): Promise<{ result: PostedClaim; detail: PostingDetail } | undefined> {
  const { clp, claim, code, context } = input;
  const adjustments = claimAdjustments(clp);
  // Taken already by the set's one update (takeSetClaims), with the decision made from the same facts; null: its guard refused.
  const setTake = context.lookups?.taken.get(clp);
  let decision: ClaimPostingDecision;
  if (setTake !== undefined) {
    if (setTake === null) return undefined;
    if (setTake.claim !== claim) throw new Error(`Claim ${claim.controlNumber} was taken by its set for another read of it.`);
    decision = setTake.decision;
  } else {
    decision = await decide(trx, clp, claim, code, context);
    // SQLite has no FOR UPDATE and PostgreSQL's READ COMMITTED re-checks the row after a concurrent commit: the conditional update is the lock.
    const taken = await trx
      .updateTable('claims')
      .set({
        status: decision.kind === 'denied' ? 'denied' : 'processed',
        paidCents: decision.paidCents,
        contractualCents: decision.contractualCents,
        patientResponsibilityCents: decision.patientResponsibilityCents,
        processedDate: context.processedDate,
        updatedAt: nowIso(),
      })
      .where('id', '=', claim.id)
      .where('status', '=', 'submitted')
      .executeTakeFirst();
    if (Number(taken.numUpdatedRows) !== 1) return undefined;
  }

  const detail: PostingDetail = {
    paidCents: decision.paidCents,
    contractualCents: decision.contractualCents,
    patientResponsibilityCents: decision.patientResponsibilityCents,
    forwardedCents: decision.forwardToNextPayerCents,
    toPatientCents: decision.toPatientCents,
    nextClaimId: null,
    adjustments,
    serviceLines: clp.serviceLines.map((l) => ({ code: l.procedure.code, modifiers: l.procedure.modifiers, chargeCents: l.chargeCents, paidCents: l.paidCents, units: l.units })),
    remarkCodes: clp.remarkCodes ?? [],
  };
  const lines = claimPaymentJournalLines(decision, { patientId: claim.patientId, treatmentId: claim.treatmentId, fundedFrom: input.fundedFrom });
  if (lines.length > 0) {
    const how = input.fundedFrom === 'remittance_suspense' ? ' matched from suspense' : '';
    await postJournalEntry(trx, actor, { kind: 'remittance', source: { type: 'remittance_payment', id: context.remittancePaymentId }, memo: `835 ${context.payerName ?? ''} claim ${claim.controlNumber} status ${code}${how}`.trim(), lines });
  }

  if (decision.kind === 'processed') {
    if (detail.forwardedCents > 0) {
      // The remainder passes to the next coverage: a claim to it, for what this payer left.
      const nextClaim = await openClaim(trx, actor, claim.treatmentId, claim.coverageOrder + 1, detail.forwardedCents);
      detail.nextClaimId = nextClaim.id;
    } else {
      await settlePatientResponsibility(trx, actor, { id: claim.treatmentId, patientId: claim.patientId }, detail.toPatientCents, context.lookups?.funds);
    }
    // Paid beyond the charge: the rule wrote the excess off as a negative adjustment; it is the payer's money, owed back within 60 days.
    const overpaidCents = Math.min(clp.paidCents - clp.chargeCents, -decision.contractualCents);
    if (overpaidCents > 0) {
      await recordPayerBalanceItem(trx, actor, {
        payerName: context.payerName,
        payerId: context.payerId ?? null,
        direction: 'owed_to_payer',
        amountCents: overpaidCents,
        source: 'paid_more_than_billed',
        remittancePaymentId: context.remittancePaymentId,
        reference: claim.controlNumber,
        description: `Claim ${claim.controlNumber} was paid ${formatCents(clp.paidCents)} for a charge of ${formatCents(clp.chargeCents)}: ${formatCents(overpaidCents)} overpaid.`,
        counterAccount: 'contractual_writeoff',
      });
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
  return {
    result: {
      ...base(clp, claim),
      outcome: decision.kind === 'denied' ? 'denied' : 'posted',
      paidCents: detail.paidCents,
      contractualCents: detail.contractualCents,
      patientResponsibilityCents: detail.patientResponsibilityCents,
      forwardedCents: detail.forwardedCents,
      toPatientCents: detail.toPatientCents,
      reasonCode: null,
      message: decision.kind === 'denied' ? 'Denied by the payer: review the claim.' : null,
      warnings: decision.warnings,
    },
    detail,
  };
}

/**
 * The claim was no longer submitted when we came to take it. The same claim
 * payment with no money is a duplicate; with money it is a second payment
 * the practice holds in suspense; different content must follow a reversal.
 */
async function alreadyPosted(
  trx: Trx,
  clp: Claim835,
  claim: ClaimTable,
  contentSha256: string,
  done: (posted: PostedClaim) => Promise<PostedClaim>,
): Promise<PostedClaim> {
  const live = await livePosting(trx, claim.id);
  const current = await trx.selectFrom('claims').select('status').where('id', '=', claim.id).executeTakeFirstOrThrow();
  if (live && live.contentSha256 === contentSha256) {
    const earlier: EarlierImport = { remittanceId: live.remittanceId, fileName: live.fileName, importedAt: live.importedAt };
    const by = `import ${earlier.fileName ?? earlier.remittanceId} of ${earlier.importedAt.slice(0, 10)}`;
    if (clp.paidCents === 0) {
      return done({ ...exception(clp, 'already_posted', `Already posted by ${by}.`, claim), outcome: 'duplicate', duplicateOf: earlier });
    }
    return done({
      ...exception(clp, 'already_posted', `Claim ${claim.controlNumber} was already posted by ${by}; this payment pays it again, so its ${formatCents(clp.paidCents)} is held in suspense.`, claim),
      duplicateOf: earlier,
    });
  }
  return done(exception(clp, 'already_processed', `Claim ${claim.controlNumber} is already ${current.status}; a corrected payment must follow a reversal (status 22).`, claim));
}

/**
 * Status 22: undoes the live posting of the claim exactly (its journal lines
 * negated, the patient responsibility it set taken back, the next payer's
 * claim it opened cancelled), so the corrected payment that follows posts
 * afresh. Taking the live posting is conditional too: two reversals of one
 * posting undo it once.
 */
async function reverse(trx: Trx, actor: Actor, clp: Claim835, claim: ClaimTable, context: PostingContext, contentSha256: string): Promise<PostedClaim> {
  const done = (posted: PostedClaim, detail: PostingDetail | null = null) => record(trx, actor, context, clp, contentSha256, posted, detail);
  // A reversal changes what the patient owes and has applied (and holds the visit's money again): their funds are read afresh when next needed.
  context.lookups?.funds.delete(claim.patientId);
  const original = await livePosting(trx, claim.id);
  if (!original) return done(exception(clp, 'reversal_without_posting', `A reversal of claim ${claim.controlNumber}, which has no payment posted to reverse.`, claim));
  const detail = JSON.parse(original.detail) as PostingDetail;
  // The payer takes back what its CLP04 says (that is the cash in BPR02): one that is not what the live posting paid undoes nothing exactly, so its money waits in suspense.
  if (clp.paidCents !== -detail.paidCents) {
    return done(
      exception(
        clp,
        'reversal_mismatch',
        `A reversal of claim ${claim.controlNumber} for ${formatCents(clp.paidCents)}, but the payment posted for it is ${formatCents(detail.paidCents)}: it does not undo that posting, so its money waits in suspense.`,
        claim,
      ),
    );
  }
  if (detail.nextClaimId) {
    const nextClaim = await trx.selectFrom('claims').selectAll().where('id', '=', detail.nextClaimId).executeTakeFirstOrThrow();
    if (nextClaim.status !== 'submitted' && nextClaim.status !== 'cancelled') {
      return done(exception(clp, 'next_payer_processed', `The next payer already processed claim ${nextClaim.controlNumber}; reverse that first.`, claim));
    }
  }
  const released = await trx
    .updateTable('remittanceClaims')
    .set({ outcome: 'reversed', postingClaimId: null })
    .where('id', '=', original.id)
    .where('postingClaimId', '=', claim.id)
    .executeTakeFirst();
  if (Number(released.numUpdatedRows) !== 1) {
    return done(exception(clp, 'reversal_without_posting', `A reversal of claim ${claim.controlNumber}, whose payment another import has just reversed.`, claim));
  }
  if (detail.nextClaimId) {
    await trx.updateTable('claims').set({ status: 'cancelled', updatedAt: nowIso() }).where('id', '=', detail.nextClaimId).execute();
  }
  if (detail.toPatientCents !== 0) await lowerPatientResponsibility(trx, actor, claim.treatmentId, detail.toPatientCents);
  const undo: ClaimPaymentMovement = { kind: 'reversal', paidCents: -detail.paidCents, contractualCents: -detail.contractualCents, toPatientCents: -detail.toPatientCents };
  const lines = claimPaymentJournalLines(undo, { patientId: claim.patientId, treatmentId: claim.treatmentId });
  if (lines.length > 0) {
    await postJournalEntry(trx, actor, { kind: 'remittance', source: { type: 'remittance_payment', id: context.remittancePaymentId }, memo: `835 reversal of claim ${claim.controlNumber}`, lines });
  }
  await trx
    .updateTable('claims')
    .set({ status: 'submitted', paidCents: 0, contractualCents: 0, patientResponsibilityCents: 0, processedDate: null, updatedAt: nowIso() })
    .where('id', '=', claim.id)
    .execute();
  await trx.updateTable('treatments').set({ insuranceStatus: 'awaiting' }).where('id', '=', claim.treatmentId).execute();
  await recordAudit(trx, actor, { action: 'claim.reversed', entityType: 'treatment', entityId: claim.treatmentId, before: { claimId: claim.id, ...detail, adjustments: undefined, serviceLines: undefined }, after: { claimId: claim.id, status: 'submitted' } });
  await enqueueEvent(trx, actor.practiceId, 'claim.reversed', { claimId: claim.id, treatmentId: claim.treatmentId });
  return done(
    {
      ...base(clp, claim),
      outcome: 'reversal',
      paidCents: -detail.paidCents,
      contractualCents: -detail.contractualCents,
      patientResponsibilityCents: -detail.patientResponsibilityCents,
      forwardedCents: -detail.forwardedCents,
      toPatientCents: -detail.toPatientCents,
      reasonCode: null,
      message: 'Reversal: the earlier posting was undone; a corrected payment can post again.',
    },
    { ...detail, paidCents: -detail.paidCents, contractualCents: -detail.contractualCents, patientResponsibilityCents: -detail.patientResponsibilityCents, forwardedCents: -detail.forwardedCents, toPatientCents: -detail.toPatientCents, nextClaimId: null },
  );
}

/** A claim of a transaction set whose content was already posted: recorded, nothing moves. */
export async function recordDuplicateClaim(trx: Trx, actor: Actor, clp: Claim835, context: PostingContext, earlier: EarlierImport): Promise<PostedClaim> {
  const posted: PostedClaim = {
    ...exception(clp, 'already_posted', `Already posted by import ${earlier.fileName ?? earlier.remittanceId} of ${earlier.importedAt.slice(0, 10)}.`),
    outcome: 'duplicate',
    duplicateOf: earlier,
  };
  return record(trx, actor, context, clp, claimContentSha256(clp), posted, null);
}

/** A claim that could not be posted for a reason of ours: an exception holding its money, so the rest of the payment posts. */
export async function recordClaimException(trx: Trx, actor: Actor, clp: Claim835, context: PostingContext, reasonCode: ClaimReasonCode, message: string): Promise<PostedClaim> {
  return record(trx, actor, context, clp, claimContentSha256(clp), exception(clp, reasonCode, message), null);
}

async function record(
  trx: Trx,
  actor: Actor,
  context: PostingContext,
  clp: Claim835,
  contentSha256: string,
  posted: PostedClaim,
  detail: PostingDetail | null,
): Promise<PostedClaim> {
  const isException = posted.outcome === 'exception';
  if (isException) {
    // The payer's money for an exception still arrived with the payment: it waits in suspense, so the cash matches BPR02.
    const lines = claimPaymentJournalLines({ kind: 'exception', paidCents: clp.paidCents, contractualCents: 0, toPatientCents: 0 });
    if (lines.length > 0) {
      await postJournalEntry(trx, actor, { kind: 'remittance', source: { type: 'remittance_payment', id: context.remittancePaymentId }, memo: `835 exception ${clp.patientControlNumber}: held in suspense`, lines });
    }
  }
  const row: Insertable<RemittanceClaimTable> = {
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
    // An exception keeps the claim as read, so a biller's match later posts it by the same rule.
    detail: JSON.stringify(detail ?? { adjustments: clp.adjustments, serviceLines: clp.serviceLines.length, remarkCodes: clp.remarkCodes ?? [], claim: isException ? clp : undefined }),
    outcome: posted.outcome,
    message: posted.message,
    segmentNumber: clp.segmentNumber,
    // Unique: a second live posting of one claim cannot be stored, whatever raced.
    postingClaimId: posted.outcome === 'posted' || posted.outcome === 'denied' ? posted.claimId : null,
    contentSha256,
    exceptionStatus: isException ? 'open' : null,
    reasonCode: posted.reasonCode,
    suspenseCents: isException ? clp.paidCents : 0,
    duplicateOfRemittanceId: posted.duplicateOf?.remittanceId ?? null,
    createdAt: nowIso(),
  };
  // An import writes its set's claim records together (deferred-rows.ts); a claim's live posting is read back only after they are written.
  if (!deferRow(trx, 'remittanceClaims', row)) await trx.insertInto('remittanceClaims').values(row).execute();
  return posted;
}
