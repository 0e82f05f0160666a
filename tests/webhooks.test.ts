import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhookSignature } from '../src/domain/webhooks/signature.ts';
import { startWebhookWorker } from '../src/jobs/webhook-delivery.ts';
import { deliverWebhooks } from '../src/services/webhooks/deliver-webhooks.ts';
import { makePatient, makePayment } from './helpers/factories.ts';
import { json, useTestApp } from './helpers/test-app.ts';
import { dialects } from './helpers/test-database.ts';
import { startReceiver, waitFor, type Receiver } from './helpers/webhook-receiver.ts';

/**
 * Outgoing webhooks end to end: a real HTTP receiver on a local port, the
 * worker running in the app as in the server, payments made through the API.
 */
describe.each(dialects)('webhooks on %s', (dialect) => {
  const t = useTestApp(dialect, { webhookRetryBaseMs: 60, webhookPollMs: 40, webhookTimeoutMs: 1500 });
  const receivers: Receiver[] = [];
  const endpointIds: string[] = [];
  let patientId: string;

  beforeAll(async () => {
    startWebhookWorker(t.app, { database: t.database.handle, config: t.config });
    patientId = (await makePatient(t)).id;
  });

  afterEach(async () => {
    // Each test's endpoints go, so later tests' events reach only their own receivers.
    for (const id of endpointIds.splice(0)) await t.request('DELETE', `/api/v1/webhook-endpoints/${id}`);
    for (const r of receivers.splice(0)) await r.close();
  });

  async function receiver(answer?: Parameters<typeof startReceiver>[0]) {
    const r = await startReceiver(answer);
    receivers.push(r);
    return r;
  }
  async function endpoint(url: string, events: string[] = ['*'], extra: Record<string, unknown> = {}) {
    const created = json(await t.request('POST', '/api/v1/webhook-endpoints', { body: { url, events, description: 'test', ...extra } }), 201);
    endpointIds.push(created.id);
    return created;
  }
  async function deliveries(endpointId: string) {
    return json(await t.request('GET', `/api/v1/webhook-endpoints/${endpointId}/deliveries`), 200).items;
  }

  it('delivers a signed payment.created within a second of the payment, and the signature verifies', async () => {
    const r = await receiver();
    const ep = await endpoint(r.url, ['payment.*']);
    expect(ep.secret).toMatch(/^whsec_[0-9a-f]{48}$/);
    // The secret is shown once: never in reads.
    const read = json(await t.request('GET', `/api/v1/webhook-endpoints/${ep.id}`), 200);
    expect(read).not.toHaveProperty('secret');
    expect(JSON.stringify(json(await t.request('GET', '/api/v1/webhook-endpoints'), 200))).not.toContain(ep.secret);

    const started = Date.now();
    const payment = await makePayment(t, patientId, { amountCents: 12345, status: 'paid', method: 'cash' });
    const got = await waitFor(() => r.matching('payment.created', 'paymentId', payment.id)[0], 1000);
    expect(got, 'delivered within a second').toBeTruthy();
    expect(got!.at - started).toBeLessThan(1000);
    expect(got!.json.data).toMatchObject({ paymentId: payment.id, status: 'paid', amountCents: 12345 });
    expect(got!.headers['content-type']).toBe('application/json');
    const signature = String(got!.headers['ledger-signature']);
    expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(signature, got!.body, ep.secret)).toBe(true);
    expect(verifyWebhookSignature(signature, got!.body, 'whsec_wrong')).toBe(false);

    const log = await waitFor(async () => (await deliveries(ep.id)).find((d: any) => d.eventId === got!.json.id && d.status === 'delivered'), 1000);
    expect(log).toMatchObject({ eventType: 'payment.created', status: 'delivered', attemptCount: 1, lastResponseCode: 200 });
    expect(log.attempts).toHaveLength(1);
    expect(log.attempts[0]).toMatchObject({ responseCode: 200, succeeded: true, manual: false });
  });

  it('retries a receiver that fails three times: it gets the event once more and the log shows four attempts', async () => {
    const failuresFor = new Map<string, number>();
    const r = await receiver((_n, req) => {
      const seen = failuresFor.get(req.json.id) ?? 0;
      failuresFor.set(req.json.id, seen + 1);
      return seen < 3 ? 503 : 200;
    });
    const ep = await endpoint(r.url, ['payment.created']);
    const payment = await makePayment(t, patientId, { amountCents: 777 });
    const log = await waitFor(async () => (await deliveries(ep.id)).find((d: any) => d.status === 'delivered'), 5000);
    expect(log, 'delivered after the retries').toBeTruthy();
    const sends = r.matching('payment.created', 'paymentId', payment.id);
    expect(sends).toHaveLength(4);
    // The same event (id and bytes) every time; a fresh signature each time.
    expect(new Set(sends.map((s) => s.body)).size).toBe(1);
    for (const s of sends) expect(verifyWebhookSignature(String(s.headers['ledger-signature']), s.body, ep.secret)).toBe(true);
    // Back-off: 60 ms, then 120, then 240 (at least; the worker polls every 40 ms).
    const gaps = sends.slice(1).map((s, i) => s.at - sends[i]!.at);
    expect(gaps[0]).toBeGreaterThanOrEqual(55);
    expect(gaps[1]).toBeGreaterThanOrEqual(115);
    expect(gaps[2]).toBeGreaterThanOrEqual(235);
    expect(log.attemptCount).toBe(4);
    expect(log.attempts.map((a: any) => a.responseCode)).toEqual([503, 503, 503, 200]);
    expect(log.attempts.map((a: any) => a.succeeded)).toEqual([false, false, false, true]);
    // Delivered means done: nothing more arrives.
    await new Promise((res) => setTimeout(res, 400));
    expect(r.matching('payment.created', 'paymentId', payment.id)).toHaveLength(4);
  });

  it('sends only the events an endpoint listens to, and nothing to a disabled or deleted endpoint', async () => {
    const all = await receiver();
    const refundsOnly = await receiver();
    const disabled = await receiver();
    const deleted = await receiver();
    await endpoint(all.url, ['*']);
    await endpoint(refundsOnly.url, ['refund.succeeded']);
    await endpoint(disabled.url, ['*'], { enabled: false });
    const gone = await endpoint(deleted.url, ['*']);
    expect((await t.request('DELETE', `/api/v1/webhook-endpoints/${gone.id}`)).statusCode).toBe(204);
    expect((await t.request('GET', `/api/v1/webhook-endpoints/${gone.id}`)).statusCode).toBe(404);

    const payment = await makePayment(t, patientId, { amountCents: 2500, status: 'paid', method: 'cash' });
    expect(await waitFor(() => all.matching('payment.created', 'paymentId', payment.id).length === 1, 2000)).toBe(true);
    // The worker has handed this event on; give it two more polls to be sure nothing else is coming.
    await new Promise((res) => setTimeout(res, 200));
    expect(refundsOnly.received).toHaveLength(0);
    expect(disabled.received).toHaveLength(0);
    expect(deleted.received).toHaveLength(0);

    // A refund reaches the refunds-only endpoint.
    json(await t.request('POST', `/api/v1/payments/${payment.id}/refunds`, { body: { amountCents: 1000, reason: 'patient_request' } }), 201);
    const refund = await waitFor(() => refundsOnly.matching('refund.succeeded', 'paymentId', payment.id)[0], 2000);
    expect(refund?.json.data).toMatchObject({ paymentId: payment.id, amountCents: 1000 });
    expect(refundsOnly.received.every((x) => x.json.type === 'refund.succeeded')).toBe(true);
    expect(disabled.received).toHaveLength(0);
    await t.expectLedgerBalances();
  });

  it('replays a delivery by hand, and a rolled secret signs from then on', async () => {
    const r = await receiver();
    const ep = await endpoint(r.url, ['payment.created']);
    const payment = await makePayment(t, patientId, { amountCents: 4200 });
    const first = await waitFor(() => r.matching('payment.created', 'paymentId', payment.id)[0], 2000);
    expect(first).toBeTruthy();
    const delivery = await waitFor(async () => (await deliveries(ep.id)).find((d: any) => d.status === 'delivered'), 1000);

    const rolled = json(await t.request('POST', `/api/v1/webhook-endpoints/${ep.id}/roll-secret`), 200);
    expect(rolled.secret).not.toBe(ep.secret);
    const replayed = json(await t.request('POST', `/api/v1/webhook-deliveries/${delivery.id}/replay`), 200);
    expect(replayed.attempts).toHaveLength(2);
    expect(replayed.attempts[1]).toMatchObject({ manual: true, succeeded: true, responseCode: 200 });
    const sends = r.matching('payment.created', 'paymentId', payment.id);
    expect(sends).toHaveLength(2);
    expect(sends[1]!.json.id).toBe(first!.json.id);
    expect(verifyWebhookSignature(String(sends[1]!.headers['ledger-signature']), sends[1]!.body, rolled.secret)).toBe(true);
    expect(verifyWebhookSignature(String(sends[1]!.headers['ledger-signature']), sends[1]!.body, ep.secret)).toBe(false);
  });

  it('a dead or hanging receiver never slows a payment', async () => {
    const hanging = await receiver(() => new Promise<number>((res) => setTimeout(() => res(200), 3000)));
    const ep = await endpoint(hanging.url, ['payment.created']);
    await endpoint('http://127.0.0.1:9/refused', ['payment.created']);
    const p1 = await makePayment(t, patientId, { amountCents: 100 });
    await waitFor(() => hanging.received.length > 0, 2000);
    // While the worker waits on the receiver, payments still answer at once.
    const started = Date.now();
    for (let i = 0; i < 3; i++) await makePayment(t, patientId, { amountCents: 100 + i });
    expect(Date.now() - started).toBeLessThan(1000);
    // The hanging attempt times out (1.5 s here) and is logged without a response code.
    const timedOut = await waitFor(async () => (await deliveries(ep.id)).find((d: any) => d.attempts.some((a: any) => a.error === 'timeout')), 4000);
    expect(timedOut?.attempts[0]).toMatchObject({ responseCode: null, succeeded: false, error: 'timeout' });
    expect(p1.id).toBeTruthy();
  });

  it("admin only; another practice's endpoint and delivery answer 404", async () => {
    const r = await receiver();
    const ep = await endpoint(r.url, ['payment.created']);
    await makePayment(t, patientId, { amountCents: 300 });
    const delivery = await waitFor(async () => (await deliveries(ep.id))[0], 2000);
    expect(delivery).toBeTruthy();
    for (const [method, url] of [
      ['GET', `/api/v1/webhook-endpoints/${ep.id}`],
      ['PATCH', `/api/v1/webhook-endpoints/${ep.id}`],
      ['DELETE', `/api/v1/webhook-endpoints/${ep.id}`],
      ['POST', `/api/v1/webhook-endpoints/${ep.id}/roll-secret`],
      ['GET', `/api/v1/webhook-endpoints/${ep.id}/deliveries`],
      ['POST', `/api/v1/webhook-deliveries/${delivery.id}/replay`],
    ] as const) {
      const response = await t.request(method, url, { as: t.otherAdmin, ...(method === 'PATCH' ? { body: { description: 'x' } } : {}) });
      expect(response.statusCode, `${method} ${url}`).toBe(404);
      expect(response.headers['content-type']).toContain('application/problem+json');
    }
    expect(json(await t.request('GET', '/api/v1/webhook-endpoints', { as: t.otherAdmin }), 200).items).toEqual([]);
    expect(json(await t.request('GET', '/api/v1/webhook-endpoints', { as: t.biller }), 403).code).toBe('forbidden');
    // Another practice's payments never reach this practice's endpoint.
    const stranger = await makePatient(t, t.otherAdmin);
    const theirs = await makePayment(t, stranger.id, { amountCents: 999 }, t.otherAdmin);
    const ours = await makePayment(t, patientId, { amountCents: 998 });
    await waitFor(() => r.matching('payment.created', 'paymentId', ours.id).length, 2000);
    expect(r.matching('payment.created', 'paymentId', theirs.id)).toHaveLength(0);
  });

  it('validates endpoints: URL, event names; PATCH changes events', async () => {
    const bad = json(await t.request('POST', '/api/v1/webhook-endpoints', { body: { url: 'ftp://x', events: ['payment.created'] } }), 400);
    expect(bad.code).toBe('validation_failed');
    expect(json(await t.request('POST', '/api/v1/webhook-endpoints', { body: { url: 'http://x.test/h', events: ['payment.exploded'] } }), 400).code).toBe('validation_failed');
    const r = await receiver();
    const ep = await endpoint(r.url, ['refund.succeeded']);
    const patched = json(await t.request('PATCH', `/api/v1/webhook-endpoints/${ep.id}`, { body: { events: ['payment.created', 'task.*'] } }), 200);
    expect(patched.events).toEqual(['payment.created', 'task.*']);
    const payment = await makePayment(t, patientId, { amountCents: 5150 });
    expect(await waitFor(() => r.matching('payment.created', 'paymentId', payment.id).length === 1, 2000)).toBe(true);
    const types = json(await t.request('GET', '/api/v1/webhook-event-types'), 200).items.map((i: any) => i.type);
    expect(types).toEqual(expect.arrayContaining(['payment.created', 'refund.succeeded', 'credit.created', 'application.created', 'remittance.posted', 'task.created', 'dispute.created']));
    const openapi = json(await t.request('GET', '/api/v1/openapi.json', { as: null }), 200);
    expect(openapi.webhooks['payment.created'].post.requestBody.content['application/json'].schema.properties.data.properties.amountCents).toBeTruthy();
  });

  it('`deliverWebhooks` (what `ledger deliver-webhooks` runs) and the server worker never send one event twice', async () => {
    const r = await receiver();
    await endpoint(r.url, ['payment.created']);
    const payments = [];
    for (let i = 0; i < 5; i++) payments.push(await makePayment(t, patientId, { amountCents: 1000 + i }));
    // The cron pass races the in-server worker over the same events.
    const options = { dialect, retryBaseMs: 60, timeoutMs: 1500 } as const;
    await Promise.all([deliverWebhooks(t.database.handle.db, options), deliverWebhooks(t.database.handle.db, options)]);
    for (const p of payments) {
      expect(await waitFor(() => r.matching('payment.created', 'paymentId', p.id).length === 1, 2000)).toBe(true);
    }
    await new Promise((res) => setTimeout(res, 200));
    for (const p of payments) expect(r.matching('payment.created', 'paymentId', p.id)).toHaveLength(1);
  });

  it('gives up when the 3-day window ends: the delivery is failed and nothing more is sent', async () => {
    const r = await receiver(() => 500);
    const ep = await endpoint(r.url, ['payment.created']);
    const payment = await makePayment(t, patientId, { amountCents: 6100 });
    await waitFor(() => r.matching('payment.created', 'paymentId', payment.id).length >= 1, 2000);
    // Three days pass: the only shortcut in these tests, moving the window's end to now.
    const db = t.database.handle.db;
    await db.updateTable('webhookDeliveries').set({ giveUpAt: new Date(Date.now() + 100).toISOString() }).where('endpointId', '=', ep.id).execute();
    const failed = await waitFor(async () => (await deliveries(ep.id)).find((d: any) => d.status === 'failed'), 3000);
    expect(failed, 'marked failed').toBeTruthy();
    expect(failed.nextAttemptAt).toBeNull();
    expect(failed.attempts.every((a: any) => a.responseCode === 500 && !a.succeeded)).toBe(true);
    const sent = r.matching('payment.created', 'paymentId', payment.id).length;
    expect(sent).toBe(failed.attemptCount);
    await new Promise((res) => setTimeout(res, 400));
    expect(r.matching('payment.created', 'paymentId', payment.id)).toHaveLength(sent);
  });
});
