import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StripeProcessor } from '../src/services/processors/stripe-processor.ts';
import { makePatient, makePayment, makeSelfPayTreatment } from './helpers/factories.ts';
import { patientAccounts } from './helpers/ledger-accounts.ts';
import { startStripeStandIn, type StripeStandIn } from './helpers/stripe-stand-in.ts';
import { dialects } from './helpers/test-database.ts';
import { json, useTestApp, type TestApp } from './helpers/test-app.ts';

/**
 * Card entry in Stripe's Payment Element (ADR 0027): our server creates the
 * PaymentIntent, the browser confirms it at Stripe (here: the stand-in's
 * `confirm`, what Stripe.js does), and we book only what Stripe reports —
 * from the browser's finish call or the signed webhook, once between them.
 * A raw card number is refused while Stripe is the processor.
 */
const webhookSecret = 'whsec_card_entry';
let addresses = 0;

function signed(payload: string) {
  const t = Math.floor(Date.now() / 1000);
  const v1 = createHmac('sha256', webhookSecret).update(`${t}.${payload}`).digest('hex');
  return { 'stripe-signature': `t=${t},v1=${v1}`, 'content-type': 'application/json' };
}

function intentSucceeded(intent: unknown) {
  return JSON.stringify({ id: `evt_${Date.now()}`, object: 'event', type: 'payment_intent.succeeded', api_version: '2026-10-28.endive', created: Math.floor(Date.now() / 1000), data: { object: intent } });
}

/** A patient's browser: no staff token, its own address. */
function publicPost(t: TestApp, url: string, body: unknown, headers: Record<string, string> = {}) {
  return t.app.inject({ method: 'POST', url: `/api/v1${url}`, payload: body as object, headers, remoteAddress: `10.77.${Math.floor(++addresses / 250)}.${addresses % 250}` });
}

async function auditActions(t: TestApp, paymentId: string) {
  const rows = await t.database.handle.db.selectFrom('auditEvents').select('action').where('entityId', '=', paymentId).orderBy('createdAt').execute();
  return rows.map((r) => r.action);
}

describe.each(dialects)('card entry in Stripe’s element on %s', (dialect) => {
  let stripe: StripeStandIn;
  const options: { processor?: StripeProcessor } = {};
  beforeAll(async () => {
    stripe = await startStripeStandIn();
    options.processor = new StripeProcessor({ secretKey: 'sk_test_entry', publishableKey: 'pk_test_entry', webhookSecret, apiBase: stripe.apiBase, timeoutMs: 5_000, maxNetworkRetries: 0 });
  });
  afterAll(async () => stripe?.close());
  const t = useTestApp(dialect, {}, options);

  it('tells the browser to use Stripe’s element, and refuses a raw card number with nothing written and nothing sent', async () => {
    expect(json(await t.app.inject({ method: 'GET', url: '/api/v1/card-entry' }), 200)).toEqual({ processor: 'stripe', mode: 'processor_element', publishableKey: 'pk_test_entry' });
    // The page may load Stripe's script and frames, and call Stripe's API; nothing else from outside.
    const csp = String((await t.app.inject({ method: 'GET', url: '/health' })).headers['content-security-policy']);
    expect(csp).toContain('script-src \'self\' https://js.stripe.com');
    expect(csp).toContain('frame-src \'self\' https://js.stripe.com');
    expect(csp).toContain('connect-src \'self\' https://api.stripe.com');

    const patient = await makePatient(t);
    const payment = await makePayment(t, patient.id, { amountCents: 4200, method: 'card' });
    const before = stripe.calls.length;
    for (const source of ['4242 4242 4242 4242', '4242424242424242', '4000-0000-0000-0002']) {
      const refused = await t.request('POST', `/api/v1/payments/${payment.id}/charge`, { body: { source }, headers: { 'idempotency-key': `raw-${source.replace(/\s/g, '')}` } });
      expect(refused.statusCode, refused.body).toBe(422);
      expect(refused.headers['content-type']).toContain('application/problem+json');
      expect(JSON.parse(refused.body).code).toBe('card_number_refused');
    }
    const { patient: portalPatient, token } = await portalSession(t);
    expect(JSON.parse((await publicPost(t, '/portal/pay', { portalToken: token, amountCents: 1000, card: '4242424242424242' })).body).code).toBe('card_number_refused');
    const link = json(await t.request('POST', `/api/v1/payments/${payment.id}/link`, { body: { expiresInDays: 7 } }), 201);
    const linkToken = String(link.url).split('/pay/')[1]!;
    expect(JSON.parse((await publicPost(t, `/pay/${linkToken}`, { card: '4242 4242 4242 4242' })).body).code).toBe('card_number_refused');

    expect(stripe.calls.length).toBe(before);
    expect(await t.database.handle.db.selectFrom('payments').select(['status', 'chargeAttempt']).where('id', '=', payment.id).executeTakeFirst()).toEqual({ status: 'pending', chargeAttempt: null });
    expect(await auditActions(t, payment.id)).not.toContain('payment.charge_started');
    const portalPayments = json(await t.request('GET', `/api/v1/payments?patientId=${portalPatient.id}`), 200);
    expect(portalPayments.total).toBe(0);
    await t.expectLedgerBalances();
  });

  it('staff: starts the charge, the browser confirms it at Stripe, and finishing books it once from what Stripe says', async () => {
    const patient = await makePatient(t);
    const payment = await makePayment(t, patient.id, { amountCents: 12345, method: 'card' });
    const start = (key: string) => t.request('POST', `/api/v1/payments/${payment.id}/charge/start`, { headers: { 'idempotency-key': key } });
    const started = json(await start('start-1'), 200);
    expect(started).toMatchObject({ status: 'processing', failure: null, chargeReference: expect.stringMatching(/^pi_/), clientSecret: expect.stringMatching(/_secret_/) });
    // A retry of the same start replays the same intent; no second one is made.
    expect(json(await start('start-1'), 200)).toMatchObject({ chargeReference: started.chargeReference, clientSecret: started.clientSecret });
    expect(stripe.intents().filter((i) => i.metadata.paymentId === payment.id)).toHaveLength(1);
    expect(stripe.intent(started.chargeReference)).toMatchObject({
      amount: 12345,
      status: 'requires_payment_method',
      description: `Payment ${payment.number}`,
      metadata: { paymentId: payment.id, chargeAttempt: `${payment.id}:1` },
    });
    // While the browser has it, the payment is locked.
    expect(JSON.parse((await t.request('POST', `/api/v1/payments/${payment.id}/status`, { body: { status: 'cancelled' } })).body).code).toBe('charge_in_progress');

    // Finishing before the browser confirmed: Stripe says it still waits for a card — cancelled, so it can never be paid, and Failed.
    const early = json(await t.request('POST', `/api/v1/payments/${payment.id}/charge/finish`, { body: { chargeReference: started.chargeReference } }), 200);
    expect(early).toMatchObject({ status: 'failed', failure: expect.stringContaining('requires_payment_method') });
    expect(stripe.intent(started.chargeReference)?.status).toBe('canceled');
    expect(stripe.confirm(started.chargeReference, '4242424242424242').status).toBe(400);
    // Finishing the Failed payment again answers with its failure, booking nothing.
    expect(json(await t.request('POST', `/api/v1/payments/${payment.id}/charge/finish`, { body: { chargeReference: started.chargeReference } }), 200)).toMatchObject({
      status: 'failed',
      failure: early.failure,
    });

    // Again (a Failed payment may be charged again): a new attempt, a new intent.
    const again = json(await start('start-2'), 200);
    expect(again.chargeReference).not.toBe(started.chargeReference);
    expect(stripe.confirm(again.chargeReference, '4242424242424242').status).toBe(200);
    // Another payment's intent does not finish this one.
    const other = await makePayment(t, patient.id, { amountCents: 100, method: 'card' });
    expect(json(await t.request('POST', `/api/v1/payments/${payment.id}/charge/finish`, { body: { chargeReference: 'pi_someoneelse' } }), 422)).toMatchObject({
      code: 'charge_reference_mismatch',
      detail: 'That card charge is not the one this payment is waiting for. Nothing was booked.',
    });
    const paid = json(await t.request('POST', `/api/v1/payments/${payment.id}/charge/finish`, { body: { chargeReference: again.chargeReference } }), 200);
    expect(paid).toMatchObject({ status: 'paid', failure: null, method: 'card', chargedThroughProcessor: true });
    expect(await t.database.handle.db.selectFrom('payments').select(['processorReference', 'cardLast4']).where('id', '=', payment.id).executeTakeFirst()).toEqual({ processorReference: again.chargeReference, cardLast4: '4242' });
    // Finishing twice books nothing more.
    expect(json(await t.request('POST', `/api/v1/payments/${payment.id}/charge/finish`, { body: { chargeReference: again.chargeReference } }), 200)).toMatchObject({ status: 'paid' });
    expect(json(await t.request('POST', `/api/v1/payments/${payment.id}/charge/finish`, { body: { chargeReference: started.chargeReference } }), 422)).toMatchObject({
      code: 'charge_reference_mismatch',
      detail: 'That card charge is not the one this payment was paid with.',
    });
    expect(await patientAccounts(t.database.handle.db, patient.id)).toMatchObject({ cash_clearing: 12345, patient_unapplied: -12345 });
    expect((await auditActions(t, payment.id)).filter((a) => a === 'payment.charged')).toHaveLength(1);
    expect(json(await t.request('GET', `/api/v1/payments/${other.id}`), 200).status).toBe('pending');
    expect(stripe.cardNumbers).toEqual(['4242424242424242']);
    await t.expectLedgerBalances();
  });

  it('staff: finishing while Stripe still processes the charge leaves the payment Processing and locked; finishing later books it', async () => {
    const patient = await makePatient(t);
    const payment = await makePayment(t, patient.id, { amountCents: 4400, method: 'card' });
    const started = json(await t.request('POST', `/api/v1/payments/${payment.id}/charge/start`, { headers: { 'idempotency-key': `slow-${payment.id}` } }), 200);
    expect(stripe.confirm(started.chargeReference, '4242424242424242').status).toBe(200);
    // Stripe still processing (a bank debit, a slow network): nothing is booked yet.
    const intent = stripe.intent(started.chargeReference)!;
    intent.status = 'processing';
    const finish = () => t.request('POST', `/api/v1/payments/${payment.id}/charge/finish`, { body: { chargeReference: started.chargeReference } });
    expect(json(await finish(), 200)).toMatchObject({ status: 'processing', failure: null });
    expect(await patientAccounts(t.database.handle.db, patient.id)).toMatchObject({ cash_clearing: 0 });
    expect(JSON.parse((await t.request('POST', `/api/v1/payments/${payment.id}/status`, { body: { status: 'cancelled' } })).body).code).toBe('charge_in_progress');
    intent.status = 'succeeded';
    expect(json(await finish(), 200)).toMatchObject({ status: 'paid', failure: null });
    expect(await patientAccounts(t.database.handle.db, patient.id)).toMatchObject({ cash_clearing: 4400, patient_unapplied: -4400 });
    await t.expectLedgerBalances();
  });

  it('portal: a declined card leaves one Failed payment tried again; the webhook books the success first, the browser’s finish applies nothing twice', async () => {
    const { patient, token } = await portalSession(t);
    const start = (amountCents: number, key: string) => publicPost(t, '/portal/pay/start', { portalToken: token, amountCents }, { 'idempotency-key': key });
    const first = json(await start(6000, 'p-1'), 200);
    expect(first).toMatchObject({ status: 'processing', chargeReference: expect.stringMatching(/^pi_/), clientSecret: expect.any(String) });
    expect(stripe.intent(first.chargeReference)?.metadata).toMatchObject({ channel: 'portal' });
    expect(stripe.confirm(first.chargeReference, '4000000000000002').status).toBe(402);
    const declined = json(await publicPost(t, '/portal/pay/finish', { portalToken: token, paymentNumber: first.paymentNumber, chargeReference: first.chargeReference }), 200);
    expect(declined).toMatchObject({ status: 'failed', failure: 'Your card was declined.', account: { balanceCents: 25000 } });
    expect(stripe.intent(first.chargeReference)?.status).toBe('canceled');

    const second = json(await start(6000, 'p-2'), 200);
    // The same payment, tried again.
    expect(second.paymentNumber).toBe(first.paymentNumber);
    expect(stripe.confirm(second.chargeReference, '4242424242424242').status).toBe(200);
    // Stripe's webhook arrives before the browser's finish: it books and applies the payment.
    const event = intentSucceeded(stripe.intent(second.chargeReference));
    const hook = json(await t.app.inject({ method: 'POST', url: '/api/v1/webhooks/stripe', payload: event, headers: signed(event) }), 200);
    expect(hook.reconciliation).toMatchObject({ kind: 'charge_succeeded', outcome: 'booked', unmatched: false });
    expect(json(await t.app.inject({ method: 'POST', url: '/api/v1/webhooks/stripe', payload: event, headers: signed(event) }), 200).reconciliation).toMatchObject({ outcome: 'known' });
    const finished = json(await publicPost(t, '/portal/pay/finish', { portalToken: token, paymentNumber: second.paymentNumber, chargeReference: second.chargeReference }), 200);
    expect(finished).toMatchObject({ status: 'paid', amountCents: 6000, failure: null, account: { balanceCents: 19000 } });
    // Oldest visit first: $60.00 of the $100.00 visit.
    expect(finished.account.treatments.map((v: { serviceDate: string; balanceCents: number }) => [v.serviceDate, v.balanceCents])).toEqual([
      ['2026-03-02', 15000],
      ['2026-01-10', 4000],
    ]);
    expect(await patientAccounts(t.database.handle.db, patient.id)).toEqual({ cash_clearing: 6000, patient_receivable: 19000, patient_unapplied: 0, patient_credit: 0 });
    const payments = json(await t.request('GET', `/api/v1/payments?patientId=${patient.id}`), 200);
    expect(payments.items.map((p: { status: string; amountCents: number }) => [p.status, p.amountCents])).toEqual([['paid', 6000]]);
    // Another patient's session cannot finish (or learn of) this payment.
    const { token: otherToken } = await portalSession(t);
    expect((await publicPost(t, '/portal/pay/finish', { portalToken: otherToken, paymentNumber: second.paymentNumber, chargeReference: second.chargeReference })).statusCode).toBe(404);
    await t.expectLedgerBalances();
  });

  it('payment link: start, confirm, finish; the link is then paid and takes no second start', async () => {
    const patient = await makePatient(t);
    const payment = await makePayment(t, patient.id, { amountCents: 3100 });
    const link = json(await t.request('POST', `/api/v1/payments/${payment.id}/link`, { body: { expiresInDays: 7 } }), 201);
    const token = String(link.url).split('/pay/')[1]!;
    const started = json(await publicPost(t, `/pay/${token}/start`, {}, { 'idempotency-key': 'l-1' }), 200);
    expect(started).toMatchObject({ status: 'processing', chargeReference: expect.stringMatching(/^pi_/) });
    expect(stripe.confirm(started.chargeReference, '4242424242424242').status).toBe(200);
    expect(json(await publicPost(t, `/pay/${token}/finish`, { chargeReference: started.chargeReference }), 200)).toEqual({ paymentNumber: payment.number, amountCents: 3100, status: 'paid', failure: null });
    expect(JSON.parse((await publicPost(t, `/pay/${token}/start`, {}, { 'idempotency-key': 'l-2' })).body).code).toBe('link_already_paid');
    expect(json(await t.request('GET', `/api/v1/payments/${payment.id}`), 200)).toMatchObject({ status: 'paid', method: 'online' });
    expect(await t.database.handle.db.selectFrom('payments').select(['processorReference', 'cardLast4']).where('id', '=', payment.id).executeTakeFirst()).toEqual({ processorReference: started.chargeReference, cardLast4: '4242' });
    await t.expectLedgerBalances();
  });
});

describe.each(dialects)('card entry with the sandbox on %s', (dialect) => {
  const t = useTestApp(dialect);

  it('keeps the test-card field: our own form, and no processor element to start', async () => {
    expect(json(await t.app.inject({ method: 'GET', url: '/api/v1/card-entry' }), 200)).toEqual({ processor: 'sandbox', mode: 'our_form', publishableKey: null });
    const patient = await makePatient(t);
    const payment = await makePayment(t, patient.id, { amountCents: 500, method: 'card' });
    expect(json(await t.request('POST', `/api/v1/payments/${payment.id}/charge/start`), 422)).toMatchObject({
      code: 'hosted_card_entry_unavailable',
      detail: 'This processor takes the card number in our own form; send it with the charge instead.',
    });
    expect(json(await t.request('GET', `/api/v1/payments/${payment.id}`), 200).status).toBe('pending');
    expect(json(await t.request('POST', `/api/v1/payments/${payment.id}/charge`, { body: { source: '4242 4242 4242 4242' } }), 200).status).toBe('paid');
  });
});

let accounts = 0;
/** A patient of practice alpha owing $100.00 (2026-01-10) and $150.00 (2026-03-02), signed in to the portal. */
async function portalSession(t: TestApp) {
  const patient = await makePatient(t, undefined, { accountId: `S${Date.now() % 1_000_000}${++accounts}`, dateOfBirth: '1975-06-30' });
  await makeSelfPayTreatment(t, patient.id, 10000, '2026-01-10');
  await makeSelfPayTreatment(t, patient.id, 15000, '2026-03-02');
  const found = json(await publicPost(t, '/portal/lookup', { dateOfBirth: '1975-06-30', accountId: patient.accountId, practice: 'alpha' }), 200);
  return { patient, token: String(found.portalToken) };
}
