import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliActor } from '../src/services/actor.ts';
import { createApiToken } from '../src/services/auth/create-api-token.ts';
import { verifyLedger } from '../src/services/ledger/verify-ledger.ts';
import { createPortalSession } from '../src/services/portal/portal-sessions.ts';
import { createPractice } from '../src/services/practices/create-practice.ts';
import { patientAccounts } from './helpers/ledger-accounts.ts';
import { startServer, stopServer, waitForHealth, type ServerProcess } from './helpers/server-processes.ts';
import { startStripeStandIn, type StripeStandIn } from './helpers/stripe-stand-in.ts';
import { createTestDatabase, type TestDatabase } from './helpers/test-database.ts';

const secret = 'whsec_entry_race';

/**
 * A card confirmed in Stripe's element is booked by whichever comes first:
 * the patient's browser finishing it, or Stripe's webhook — and Stripe
 * repeats webhooks, to any process. Two real servers on one PostgreSQL get
 * the finish and the webhook several times each, all at once: the payment is
 * booked and applied once (ADR 0027).
 */
describe('a Stripe element charge finished and webhooked at once across two processes on postgres', () => {
  let database: TestDatabase | undefined;
  let stripe: StripeStandIn | undefined;
  const servers: ServerProcess[] = [];

  beforeAll(async () => {
    stripe = await startStripeStandIn();
    database = await createTestDatabase('postgres');
    const env = { PAYMENT_PROCESSOR: 'stripe', STRIPE_SECRET_KEY: 'sk_test_race', STRIPE_PUBLISHABLE_KEY: 'pk_test_race', STRIPE_WEBHOOK_SECRET: secret, STRIPE_API_BASE: stripe.apiBase };
    const options = { databaseUrl: database.databaseUrl, dataDir: database.dataDir, env };
    servers.push(await startServer(options), await startServer(options));
    await Promise.all(servers.map((s) => waitForHealth(s, { dialect: 'postgres' })));
  }, 180_000);

  afterAll(async () => {
    await Promise.allSettled(servers.map(stopServer));
    await stripe?.close();
    await database?.drop();
  });

  it('books the payment once and applies it once', async () => {
    const db = database!.handle.db;
    const practice = await createPractice(db, { slug: 'entry-race', name: 'Entry Race Clinic' });
    const { token } = await createApiToken(db, cliActor(practice.id), { role: 'admin' });
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const staff = async (path: string, body: unknown) => {
      const response = await fetch(`${a.url}/api/v1${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(response.status, await response.clone().text()).toBe(201);
      return (await response.json()) as { id: string };
    };
    const location = await staff('/locations', { name: 'Main' });
    const patient = await staff('/patients', { firstName: 'Rae', lastName: 'Cing', dateOfBirth: '1980-02-02' });
    await staff('/treatments', { patientId: patient.id, locationId: location.id, serviceDate: '2026-03-02', physician: 'Dr. Race', lines: [{ cpt: '99213', chargeCents: 10000 }] });
    const session = await createPortalSession(db, practice.id, patient.id);

    const publicPost = (server: ServerProcess, path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${server.url}/api/v1${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
    const started = (await (await publicPost(a, '/portal/pay/start', { portalToken: session.token, amountCents: 6000 }, { 'idempotency-key': 'race-1' })).json()) as { paymentNumber: string; chargeReference: string };
    expect(stripe!.confirm(started.chargeReference, '4242424242424242').status).toBe(200);

    const event = JSON.stringify({ id: 'evt_entry_race', object: 'event', type: 'payment_intent.succeeded', api_version: '2026-10-28.endive', created: 1764500000, data: { object: stripe!.intent(started.chargeReference) } });
    const webhook = (server: ServerProcess) => {
      const t = Math.floor(Date.now() / 1000);
      return publicPost(server, '/webhooks/stripe', event, { 'stripe-signature': `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${event}`).digest('hex')}` });
    };
    const finish = (server: ServerProcess) => publicPost(server, '/portal/pay/finish', { portalToken: session.token, paymentNumber: started.paymentNumber, chargeReference: started.chargeReference });
    const answers = await Promise.all(servers.flatMap((s) => [finish(s), webhook(s), finish(s), webhook(s)]));
    expect(answers.map((r) => r.status)).toEqual(Array(8).fill(200));

    const payment = await db.selectFrom('payments').select(['id', 'status', 'appliedCents', 'processorReference']).where('patientId', '=', patient.id).execute();
    expect(payment).toEqual([{ id: expect.any(String), status: 'paid', appliedCents: 6000, processorReference: started.chargeReference }]);
    const charged = await db.selectFrom('auditEvents').select('action').where('entityId', '=', payment[0]!.id).where('action', '=', 'payment.charged').execute();
    expect(charged).toHaveLength(1);
    expect(await patientAccounts(db, patient.id)).toEqual({ cash_clearing: 6000, patient_receivable: 4000, patient_unapplied: 0, patient_credit: 0 });
    expect(await verifyLedger(db)).toEqual([]);
  });
});
