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
