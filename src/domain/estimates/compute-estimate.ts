import { AppError } from '../errors.ts';
import { isCents, type Cents } from '../money.ts';
import { FULL_BASIS_POINTS, type BasisPoints } from './coinsurance-basis-points.ts';

/** SPEC section 8 offers an estimate only for these two payment types. */
export type EstimatePaymentType = 'treatment_prepayment' | 'office_visit';

/** What the eligibility check says about one CPT code (271 benefits per procedure). */
export interface ProcedureBenefit {
  cpt: string;
  /**
   * true: this CPT's patient portion is a copay (its own `copayCents`, else the
   * plan copay) on any payment type. false: never a copay, not even the office
   * visit copay. Absent: a `copayCents` here means true; otherwise the visit
   * rule decides (see `computeEstimate`).
   */
  copayApplies?: boolean;
  /** A copay specific to this CPT (e.g. a specialist copay). */
  copayCents?: Cents;
  /** false for services the plan pays before the deductible (e.g. preventive). Default true. */
  deductibleApplies?: boolean;
  /** Replaces the plan coinsurance for this CPT. */
  coinsuranceBasisPoints?: BasisPoints;
}

export interface Eligibility {
  /** The plan's office-visit copay; absent when the plan has none. */
  copayCents?: Cents | null;
  /** Coinsurance in basis points: 20 % = 2000, 12.5 % = 1250 (see `coinsuranceBasisPoints`). */
  coinsuranceBasisPoints: BasisPoints;
  deductibleRemainingCents: Cents;
  oopRemainingCents: Cents;
  procedures?: readonly ProcedureBenefit[];
}

export interface TreatmentLine {
  cpt: string;
  chargeCents: Cents;
}

export interface EstimateInput {
  eligibility: Eligibility;
  lines: readonly TreatmentLine[];
  paymentType: EstimatePaymentType;
  /** Allowed amount per CPT. A line whose CPT is listed is estimated on it instead of the charge. */
  feeSchedule?: Readonly<Record<string, Cents>>;
}

export interface EstimateLine {
  cpt: string;
  chargeCents: Cents;
  /** What the line is estimated on: the charge, or the lesser of charge and allowed amount. */
  basisCents: Cents;
  basisSource: 'charge' | 'fee_schedule';
  copayCents: Cents;
  deductibleCents: Cents;
  coinsuranceCents: Cents;
  patientCents: Cents;
}

export type EstimateBasis = 'charges' | 'fee_schedule' | 'mixed';

export interface Estimate {
  lines: EstimateLine[];
  /** Sum of the lines' patient portions, before the out-of-pocket cap. */
  subtotalCents: Cents;
  /** What "Use this amount" fills in: the subtotal capped by out-of-pocket remaining. */
  totalCents: Cents;
  cappedByOop: boolean;
  /** Deductible still remaining after this treatment, for showing the breakdown. */
  deductibleRemainingAfterCents: Cents;
  basis: EstimateBasis;
  /** The plain sentence the estimate shows about what it is based on. */
  basisNote: string;
}

const basisNotes: Record<EstimateBasis, string> = {
  charges:
    "This estimate uses the practice's charges, not payer fee schedules. " +
    'What the payer allows may be lower, so the amount you owe may differ.',
  fee_schedule:
    'This estimate uses the allowed amounts on file for these procedures, not the ' +
    "payer's decision on the claim, so the amount you owe may differ.",
  mixed:
    'This estimate uses allowed amounts where they are on file and the practice\'s ' +
    "charges elsewhere, not the payer's decision on the claim, so the amount you owe may differ.",
};

/**
 * The patient's estimated portion of a treatment (SPEC section 8).
 *
 * Per line, in order: when a copay applies, the patient portion is the copay
 * (never more than the line's basis: nobody pays a $25 copay on a $10 service).
 * Otherwise deductible = min(remaining deductible, basis), the remaining
 * deductible shrinking for the next line, plus the coinsurance percent of the
 * rest, rounded to the cent half up. The total is capped by out-of-pocket
 * remaining; the lines keep their uncapped figures so the breakdown still adds up
 * to the subtotal.
 *
 * When a copay applies:
 * - a CPT whose benefit has `copayCents` or `copayApplies: true` takes a copay on
 *   every such line, whatever the payment type; `copayApplies: false` never does;
 * - otherwise, on an office visit with a plan copay, the copay is charged once
 *   per visit, on the first charged line not excluded, and only if no line takes
 *   a per-CPT copay; the visit's other lines go through deductible and coinsurance;
 * - a treatment pre-payment has no copay unless a CPT's benefit says so.
 */
export function computeEstimate(input: EstimateInput): Estimate {
  const { eligibility, lines, paymentType, feeSchedule } = input;
  checkEligibility(eligibility);
  const benefits = benefitsByCpt(eligibility.procedures ?? []);

  const explicitCopays = lines.map((line) => explicitCopay(benefits.get(line.cpt), eligibility));
  const planCopay = eligibility.copayCents ?? undefined;
  let visitCopayLine = -1;
  if (paymentType === 'office_visit' && planCopay !== undefined && explicitCopays.every((c) => c === undefined)) {
    // A $0 line (e.g. a no-charge code listed first) would swallow the copay, so it goes to the first line with a charge.
    visitCopayLine = lines.findIndex((line) => line.chargeCents > 0 && benefits.get(line.cpt)?.copayApplies !== false);
  }

  let deductibleLeft = eligibility.deductibleRemainingCents;
  let usedFeeSchedule = 0;
  const out: EstimateLine[] = lines.map((line, index) => {
    if (!isCents(line.chargeCents) || line.chargeCents < 0) {
      throw new AppError('invalid_amount', `Charge for ${line.cpt} must be whole cents, zero or more`);
    }
    const allowed = feeSchedule !== undefined && Object.hasOwn(feeSchedule, line.cpt) ? feeSchedule[line.cpt] : undefined;
    if (allowed !== undefined) {
      checkAmount(allowed, `Allowed amount for ${line.cpt}`);
      usedFeeSchedule += 1;
    }
    // Payers pay the lesser of the billed charge and their allowed amount.
    const basisCents = allowed === undefined ? line.chargeCents : Math.min(line.chargeCents, allowed);
    const basisSource = allowed === undefined ? 'charge' : 'fee_schedule';

    const copay = index === visitCopayLine ? planCopay : explicitCopays[index];
    if (copay !== undefined) {
      const copayCents = Math.min(copay, basisCents);
      return {
        cpt: line.cpt,
        chargeCents: line.chargeCents,
        basisCents,
        basisSource,
        copayCents,
        deductibleCents: 0,
        coinsuranceCents: 0,
        patientCents: copayCents,
      };
    }

    const benefit = benefits.get(line.cpt);
    const deductibleCents = benefit?.deductibleApplies === false ? 0 : Math.min(deductibleLeft, basisCents);
    deductibleLeft -= deductibleCents;
    const rate = benefit?.coinsuranceBasisPoints ?? eligibility.coinsuranceBasisPoints;
    const coinsuranceCents = percentOfHalfUp(basisCents - deductibleCents, rate);
    return {
      cpt: line.cpt,
      chargeCents: line.chargeCents,
      basisCents,
      basisSource,
      copayCents: 0,
      deductibleCents,
      coinsuranceCents,
      patientCents: deductibleCents + coinsuranceCents,
    };
  });

  const subtotalCents = out.reduce((sum, line) => sum + line.patientCents, 0);
  const totalCents = Math.min(subtotalCents, eligibility.oopRemainingCents);
  const basis: EstimateBasis =
    usedFeeSchedule === 0 ? 'charges' : usedFeeSchedule === lines.length ? 'fee_schedule' : 'mixed';
  return {
    lines: out,
    subtotalCents,
    totalCents,
    cappedByOop: subtotalCents > eligibility.oopRemainingCents,
    deductibleRemainingAfterCents: deductibleLeft,
    basis,
    basisNote: basisNotes[basis],
  };
}

/** rate (basis points) of cents, rounded half up, in exact integer arithmetic. */
function percentOfHalfUp(cents: Cents, rate: BasisPoints): Cents {
  const scale = BigInt(FULL_BASIS_POINTS);
  // Adding half the divisor before the floor division rounds .5 up (amounts are never negative here).
  return Number((BigInt(cents) * BigInt(rate) + scale / 2n) / scale);
}

function explicitCopay(benefit: ProcedureBenefit | undefined, eligibility: Eligibility): Cents | undefined {
  if (benefit === undefined || benefit.copayApplies === false) return undefined;
  if (benefit.copayCents !== undefined) return benefit.copayCents;
  if (benefit.copayApplies === true) return eligibility.copayCents ?? undefined;
  return undefined;
}

function benefitsByCpt(procedures: readonly ProcedureBenefit[]): Map<string, ProcedureBenefit> {
  const map = new Map<string, ProcedureBenefit>();
  for (const benefit of procedures) {
    if (map.has(benefit.cpt)) {
      throw new AppError('validation_failed', `Benefits list CPT ${benefit.cpt} twice`);
    }
    if (benefit.copayCents !== undefined) checkAmount(benefit.copayCents, `Copay for ${benefit.cpt}`);
    if (benefit.coinsuranceBasisPoints !== undefined) checkRate(benefit.coinsuranceBasisPoints);
    map.set(benefit.cpt, benefit);
  }
  return map;
}

function checkEligibility(eligibility: Eligibility): void {
  if (eligibility.copayCents != null) checkAmount(eligibility.copayCents, 'Copay');
  checkRate(eligibility.coinsuranceBasisPoints);
  checkAmount(eligibility.deductibleRemainingCents, 'Deductible remaining');
  checkAmount(eligibility.oopRemainingCents, 'Out-of-pocket remaining');
}

function checkAmount(value: Cents, what: string): void {
  if (!isCents(value) || value < 0) {
    throw new AppError('invalid_amount', `${what} must be whole cents, zero or more`);
  }
}

function checkRate(rate: BasisPoints): void {
  if (!Number.isInteger(rate) || rate < 0 || rate > FULL_BASIS_POINTS) {
    throw new AppError('validation_failed', 'Coinsurance must be 0 to 10000 basis points (0–100 %)');
  }
}
