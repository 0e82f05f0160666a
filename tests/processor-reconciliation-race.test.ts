import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliActor, type Actor } from '../src/services/actor.ts';
import { createApiToken } from '../src/services/auth/create-api-token.ts';
import { verifyLedger } from '../src/services/ledger/verify-ledger.ts';
import { createPatient } from '../src/services/patients/patients.ts';
import { createPayment } from '../src/services/payments/create-payment.ts';
import { createPractice } from '../src/services/practices/create-practice.ts';
import { startServer, stopServer, waitForHealth, type ServerProcess } from './helpers/server-processes.ts';
import { createTestDatabase, type TestDatabase } from './helpers/test-database.ts';

const secret = 'whsec_race';

/**
 * Stripe repeats webhooks, and with many app processes a repeat can land on
 * another process at the same instant. Two real servers on one PostgreSQL
 * receive the same dispute and payout events at once: each is booked once.
 */
describe('processor events raced across two server processes on postgres', () => {
  let database: TestDatabase | undefined;
  const servers: ServerProcess[] = [];
  let stripe: Server;
  let actor: Actor;
  let paymentId = '';
  let patientId = '';
  let token = '';
  const refundKeys = new Set<string>();

  beforeAll(async () => {
    stripe = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (req.method === 'POST' && url.pathname === '/v1/refunds') {
        // Stripe's refund create: the same refund for a repeated Idempotency-Key, after a moment (the window the race needs).
        const key = String(req.headers['idempotency-key']);
        refundKeys.add(key);
        setTimeout(() => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ id: `re_app_${[...refundKeys].indexOf(key) + 1}`, object: 'refund', amount: 1500, currency: 'usd', payment_intent: 'pi_back_race', status: 'succeeded' }));
        }, 150);
        req.resume();
        return;
      }
      const data = url.searchParams.get('payout') === 'po_race'
        ? [{ id: 'txn_race', object: 'balance_transaction', amount: 9000, fee: 291, net: 8709, currency: 'usd', created: 1764500000, description: 'Payment', reporting_category: 'charge', status: 'available', type: 'charge', source: { id: 'ch_race', object: 'charge', amount: 9000, payment_intent: 'pi_race' } }]
        : [];
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', url: '/v1/balance_transactions', has_more: false, data }));
    });
    await new Promise<void>((resolve) => stripe.listen(0, '127.0.0.1', resolve));
    database = await createTestDatabase('postgres');
    const db = database.handle.db;
    const practice = await createPractice(db, { slug: 'race', name: 'Race Clinic' });
    actor = cliActor(practice.id);
    patientId = (await createPatient(db, actor, { firstName: 'Dee', lastName: 'Spute', dateOfBirth: '1980-02-02' })).id;
    paymentId = (await createPayment(db, actor, { patientId, amountCents: 9000, method: 'card', status: 'paid', processorReference: 'pi_race' })).row.id;
    token = (await createApiToken(db, actor, { role: 'biller' })).token;
    const env = {
      PAYMENT_PROCESSOR: 'stripe',
      STRIPE_SECRET_KEY: 'sk_test_race',
      STRIPE_WEBHOOK_SECRET: secret,
      STRIPE_API_BASE: `http://127.0.0.1:${(stripe.address() as AddressInfo).port}`,
    };
    const options = { databaseUrl: database.databaseUrl, dataDir: database.dataDir, env };
    servers.push(await startServer(options), await startServer(options));
    await Promise.all(servers.map((s) => waitForHealth(s, { dialect: 'postgres' })));
  }, 180_000);

  afterAll(async () => {
    await Promise.allSettled(servers.map(stopServer));
    stripe?.closeAllConnections();
    await new Promise((resolve) => (stripe ? stripe.close(resolve) : resolve(undefined)));
    await database?.drop();
  });

  function post(server: ServerProcess, type: string, object: Record<string, unknown>) {
    const body = JSON.stringify({ id: `evt_${type}`, object: 'event', type, api_version: '2026-10-28.endive', created: 1764500000, data: { object } });
    const t = Math.floor(Date.now() / 1000);
    const signature = `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
    return fetch(`${server.url}/api/v1/webhooks/stripe`, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': signature }, body });
  }

  /** The same event four times on each process, all at once; every answer 200. */
  async function race(type: string, object: Record<string, unknown>) {
    const answers = await Promise.all(servers.flatMap((s) => [1, 2, 3, 4].map(() => post(s, type, object))));
    const bodies = await Promise.all(answers.map(async (a) => ({ status: a.status, body: (await a.json()) as any })));
    expect(bodies.map((b) => b.status)).toEqual(Array(8).fill(200));
    return bodies.map((b) => b.body.reconciliation?.outcome ?? b.body.reconciliation?.payout);
  }

  const dispute = (status: string) => ({ id: 'dp_race', object: 'dispute', amount: 9000, charge: 'ch_race', payment_intent: 'pi_race', reason: 'fraudulent', status, evidence_details: { due_by: 1765400000 } });

  it('books a dispute opened, lost, and a payout once each', async () => {
    const db = database!.handle.db;
    const opened = await race('charge.dispute.created', dispute('needs_response'));
    expect(opened.filter((o) => o === 'opened')).toHaveLength(1);
    expect(opened.filter((o) => o === 'already_open')).toHaveLength(7);
    const lost = await race('charge.dispute.closed', dispute('lost'));
    expect(lost.filter((o) => o === 'lost')).toHaveLength(1);
    expect(lost.filter((o) => o === 'already_closed')).toHaveLength(7);
    await race('payout.paid', { id: 'po_race', object: 'payout', amount: 8709, arrival_date: 1764547200, status: 'paid' });

    const kinds = await db.selectFrom('journalEntries').select('kind').where('paymentId', '=', paymentId).orderBy('kind').execute();
    expect(kinds.map((k) => k.kind)).toEqual(['dispute_hold', 'dispute_release', 'payment_received', 'processor_fee', 'refund']);
    const refunds = await db.selectFrom('refunds').select(['amountCents', 'reason']).where('paymentId', '=', paymentId).execute();
    expect(refunds.map((r) => [Number(r.amountCents), r.reason])).toEqual([[9000, 'chargeback']]);
    expect(await db.selectFrom('tasks').select('status').where('patientId', '=', patientId).execute()).toEqual([{ status: 'completed' }]);
    expect(await db.selectFrom('processorPayouts').select('amountCents').execute()).toHaveLength(1);
    const payment = await db.selectFrom('payments').select(['status', 'refundedCents']).where('id', '=', paymentId).executeTakeFirstOrThrow();
    expect({ status: payment.status, refundedCents: Number(payment.refundedCents) }).toEqual({ status: 'refunded', refundedCents: 9000 });
    expect(await verifyLedger(db)).toEqual([]);
  }, 60_000);

  it('books a charge made in the dashboard once — its charge and PaymentIntent events raced on both processes — for the patient it names, and one naming nobody held once', async () => {
    const db = database!.handle.db;
    const named = { id: 'ch_dash_race', object: 'charge', amount: 4200, payment_intent: 'pi_dash_race', status: 'succeeded', metadata: { patientId }, billing_details: { email: null } };
    const intent = { id: 'pi_dash_race', object: 'payment_intent', amount: 4200, amount_received: 4200, status: 'succeeded', latest_charge: 'ch_dash_race', metadata: { patientId } };
    const [charges, intents] = await Promise.all([race('charge.succeeded', named), race('payment_intent.succeeded', intent)]);
    const outcomes = [...charges, ...intents];
    expect(outcomes.filter((o) => o === 'booked')).toHaveLength(1);
    expect(outcomes.filter((o) => o !== 'booked' && o !== 'already_booked' && o !== 'known')).toEqual([]);
    const payments = await db.selectFrom('payments').select(['id', 'amountCents', 'status', 'method']).where('processorReference', '=', 'pi_dash_race').execute();
    expect(payments.map((p) => [Number(p.amountCents), p.status, p.method])).toEqual([[4200, 'paid', 'card']]);
    const received = await db.selectFrom('journalEntries').select('kind').where('paymentId', '=', payments[0]!.id).execute();
    expect(received.map((e) => e.kind)).toEqual(['payment_received']);

    // One practice in this database: a charge naming nobody is held for it, once.
    const held = await race('charge.succeeded', { id: 'ch_nobody_race', object: 'charge', amount: 1300, payment_intent: 'pi_nobody_race', status: 'succeeded', metadata: {}, billing_details: { email: null } });
    expect(held.filter((o) => o === 'held')).toHaveLength(1);
    expect(held.filter((o) => o === 'already_booked')).toHaveLength(7);
    const lines = await db.selectFrom('journalLines').select(['amountCents']).where('account', '=', 'unidentified_receipts').execute();
    expect(lines.map((l) => Number(l.amountCents))).toEqual([-1300]);
    expect(await db.selectFrom('processorReceipts').select('status').orderBy('status').execute()).toEqual([{ status: 'booked' }, { status: 'held' }]);
    expect(await verifyLedger(db)).toEqual([]);
  }, 60_000);

  it("a held receipt's dispute raced on both processes is held and lost once; another held receipt given back from both processes while Stripe's refund event and assign attempts race books one return", async () => {
    const db = database!.handle.db;
    const charged = (intent: string, amount: number) => ({ id: `ch_${intent.slice(3)}`, object: 'charge', amount, payment_intent: intent, status: 'succeeded', metadata: {}, billing_details: { email: null } });
    expect((await race('charge.succeeded', charged('pi_hd_race', 2600))).filter((o) => o === 'held')).toHaveLength(1);
    const heldDispute = (status: string) => ({ id: 'dp_hd_race', object: 'dispute', amount: 2600, charge: 'ch_hd_race', payment_intent: 'pi_hd_race', reason: 'fraudulent', status, evidence_details: { due_by: 1765400000 } });
    const opened = await race('charge.dispute.created', heldDispute('needs_response'));
    expect(opened.filter((o) => o === 'opened_on_receipt')).toHaveLength(1);
    expect(opened.filter((o) => o === 'already_open')).toHaveLength(7);
    const lost = await race('charge.dispute.closed', heldDispute('lost'));
    expect(lost.filter((o) => o === 'lost')).toHaveLength(1);
    expect(lost.filter((o) => o === 'already_closed')).toHaveLength(7);
    const disputed = await db.selectFrom('processorReceipts').select(['id', 'status', 'returnedCents', 'disputeStatus']).where('processorReference', '=', 'pi_hd_race').executeTakeFirstOrThrow();
    expect({ ...disputed, id: undefined, returnedCents: Number(disputed.returnedCents) }).toEqual({ id: undefined, status: 'returned', returnedCents: 2600, disputeStatus: 'lost' });
    const disputeKinds = await db.selectFrom('journalEntries').select('kind').where('sourceId', '=', disputed.id).orderBy('kind').execute();
    expect(disputeKinds.map((k) => k.kind)).toEqual(['processor_receipt_held', 'receipt_dispute_hold', 'receipt_dispute_release']);

    expect((await race('charge.succeeded', charged('pi_back_race', 1500))).filter((o) => o === 'held')).toHaveLength(1);
    const receipt = await db.selectFrom('processorReceipts').select('id').where('processorReference', '=', 'pi_back_race').executeTakeFirstOrThrow();
    const call = (server: ServerProcess, path: string, body?: unknown, key?: string) =>
      fetch(`${server.url}/api/v1${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, ...(key ? { 'idempotency-key': key } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const refunded = { ...charged('pi_back_race', 1500), amount_refunded: 1500, refunded: true };
    const answers = await Promise.all([
      ...servers.flatMap((s, i) => [call(s, `/processor-receipts/${receipt.id}/return`, undefined, `ret-${i}`), call(s, `/processor-receipts/${receipt.id}/return`)]),
      ...servers.map((s) => call(s, `/processor-receipts/${receipt.id}/assign`, { patientId })),
      (async () => {
        await new Promise((resolve) => setTimeout(resolve, 200));
        return Promise.all(servers.flatMap((s) => [post(s, 'charge.refunded', refunded), post(s, 'charge.refunded', refunded)]));
      })(),
    ]);
    const flat = answers.flat();
    // Never a 5xx; the returns answer 200 (returned) or 422 (already returned / under way elsewhere), the assigns 200 only if they came first.
    expect(flat.filter((a) => a.status >= 500)).toEqual([]);
    const after = await db.selectFrom('processorReceipts').select(['status', 'returnedCents', 'paymentId']).where('id', '=', receipt.id).executeTakeFirstOrThrow();
    const returns = await db.selectFrom('processorReceiptReturns').select('amountCents').where('receiptId', '=', receipt.id).execute();
    if (after.status === 'assigned') {
      // An assign won the race: nothing was given back, and the payment took the whole charge.
      expect(returns).toEqual([]);
      expect(after.paymentId).not.toBeNull();
    } else {
      expect(after.status).toBe('returned');
      expect(returns.map((r) => Number(r.amountCents))).toEqual([1500]);
      expect(Number(after.returnedCents)).toBe(1500);
      expect(after.paymentId).toBeNull();
    }
    const unidentified = await db.selectFrom('journalLines').select((eb) => eb.fn.sum<number>('amountCents').as('total')).where('account', '=', 'unidentified_receipts').executeTakeFirstOrThrow();
    expect(Number(unidentified.total)).toBe(-1300);
    expect(await verifyLedger(db)).toEqual([]);
  }, 60_000);
});
