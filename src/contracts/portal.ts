import { z } from 'zod';
import { amountCents, calendarDate, cents } from './common.ts';

/**
 * The patient-facing API: the portal (date of birth + account ID) and payment
 * links. No staff session is needed or used; the patient proves who they are
 * with what is printed on their statement, or holds the link's secret token.
 */

/** A practice slug, as in the portal URL `/pay?practice=demo` printed on statements. */
const practiceSlug = z.string().trim().toLowerCase().regex(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, 'a practice slug');

/** A card: the sandbox takes a test card number, Stripe a payment-method id. */
const card = z.string().trim().min(1, 'enter a card').max(255);

export const portalLookupBody = z.object({
  dateOfBirth: calendarDate,
  accountId: z.string().trim().min(1).max(32),
  /** The practice of the portal URL; without it the account ID and date of birth must match exactly one account. */
  practice: practiceSlug.optional(),
});
export type PortalLookupBody = z.infer<typeof portalLookupBody>;

export const portalTreatment = z.object({
  serviceDate: z.string(),
  chargeCents: cents,
  insurancePaidCents: cents,
  /** Contractual adjustments the payers made (written off, not owed by anyone). */
  adjustmentCents: cents,
  /** True while the payers are still working on the visit. */
  insurancePending: z.boolean(),
  patientResponsibilityCents: cents,
  /** Patient payments and credits applied to the visit. */
  paidCents: cents,
  balanceCents: cents,
});

export const portalAccount = z.object({
  practiceName: z.string(),
  practiceSlug: z.string(),
  accountId: z.string(),
  patientFirstName: z.string(),
  /** What the patient owes now: the open patient responsibility of every visit. */
  balanceCents: cents,
  /** Everything the patient was responsible for on these visits, paid or not. */
  patientResponsibilityCents: cents,
  /** Credit the practice holds for the patient (applied by the office to future visits). */
  creditCents: cents,
  treatments: z.array(portalTreatment),
});
export type PortalAccount = z.infer<typeof portalAccount>;

export const portalLookup = portalAccount.extend({
  /** Scoped to this one patient; send it with each portal request until it expires. */
  portalToken: z.string(),
  portalTokenExpiresAt: z.string(),
});
export type PortalLookup = z.infer<typeof portalLookup>;

export const portalSessionBody = z.object({ portalToken: z.string().trim().min(1).max(200) });

export const portalPayBody = portalSessionBody.extend({ amountCents, card });
export type PortalPayBody = z.infer<typeof portalPayBody>;

export const chargeOutcome = z.object({
  paymentNumber: z.string(),
  amountCents: cents,
  status: z.string(),
  /** Why the card was not charged (declined, processor unavailable); null when it was. */
  failure: z.string().nullable(),
});
export type ChargeOutcome = z.infer<typeof chargeOutcome>;

export const portalPayResult = chargeOutcome.extend({ account: portalAccount });
export type PortalPayResult = z.infer<typeof portalPayResult>;

export const paymentLinkView = z.object({
  practiceName: z.string(),
  number: z.string(),
  amountCents: cents,
  status: z.string(),
  expiresAt: z.string(),
  /** True when the link can take the money now. */
  payable: z.boolean(),
  /** Why not: expired, paid (or refunded since), cancelled (or voided), processing. */
  reason: z.enum(['expired', 'paid', 'cancelled', 'processing']).nullable(),
  /** The visit's date of service, when the payment is for one. */
  serviceDate: z.string().nullable(),
});
export type PaymentLinkView = z.infer<typeof paymentLinkView>;

export const payLinkBody = z.object({ card });
