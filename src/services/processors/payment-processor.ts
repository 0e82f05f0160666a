import type { Cents } from '../../domain/money.ts';

/**
 * The card processor seen from the ledger. Two implementations ship: the
 * built-in sandbox (the default; deterministic test cards) and Stripe. Both
 * must honour `idempotencyKey`: the same key never moves money twice.
 */
export interface PaymentProcessor {
  readonly name: 'sandbox' | 'stripe';

  /** Charges a card (portal, payment links). `source` is a test card number (sandbox) or a payment-method id (Stripe). */
  charge(input: ChargeInput): Promise<ChargeResult>;

  /** Refunds (part of) an earlier charge, identified by the reference `charge` returned. */
  refund(input: RefundInput): Promise<RefundResult>;

  /**
   * What became of a charge asked for with this idempotency key, for a charge
   * left Processing when our process stopped mid-call (the recovery job).
   */
  findCharge(input: { idempotencyKey: string; paymentId: string }): Promise<ChargeLookup>;

  /** The balance transactions a payout carried (charges, refunds, disputes, fees), in our terms, every page of them. */
  payoutItems(payoutId: string): Promise<PayoutItem[]>;

  /**
   * Card entry on the processor's own element in the browser (Stripe's
   * Payment Element), so card numbers never reach our server; null when the
   * processor takes a card number from us (the sandbox's test cards).
   */
  readonly hostedCardEntry?: HostedCardEntry | null;
}

/**
 * The browser half of a charge: we create the charge (a PaymentIntent) for the
 * attempt, the browser confirms it with the processor, and we book it only
 * after reading it back from the processor.
 */
export interface HostedCardEntry {
  /** What the browser needs to load the processor's element (Stripe's publishable key); null when not configured. */
  readonly publishableKey: string | null;
  /** Creates the unconfirmed charge of this attempt; `clientSecret` lets one browser confirm that one charge. */
  startCharge(input: Omit<ChargeInput, 'source'>): Promise<StartedCharge>;
  /**
   * The processor's word on a charge the browser was given, read from the
   * processor (never from the browser): `not_found` unless it is this
   * attempt's charge. A charge that can no longer succeed without the patient
   * is cancelled first, so `failed` is final.
   */
  chargeOutcome(input: { reference: string; idempotencyKey: string; paymentId: string }): Promise<ChargeLookup>;
}

export interface StartedCharge {
  /** The charge's id (Stripe `pi_…`). */
  reference: string;
  clientSecret: string;
}

/** A cardholder's dispute as the processor tells it. */
export interface DisputeSummary {
  /** `dp_…` */
  id: string;
  amountCents: number;
  reason: string;
  /** The processor's status: needs_response, under_review, won, lost, … */
  status: string;
  /** The disputed charge's PaymentIntent and charge ids (our payment keeps one of them). */
  chargeReferences: string[];
  /** When evidence is due, as a unix instant; null when none is given. */
  evidenceDueBy: number | null;
}

/** The processor events reconciliation books, in our terms. */
export type ReconciliationEvent =
  | { kind: 'dispute_opened'; dispute: DisputeSummary }
  | { kind: 'dispute_closed'; dispute: DisputeSummary; outcome: 'won' | 'lost' }
  | { kind: 'payout_paid'; payout: ProcessorPayout }
  | {
      kind: 'charge_succeeded';
      charge: ProcessorCharge;
      /** Our charge attempt, from the charge's metadata (which we set): a charge still Processing with us is booked from it. */
      attempt?: ChargeAttemptTag;
    };

/**
 * A charge as the processor tells it, with what may say whose it is: made by
 * us (our metadata carries the payment) or in the processor's own dashboard
 * (ADR 0028: booked for the patient it names, else held until assigned).
 */
export interface ProcessorCharge {
  /** Every id the charge is known by, its PaymentIntent first when it has one. */
  chargeReferences: string[];
  amountCents: number;
  /** The charge's (or its PaymentIntent's) metadata: `patientId`, `accountId`, `practice` name a patient and practice. */
  metadata: Record<string, string>;
  /** The payer's email (billing details or receipt email), matched to exactly one patient. */
  email: string | null;
  description: string | null;
}

/** What we put in a charge's metadata: whose charge it is, and where it was made (`portal` charges are applied once booked). */
export interface ChargeAttemptTag {
  paymentId: string;
  key: string;
  channel: string | null;
}

/** A payout (a deposit to the practice's bank) as the processor announced it. */
export interface ProcessorPayout {
  /** The processor's id (Stripe `po_…`). */
  id: string;
  amountCents: Cents;
  /** The day it reaches the bank (YYYY-MM-DD, UTC as the processor dates it). */
  arrivalDate: string;
  status: string;
}

export type PayoutItemType = 'charge' | 'refund' | 'dispute' | 'adjustment' | 'fee';

/** One balance transaction of a payout: amount − fee = net, and the nets of a payout sum to its amount. */
export interface PayoutItem {
  /** The processor's balance transaction id (Stripe `txn_…`). */
  id: string;
  type: PayoutItemType;
  /** Signed: charges positive, refunds and dispute withdrawals negative. */
  amountCents: number;
  feeCents: number;
  netCents: number;
  /** What the transaction came from: the charge's PaymentIntent (else the charge id), the refund or the dispute id. */
  sourceReference: string | null;
  /** For charges and refunds: every id the (refunded) charge is known by (PaymentIntent and charge), to find our payment whichever we kept. */
  chargeReferences: string[];
  description: string | null;
  /** For a charge whose source came expanded: what it says about its payer (ADR 0028). */
  charge?: ProcessorCharge;
}

/** The processor's word on an earlier charge: made, refused, still under way, or never received. */
export type ChargeLookup =
  | ({ state: 'succeeded' } & ChargeResult)
  | { state: 'failed'; message: string }
  | { state: 'in_progress' }
  | { state: 'not_found' };

export interface ChargeInput {
  amountCents: Cents;
  source: string;
  description: string;
  idempotencyKey: string;
  metadata?: Record<string, string>;
}

export interface ChargeResult {
  /** The processor's id for the charge (sandbox `sbx_ch_…`, Stripe `pi_…`): refunds refer to it. */
  reference: string;
  cardLast4: string | null;
}

export interface RefundInput {
  chargeReference: string;
  amountCents: Cents;
  reason: string;
  idempotencyKey: string;
}

export interface RefundResult {
  /** The processor's id for the refund (sandbox `sbx_re_…`, Stripe `re_…`). */
  reference: string;
}

export type ProcessorFailure = 'declined' | 'unavailable';

/** A processor said no (declined) or could not be reached in time (unavailable); nothing was recorded on our side. */
export class ProcessorError extends Error {
  readonly failure: ProcessorFailure;

  constructor(failure: ProcessorFailure, message: string) {
    super(message);
    this.name = 'ProcessorError';
    this.failure = failure;
  }
}
