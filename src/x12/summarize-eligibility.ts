import type { Benefit271, Eligibility271, Member271 } from './eligibility-271.ts';

/** What the payment estimate (SPEC section 8) needs from a 271, in network. */
export interface EligibilitySummary {
  /** Some active-coverage EB (EB01 1–5) applies to the service type, and no AAA rejected the member. */
  active: boolean;
  /** The member whose benefits were read: the dependent when the 271 has one, else the subscriber. */
  memberLevel: 'subscriber' | 'dependent' | null;
  /** The service type the figures were chosen for. */
  serviceType: string;
  /** EB*B, EB07. */
  copayCents?: number;
  /** EB*A, EB08 in basis points (20 % = 2000), as `coinsuranceBasisPoints` in the estimate. */
  coinsuranceBasisPoints?: number;
  /** EB*C with a plan period (EB06 23 calendar year, 22 service year, 25 contract…). */
  deductibleTotalCents?: number;
  /** EB*C with EB06 29 (remaining). */
  deductibleRemainingCents?: number;
  /** EB*G with a plan period. */
  oopTotalCents?: number;
  /** EB*G with EB06 29. */
  oopRemainingCents?: number;
  /** AAA03 of every rejection in the transaction set. */
  rejectionReasons: string[];
}

export interface SummarizeEligibilityOptions {
  /** EB03 service type to prefer (98 office visit, 30 health benefit plan coverage…). Default '30'. */
  serviceType?: string;
  /** Read this member instead of the default (the dependent when there is one). */
  member?: 'subscriber' | 'dependent';
}

const ACTIVE_CODES: ReadonlySet<string> = new Set(['1', '2', '3', '4', '5']);
const REMAINING_PERIOD = '29';
/** Periods that state a plan's whole deductible or out-of-pocket maximum, most useful first. */
const TOTAL_PERIODS = ['23', '22', '25', '21', '26', '32'];

/**
 * Picks, for the member and service type, the figures the estimate uses.
 *
 * Which EB counts, when several could (best first, ties to the earliest):
 * 1. its service types (EB03) include the requested one; then 30 (the plan
 *    as a whole); then an EB with no service type. EBs only for other
 *    service types are not used: a specialist or ER copay is not an office
 *    visit copay.
 * 2. in network (EB12 Y), then W (applies either way), then not stated.
 *    Out-of-network (N) EBs are never used.
 * 3. individual coverage (EB02 IND or absent) before family.
 * 4. for totals, the period order calendar year, service year, contract,
 *    years, episode, lifetime.
 * A figure the 271 does not give is left out, not guessed.
 */
export function summarizeEligibility(
  eligibility: Eligibility271,
  options: SummarizeEligibilityOptions = {},
): EligibilitySummary {
  const serviceType = options.serviceType ?? '30';
  const member = pickMember(eligibility.members, options.member);
  const rejectionReasons = eligibility.rejections.flatMap((r) => (r.reasonCode === null ? [] : [r.reasonCode]));
  const summary: EligibilitySummary = { active: false, memberLevel: member?.level ?? null, serviceType, rejectionReasons };
  if (!member) return summary;

  // A rejection of the member or of the whole request (not one of a single benefit) means no usable answer.
  const rejected = eligibility.rejections.some(
    (r) =>
      r.level !== 'benefit' &&
      (r.level === 'source' || r.level === 'receiver' || r.hierarchicalId === member.hierarchicalId || r.hierarchicalId === member.parentId),
  );
  const applicable = member.benefits.filter((b) => serviceRank(b, serviceType) > 0 && networkRank(b) > 0);
  summary.active = !rejected && applicable.some((b) => ACTIVE_CODES.has(b.code));

  const copay = best(applicable, (b) => b.code === 'B' && b.amountCents !== null, serviceType);
  if (copay) summary.copayCents = copay.amountCents!;
  const coinsurance = best(applicable, (b) => b.code === 'A' && b.percentBasisPoints !== null, serviceType);
  if (coinsurance) summary.coinsuranceBasisPoints = coinsurance.percentBasisPoints!;

  const amount = (code: string, remaining: boolean): number | undefined => {
    const found = best(
      applicable,
      (b) =>
        b.code === code &&
        b.amountCents !== null &&
        (remaining ? b.timePeriod === REMAINING_PERIOD : b.timePeriod === null || TOTAL_PERIODS.includes(b.timePeriod)),
      serviceType,
    );
    return found?.amountCents ?? undefined;
  };
  const deductibleTotal = amount('C', false);
  if (deductibleTotal !== undefined) summary.deductibleTotalCents = deductibleTotal;
  const deductibleRemaining = amount('C', true);
  if (deductibleRemaining !== undefined) summary.deductibleRemainingCents = deductibleRemaining;
  const oopTotal = amount('G', false);
  if (oopTotal !== undefined) summary.oopTotalCents = oopTotal;
  const oopRemaining = amount('G', true);
  if (oopRemaining !== undefined) summary.oopRemainingCents = oopRemaining;
  return summary;
}

function pickMember(members: readonly Member271[], level: 'subscriber' | 'dependent' | undefined): Member271 | null {
  if (level) return members.find((m) => m.level === level) ?? null;
  // When a dependent loop is present, the dependent is the patient the request was about.
  return members.find((m) => m.level === 'dependent') ?? members[0] ?? null;
}

function best(benefits: readonly Benefit271[], wanted: (b: Benefit271) => boolean, serviceType: string): Benefit271 | null {
  let chosen: Benefit271 | null = null;
  let chosenScore: number[] = [];
  for (const benefit of benefits) {
    if (!wanted(benefit)) continue;
    const score = [serviceRank(benefit, serviceType), networkRank(benefit), levelRank(benefit), periodRank(benefit)];
    if (chosen === null || isBetter(score, chosenScore)) {
      chosen = benefit;
      chosenScore = score;
    }
  }
  return chosen;
}

function isBetter(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) {
    if (a[i]! !== b[i]!) return a[i]! > b[i]!;
  }
  return false;
}

function serviceRank(benefit: Benefit271, serviceType: string): number {
  if (benefit.serviceTypes.includes(serviceType)) return 3;
  if (benefit.serviceTypes.includes('30')) return 2;
  if (benefit.serviceTypes.length === 0) return 1;
  return 0;
}

function networkRank(benefit: Benefit271): number {
  switch (benefit.inNetwork) {
    case 'Y':
      return 3;
    case 'W':
      return 2;
    case 'N':
      return 0;
    default:
      return 1;
  }
}

function levelRank(benefit: Benefit271): number {
  return benefit.coverageLevel === null || benefit.coverageLevel === 'IND' ? 1 : 0;
}

function periodRank(benefit: Benefit271): number {
  if (benefit.timePeriod === null) return 0;
  const index = TOTAL_PERIODS.indexOf(benefit.timePeriod);
  return index < 0 ? 0 : TOTAL_PERIODS.length - index;
}
