import type { Cents } from '../money.ts';

/**
 * Payer overpayments (SPEC section 6): money the practice owes a payer or is
 * owed by one, tracked apart from patient money, with the date it was
 * identified and the deadline of the 60-day overpayment rule (an identified
 * overpayment is to be returned within 60 days).
 */

/**
 * PLB reason codes (PLB03-1) that are payer balances, not provider
 * adjustments: WO overpayment recovery, FB forwarding balance, 72 authorized
 * return, L6 interest owed, J1 nonreimbursable. Other PLB codes stay
 * provider adjustments.
 */
export const payerBalancePlbCodes = ['WO', 'FB', '72', 'L6', 'J1'] as const;

export function isPayerBalancePlb(reasonCode: string): boolean {
  return (payerBalancePlbCodes as readonly string[]).includes(reasonCode.trim().toUpperCase());
}

export type PayerBalanceDirection = 'owed_to_payer' | 'owed_by_payer';

/** Days after identification by which an overpayment is to be returned. */
export const OVERPAYMENT_RETURN_DAYS = 60;

/**
 * A PLB amount as a payer balance. Positive PLB amounts reduce the payment:
 * the payer kept the practice's money (to recover an overpayment, or a
 * balance forwarded), so until it is matched with what the practice owed, the
 * payer holds it: owed by the payer. Negative amounts add to the payment
 * (a forwarded balance to be taken back later, interest): the practice holds
 * the payer's money: owed to the payer.
 */
export function plbPayerBalance(amountCents: Cents): { direction: PayerBalanceDirection; amountCents: Cents } | null {
  if (amountCents === 0) return null;
  // Stryker disable next-line EqualityOperator: equivalent, zero returned above
  return amountCents > 0 ? { direction: 'owed_by_payer', amountCents } : { direction: 'owed_to_payer', amountCents: -amountCents };
}

/** Money held in suspense for an exception resolved as the payer's: positive suspense is owed back to it. */
export function suspensePayerBalance(suspenseCents: Cents): { direction: PayerBalanceDirection; amountCents: Cents } | null {
  if (suspenseCents === 0) return null;
  // Stryker disable next-line EqualityOperator: equivalent, zero returned above
  return suspenseCents > 0 ? { direction: 'owed_to_payer', amountCents: suspenseCents } : { direction: 'owed_by_payer', amountCents: -suspenseCents };
}

/** The calendar date `days` after a `YYYY-MM-DD` date (calendar arithmetic: no time zone can shift it). */
export function addCalendarDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00.000Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export function overpaymentDeadline(identifiedDate: string): string {
  return addCalendarDays(identifiedDate, OVERPAYMENT_RETURN_DAYS);
}

/** Past its deadline and still open. Only money the practice owes has a deadline to miss. */
export function isOverdue(item: { direction: PayerBalanceDirection; deadlineDate: string; settledDate: string | null }, today: string): boolean {
  return item.direction === 'owed_to_payer' && item.settledDate === null && today > item.deadlineDate;
}
