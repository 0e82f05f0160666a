import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliActor } from '../src/services/actor.ts';
import { createApiToken } from '../src/services/auth/create-api-token.ts';
import { verifyLedger } from '../src/services/ledger/verify-ledger.ts';
import { listApplications, unapplyPayment } from '../src/services/applications/apply-payment.ts';
import { createCredit } from '../src/services/credits/credits.ts';
import { createLocation } from '../src/services/locations/locations.ts';
import { createPatient } from '../src/services/patients/patients.ts';
import { chargePayment } from '../src/services/payments/charge-payment.ts';
import { createPayment } from '../src/services/payments/create-payment.ts';
import { createPractice } from '../src/services/practices/create-practice.ts';
import { createTreatment } from '../src/services/treatments/treatments.ts';
import type { Actor } from '../src/services/actor.ts';
import { SandboxProcessor, sandboxCards } from '../src/services/processors/sandbox-processor.ts';
import { startServer, stopServer, waitForHealth, type ServerProcess } from './helpers/server-processes.ts';
import { createTestDatabase, type TestDatabase } from './helpers/test-database.ts';

/**
 * DESIGN "Scale": two app processes on one PostgreSQL keep every limit. Real
 * servers (not inject()), each with its own connection pool and its own
 * in-memory state, are raced against the same payments: the limits must hold
 * in the database, not in a process.
 */

describe('two server processes on one PostgreSQL', () => {
  let database: TestDatabase | undefined;
  let dataDir: string | undefined;
  const servers: ServerProcess[] = [];
  let token = '';
  let actor: Actor;
  let patientId = '';
  const payments: { cash: string; card: string } = { cash: '', card: '' };

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    const db = database.handle.db;
    const practice = await createPractice(db, { slug: 'race', name: 'Race Clinic' });
    actor = cliActor(practice.id);
    const patient = await createPatient(db, actor, { firstName: 'Rae', lastName: 'Cer', dateOfBirth: '1975-06-01' });
    patientId = patient.id;
    const { row: cash } = await createPayment(db, actor, { patientId, amountCents: 10000, method: 'cash', status: 'paid' });
    const { row: card } = await createPayment(db, actor, { patientId, amountCents: 10000, method: 'card' });
    const charged = await chargePayment(db, actor, card.id, { source: sandboxCards.success }, new SandboxProcessor());
    expect(charged).toMatchObject({ failure: null, payment: { status: 'paid' } });
    payments.cash = cash.id;
    payments.card = card.id;
    token = (await createApiToken(db, actor, { role: 'admin' })).token;

    // The servers' own data folder (documents); the database is the shared one.
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-race-'));
    for (let i = 0; i < 2; i++) servers.push(await startServer({ databaseUrl: database.databaseUrl!, dataDir }));
    await Promise.all(servers.map((s) => waitForHealth(s, { dialect: 'postgres' })));
  }, 120_000);

  afterAll(async () => {
    // Always: stop both processes, then drop the database (even when setup or a test failed).
    await Promise.allSettled(servers.map((s) => stopServer(s)));
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    await database?.drop();
  }, 30_000);

  const call = (i: number, method: string, url: string, body?: unknown) =>
    fetch(`${servers[i % servers.length]!.url}${url}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  it('lets racing refunds on both processes together refund no more than each payment', async () => {
    const fired = Object.entries(payments).flatMap(([kind, id]) =>
      Array.from({ length: 20 }, (_, i) =>
        call(i, 'POST', `/api/v1/payments/${id}/refunds`, { amountCents: 3000, reason: 'duplicate_charge' }).then(async (response) => ({
          kind,
          status: response.status,
          body: (await response.json()) as any,
        })),
      ),
    );
    const results = await Promise.all(fired);
    for (const [kind, id] of Object.entries(payments)) {
      const mine = results.filter((r) => r.kind === kind);
      const succeeded = mine.filter((r) => r.status === 201);
      const refused = mine.filter((r) => r.status !== 201);
      expect({ kind, succeeded: succeeded.length }).toEqual({ kind, succeeded: 3 });
      expect(refused.map((r) => ({ status: r.status, code: r.body.code }))).toEqual(
        Array.from({ length: 17 }, () => ({ status: 422, code: 'refund_exceeds_remaining' })),
      );
      for (const r of succeeded) expect(r.body).toMatchObject({ amountCents: 3000, status: 'succeeded', method: kind === 'card' ? 'processor' : 'cash' });

      const payment = (await (await call(1, 'GET', `/api/v1/payments/${id}`)).json()) as any;
      expect(payment).toMatchObject({ refundedCents: 9000, status: 'partially_refunded', billing: { netAmountCents: 1000, unappliedCents: 1000 } });
      // Nothing half-written: exactly the three refunds that succeeded, no reservation left behind.
      const rows = await database!.handle.db.selectFrom('refunds').select(['status', 'amountCents']).where('paymentId', '=', id).execute();
      expect(rows.map((r) => [r.status, Number(r.amountCents)])).toEqual([
        ['succeeded', 3000],
        ['succeeded', 3000],
        ['succeeded', 3000],
      ]);
      const row = await database!.handle.db.selectFrom('payments').select(['refundedCents', 'refundingCents']).where('id', '=', id).executeTakeFirstOrThrow();
      expect([Number(row.refundedCents), Number(row.refundingCents)]).toEqual([9000, 0]);
    }
    expect(await verifyLedger(database!.handle.db)).toEqual([]);
  }, 120_000);

  it('keeps application, credit, unapply and transfer limits when both processes race for the same money', async () => {
    const db = database!.handle.db;
    // A patient of its own: money left unapplied by the refund races would pay a new self-pay visit at once.
    const { id: patientId } = await createPatient(db, actor, { firstName: 'Ada', lastName: 'Plier', dateOfBirth: '1980-02-02' });
    const location = await createLocation(db, actor, { name: 'Race Street' });
    const visit = await createTreatment(db, actor, { patientId, locationId: location.id, serviceDate: '2026-03-02', physician: 'Dr. Race', lines: [{ cpt: '99213', chargeCents: 100000 }] });
    expect(visit.balanceCents).toBe(100000);
    const { row: payment } = await createPayment(db, actor, { patientId, amountCents: 10000, method: 'cash', status: 'paid' });
    // Desk money applies itself at once; take it back so the race is over the whole $100.00 unapplied.
    for (const a of (await listApplications(db, actor, payment.id)).items) await unapplyPayment(db, actor, a.id);
    const credit = await createCredit(db, actor, patientId, { amountCents: 10000 });
    const race = async (n: number, method: string, url: string, body?: unknown) =>
      Promise.all(
        Array.from({ length: n }, async (_, i) => {
          const response = await call(i, method, url, body);
          return { status: response.status, body: (await response.json()) as any };
        }),
      );
    const outcome = (results: Array<{ status: number; body: any }>) =>
      results.map((r) => `${r.status} ${r.status < 300 ? 'ok' : r.body.code}`).sort();
    const times = (n: number, what: string) => Array.from({ length: n }, () => what);

    const applied = await race(20, 'POST', `/api/v1/payments/${payment.id}/applications`, { treatmentId: visit.id, amountCents: 3000 });
    expect(outcome(applied)).toEqual([...times(3, '201 ok'), ...times(17, '422 application_exceeds_unapplied')]);

    const drawn = await race(20, 'POST', `/api/v1/treatments/${visit.id}/apply-credit`, { creditId: credit.id, amountCents: 3000 });
    expect(outcome(drawn)).toEqual([...times(3, '201 ok'), ...times(17, '422 credit_exceeds_available')]);

    const application = applied.find((r) => r.status === 201)!.body;
    const unapplied = await race(10, 'DELETE', `/api/v1/applications/${application.id}`);
    expect(outcome(unapplied)).toEqual([...times(1, '200 ok'), ...times(9, '409 conflict')]);

    const other = await createPatient(db, actor, { firstName: 'Otto', lastName: 'Other', dateOfBirth: '1990-01-01' });
    const moved = await race(10, 'POST', `/api/v1/credits/${credit.id}/transfer`, { toPatientId: other.id });
    expect(moved.filter((r) => r.status === 201)).toHaveLength(1);
    for (const r of moved.filter((r) => r.status !== 201)) expect(['409 conflict', '422 credit_exceeds_available']).toContain(`${r.status} ${r.body.code}`);

    const get = async (url: string) => (await (await call(0, 'GET', url)).json()) as any;
    expect((await get(`/api/v1/payments/${payment.id}`)).billing).toMatchObject({ netAmountCents: 10000, appliedCents: 6000, unappliedCents: 4000 });
    expect((await get(`/api/v1/treatments/${visit.id}`)).balanceCents).toBe(100000 - 6000 - 9000);
    expect((await get(`/api/v1/patients/${patientId}/credits`)).items.find((c: any) => c.id === credit.id)).toMatchObject({ amountCents: 10000, remainingCents: 0 });
    expect((await get(`/api/v1/patients/${other.id}/credits`)).availableCents).toBe(1000);
    expect(await verifyLedger(db)).toEqual([]);
  }, 120_000);

  it('numbers payments created on both processes at once without repeats or gaps', async () => {
    const before = await database!.handle.db.selectFrom('payments').select('number').orderBy('number', 'desc').executeTakeFirstOrThrow();
    const count = 30;
    const responses = await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const response = await call(i, 'POST', '/api/v1/payments', { patientId, amountCents: 100 + i });
        return { status: response.status, body: (await response.json()) as any };
      }),
    );
    expect(responses.map((r) => r.status)).toEqual(Array.from({ length: count }, () => 201));
    const numbers = responses.map((r) => Number(/^PAY-(\d+)$/.exec(r.body.number)![1])).sort((a, b) => a - b);
    const first = Number(before.number) + 1;
    expect(numbers).toEqual(Array.from({ length: count }, (_, i) => first + i));
    expect(await verifyLedger(database!.handle.db)).toEqual([]);
  }, 120_000);
});
