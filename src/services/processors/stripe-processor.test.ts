import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type Stripe from 'stripe';
import { ProcessorError } from './payment-processor.ts';
import { describeChargeRefunded, describeReconciliationEvent, StripeProcessor, StripeWebhookError, toPayoutItem } from './stripe-processor.ts';

/**
 * A stand-in for api.stripe.com on 127.0.0.1: it records each request and
 * answers with Stripe's documented JSON shapes, so the real `stripe` client
 * runs unmodified and nothing leaves the machine.
 */
interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  form: URLSearchParams;
}
type Reply = { status: number; body: unknown } | 'hang';

const servers: Server[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    // The client keeps connections alive (and hung requests never end): cut them so close() returns.
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function fakeStripe(replies: Reply[]): Promise<{ apiBase: string; seen: SeenRequest[] }> {
  const seen: SeenRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        form: new URLSearchParams(Buffer.concat(chunks).toString('utf8')),
      });
      const reply = replies[Math.min(seen.length, replies.length) - 1] ?? 'hang';
      if (reply === 'hang') return;
      res.writeHead(reply.status, { 'content-type': 'application/json', 'request-id': `req_test${seen.length}` });
      res.end(JSON.stringify(reply.body));
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { apiBase: `http://127.0.0.1:${port}`, seen };
}

function processor(apiBase: string, extra: { timeoutMs?: number; maxNetworkRetries?: number } = {}) {
  return new StripeProcessor({ secretKey: 'sk_test_local', apiBase, timeoutMs: 2_000, maxNetworkRetries: 0, ...extra });
}

async function failureOf(promise: Promise<unknown>): Promise<ProcessorError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProcessorError);
  return error as ProcessorError;
}

// Shapes as in Stripe's API reference (trimmed to the fields that matter here).
function paymentIntent(overrides: Record<string, unknown> = {}) {
  return {
    id: 'pi_3MtwBwLkdIwHu7ix28a3tqPa',
    object: 'payment_intent',
    amount: 12345,
    amount_received: 12345,
    currency: 'usd',
    status: 'succeeded',
    capture_method: 'automatic',
    confirmation_method: 'automatic',
    created: 1680800504,
    livemode: false,
    last_payment_error: null,
    metadata: {},
    payment_method: 'pm_1MtwBwLkdIwHu7ixnCcf2dEl',
    latest_charge: {
      id: 'ch_3MtwBwLkdIwHu7ix0snN0B15',
      object: 'charge',
      amount: 12345,
      amount_refunded: 0,
      currency: 'usd',
      paid: true,
      status: 'succeeded',
      payment_intent: 'pi_3MtwBwLkdIwHu7ix28a3tqPa',
      payment_method_details: {
        type: 'card',
        card: { brand: 'visa', last4: '4242', exp_month: 8, exp_year: 2030, funding: 'credit', country: 'US' },
      },
    },
    ...overrides,
  };
}

function refund(overrides: Record<string, unknown> = {}) {
  return {
    id: 're_1Nispe2eZvKYlo2Cd31jOCgZ',
    object: 'refund',
    amount: 2500,
    currency: 'usd',
    charge: 'ch_3MtwBwLkdIwHu7ix0snN0B15',
    payment_intent: 'pi_3MtwBwLkdIwHu7ix28a3tqPa',
    created: 1692942318,
    metadata: {},
    reason: null,
    receipt_number: null,
    status: 'succeeded',
    balance_transaction: 'txn_1Nispe2eZvKYlo2CYezqFhEx',
    ...overrides,
  };
}

const cardDeclined = {
  status: 402,
  body: {
    error: {
      type: 'card_error',
      code: 'card_declined',
      decline_code: 'insufficient_funds',
      message: 'Your card has insufficient funds.',
      charge: 'ch_3MtwBwLkdIwHu7ix0snN0B16',
      doc_url: 'https://stripe.com/docs/error-codes/card-declined',
    },
  },
};

const chargeInput = {
  amountCents: 12345,
  source: 'pm_1MtwBwLkdIwHu7ixnCcf2dEl',
  description: 'Payment PAY-000123',
  idempotencyKey: 'charge-7f3a',
  metadata: { paymentId: 'pay_123' },
};

describe('StripeProcessor.charge', () => {
  it('creates and confirms a PaymentIntent and returns its id and the card last four', async () => {
    const { apiBase, seen } = await fakeStripe([{ status: 200, body: paymentIntent() }]);

    const result = await processor(apiBase).charge(chargeInput);

    expect(result).toEqual({ reference: 'pi_3MtwBwLkdIwHu7ix28a3tqPa', cardLast4: '4242' });
    expect(seen).toHaveLength(1);
    const [req] = seen;
    expect(req?.method).toBe('POST');
    expect(req?.path).toBe('/v1/payment_intents');
    expect(req?.headers['idempotency-key']).toBe('charge-7f3a');
    expect(req?.headers['authorization']).toBe('Bearer sk_test_local');
    expect(req?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(req?.form ?? [])).toMatchObject({
      amount: '12345',
      currency: 'usd',
      payment_method: 'pm_1MtwBwLkdIwHu7ixnCcf2dEl',
      confirm: 'true',
      'automatic_payment_methods[enabled]': 'true',
      'automatic_payment_methods[allow_redirects]': 'never',
      description: 'Payment PAY-000123',
      'metadata[paymentId]': 'pay_123',
      // How recovery finds this intent if the answer never reaches us.
      'metadata[chargeAttempt]': 'charge-7f3a',
      'expand[0]': 'latest_charge',
    });
  });

  it('returns a null last four when the latest charge comes back unexpanded', async () => {
    const { apiBase } = await fakeStripe([{ status: 200, body: paymentIntent({ latest_charge: 'ch_3MtwBwLkdIwHu7ix0snN0B15' }) }]);
    expect(await processor(apiBase).charge(chargeInput)).toEqual({ reference: 'pi_3MtwBwLkdIwHu7ix28a3tqPa', cardLast4: null });
  });

  it("maps a card error (402) to declined with Stripe's message", async () => {
    const { apiBase } = await fakeStripe([cardDeclined]);
    const error = await failureOf(processor(apiBase).charge(chargeInput));
    expect(error.failure).toBe('declined');
    expect(error.message).toBe('Your card has insufficient funds.');
  });

  it('maps a PaymentIntent that did not succeed (3-D Secure required) to declined', async () => {
    const { apiBase } = await fakeStripe([
      { status: 200, body: paymentIntent({ status: 'requires_action', amount_received: 0, latest_charge: null }) },
    ]);
    const error = await failureOf(processor(apiBase).charge(chargeInput));
    expect(error.failure).toBe('declined');
    expect(error.message).toMatch(/requires_action/);
  });

  it('maps an unknown payment method (400 invalid_request_error) to declined', async () => {
    const { apiBase } = await fakeStripe([
      {
        status: 400,
        body: {
          error: {
            type: 'invalid_request_error',
            code: 'resource_missing',
            param: 'payment_method',
            message: "No such PaymentMethod: 'pm_nope'",
          },
        },
      },
    ]);
    const error = await failureOf(processor(apiBase).charge({ ...chargeInput, source: 'pm_nope' }));
    expect(error.failure).toBe('declined');
    expect(error.message).toBe("No such PaymentMethod: 'pm_nope'");
  });

  it('maps a rate limit (429) to unavailable', async () => {
    const { apiBase } = await fakeStripe([
      { status: 429, body: { error: { type: 'invalid_request_error', code: 'rate_limit', message: 'Too many requests' } } },
    ]);
    expect((await failureOf(processor(apiBase).charge(chargeInput))).failure).toBe('unavailable');
  });
});

describe('StripeProcessor.findCharge', () => {
  const searchResult = (data: unknown[]) => ({ status: 200, body: { object: 'search_result', url: '/v1/payment_intents/search', has_more: false, next_page: null, data } });

  it("searches PaymentIntents by the attempt's key in metadata and reports a succeeded one with its last four", async () => {
    const { apiBase, seen } = await fakeStripe([searchResult([paymentIntent({ metadata: { paymentId: 'pay_123', chargeAttempt: "pay_123:1'x" } })])]);
    const found = await processor(apiBase).findCharge({ idempotencyKey: "pay_123:1'x", paymentId: 'pay_123' });
    expect(found).toEqual({ state: 'succeeded', reference: 'pi_3MtwBwLkdIwHu7ix28a3tqPa', cardLast4: '4242' });
    expect(seen[0]?.method).toBe('GET');
    const url = new URL(seen[0]!.path, 'http://x');
    expect(url.pathname).toBe('/v1/payment_intents/search');
    // Quotes in the key are escaped in Stripe's query language.
    expect(url.searchParams.get('query')).toBe("metadata['chargeAttempt']:'pay_123:1\\'x'");
    expect(url.searchParams.get('expand[0]')).toBe('data.latest_charge');
  });

  it('reports no intent as not found, processing as in progress, and anything else as failed with the reason', async () => {
    const { apiBase, seen } = await fakeStripe([
      searchResult([]),
      searchResult([paymentIntent({ status: 'processing' })]),
      searchResult([paymentIntent({ status: 'requires_payment_method', last_payment_error: { type: 'card_error', message: 'Your card was declined.' } })]),
      // An abandoned intent is cancelled before it is called failed: its client secret could still confirm it.
      { status: 200, body: paymentIntent({ status: 'canceled' }) },
      searchResult([paymentIntent({ status: 'canceled' })]),
    ]);
    const stripe = processor(apiBase);
    const ask = () => stripe.findCharge({ idempotencyKey: 'k', paymentId: 'p' });
    expect(await ask()).toEqual({ state: 'not_found' });
    expect(await ask()).toEqual({ state: 'in_progress' });
    expect(await ask()).toEqual({ state: 'failed', message: 'Your card was declined.' });
    expect(seen[3]).toMatchObject({ method: 'POST', path: '/v1/payment_intents/pi_3MtwBwLkdIwHu7ix28a3tqPa/cancel' });
    expect(await ask()).toEqual({ state: 'failed', message: 'The card payment did not complete (Stripe status canceled).' });
  });

  it('maps Stripe being down to unavailable, so recovery leaves the charge for the next run', async () => {
    const { apiBase } = await fakeStripe([{ status: 503, body: { error: { type: 'api_error', message: 'Service unavailable' } } }]);
    expect((await failureOf(processor(apiBase).findCharge({ idempotencyKey: 'k', paymentId: 'p' }))).failure).toBe('unavailable');
  });
});

describe('StripeProcessor.refund', () => {
  it('refunds a PaymentIntent with the amount, mapped reason and idempotency key', async () => {
    const { apiBase, seen } = await fakeStripe([{ status: 200, body: refund({ reason: 'requested_by_customer' }) }]);

    const result = await processor(apiBase).refund({
      chargeReference: 'pi_3MtwBwLkdIwHu7ix28a3tqPa',
      amountCents: 2500,
      reason: 'patient_request',
      idempotencyKey: 'refund-91c2',
    });

    expect(result).toEqual({ reference: 're_1Nispe2eZvKYlo2Cd31jOCgZ' });
    const [req] = seen;
    expect(req?.method).toBe('POST');
    expect(req?.path).toBe('/v1/refunds');
    expect(req?.headers['idempotency-key']).toBe('refund-91c2');
    expect(Object.fromEntries(req?.form ?? [])).toEqual({
      payment_intent: 'pi_3MtwBwLkdIwHu7ix28a3tqPa',
      amount: '2500',
      reason: 'requested_by_customer',
      'metadata[reason]': 'patient_request',
    });
  });

  it('refunds a bare charge id by `charge`, and sends duplicate_charge as Stripe\'s "duplicate"', async () => {
    const { apiBase, seen } = await fakeStripe([{ status: 200, body: refund({ reason: 'duplicate' }) }]);
    await processor(apiBase).refund({
      chargeReference: 'ch_3MtwBwLkdIwHu7ix0snN0B15',
      amountCents: 100,
      reason: 'duplicate_charge',
      idempotencyKey: 'refund-a',
    });
    const form = seen[0]?.form;
    expect(form?.get('charge')).toBe('ch_3MtwBwLkdIwHu7ix0snN0B15');
    expect(form?.has('payment_intent')).toBe(false);
    expect(form?.get('reason')).toBe('duplicate');
  });

  it('leaves out reasons Stripe has no word for and keeps ours in metadata', async () => {
    const { apiBase, seen } = await fakeStripe([{ status: 200, body: refund() }]);
    await processor(apiBase).refund({
      chargeReference: 'pi_3MtwBwLkdIwHu7ix28a3tqPa',
      amountCents: 100,
      reason: 'billing_error',
      idempotencyKey: 'refund-b',
    });
    const form = seen[0]?.form;
    expect(form?.has('reason')).toBe(false);
    expect(form?.get('metadata[reason]')).toBe('billing_error');
  });

  it('maps a refund Stripe reports as failed to declined', async () => {
    const { apiBase } = await fakeStripe([{ status: 200, body: refund({ status: 'failed', failure_reason: 'expired_or_canceled_card' }) }]);
    const error = await failureOf(
      processor(apiBase).refund({ chargeReference: 'pi_x', amountCents: 100, reason: 'other', idempotencyKey: 'refund-c' }),
    );
    expect(error.failure).toBe('declined');
    expect(error.message).toMatch(/expired or canceled card/);
  });

  it("maps an invalid request (400), e.g. an already refunded charge, to declined with Stripe's message", async () => {
    const { apiBase } = await fakeStripe([
      {
        status: 400,
        body: {
          error: {
            type: 'invalid_request_error',
            code: 'charge_already_refunded',
            message: 'Charge ch_3MtwBwLkdIwHu7ix0snN0B15 has already been refunded.',
          },
        },
      },
    ]);
    const error = await failureOf(
      processor(apiBase).refund({ chargeReference: 'pi_x', amountCents: 100, reason: 'other', idempotencyKey: 'refund-d' }),
    );
    expect(error.failure).toBe('declined');
    expect(error.message).toBe('Charge ch_3MtwBwLkdIwHu7ix0snN0B15 has already been refunded.');
  });

  it.each([500, 503])('maps an API error (%i) to unavailable', async (status) => {
    const { apiBase } = await fakeStripe([
      { status, body: { error: { type: 'api_error', message: 'An unknown error occurred' } } },
    ]);
    const error = await failureOf(
      processor(apiBase).refund({ chargeReference: 'pi_x', amountCents: 100, reason: 'other', idempotencyKey: 'refund-e' }),
    );
    expect(error.failure).toBe('unavailable');
  });

  it('gives up with unavailable within the timeout when Stripe never answers', async () => {
    const { apiBase, seen } = await fakeStripe(['hang']);
    const started = Date.now();
    const error = await failureOf(
      processor(apiBase, { timeoutMs: 150 }).refund({
        chargeReference: 'pi_x',
        amountCents: 100,
        reason: 'other',
        idempotencyKey: 'refund-f',
      }),
    );
    expect(error.failure).toBe('unavailable');
    expect(error.message).toMatch(/timeout/);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(seen).toHaveLength(1);
  });

  it('sends the same Idempotency-Key when the ledger retries after a timeout, so Stripe refunds once', async () => {
    // First attempt: Stripe may have done the work but the answer never arrives. Second: Stripe replays its answer.
    const { apiBase, seen } = await fakeStripe(['hang', { status: 200, body: refund() }]);
    const stripe = processor(apiBase, { timeoutMs: 150 });
    const input = { chargeReference: 'pi_x', amountCents: 2500, reason: 'other', idempotencyKey: 'refund-g' };

    expect((await failureOf(stripe.refund(input))).failure).toBe('unavailable');
    expect(await stripe.refund(input)).toEqual({ reference: 're_1Nispe2eZvKYlo2Cd31jOCgZ' });

    expect(seen.map((r) => r.headers['idempotency-key'])).toEqual(['refund-g', 'refund-g']);
  });

  it("keeps the Idempotency-Key on the client's own retry after a 503", async () => {
    const { apiBase, seen } = await fakeStripe([
      { status: 503, body: { error: { type: 'api_error', message: 'Service unavailable' } } },
      { status: 200, body: refund() },
    ]);
    const result = await processor(apiBase, { maxNetworkRetries: 1 }).refund({
      chargeReference: 'pi_x',
      amountCents: 2500,
      reason: 'other',
      idempotencyKey: 'refund-h',
    });
    expect(result.reference).toBe('re_1Nispe2eZvKYlo2Cd31jOCgZ');
    expect(seen.map((r) => r.headers['idempotency-key'])).toEqual(['refund-h', 'refund-h']);
  });
});

describe('StripeProcessor.verifyWebhook', () => {
  const secret = 'whsec_test_0123456789abcdef';
  const webhooks = new StripeProcessor({ secretKey: 'sk_test_local', webhookSecret: secret, apiBase: 'http://127.0.0.1:9' });
  const payload = JSON.stringify({ id: 'evt_1', object: 'event', type: 'charge.refunded', data: { object: { id: 'ch_1' } } });

  // Stripe's documented scheme: v1 = hex HMAC-SHA256 of `${t}.${payload}` keyed with the endpoint secret.
  function sign(body: string, t = Math.floor(Date.now() / 1000), key = secret): string {
    return `t=${t},v1=${createHmac('sha256', key).update(`${t}.${body}`, 'utf8').digest('hex')}`;
  }

  it('accepts a correctly signed payload, as a string or a Buffer', () => {
    expect(webhooks.verifyWebhook(payload, sign(payload)).id).toBe('evt_1');
    expect(webhooks.verifyWebhook(Buffer.from(payload), sign(payload)).type).toBe('charge.refunded');
  });

  it('rejects a tampered payload, a wrong secret and a stale timestamp', () => {
    const tampered = payload.replace('ch_1', 'ch_2');
    const stale = Math.floor(Date.now() / 1000) - 3_600;
    for (const [body, header] of [
      [tampered, sign(payload)],
      [payload, sign(payload, undefined, 'whsec_other')],
      [payload, sign(payload, stale)],
      [payload, 'garbage'],
    ] as const) {
      expect(() => webhooks.verifyWebhook(body, header)).toThrow(
        expect.objectContaining({ name: 'StripeWebhookError', reason: 'bad_signature' }),
      );
    }
  });

  it('refuses every webhook when no secret is configured', () => {
    const unconfigured = new StripeProcessor({ secretKey: 'sk_test_local', apiBase: 'http://127.0.0.1:9' });
    expect(() => unconfigured.verifyWebhook(payload, sign(payload))).toThrow(StripeWebhookError);
    expect(() => unconfigured.verifyWebhook(payload, sign(payload))).toThrow(/STRIPE_WEBHOOK_SECRET/);
  });
});

describe('describeChargeRefunded', () => {
  // A charge.refunded event as Stripe sends it, the charge's refunds list expanded.
  const event = {
    id: 'evt_3MtwBwLkdIwHu7ix1ZG0Qm4V',
    object: 'event',
    api_version: '2026-10-28.endive',
    created: 1692942400,
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type: 'charge.refunded',
    data: {
      object: {
        id: 'ch_3MtwBwLkdIwHu7ix0snN0B15',
        object: 'charge',
        amount: 12345,
        amount_captured: 12345,
        amount_refunded: 4000,
        currency: 'usd',
        paid: true,
        refunded: false,
        status: 'succeeded',
        payment_intent: 'pi_3MtwBwLkdIwHu7ix28a3tqPa',
        refunds: {
          object: 'list',
          has_more: false,
          url: '/v1/charges/ch_3MtwBwLkdIwHu7ix0snN0B15/refunds',
          data: [
            refund({ id: 're_2', amount: 1500, status: 'pending' }),
            refund({ id: 're_1', amount: 2500, status: 'succeeded' }),
          ],
        },
      },
      previous_attributes: { amount_refunded: 2500 },
    },
  } as unknown as Stripe.Event;

  it('gives the payment intent, charge, total refunded and each refund', () => {
    expect(describeChargeRefunded(event)).toEqual({
      paymentIntentId: 'pi_3MtwBwLkdIwHu7ix28a3tqPa',
      chargeId: 'ch_3MtwBwLkdIwHu7ix0snN0B15',
      amountRefundedCents: 4000,
      refunds: [
        { id: 're_2', amountCents: 1500, status: 'pending' },
        { id: 're_1', amountCents: 2500, status: 'succeeded' },
      ],
    });
    const stripe = new StripeProcessor({ secretKey: 'sk_test_local' });
    expect(stripe.describeChargeRefunded(event)?.amountRefundedCents).toBe(4000);
  });

  it('copes with unexpanded refunds and a charge without a payment intent', () => {
    const charge = { ...(event.data.object as object), payment_intent: null, refunds: undefined };
    const bare = { ...event, data: { object: charge } } as unknown as Stripe.Event;
    expect(describeChargeRefunded(bare)).toMatchObject({ paymentIntentId: null, refunds: [] });
  });

  it('ignores other events', () => {
    expect(describeChargeRefunded({ ...event, type: 'charge.succeeded' } as unknown as Stripe.Event)).toBeUndefined();
  });
});

describe('reconciliation events and balance transactions in our terms', () => {
  const event = (type: string, object: Record<string, unknown>) => ({ id: 'evt_1', object: 'event', type, data: { object } }) as unknown as Stripe.Event;
  const dispute = (status: string) => ({
    id: 'dp_1MtJUT2eZvKYlo2CNaw2HvEv',
    object: 'dispute',
    amount: 1000,
    charge: 'ch_1AZtxr2eZvKYlo2CJDX8whov',
    payment_intent: 'pi_1AZtxr2eZvKYlo2C0rKEYPDj',
    reason: 'general',
    status,
    evidence_details: { due_by: 1680652799, has_evidence: false, past_due: false, submission_count: 0 },
  });

  it('reads disputes opened (created or funds withdrawn) and closed, where only lost takes the money', () => {
    const facts = { id: 'dp_1MtJUT2eZvKYlo2CNaw2HvEv', amountCents: 1000, reason: 'general', chargeReferences: ['pi_1AZtxr2eZvKYlo2C0rKEYPDj', 'ch_1AZtxr2eZvKYlo2CJDX8whov'], evidenceDueBy: 1680652799 };
    expect(describeReconciliationEvent(event('charge.dispute.created', dispute('needs_response')))).toEqual({ kind: 'dispute_opened', dispute: { ...facts, status: 'needs_response' } });
    expect(describeReconciliationEvent(event('charge.dispute.funds_withdrawn', dispute('needs_response')))?.kind).toBe('dispute_opened');
    expect(describeReconciliationEvent(event('charge.dispute.closed', dispute('lost')))).toMatchObject({ kind: 'dispute_closed', outcome: 'lost' });
    expect(describeReconciliationEvent(event('charge.dispute.closed', dispute('won')))).toMatchObject({ kind: 'dispute_closed', outcome: 'won' });
    expect(describeReconciliationEvent(event('charge.dispute.closed', dispute('warning_closed')))).toMatchObject({ kind: 'dispute_closed', outcome: 'won' });
    expect(describeReconciliationEvent(event('customer.created', { id: 'cus_1' }))).toBeUndefined();
  });

  it('reads a payout with its arrival day, and charges made without us by their intent and charge ids', () => {
    expect(describeReconciliationEvent(event('payout.paid', { id: 'po_1', object: 'payout', amount: 1100, arrival_date: 1680652800, status: 'paid' }))).toEqual({
      kind: 'payout_paid',
      payout: { id: 'po_1', amountCents: 1100, arrivalDate: '2023-04-05', status: 'paid' },
    });
    expect(describeReconciliationEvent(event('charge.succeeded', { id: 'ch_9', object: 'charge', amount: 500, payment_intent: 'pi_9' }))).toEqual({ kind: 'charge_succeeded', charge: { chargeReferences: ['pi_9', 'ch_9'], amountCents: 500, metadata: {}, email: null, description: null } });
    expect(describeReconciliationEvent(event('payment_intent.succeeded', { id: 'pi_8', object: 'payment_intent', amount_received: 700, latest_charge: 'ch_8' }))).toEqual({ kind: 'charge_succeeded', charge: { chargeReferences: ['pi_8', 'ch_8'], amountCents: 700, metadata: {}, email: null, description: null } });
  });

  it('types each balance transaction by what it came from, keeping amount, fee and net as signed cents', () => {
    const txn = (fields: Record<string, unknown>) => ({ id: 'txn_1', object: 'balance_transaction', amount: 0, fee: 0, net: 0, description: null, ...fields }) as unknown as Stripe.BalanceTransaction;
    expect(toPayoutItem(txn({ type: 'charge', amount: 10000, fee: 320, net: 9680, source: { id: 'ch_1', object: 'charge', payment_intent: 'pi_1' } }))).toEqual({
      id: 'txn_1', type: 'charge', amountCents: 10000, feeCents: 320, netCents: 9680, sourceReference: 'pi_1', chargeReferences: ['pi_1', 'ch_1'], description: null,
      charge: { chargeReferences: ['pi_1', 'ch_1'], amountCents: 10000, metadata: {}, email: null, description: null },
    });
    // A charge made in the dashboard says whose it is by its metadata or the payer's email (ADR 0028).
    expect(toPayoutItem(txn({ type: 'charge', amount: 3000, source: { id: 'ch_3', object: 'charge', amount: 3000, metadata: { accountId: 'A-7' }, billing_details: { email: 'p@example.com' } } })).charge).toEqual({
      chargeReferences: ['ch_3'], amountCents: 3000, metadata: { accountId: 'A-7' }, email: 'p@example.com', description: null,
    });
    // A charge made without a PaymentIntent (an older integration) is known by its charge id.
    expect(toPayoutItem(txn({ type: 'charge', source: 'ch_2' }))).toMatchObject({ type: 'charge', sourceReference: 'ch_2', chargeReferences: ['ch_2'] });
    expect(toPayoutItem(txn({ type: 'refund', amount: -2000, net: -2000, source: { id: 're_1', object: 'refund' } }))).toMatchObject({ type: 'refund', amountCents: -2000, sourceReference: 're_1' });
    expect(toPayoutItem(txn({ type: 'adjustment', reporting_category: 'dispute', amount: -1000, fee: 1500, net: -2500, source: { id: 'dp_1', object: 'dispute' } }))).toMatchObject({ type: 'dispute', sourceReference: 'dp_1', feeCents: 1500 });
    expect(toPayoutItem(txn({ type: 'adjustment', reporting_category: 'dispute_reversal', source: 'dp_1' }))).toMatchObject({ type: 'dispute', sourceReference: 'dp_1' });
    expect(toPayoutItem(txn({ type: 'stripe_fee', amount: -500, net: -500, source: null }))).toMatchObject({ type: 'fee', sourceReference: null });
    expect(toPayoutItem(txn({ type: 'adjustment', reporting_category: 'other_adjustment', source: 'adj_1' }))).toMatchObject({ type: 'adjustment', sourceReference: 'adj_1' });
  });
});
