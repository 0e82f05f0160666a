import type { Cents } from '../money.ts';

/** An active application of a payment whose applications exceed what is left of it after refunds. */
export interface OverAppliedApplication {
  applicationId: string;
  paymentId: string;
  treatmentId: string;
  amountCents: Cents;
  /** ISO-8601 instant: the newest application loses its funding first. */
  createdAt: string;
  /** The payment's applied amount less what is left of it after refunds (> 0). */
  paymentOverAppliedCents: Cents;
}

/**
 * A refund never removes applications (SPEC section 4), so a refunded payment
 * can stay applied to visits with money the patient got back. That money must
 * never show as paid: this says, per treatment, how much of its applied amount
 * is not backed by money the practice kept. Each payment's over-applied amount
 * is taken from its newest applications first (then the highest id), never
 * more than an application's amount.
 */
export function unfundedByTreatment(applications: readonly OverAppliedApplication[]): Map<string, Cents> {
  const byPayment = new Map<string, OverAppliedApplication[]>();
  for (const a of applications) {
    const list = byPayment.get(a.paymentId) ?? [];
    list.push(a);
    byPayment.set(a.paymentId, list);
  }
  const unfunded = new Map<string, Cents>();
  for (const list of byPayment.values()) {
    const newestFirst = [...list].sort((a, b) => (a.createdAt === b.createdAt ? (a.applicationId < b.applicationId ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1));
    let left = Math.max(0, list[0]!.paymentOverAppliedCents);
    for (const a of newestFirst) {
      if (left <= 0) break;
      const taken = Math.min(left, a.amountCents);
      unfunded.set(a.treatmentId, (unfunded.get(a.treatmentId) ?? 0) + taken);
      left -= taken;
    }
  }
  return unfunded;
}
