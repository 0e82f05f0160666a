import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliActor } from '../../src/services/actor.ts';
import { createApiToken } from '../../src/services/auth/create-api-token.ts';
import { createPractice } from '../../src/services/practices/create-practice.ts';
import { bookProcessorCharge } from '../../src/services/reconciliation/book-processor-charge.ts';
import { verifyLedger } from '../../src/services/ledger/verify-ledger.ts';
import { createTestDatabase, dialects, type TestDatabase } from '../helpers/test-database.ts';
import { startHealthyServer, stopServer, type ServerProcess } from '../helpers/server-processes.ts';
import { startStripeStandIn, type StripeStandIn } from '../helpers/stripe-stand-in.ts';
import { countChanges, insertTask, tableCounter } from './db-helpers.ts';
import { build835 } from '../../src/x12/build-835.ts';
import { era835, fetchCall, recordFigures, type Answer, type Call } from './harness.ts';
import { documentedRoutes } from './routes.ts';

/**
 * Every money route, retried concurrently with one Idempotency-Key from two
 * server processes on one database: the tables change exactly as they do
 * for one request (one effect), and every answer is the first one replayed.
 */

interface Request {
  method: string;
  url: string;
  body?: unknown;
  raw?: string;
  contentType?: string;
  token?: string | null;
  /** Sent to the servers configured for Stripe's element (ADR 0027) rather than the sandbox's. */
  hosted?: boolean;
}

type Setup = (call: Call, token: string) => Promise<Request>;

const ok = async (answer: Promise<Answer>, status: number, what: string) => {
  const a = await answer;
  if (a.status !== status) throw new Error(`setup ${what}: ${a.status} ${a.text.slice(0, 300)}`);
  return a.json;
};

describe.each(dialects)('one Idempotency-Key retried concurrently from two processes on %s', (dialect) => {
  let database: TestDatabase;
  let dataDir: string;
  const servers: ServerProcess[] = [];
  // The start routes of Stripe's element need a processor that has one: two more servers on the same database,
  // configured for Stripe and talking to the local stand-in that answers with Stripe's documented shapes.
  const hostedServers: ServerProcess[] = [];
  let stripe: StripeStandIn | undefined;
  let token = '';
  let practiceId = '';

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    const practice = await createPractice(database.handle.db, { slug: 'alpha', name: 'Alpha Clinic' });
    practiceId = practice.id;
    token = (await createApiToken(database.handle.db, cliActor(practice.id), { role: 'admin' })).token;
    // On SQLite both processes share the data folder's file; on PostgreSQL the database.
    dataDir = dialect === 'sqlite' ? database.dataDir : fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-idem-'));
    servers.push(...(await Promise.all([0, 1].map(() => startHealthyServer({ dataDir, databaseUrl: database.databaseUrl, dialect })))));
    stripe = await startStripeStandIn();
    const env = { PAYMENT_PROCESSOR: 'stripe', STRIPE_SECRET_KEY: 'sk_test_idem', STRIPE_PUBLISHABLE_KEY: 'pk_test_idem', STRIPE_WEBHOOK_SECRET: 'whsec_idem', STRIPE_API_BASE: stripe.apiBase };
    hostedServers.push(...(await Promise.all([0, 1].map(() => startHealthyServer({ dataDir, databaseUrl: database.databaseUrl, dialect, env })))));
  }, 180_000);
  afterAll(async () => {
    await Promise.allSettled([...servers, ...hostedServers].map((s) => stopServer(s)));
    await stripe?.close();
    if (dialect === 'postgres') fs.rmSync(dataDir, { recursive: true, force: true });
    await database?.drop();
  }, 60_000);

  it('gives one effect and the same answer on every money route', async () => {
    const calls = servers.map((s) => fetchCall(s.url));
    const hostedCalls = hostedServers.map((s) => fetchCall(s.url));
    const call = calls[0]!;
    const as = { token };
    const patient = async () => ok(call('POST', '/api/v1/patients', { ...as, body: { firstName: 'Idem', lastName: `Potent${Math.random()}`, dateOfBirth: '1970-01-02' } }), 201, 'patient');
    const location = await ok(call('POST', '/api/v1/locations', { ...as, body: { name: 'Main' } }), 201, 'location');
    const treatmentOf = async (patientId: string, chargeCents = 20000) =>
      ok(call('POST', '/api/v1/treatments', { ...as, body: { patientId, locationId: location.id, serviceDate: '2026-03-02', physician: 'Dr. I', lines: [{ cpt: '99213', chargeCents }] } }), 201, 'treatment');
    const paidPayment = async (patientId: string, amountCents = 5000) =>
      ok(call('POST', '/api/v1/payments', { ...as, body: { patientId, amountCents, method: 'cash', status: 'paid' } }), 201, 'paid payment');

    const unique = () => `${Date.now()}${Math.floor(Math.random() * 1e6)}`;
    const importEra = (era: string) => ok(call('POST', '/api/v1/remittances', { ...as, raw: era, contentType: 'text/plain' }), 201, '835');
    const insuredClaim = async (chargeCents = 10000) => {
      const pt = await patient();
      await ok(call('PUT', `/api/v1/patients/${pt.id}/coverages`, { ...as, body: [{ order: 1, payerName: 'Acme Health', payerId: 'ACME1', memberId: 'M1' }] }), 200, 'coverage');
      const t = await treatmentOf(pt.id, chargeCents);
      return ok(call('POST', `/api/v1/treatments/${t.id}/claims`, as), 201, 'claim');
    };
    // A claim payment for no claim of ours: an open exception, its money in suspense.
    const openException = async () => {
      const controlNumber = `UNM${unique()}`;
      await importEra(era835(controlNumber, 10000, 8000, `EX${unique()}`));
      const open = await ok(call('GET', '/api/v1/remittance-exceptions?status=open&pageSize=200', as), 200, 'exceptions');
      return open.items.find((e: { patientControlNumber: string }) => e.patientControlNumber === controlNumber);
    };
    const openPayerItems = async (payerName?: string) => {
      const report = await ok(call('GET', '/api/v1/reports/payer-balances?status=open', as), 200, 'payer balances');
      return report.payers.filter((p: { payerName: string }) => !payerName || p.payerName === payerName).flatMap((p: { items: unknown[] }) => p.items) as Array<{ id: string; reasonCode: string | null; source: string }>;
    };

    const scenarios: Record<string, Setup> = {
      'POST /api/v1/remittance-exceptions/{id}/match': async () => {
        const claim = await insuredClaim(10000);
        const exception = await openException();
        return { method: 'POST', url: `/api/v1/remittance-exceptions/${exception.id}/match`, body: { claimId: claim.id } };
      },
      'POST /api/v1/remittance-exceptions/{id}/resolve': async () => {
        const exception = await openException();
        return { method: 'POST', url: `/api/v1/remittance-exceptions/${exception.id}/resolve`, body: { resolution: 'returned_to_payer', note: 'Refund check mailed' } };
      },
      'POST /api/v1/payer-balance-items/{id}/refund': async () => {
        // A resolved exception leaves an amount owed to the payer, which the practice then sends back.
        const exception = await openException();
        const before = new Set((await openPayerItems()).map((i) => i.id));
        await ok(call('POST', `/api/v1/remittance-exceptions/${exception.id}/resolve`, { ...as, body: { resolution: 'returned_to_payer', note: 'to refund' } }), 200, 'resolve');
        const item = (await openPayerItems()).find((i) => !before.has(i.id))!;
        return { method: 'POST', url: `/api/v1/payer-balance-items/${item.id}/refund`, body: { note: 'Check 1001' } };
      },
      'POST /api/v1/payer-balance-items/{id}/offset': async () => {
        // A balance forwarded by the payer (PLB FB, owed to it) and the same amount it later withheld (PLB WO, owed by it).
        const payerName = `OFFSET ${unique()}`;
        const payerId = String(100000 + Math.floor(Math.random() * 800000));
        const era = (controlNumber: string, trace: string, plb: { reason: string; amountCents: number }) =>
          build835([{ payerName, payerId, traceNumber: trace, paymentDate: '2026-03-20', claims: [{ controlNumber, status: '1', chargeCents: 10000, paidCents: 10000 }], plb: [{ ...plb, reference: 'RECOUP1' }] }]);
        await importEra(era((await insuredClaim(10000)).controlNumber, `FB${unique()}`, { reason: 'FB', amountCents: -500 }));
        await importEra(era((await insuredClaim(10000)).controlNumber, `WO${unique()}`, { reason: 'WO', amountCents: 500 }));
        const items = await openPayerItems(payerName);
        const fb = items.find((i) => i.reasonCode === 'FB')!;
        const wo = items.find((i) => i.reasonCode === 'WO')!;
        return { method: 'POST', url: `/api/v1/payer-balance-items/${fb.id}/offset`, body: { againstItemId: wo.id, note: 'Recouped' } };
      },
      'POST /api/v1/payments': async () => ({ method: 'POST', url: '/api/v1/payments', body: { patientId: (await patient()).id, amountCents: 4321, method: 'cash', status: 'paid' } }),
      'POST /api/v1/payments/{id}/status': async () => {
        const p = await ok(call('POST', '/api/v1/payments', { ...as, body: { patientId: (await patient()).id, amountCents: 2500, method: 'cash' } }), 201, 'pending');
        return { method: 'POST', url: `/api/v1/payments/${p.id}/status`, body: { status: 'paid' } };
      },
      'POST /api/v1/payments/{id}/charge': async () => {
        const p = await ok(call('POST', '/api/v1/payments', { ...as, body: { patientId: (await patient()).id, amountCents: 3100, method: 'card' } }), 201, 'card');
        return { method: 'POST', url: `/api/v1/payments/${p.id}/charge`, body: { source: '4242424242424242' } };
      },
      'POST /api/v1/payments/{id}/refunds': async () => {
        const p = await paidPayment((await patient()).id);
        return { method: 'POST', url: `/api/v1/payments/${p.id}/refunds`, body: { amountCents: 1000, reason: 'patient_request' } };
      },
      'POST /api/v1/payments/{id}/applications': async () => {
        const pt = await patient();
        const t = await treatmentOf(pt.id);
        const p = await paidPayment(pt.id);
        // Desk money applies itself to the open visit: take that back, so the application by hand has money to apply.
        for (const automatic of (await ok(call('GET', `/api/v1/payments/${p.id}/applications`, as), 200, 'applications')).items) {
          await ok(call('DELETE', `/api/v1/applications/${automatic.id}`, as), 200, 'unapply');
        }
        return { method: 'POST', url: `/api/v1/payments/${p.id}/applications`, body: { treatmentId: t.id, amountCents: 1000 } };
      },
      'POST /api/v1/patients/{id}/credits': async () => ({ method: 'POST', url: `/api/v1/patients/${(await patient()).id}/credits`, body: { amountCents: 700, reference: 'goodwill' } }),
      'POST /api/v1/treatments/{id}/apply-credit': async () => {
        const pt = await patient();
        const t = await treatmentOf(pt.id);
        const c = await ok(call('POST', `/api/v1/patients/${pt.id}/credits`, { ...as, body: { amountCents: 900 } }), 201, 'credit');
        return { method: 'POST', url: `/api/v1/treatments/${t.id}/apply-credit`, body: { creditId: c.id, amountCents: 500 } };
      },
      'POST /api/v1/credits/{id}/transfer': async () => {
        const pt = await patient();
        const c = await ok(call('POST', `/api/v1/patients/${pt.id}/credits`, { ...as, body: { amountCents: 900 } }), 201, 'credit');
        return { method: 'POST', url: `/api/v1/credits/${c.id}/transfer`, body: { toPatientId: (await patient()).id } };
      },
      'POST /api/v1/tasks/{id}/complete': async () => {
        const pt = await patient();
        await paidPayment(pt.id);
        const taskId = await insertTask(database.handle.db, practiceId, pt.id, 2000);
        return { method: 'POST', url: `/api/v1/tasks/${taskId}/complete`, body: { refundDate: '2026-06-01', amountCents: 2000, method: 'cash', reference: 'handed over' } };
      },
      'POST /api/v1/tasks/{id}/dismiss': async () => {
        const pt = await patient();
        await paidPayment(pt.id);
        const taskId = await insertTask(database.handle.db, practiceId, pt.id, 2000);
        return { method: 'POST', url: `/api/v1/tasks/${taskId}/dismiss` };
      },
      'POST /api/v1/portal/pay': async () => {
        const pt = await patient();
        await treatmentOf(pt.id, 8000);
        const session = await ok(call('POST', '/api/v1/portal/lookup', { body: { dateOfBirth: '1970-01-02', accountId: pt.accountId, practice: 'alpha' } }), 200, 'portal lookup');
        return { method: 'POST', url: '/api/v1/portal/pay', body: { portalToken: session.portalToken, amountCents: 1500, card: '4242424242424242' }, token: null };
      },
      'POST /api/v1/pay/{token}': async () => {
        const p = await ok(call('POST', '/api/v1/payments', { ...as, body: { patientId: (await patient()).id, amountCents: 2700, method: 'card' } }), 201, 'link payment');
        const link = await ok(call('POST', `/api/v1/payments/${p.id}/link`, { ...as, body: { expiresInDays: 3 } }), 201, 'link');
        return { method: 'POST', url: `/api/v1/pay/${String(link.url).split('/').pop()}`, body: { card: '4242424242424242' }, token: null };
      },
      'POST /api/v1/payments/{id}/charge/start': async () => {
        const p = await ok(call('POST', '/api/v1/payments', { ...as, body: { patientId: (await patient()).id, amountCents: 3300, method: 'card' } }), 201, 'card');
        return { method: 'POST', url: `/api/v1/payments/${p.id}/charge/start`, body: {}, hosted: true };
      },
      'POST /api/v1/portal/pay/start': async () => {
        const pt = await patient();
        await treatmentOf(pt.id, 8000);
        const session = await ok(call('POST', '/api/v1/portal/lookup', { body: { dateOfBirth: '1970-01-02', accountId: pt.accountId, practice: 'alpha' } }), 200, 'portal lookup');
        return { method: 'POST', url: '/api/v1/portal/pay/start', body: { portalToken: session.portalToken, amountCents: 1600 }, token: null, hosted: true };
      },
      'POST /api/v1/pay/{token}/start': async () => {
        const p = await ok(call('POST', '/api/v1/payments', { ...as, body: { patientId: (await patient()).id, amountCents: 2800, method: 'card' } }), 201, 'link payment');
        const link = await ok(call('POST', `/api/v1/payments/${p.id}/link`, { ...as, body: { expiresInDays: 3 } }), 201, 'link');
        return { method: 'POST', url: `/api/v1/pay/${String(link.url).split('/').pop()}/start`, body: {}, token: null, hosted: true };
      },
      'POST /api/v1/processor-receipts/{id}/assign': async () => {
        // A charge made in the processor's dashboard that names no patient: held until assigned (ADR 0028).
        const charge = { chargeReferences: [`sbx_ch_dash_${unique()}`], amountCents: 2600, metadata: { practice: 'alpha' }, email: null, description: 'Terminal sale' };
        const held = await bookProcessorCharge(database.handle.db, 'sandbox', charge);
        if (held.outcome !== 'held') throw new Error(`setup held receipt: ${held.outcome}`);
        return { method: 'POST', url: `/api/v1/processor-receipts/${held.receiptId}/assign`, body: { patientId: (await patient()).id } };
      },
      'POST /api/v1/processor-receipts/{id}/return': async () => {
        // A held dashboard charge nobody can be named for, given back to the card through the (sandbox) processor (ADR 0029).
        const charge = { chargeReferences: [`sbx_ch_back_${unique()}`], amountCents: 1900, metadata: { practice: 'alpha' }, email: null, description: 'Terminal sale' };
        const held = await bookProcessorCharge(database.handle.db, 'sandbox', charge);
        if (held.outcome !== 'held') throw new Error(`setup held receipt: ${held.outcome}`);
        return { method: 'POST', url: `/api/v1/processor-receipts/${held.receiptId}/return` };
      },
      'DELETE /api/v1/applications/{id}': async () => {
        const pt = await patient();
        await treatmentOf(pt.id);
        // Desk money applies itself to the open visit: take that application back.
        const p = await paidPayment(pt.id);
        const [automatic] = (await ok(call('GET', `/api/v1/payments/${p.id}/applications`, as), 200, 'applications')).items;
        return { method: 'DELETE', url: `/api/v1/applications/${automatic.id}` };
      },
      'POST /api/v1/treatments/{id}/claims': async () => {
        const pt = await patient();
        await ok(call('PUT', `/api/v1/patients/${pt.id}/coverages`, { ...as, body: [{ order: 1, payerName: 'Acme Health', payerId: 'ACME1', memberId: 'M1' }] }), 200, 'coverage');
        const t = await treatmentOf(pt.id, 10000);
        return { method: 'POST', url: `/api/v1/treatments/${t.id}/claims` };
      },
      'POST /api/v1/jobs/refund-review': async () => {
        // One case due for review: the payer paid the visit in full, then the patient paid too.
        const pt = await patient();
        await ok(call('PUT', `/api/v1/patients/${pt.id}/coverages`, { ...as, body: [{ order: 1, payerName: 'Acme Health', payerId: 'ACME1', memberId: 'M1' }] }), 200, 'coverage');
        const t = await treatmentOf(pt.id, 10000);
        const claim = await ok(call('POST', `/api/v1/treatments/${t.id}/claims`, as), 201, 'claim');
        await ok(call('POST', '/api/v1/remittances', { ...as, raw: era835(claim.controlNumber, 10000, 10000, `RR${Date.now()}${Math.random()}`), contentType: 'text/plain' }), 201, 'remittance');
        await paidPayment(pt.id, 3000);
        return { method: 'POST', url: '/api/v1/jobs/refund-review', body: { days: 0 } };
      },
      'POST /api/v1/remittances': async () => {
        const pt = await patient();
        await ok(call('PUT', `/api/v1/patients/${pt.id}/coverages`, { ...as, body: [{ order: 1, payerName: 'Acme Health', payerId: 'ACME1', memberId: 'M1' }] }), 200, 'coverage');
        const t = await treatmentOf(pt.id, 10000);
        const claim = await ok(call('POST', `/api/v1/treatments/${t.id}/claims`, as), 201, 'claim');
        return { method: 'POST', url: '/api/v1/remittances', raw: era835(claim.controlNumber, 10000, 8000, `TR${Date.now()}${Math.random()}`), contentType: 'text/plain' };
      },
    };

    const doc = (await call('GET', '/api/v1/openapi.json')).json;
    // Every route the document says takes an Idempotency-Key, and every other route that moves money.
    const moneyRoutes = [
      ...new Set([...documentedRoutes(doc).filter((r) => /Idempotency-Key/.test(r.operation.summary ?? '')).map((r) => r.key), ...Object.keys(scenarios)]),
    ];
    expect(moneyRoutes.filter((k) => !scenarios[k]), 'money routes without a scenario').toEqual([]);

    const counts = await tableCounter(database.handle.db, ['portal_attempts']);
    const send = (c: Call, r: Request, key: string) =>
      (r.hosted ? hostedCalls[calls.indexOf(c)]! : c)(r.method, r.url, { token: r.token === null ? null : token, headers: { 'idempotency-key': key }, ...(r.raw ? { raw: r.raw, contentType: r.contentType } : r.body === undefined ? {} : { body: r.body }) });
    const results: Array<Record<string, unknown>> = [];
    const failures: Array<Record<string, unknown>> = [];
    const RETRIES = Number(process.env.RELIABILITY_RETRIES ?? 4);
    for (const route of moneyRoutes) {
      // One request alone: the effect to expect.
      const single = await scenarios[route]!(call, token);
      const b1 = await counts();
      const first = await send(call, single, `single-${Math.random()}`);
      const one = countChanges(b1, await counts());
      // The same request on a twin setup, sent four times at once with one key, alternating processes.
      const burst = await scenarios[route]!(call, token);
      const key = `burst-${Math.random()}`;
      const b2 = await counts();
      const answers = await Promise.all(Array.from({ length: RETRIES }, (_, i) => send(calls[i % 2]!, burst, key)));
      const late = await send(calls[1]!, burst, key);
      const many = countChanges(b2, await counts());
      const all = [...answers, late];
      const shapes = new Set(all.map((a) => `${a.status} ${a.text}`));
      const statuses = all.map((a) => a.status);
      const sameEffect = JSON.stringify(Object.entries(many).sort()) === JSON.stringify(Object.entries(one).sort());
      const row = { route, singleStatus: first.status, burstStatuses: statuses.join(','), distinctAnswers: shapes.size, effectOfOne: one, effectOfBurst: many };
      results.push(row);
      // A request that changed nothing but its key proves nothing about "one effect".
      const noEffect = Object.keys(one).every((table) => table === 'idempotency_keys');
      if (first.status >= 300 || noEffect || shapes.size !== 1 || !sameEffect || statuses.some((s) => s >= 500)) failures.push(row);
    }
    const verify = await verifyLedger(database.handle.db);
    recordFigures(`idempotency, two processes (${dialect})`, {
      moneyRoutes: moneyRoutes.length,
      retriesPerKey: RETRIES + 1,
      routesWithOneEffectAndOneAnswer: results.length - failures.length,
      failures: failures.length,
      verifyProblems: verify.length,
      failureList: failures,
    });
    expect(failures).toEqual([]);
    expect(verify).toEqual([]);
  });
});
