import { AppError } from '../errors.ts';
import { isCents, type Cents } from '../money.ts';

/** What is still unapplied of one paid payment. */
export interface UnappliedLot {
  paymentId: string;
  unappliedCents: Cents;
  /** 'YYYY-MM-DD'; when absent the date of `createdAt` stands in. */
  paidDate?: string | null;
  /** ISO-8601 UTC instant: orders lots paid on the same day. */
  createdAt: string;
  /** The treatment the money was collected for (time-of-service payments). */
  linkedTreatmentId?: string | null;
}

/** A treatment's patient responsibility not yet covered by applications. */
export interface OpenBalance {
  treatmentId: string;
  /** Date of service, 'YYYY-MM-DD'. */
  serviceDate: string;
  openCents: Cents;
}

export interface AllocationInput {
  lots: readonly UnappliedLot[];
  openBalances: readonly OpenBalance[];
  /** The treatment whose patient responsibility was just set: it is served first. */
  treatmentId: string;
}

export interface Application {
  paymentId: string;
  treatmentId: string;
  amountCents: Cents;
}

export interface AllocationResult {
  /** In the order they were decided; at most one per (payment, treatment). */
  applications: Application[];
  /** Every lot, with what stays unapplied after the applications. */
  remainingLots: { paymentId: string; unappliedCents: Cents }[];
  unappliedRemainingCents: Cents;
}

/**
 * Applies a patient's unapplied funds to patient responsibility (SPEC section 6).
 *
 * Treatments are served in this order: the treatment just set first, then the
 * others from the oldest date of service to the newest (treatment id breaks
 * ties, so the same facts always give the same applications). Each treatment
 * draws first on the funds collected for it, then on the other funds, oldest
 * payment first (paid date, then creation time, then payment id). No lot gives
 * more than it holds and no treatment gets more than it has open.
 *
 * The caller passes only lots that may be applied now: funds it wants held for
 * a treatment still waiting on insurance are left out of `lots`.
 */
export function allocateUnappliedFunds(input: AllocationInput): AllocationResult {
  const lots = checkLots(input.lots);
  const balances = checkBalances(input.openBalances);

  const oldestFirst = [...lots].sort(compareLots);
  const target = balances.filter((b) => b.treatmentId === input.treatmentId);
  const others = balances
    .filter((b) => b.treatmentId !== input.treatmentId)
    .sort((a, b) => compareStrings(a.serviceDate, b.serviceDate) || compareStrings(a.treatmentId, b.treatmentId));

  const left = new Map(lots.map((lot) => [lot.paymentId, lot.unappliedCents]));
  const applications: Application[] = [];
  for (const balance of [...target, ...others]) {
    let open = balance.openCents;
    const linkedFirst = [
      ...oldestFirst.filter((lot) => lot.linkedTreatmentId === balance.treatmentId),
      // Stryker disable next-line MethodExpression,ConditionalExpression: equivalent, a linked lot listed twice has nothing left the second time
      ...oldestFirst.filter((lot) => lot.linkedTreatmentId !== balance.treatmentId),
    ];
    for (const lot of linkedFirst) {
      // Stryker disable next-line ConditionalExpression: equivalent, with nothing open every further lot gives min(available, 0) = 0 and is skipped
      if (open === 0) break;
      const available = left.get(lot.paymentId) ?? 0;
      const amountCents = Math.min(available, open);
      if (amountCents <= 0) continue;
      applications.push({ paymentId: lot.paymentId, treatmentId: balance.treatmentId, amountCents });
      left.set(lot.paymentId, available - amountCents);
      open -= amountCents;
    }
  }

  const remainingLots = lots.map((lot) => ({ paymentId: lot.paymentId, unappliedCents: left.get(lot.paymentId) ?? 0 }));
  return {
    applications,
    remainingLots,
    unappliedRemainingCents: remainingLots.reduce((sum, lot) => sum + lot.unappliedCents, 0),
  };
}

function compareLots(a: UnappliedLot, b: UnappliedLot): number {
  return (
    compareStrings(lotDate(a), lotDate(b)) ||
    Date.parse(a.createdAt) - Date.parse(b.createdAt) ||
    compareStrings(a.paymentId, b.paymentId)
  );
}

// A paid payment always has a paid date; without one the creation instant stands in (an ISO
// instant sorts after every earlier date and before every later one, as the day it falls on would).
function lotDate(lot: UnappliedLot): string {
  return lot.paidDate ?? lot.createdAt;
}

// Plain code-unit order, not localeCompare: the order must not depend on the machine's locale.
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const datePattern = /^\d{4}-\d{2}-\d{2}$/;

function checkLots(lots: readonly UnappliedLot[]): readonly UnappliedLot[] {
  const seen = new Set<string>();
  for (const lot of lots) {
    if (seen.has(lot.paymentId)) throw new AppError('validation_failed', `Payment ${lot.paymentId} listed twice`);
    seen.add(lot.paymentId);
    // An over-applied payment (negative unapplied) has nothing to give; the caller must leave it out.
    if (!isCents(lot.unappliedCents) || lot.unappliedCents < 0) {
      throw new AppError('invalid_amount', `Unapplied amount of payment ${lot.paymentId} must be whole cents, zero or more`);
    }
    if (Number.isNaN(Date.parse(lot.createdAt))) {
      throw new AppError('validation_failed', `Payment ${lot.paymentId} has no valid creation time`);
    }
    if (lot.paidDate != null && !datePattern.test(lot.paidDate)) {
      throw new AppError('validation_failed', `Paid date of payment ${lot.paymentId} must be YYYY-MM-DD`);
    }
  }
  return lots;
}

function checkBalances(balances: readonly OpenBalance[]): readonly OpenBalance[] {
  const seen = new Set<string>();
  for (const balance of balances) {
    if (seen.has(balance.treatmentId)) {
      throw new AppError('validation_failed', `Treatment ${balance.treatmentId} listed twice`);
    }
    seen.add(balance.treatmentId);
    if (!isCents(balance.openCents) || balance.openCents < 0) {
      throw new AppError('invalid_amount', `Open balance of treatment ${balance.treatmentId} must be whole cents, zero or more`);
    }
    if (!datePattern.test(balance.serviceDate)) {
      throw new AppError('validation_failed', `Date of service of treatment ${balance.treatmentId} must be YYYY-MM-DD`);
    }
  }
  return balances;
}
