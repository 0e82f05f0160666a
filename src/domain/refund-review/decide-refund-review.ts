import { AppError } from '../errors.ts';
import { isCents, type Cents } from '../money.ts';
import { addCalendarDays, calendarDateToUtcMs } from './add-calendar-days.ts';

/** SPEC section 6: the default wait after the last claim is processed. */
export const DEFAULT_REFUND_REVIEW_DAYS = 45;

export interface RefundReviewFacts {
  /** Every claim on the case, with the date its remittance was processed ('YYYY-MM-DD'), or null while pending. */
  claims: readonly { processedDate: string | null }[];
  /** The case's unapplied funds left after applying them to every open balance. */
  unappliedCents: Cents;
  /** The day the review runs for, 'YYYY-MM-DD'. */
  asOf: string;
  /** Days to wait after the last claim is processed; the practice setting, default 45. */
  days?: number;
  /** Whether the case already has an open refund-owed task. */
  hasOpenTask: boolean;
}

export type RefundReviewReason =
  | 'due'
  | 'no_claims'
  | 'claims_pending'
  | 'nothing_unapplied'
  | 'open_task_exists'
  | 'not_yet';

export interface RefundReviewDecision {
  /** true: create one refund-owed task for `amountCents`. */
  due: boolean;
  /** The task's amount when due, else 0. */
  amountCents: Cents;
  /** The day the task is (or will be) due: last processed date + days; null while a claim is pending. */
  dueDate: string | null;
  reason: RefundReviewReason;
}

/**
 * Whether a case owes the patient a refund (SPEC section 6): once every claim on
 * the case is processed and the configured days have passed since the last one,
 * unapplied funds that no balance can take become one refund-owed task, never a
 * second while one is open. The task is due on the day the wait ends, inclusive.
 * A case with no claims is never reviewed: there is no adjudication to wait for,
 * so its money is not "left over after insurance".
 */
export function decideRefundReview(facts: RefundReviewFacts): RefundReviewDecision {
  const days = facts.days ?? DEFAULT_REFUND_REVIEW_DAYS;
  if (!Number.isSafeInteger(days) || days < 0) {
    throw new AppError('validation_failed', `Refund review days must be a whole number, zero or more, got ${days}`);
  }
  if (!isCents(facts.unappliedCents)) throw new AppError('invalid_amount', 'Unapplied amount must be whole cents');
  const asOfMs = calendarDateToUtcMs(facts.asOf);

  const notDue = (reason: RefundReviewReason, dueDate: string | null): RefundReviewDecision => ({
    due: false,
    amountCents: 0,
    dueDate,
    reason,
  });

  if (facts.claims.length === 0) return notDue('no_claims', null);
  const processed: string[] = [];
  for (const claim of facts.claims) {
    if (claim.processedDate === null) return notDue('claims_pending', null);
    calendarDateToUtcMs(claim.processedDate); // validates
    processed.push(claim.processedDate);
  }
  // Valid YYYY-MM-DD strings order as the dates do.
  // Stryker disable next-line EqualityOperator: equivalent, of two equal dates either is the latest
  const lastProcessed = processed.reduce((a, b) => (b > a ? b : a));
  const dueDate = addCalendarDays(lastProcessed, days);

  if (facts.unappliedCents <= 0) return notDue('nothing_unapplied', dueDate);
  if (facts.hasOpenTask) return notDue('open_task_exists', dueDate);
  if (asOfMs < calendarDateToUtcMs(dueDate)) return notDue('not_yet', dueDate);
  return { due: true, amountCents: facts.unappliedCents, dueDate, reason: 'due' };
}
