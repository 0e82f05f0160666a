import { AppError } from '../errors.ts';
import { formatCents, isCents, type Cents } from '../money.ts';
import { describeClaimStatus, POSTABLE_CLAIM_STATUS_CODES, type ClaimStatus835 } from './claim-status.ts';

/**
 * CLP02 codes posting acts on (SPEC section 6), from the one claim-status
 * table: 1/2/3 processed as primary/secondary/tertiary, 19/20/21 the same and
 * forwarded, 4 denied, 22 reversal of a previous payment, 23 not our claim.
 */
export const claimStatusCodes = POSTABLE_CLAIM_STATUS_CODES as readonly ClaimStatusCode[];
export type ClaimStatusCode = Extract<ClaimStatus835, '1' | '2' | '3' | '4' | '19' | '20' | '21' | '22' | '23'>;

/** CAS01 group codes. CR is 4010's "corrections and reversals"; 5010 files no longer send it. */
export const adjustmentGroups = ['CO', 'PR', 'OA', 'PI', 'CR'] as const;
export type AdjustmentGroup = (typeof adjustmentGroups)[number];

export interface ClaimAdjustment {
  group: AdjustmentGroup;
  /** CARC, e.g. '45' (charge exceeds fee schedule), '1' (deductible), '2' (coinsurance). */
  reason: string;
  /** As the 835 states it: negative in reversals and corrections. */
  amountCents: Cents;
}

/** One CLP of an 835, with what the case says about coverage. */
export interface ClaimPaymentFacts {
  claimStatusCode: ClaimStatusCode;
  /** CLP03. */
  chargeCents: Cents;
  /** CLP04. */
  paidCents: Cents;
  /** Claim- and service-level CAS together. */
  adjustments: readonly ClaimAdjustment[];
  /** The order of the coverage our claim went to: 1 primary, 2 secondary, 3 tertiary. */
  coverageOrder: 1 | 2 | 3;
  /** Whether the case has a coverage after this one. */
  hasNextCoverage: boolean;
}

export type ClaimPostingKind = 'processed' | 'denied' | 'reversal' | 'not_ours';

/**
 * What to post for a claim payment. The `…Cents` fields other than
 * `adjustmentTotals`, `priorPayerCents` and `unbalancedCents` are what moves;
 * each is negative in a reversal.
 */
export interface ClaimPostingDecision {
  kind: ClaimPostingKind;
  /** Cash from the payer. */
  paidCents: Cents;
  /** Written off the claim: CO + PI + CR + OA except OA-23. */
  contractualCents: Cents;
  /** Sum of the PR adjustments that move: what the payer leaves to the patient side. */
  patientResponsibilityCents: Cents;
  /** The PR amount when the case has a next coverage: it becomes the next claim's receivable. */
  forwardToNextPayerCents: Cents;
  /** The PR amount when there is no next coverage: it becomes the patient's responsibility. */
  toPatientCents: Cents;
  /** Settled on this claim (paid + contractual + PR; zero for not ours). Forwarded PR stays receivable, from the next payer. */
  resolvedCents: Cents;
  /** OA-23, "impact of prior payer adjudication": already posted on the earlier claim, so recorded only. */
  priorPayerCents: Cents;
  /** Every adjustment as reported, by group, whether or not it moves. */
  adjustmentTotals: Record<AdjustmentGroup, Cents>;
  /** CLP03 − CLP04 − all CAS: zero in a well-formed 835. */
  unbalancedCents: Cents;
  /** 19/20/21 (and 23): the payer sent the claim on to the next payer itself. */
  payerForwarded: boolean;
  /** Denials and not-our-claim answers wait for a biller instead of posting adjustments. */
  needsReview: boolean;
  warnings: string[];
}

/**
 * CARC 23, "the impact of prior payer(s) adjudication including payments
 * and/or adjustments", is defined for use with group OA only. So only OA-23
 * restates a prior payer's share; a CO-23 or PI-23 is read by its group (a
 * write-off the payer imposes) and warned about, never skipped as prior-payer.
 */
const PRIOR_PAYER_REASON = '23';

/**
 * The posting rules for one claim payment under coordination of benefits.
 *
 * - Processed (1/2/3/19/20/21) and reversal (22): cash is the paid amount;
 *   CO, PI, CR and OA (other than OA-23) are written off; PR goes to the next
 *   coverage when the case has one, else to the patient. A reversal states the
 *   original amounts negated, so the same rules undo the original posting
 *   (`hasNextCoverage` must be what it was when the original was posted).
 * - OA-23 restates what the earlier payer already settled; writing it off
 *   again would take the prior payer's share off this claim twice.
 * - Denied (4): only the paid amount (normally zero) moves; the claim stays in
 *   insurance receivable for the biller to appeal, correct or write off.
 * - Not ours (23): nothing settles the claim; money that came with it is
 *   held in suspense (see `claimPaymentJournalLines`).
 */
export function decideClaimPosting(facts: ClaimPaymentFacts): ClaimPostingDecision {
  checkFacts(facts);
  const code = facts.claimStatusCode;
  const warnings: string[] = [];

  const adjustmentTotals: Record<AdjustmentGroup, Cents> = { CO: 0, PR: 0, OA: 0, PI: 0, CR: 0 };
  let priorPayerCents = 0;
  for (const adjustment of facts.adjustments) {
    adjustmentTotals[adjustment.group] += adjustment.amountCents;
    if (adjustment.reason.trim() !== PRIOR_PAYER_REASON) continue;
    if (adjustment.group === 'OA') priorPayerCents += adjustment.amountCents;
    else warnings.push(`${adjustment.group}-23 of ${formatCents(adjustment.amountCents)}: reason 23 (prior payer) belongs with group OA; posted as ${adjustment.group}`);
  }
  const allAdjustments = Object.values(adjustmentTotals).reduce((s, v) => s + v, 0);
  const unbalancedCents = facts.chargeCents - facts.paidCents - allAdjustments;
  if (unbalancedCents !== 0) {
    warnings.push(`Claim does not balance by ${formatCents(unbalancedCents)} (charge − paid − adjustments)`);
  }

  const status = describeClaimStatus(code);
  const kind = status.kind as ClaimPostingKind;
  const base = {
    kind,
    priorPayerCents,
    adjustmentTotals,
    unbalancedCents,
    payerForwarded: status.forwarded,
    warnings,
  };

  if (kind === 'not_ours') {
    // Nothing settles the claim; any money that came with the answer is held in suspense, not taken as payment.
    return { ...base, ...moving(facts.paidCents, 0, 0, facts.hasNextCoverage), resolvedCents: 0, needsReview: true };
  }
  if (kind === 'denied') {
    if (facts.paidCents !== 0) warnings.push('A denied claim carries a payment; the payment is posted');
    return { ...base, ...moving(facts.paidCents, 0, 0, facts.hasNextCoverage), needsReview: true };
  }

  const expectedOrder = status.payerOrder;
  if (expectedOrder !== null && expectedOrder !== facts.coverageOrder) {
    warnings.push(`Payer processed the claim as coverage ${expectedOrder}; it was sent as coverage ${facts.coverageOrder}`);
  }
  if (kind === 'reversal' && facts.paidCents > 0) {
    warnings.push('A reversal carries a positive payment; reversals normally state negative amounts');
  }
  if (kind === 'processed' && facts.paidCents < 0) {
    warnings.push('A processed claim carries a negative payment');
  }
  const contractualCents =
    adjustmentTotals.CO + adjustmentTotals.PI + adjustmentTotals.CR + adjustmentTotals.OA - priorPayerCents;
  return {
    ...base,
    ...moving(facts.paidCents, contractualCents, adjustmentTotals.PR, facts.hasNextCoverage),
    needsReview: false,
  };
}

function moving(paidCents: Cents, contractualCents: Cents, patientResponsibilityCents: Cents, hasNextCoverage: boolean) {
  return {
    paidCents,
    contractualCents,
    patientResponsibilityCents,
    forwardToNextPayerCents: hasNextCoverage ? patientResponsibilityCents : 0,
    toPatientCents: hasNextCoverage ? 0 : patientResponsibilityCents,
    resolvedCents: paidCents + contractualCents + patientResponsibilityCents,
  };
}

function checkFacts(facts: ClaimPaymentFacts): void {
  if (!(claimStatusCodes as readonly string[]).includes(facts.claimStatusCode)) {
    throw new AppError('validation_failed', `Unknown claim status code ${String(facts.claimStatusCode)}`);
  }
  if (![1, 2, 3].includes(facts.coverageOrder)) {
    throw new AppError('validation_failed', `Coverage order must be 1, 2 or 3, got ${String(facts.coverageOrder)}`);
  }
  if (facts.coverageOrder === 3 && facts.hasNextCoverage) {
    throw new AppError('validation_failed', 'A tertiary coverage has no next coverage');
  }
  if (!isCents(facts.chargeCents) || !isCents(facts.paidCents)) {
    throw new AppError('invalid_amount', 'Charge and paid amounts must be whole cents');
  }
  for (const adjustment of facts.adjustments) {
    if (!(adjustmentGroups as readonly string[]).includes(adjustment.group)) {
      throw new AppError('validation_failed', `Unknown adjustment group ${String(adjustment.group)}`);
    }
    if (!isCents(adjustment.amountCents)) {
      throw new AppError('invalid_amount', `Adjustment ${adjustment.group}-${adjustment.reason} must be whole cents`);
    }
  }
}
