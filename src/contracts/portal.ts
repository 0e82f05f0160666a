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

/**
 * How the browser takes a card (ADR 0027): the sandbox's test-card field on
 * our own form, or the processor's own element (Stripe's Payment Element),
 * which sends the card to the processor and never to us.
 */
export const cardEntry = z.object({
  processor: z.enum(['sandbox', 'stripe']),
  /** `our_form`: send the card number with the charge; `processor_element`: start, confirm in the browser, finish. */
  mode: z.enum(['our_form', 'processor_element']),
  /** Stripe's publishable key (`pk_…`); null with the sandbox, or when Stripe's key is not configured. */
  publishableKey: z.string().nullable(),
});
export type CardEntry = z.infer<typeof cardEntry>;

/** What the browser confirms with the processor's element: null when the charge could not be started (`failure` says why). */
export const hostedStart = z.object({
  /** The processor's charge (Stripe `pi_…`), sent back to finish. */
  chargeReference: z.string().nullable(),
  /** Lets this browser confirm this one charge; never logged. */
  clientSecret: z.string().nullable(),
});

export const portalStartBody = portalSessionBody.extend({ amountCents });
export type PortalStartBody = z.infer<typeof portalStartBody>;
export const portalStartResult = portalPayResult.extend(hostedStart.shape);
export type PortalStartResult = z.infer<typeof portalStartResult>;

/** The charge the browser confirmed: we read it back from the processor before booking anything. */
const chargeReference = z.string().trim().min(1).max(255);
export const portalFinishBody = portalSessionBody.extend({ paymentNumber: z.string().trim().min(1).max(32), chargeReference });
export type PortalFinishBody = z.infer<typeof portalFinishBody>;

export const linkStartResult = chargeOutcome.extend(hostedStart.shape);
export type LinkStartResult = z.infer<typeof linkStartResult>;
export const finishChargeBody = z.object({ chargeReference });
export type FinishChargeBody = z.infer<typeof finishChargeBody>;
