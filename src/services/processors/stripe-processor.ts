import Stripe from 'stripe';
import type { ChargeInput, ChargeLookup, ChargeResult, DisputeSummary, HostedCardEntry, PaymentProcessor, ProcessorCharge, StartedCharge, PayoutItem, PayoutItemType, ReconciliationEvent, RefundInput, RefundResult } from './payment-processor.ts';
import { ProcessorError } from './payment-processor.ts';

export interface StripeProcessorOptions {
  secretKey: string;
  /** `whsec_…`: needed only to accept webhooks. */
  webhookSecret?: string;
  /** `pk_…`: what the browser loads Stripe's Payment Element with. */
  publishableKey?: string;
  /** Where the API lives, e.g. `http://127.0.0.1:12111` for a local stand-in; Stripe's own host otherwise. */
  apiBase?: string;
  /** Per attempt; Stripe's own default (80 s) is longer than anyone waits at a front desk. */
  timeoutMs?: number;
  /** Retries of connection errors and 5xx, each with the same Idempotency-Key, so they are safe. */
  maxNetworkRetries?: number;
}

/** What a `charge.refunded` event says, in our terms: enough to reconcile refunds made in Stripe's dashboard. */
export interface ChargeRefundedSummary {
  paymentIntentId: string | null;
  chargeId: string;
  /** The charge's total refunded so far, not just the newest refund. */
  amountRefundedCents: number;
  /** Empty when the event leaves the charge's refunds unexpanded (API versions since 2022-11-15 do). */
  refunds: { id: string; amountCents: number; status: string | null }[];
}

/** A webhook we cannot trust: no secret configured (a server fault) or a bad signature (the caller's fault). */
export class StripeWebhookError extends Error {
  readonly reason: 'not_configured' | 'bad_signature';

  constructor(reason: 'not_configured' | 'bad_signature', message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StripeWebhookError';
    this.reason = reason;
  }
}

const DEFAULT_TIMEOUT_MS = 20_000;
const DEFAULT_MAX_NETWORK_RETRIES = 2;

// Our refund reasons that Stripe has a word for; the rest travel in metadata only.
const stripeRefundReason: Record<string, Stripe.RefundCreateParams.Reason> = {
  duplicate_charge: 'duplicate',
  patient_request: 'requested_by_customer',
};

function connectionConfig(apiBase: string | undefined): Pick<Stripe.StripeConfig, 'host' | 'port' | 'protocol'> {
  if (!apiBase) return {};
  const url = new URL(apiBase);
  const protocol = url.protocol.replace(/:$/, '');
  if (protocol !== 'http' && protocol !== 'https') throw new Error(`Stripe API base must be http(s): ${apiBase}`);
  return { host: url.hostname, port: url.port || (protocol === 'http' ? 80 : 443), protocol };
}

/**
 * Turns what the Stripe client threw into our two failures. Only errors that
 * mean "nothing was done" or "we could not tell" become ProcessorErrors;
 * anything else (a bug of ours) goes up unchanged.
 */
function toProcessorError(error: unknown, action: 'charge' | 'refund' | 'payout'): unknown {
  const E = Stripe.errors;
  if (error instanceof E.StripeCardError || error instanceof E.StripeInvalidRequestError) {
    return new ProcessorError('declined', error.message);
  }
  if (error instanceof E.StripeIdempotencyError) {
    // Stripe refuses to reuse a key with other parameters; the new request was not carried out.
    return new ProcessorError('declined', `Stripe refused the ${action}: ${error.message}`);
  }
  if (error instanceof E.StripeConnectionError || error instanceof E.StripeAPIError || error instanceof E.StripeRateLimitError) {
    // A timeout may hide a request Stripe did carry out: retrying with the same idempotency key finds it instead of repeating it.
    return new ProcessorError('unavailable', `Stripe was unavailable for the ${action} (${error.message}).`);
  }
  if (error instanceof E.StripeAuthenticationError || error instanceof E.StripePermissionError) {
    return new ProcessorError('unavailable', `Stripe refused our credentials (${error.message}); check STRIPE_SECRET_KEY.`);
  }
  return error;
}

/**
 * Card payments through Stripe: a charge is a PaymentIntent created and
 * confirmed in one call; a refund refers to it. Every call carries the
 * caller's idempotency key as Stripe's Idempotency-Key, which Stripe keeps
 * for at least 24 hours, so a retried request never moves money twice.
 */
export class StripeProcessor implements PaymentProcessor, HostedCardEntry {
  readonly name = 'stripe' as const;
  // Card numbers are typed into Stripe's element only: Stripe refuses raw card data by default, and it keeps us out of the widest PCI scope.
  readonly hostedCardEntry: HostedCardEntry = this;
  readonly publishableKey: string | null;
  private readonly stripe: Stripe;
  private readonly webhookSecret: string | undefined;

  constructor(options: StripeProcessorOptions) {
    if (!options.secretKey) throw new Error('StripeProcessor needs a secret key (STRIPE_SECRET_KEY).');
    this.webhookSecret = options.webhookSecret || undefined;
    this.publishableKey = options.publishableKey || null;
    this.stripe = new Stripe(options.secretKey, {
      ...connectionConfig(options.apiBase),
      timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      maxNetworkRetries: options.maxNetworkRetries ?? DEFAULT_MAX_NETWORK_RETRIES,
      typescript: true,
      appInfo: { name: 'patient-ledger' },
    });
  }

  async charge(input: ChargeInput): Promise<ChargeResult> {
    let intent: Stripe.PaymentIntent;
    try {
      intent = await this.stripe.paymentIntents.create(
        {
          amount: input.amountCents,
          currency: 'usd',
          payment_method: input.source,
          // No redirect-based methods: a server-side confirm has nowhere to send the patient back to.
          // (`payment_method_types` no longer exists on create in the API version this client pins.)
          automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
          confirm: true,
          description: input.description,
          // The attempt's key in metadata: how the recovery job finds this intent if we never hear back.
          metadata: { ...input.metadata, chargeAttempt: input.idempotencyKey },
          // Expanded so the card's last four digits come back in the same call.
          expand: ['latest_charge'],
        },
        { idempotencyKey: input.idempotencyKey },
      );
    } catch (error) {
      throw toProcessorError(error, 'charge');
    }
    if (intent.status !== 'succeeded') {
      // e.g. requires_action (3-D Secure) cannot complete without the patient; we record nothing.
      const message = intent.last_payment_error?.message ?? `The card payment did not complete (Stripe status ${intent.status}).`;
      throw new ProcessorError('declined', message);
    }
    return { reference: intent.id, cardLast4: lastFourOf(intent) };
  }

  /**
   * A PaymentIntent for the browser to confirm with the Payment Element
   * (created when the patient presses Pay, Stripe's deferred-intent flow),
   * under the attempt's key, with the attempt in its metadata as `charge` does.
   */
  async startCharge(input: Omit<ChargeInput, 'source'>): Promise<StartedCharge> {
    let intent: Stripe.PaymentIntent;
    try {
      intent = await this.stripe.paymentIntents.create(
        {
          amount: input.amountCents,
          currency: 'usd',
          // Cards and wallets confirm in the page; redirect methods would need a return page we do not have.
          automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
          description: input.description,
          metadata: { ...input.metadata, chargeAttempt: input.idempotencyKey },
        },
        { idempotencyKey: input.idempotencyKey },
      );
    } catch (error) {
      throw toProcessorError(error, 'charge');
    }
    if (!intent.client_secret) throw new ProcessorError('unavailable', 'Stripe returned a payment without a client secret.');
    return { reference: intent.id, clientSecret: intent.client_secret };
  }

  /** Reads back the intent the browser confirmed; only this attempt's intent counts (its metadata, which we set, says whose it is). */
  async chargeOutcome(input: { reference: string; idempotencyKey: string; paymentId: string }): Promise<ChargeLookup> {
    if (!/^pi_[A-Za-z0-9_]+$/.test(input.reference)) return { state: 'not_found' };
    let intent: Stripe.PaymentIntent;
    try {
      intent = await this.stripe.paymentIntents.retrieve(input.reference, { expand: ['latest_charge'] });
    } catch (error) {
      if (error instanceof Stripe.errors.StripeInvalidRequestError && error.statusCode === 404) return { state: 'not_found' };
      throw toProcessorError(error, 'charge');
    }
    if (intent.metadata?.chargeAttempt !== input.idempotencyKey || intent.metadata?.paymentId !== input.paymentId) return { state: 'not_found' };
    return this.finalLookup(intent, false);
  }

  /**
   * An intent's state in our terms. One still waiting for a card (declined,
   * or never confirmed) is cancelled before it is called failed: the browser
   * holds its client secret and could otherwise confirm it after we booked
   * the attempt as Failed. `abandoned` (recovery, minutes later): one waiting
   * for 3-D Secure is given up on too.
   */
  private async finalLookup(intent: Stripe.PaymentIntent, abandoned: boolean): Promise<ChargeLookup> {
    if (intent.status === 'succeeded') return { state: 'succeeded', reference: intent.id, cardLast4: lastFourOf(intent) };
    if (intent.status === 'processing' || intent.status === 'requires_capture') return { state: 'in_progress' };
    if (intent.status === 'requires_action' && !abandoned) return { state: 'in_progress' };
    const message = intent.last_payment_error?.message ?? `The card payment did not complete (Stripe status ${intent.status}).`;
    if (intent.status === 'canceled') return { state: 'failed', message };
    try {
      const canceled = await this.stripe.paymentIntents.cancel(intent.id, { expand: ['latest_charge'] });
      if (canceled.status !== 'canceled') return this.finalLookup(canceled, abandoned);
    } catch (error) {
      // Refused because it moved on (confirmed meanwhile): read it again rather than guess.
      if (!(error instanceof Stripe.errors.StripeInvalidRequestError)) throw toProcessorError(error, 'charge');
      let again: Stripe.PaymentIntent;
      try {
        again = await this.stripe.paymentIntents.retrieve(intent.id, { expand: ['latest_charge'] });
      } catch (retry) {
        throw toProcessorError(retry, 'charge');
      }
      return again.status === 'requires_payment_method' || again.status === 'requires_confirmation' ? { state: 'in_progress' } : this.finalLookup(again, abandoned);
    }
    return { state: 'failed', message };
  }

  /**
   * Finds the PaymentIntent of a charge attempt by the key put in its
   * metadata (Stripe's search is eventually consistent, about a minute: the
   * recovery job only asks about attempts older than that).
   */
  async findCharge(input: { idempotencyKey: string; paymentId: string }): Promise<ChargeLookup> {
    let found: Stripe.ApiSearchResult<Stripe.PaymentIntent>;
    try {
      const key = input.idempotencyKey.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
      found = await this.stripe.paymentIntents.search({ query: `metadata['chargeAttempt']:'${key}'`, limit: 1, expand: ['data.latest_charge'] });
    } catch (error) {
      throw toProcessorError(error, 'charge');
    }
    const intent = found.data[0];
    if (!intent) return { state: 'not_found' };
    // An attempt left this long was abandoned: one still waiting for the patient is cancelled, so it cannot be paid after we book it Failed.
    return this.finalLookup(intent, true);
  }

  async refund(input: RefundInput): Promise<RefundResult> {
    const reason = stripeRefundReason[input.reason];
    // Payments taken outside the portal may carry a bare charge id instead of a PaymentIntent.
    const target = input.chargeReference.startsWith('ch_')
      ? { charge: input.chargeReference }
      : { payment_intent: input.chargeReference };
    let refund: Stripe.Refund;
    try {
      refund = await this.stripe.refunds.create(
        {
          ...target,
          amount: input.amountCents,
          ...(reason ? { reason } : {}),
          metadata: { reason: input.reason },
        },
        { idempotencyKey: input.idempotencyKey },
      );
    } catch (error) {
      throw toProcessorError(error, 'refund');
    }
    if (refund.status === 'failed' || refund.status === 'canceled') {
      const why = refund.failure_reason ? ` (${refund.failure_reason.replaceAll('_', ' ')})` : '';
      throw new ProcessorError('declined', `Stripe could not make the refund${why}.`);
    }
    return { reference: refund.id };
  }

  /** Checks the `Stripe-Signature` header against the raw body (not re-serialized JSON) and returns the event. */
  verifyWebhook(rawBody: string | Buffer, signatureHeader: string): Stripe.Event {
    if (!this.webhookSecret) {
      throw new StripeWebhookError('not_configured', 'Stripe webhooks are not configured: set STRIPE_WEBHOOK_SECRET.');
    }
    try {
      return this.stripe.webhooks.constructEvent(rawBody, signatureHeader, this.webhookSecret);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      throw new StripeWebhookError('bad_signature', `Stripe webhook signature rejected: ${detail}`, { cause: error });
    }
  }

  describeChargeRefunded(event: Stripe.Event): ChargeRefundedSummary | undefined {
    return describeChargeRefunded(event);
  }

  describeReconciliationEvent(event: Stripe.Event): ReconciliationEvent | undefined {
    return describeReconciliationEvent(event);
  }

  /**
   * Every balance transaction of a payout, with its source expanded (the
   * charge's PaymentIntent, the refund, the dispute), through the client's
   * auto-pagination, so a payout of thousands of charges is read whole.
   */
  async payoutItems(payoutId: string): Promise<PayoutItem[]> {
    const items: PayoutItem[] = [];
    try {
      for await (const txn of this.stripe.balanceTransactions.list({ payout: payoutId, expand: ['data.source'], limit: 100 })) {
        // The payout's own withdrawal is the payout itself, not something it carried.
        if (txn.type === 'payout') continue;
        items.push(toPayoutItem(txn));
      }
    } catch (error) {
      throw toProcessorError(error, 'payout');
    }
    return items;
  }
}

function idOf(value: string | { id: string } | null | undefined): string | null {
  if (!value) return null;
  return typeof value === 'string' ? value : value.id;
}

/** One Stripe balance transaction in our terms: what kind of money it is and what it came from. */
export function toPayoutItem(txn: Stripe.BalanceTransaction): PayoutItem {
  const source = txn.source && typeof txn.source === 'object' ? (txn.source as { id: string; object: string } & Record<string, any>) : null;
  const sourceId = idOf(txn.source as string | { id: string } | null);
  let type: PayoutItemType;
  let sourceReference = sourceId;
  let chargeReferences: string[] = [];
  if (source?.object === 'dispute' || txn.type === 'adjustment' && String(txn.reporting_category ?? '').startsWith('dispute')) {
    type = 'dispute';
  } else if (txn.type === 'charge' || txn.type === 'payment') {
    type = 'charge';
    const intent = source ? idOf(source.payment_intent) : null;
    chargeReferences = [intent, sourceId].filter((r): r is string => Boolean(r));
    sourceReference = intent ?? sourceId;
    if (source) return { id: txn.id, type, amountCents: txn.amount, feeCents: txn.fee, netCents: txn.net, sourceReference, chargeReferences, description: txn.description ?? null, charge: { ...chargeOf(source as unknown as Stripe.Charge), amountCents: txn.amount } };
  } else if (txn.type === 'refund' || txn.type === 'payment_refund') {
    type = 'refund';
    // The refunded charge, so a refund made in the dashboard that we never heard of can still find its payment.
    chargeReferences = source ? [idOf(source.payment_intent), idOf(source.charge)].filter((r): r is string => Boolean(r)) : [];
  } else if (txn.type.endsWith('_fee') || txn.type === 'stripe_fee') {
    type = 'fee';
  } else {
    type = 'adjustment';
  }
  return { id: txn.id, type, amountCents: txn.amount, feeCents: txn.fee, netCents: txn.net, sourceReference, chargeReferences, description: txn.description ?? null };
}

function disputeSummary(dispute: Stripe.Dispute): DisputeSummary {
  return {
    id: dispute.id,
    amountCents: dispute.amount,
    reason: dispute.reason,
    status: dispute.status,
    chargeReferences: [idOf(dispute.payment_intent), idOf(dispute.charge)].filter((r): r is string => Boolean(r)),
    evidenceDueBy: dispute.evidence_details?.due_by ?? null,
  };
}

/**
 * Pure: the reconciliation facts of an event, or undefined for one we do not
 * book. `charge.dispute.funds_withdrawn` tells the same fact as `…created`
 * (each opens the dispute once, whichever comes first); `…closed` settles it.
 */
export function describeReconciliationEvent(event: Stripe.Event): ReconciliationEvent | undefined {
  switch (event.type) {
    case 'charge.dispute.created':
    case 'charge.dispute.funds_withdrawn':
      return { kind: 'dispute_opened', dispute: disputeSummary(event.data.object) };
    case 'charge.dispute.closed': {
      const dispute = disputeSummary(event.data.object);
      // Only `lost` takes the money; won, and an inquiry closed without a chargeback (warning_closed), give it back.
      return { kind: 'dispute_closed', dispute, outcome: dispute.status === 'lost' ? 'lost' : 'won' };
    }
    case 'payout.paid': {
      const payout = event.data.object;
      return {
        kind: 'payout_paid',
        payout: { id: payout.id, amountCents: payout.amount, arrivalDate: new Date(payout.arrival_date * 1000).toISOString().slice(0, 10), status: payout.status },
      };
    }
    case 'charge.succeeded':
      return { kind: 'charge_succeeded', charge: chargeOf(event.data.object) };
    case 'payment_intent.succeeded': {
      const intent = event.data.object;
      const latest = intent.latest_charge && typeof intent.latest_charge === 'object' ? intent.latest_charge : null;
      const customer = intent.customer && typeof intent.customer === 'object' && !intent.customer.deleted ? intent.customer.email : null;
      const { paymentId, chargeAttempt, channel } = intent.metadata ?? {};
      return {
        kind: 'charge_succeeded',
        charge: {
          chargeReferences: [intent.id, idOf(intent.latest_charge)].filter((r): r is string => Boolean(r)),
          amountCents: intent.amount_received,
          metadata: { ...(latest?.metadata ?? {}), ...(intent.metadata ?? {}) },
          email: intent.receipt_email ?? latest?.billing_details?.email ?? customer ?? null,
          description: intent.description ?? null,
        },
        ...(paymentId && chargeAttempt ? { attempt: { paymentId, key: chargeAttempt, channel: channel ?? null } } : {}),
      };
    }
    default:
      return undefined;
  }
}

/** A Stripe charge in our terms: its ids (PaymentIntent first), amount, metadata and the payer's email. */
function chargeOf(charge: Stripe.Charge): ProcessorCharge {
  const customer = charge.customer && typeof charge.customer === 'object' && !charge.customer.deleted ? charge.customer.email : null;
  return {
    chargeReferences: [idOf(charge.payment_intent), charge.id].filter((r): r is string => Boolean(r)),
    amountCents: charge.amount,
    metadata: { ...(charge.metadata ?? {}) },
    email: charge.billing_details?.email ?? charge.receipt_email ?? customer ?? null,
    description: charge.description ?? null,
  };
}

/** The card's last four digits, when the intent came with its latest charge expanded. */
function lastFourOf(intent: Stripe.PaymentIntent): string | null {
  const latest = intent.latest_charge;
  return latest && typeof latest === 'object' ? (latest.payment_method_details?.card?.last4 ?? null) : null;
}

/** Pure: the refund facts of a `charge.refunded` event, or undefined for any other event. */
export function describeChargeRefunded(event: Stripe.Event): ChargeRefundedSummary | undefined {
  if (event.type !== 'charge.refunded') return undefined;
  const charge = event.data.object;
  const intent = charge.payment_intent;
  return {
    paymentIntentId: typeof intent === 'string' ? intent : (intent?.id ?? null),
    chargeId: charge.id,
    amountRefundedCents: charge.amount_refunded,
    refunds: (charge.refunds?.data ?? []).map((r) => ({ id: r.id, amountCents: r.amount, status: r.status })),
  };
}
