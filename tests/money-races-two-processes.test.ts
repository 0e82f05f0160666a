import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliActor, type Actor } from '../src/services/actor.ts';
import { createApiToken } from '../src/services/auth/create-api-token.ts';
import { verifyLedger } from '../src/services/ledger/verify-ledger.ts';
import { createPatient } from '../src/services/patients/patients.ts';
import { chargePayment } from '../src/services/payments/charge-payment.ts';
import { createPayment } from '../src/services/payments/create-payment.ts';
import { createPractice } from '../src/services/practices/create-practice.ts';
import { SandboxProcessor, sandboxCards } from '../src/services/processors/sandbox-processor.ts';
import { spawnLedger, startServer, stopServer, waitForHealth, type ServerProcess } from './helpers/server-processes.ts';
import { createTestDatabase, dialects, type TestDatabase } from './helpers/test-database.ts';

/**
 * Issue 9, "no race moves money twice": two real server processes on one
 * database (PostgreSQL, and one SQLite file), raced against the same payment,
 * key or account ID. Limits must hold in the database, not in a process.
 */
describe.each(dialects)('money races across two server processes on %s', (dialect) => {
  let database: TestDatabase | undefined;
  const servers: ServerProcess[] = [];
  let token = '';
  let actor: Actor;
  let patientId = '';

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    const db = database.handle.db;
    const practice = await createPractice(db, { slug: 'races', name: 'Race Clinic' });
    actor = cliActor(practice.id);
    patientId = (await createPatient(db, actor, { firstName: 'Rae', lastName: 'Cer', dateOfBirth: '1975-06-01' })).id;
    token = (await createApiToken(db, actor, { role: 'admin' })).token;
    servers.push(await startServer(database), await startServer(database));
    await Promise.all(servers.map((s) => waitForHealth(s, { dialect })));
  }, 180_000);

  afterAll(async () => {
    await Promise.allSettled(servers.map((s) => stopServer(s)));
    await database?.drop();
  }, 30_000);

  interface Answer {
    status: number;
    type: string;
    body: any;
  }
  const call = async (i: number, method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> => {
    const response = await fetch(`${servers[i % 2]!.url}/api/v1${url}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, type: response.headers.get('content-type') ?? '', body: await response.json() };
  };
  const db = () => database!.handle.db;
  const receivedEntries = async (paymentId: string) => {
    const entries = await db().selectFrom('journalEntries').select('id').where('paymentId', '=', paymentId).where('kind', '=', 'payment_received').execute();
    const lines = entries.length
      ? await db().selectFrom('journalLines').select(['account', 'amountCents']).where('entryId', 'in', entries.map((e) => e.id)).where('account', '=', 'cash_clearing').execute()
      : [];
    return { count: entries.length, cashCents: lines.reduce((sum, l) => sum + Math.abs(Number(l.amountCents)), 0) };
  };

  it('locks a payment while its card charge is with the processor, and books the charge once at its own amount', async () => {
    const { row: payment } = await createPayment(db(), actor, { patientId, amountCents: 5000, method: 'card' });
    expect(payment.status).toBe('pending');
    const key = { 'idempotency-key': `charge-${dialect}` };
    let settled = false;
    // Card 0077: the sandbox answers after 2 seconds.
    const charge = call(0, 'POST', `/payments/${payment.id}/charge`, { source: sandboxCards.slowSuccess }, key).finally(() => (settled = true));
    // Fire as soon as the charge's claim has committed (the payment is Processing with this attempt).
    for (let i = 0; i < 200; i++) {
      const row = await db().selectFrom('payments').select('chargeAttempt').where('id', '=', payment.id).executeTakeFirstOrThrow();
      if (row.chargeAttempt !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const locked = await Promise.all([
      call(0, 'POST', `/payments/${payment.id}/status`, { status: 'paid' }),
      call(1, 'POST', `/payments/${payment.id}/status`, { status: 'voided' }),
      call(0, 'POST', `/payments/${payment.id}/status`, { status: 'failed' }),
      call(1, 'PATCH', `/payments/${payment.id}`, { amountCents: 10000 }),
      call(1, 'POST', `/payments/${payment.id}/charge`, { source: sandboxCards.success }),
    ]);
    expect(settled, 'the charge was still with the processor while these were answered').toBe(false);
    for (const answer of locked) {
      expect({ status: answer.status, type: answer.type, code: answer.body.code }).toEqual({ status: 409, type: 'application/problem+json; charset=utf-8', code: 'charge_in_progress' });
    }
    const during = await db().selectFrom('payments').select(['status', 'amountCents', 'chargeAttempt']).where('id', '=', payment.id).executeTakeFirstOrThrow();
    expect({ status: during.status, amountCents: Number(during.amountCents), locked: during.chargeAttempt !== null }).toEqual({ status: 'processing', amountCents: 5000, locked: true });
    // The same request retried on the other process while the charge is in flight waits for it and replays its answer.
    const retry = call(1, 'POST', `/payments/${payment.id}/charge`, { source: sandboxCards.slowSuccess }, key);
    const [first, second] = await Promise.all([charge, retry]);
    expect(first).toMatchObject({ status: 200, body: { status: 'paid', amountCents: 5000, failure: null } });
    expect(second).toEqual(first);
    expect(await receivedEntries(payment.id)).toEqual({ count: 1, cashCents: 5000 });
    // The refused attempts wrote nothing: no status change or edit on record.
    const audit = await db().selectFrom('auditEvents').select('action').where('entityId', '=', payment.id).orderBy('createdAt').execute();
    expect(audit.map((a) => a.action)).toEqual(['payment.created', 'payment.charge_started', 'payment.charged']);
    // Settled: the lock is gone, and Paid follows the state machine again (no manual Voided after Paid).
    const after = await call(0, 'POST', `/payments/${payment.id}/status`, { status: 'voided' });
    expect({ status: after.status, code: after.body.code }).toEqual({ status: 422, code: 'invalid_status_change' });
    expect(await verifyLedger(db())).toEqual([]);
  }, 60_000);

  it('replays the first answer to concurrent retries with one key on several money routes, with one effect each', async () => {
    const times = 8;
    const race = (method: string, url: string, body: unknown, key: string) =>
      Promise.all(Array.from({ length: times }, (_, i) => call(i, method, url, body, { 'idempotency-key': key })));
    const expectAllEqual = (answers: Answer[], status: number) => {
      expect(answers.map((a) => a.status)).toEqual(Array.from({ length: times }, () => status));
      for (const a of answers) expect(a.body).toEqual(answers[0]!.body);
    };

    // Create: one payment.
    const before = await db().selectFrom('payments').select('id').where('patientId', '=', patientId).execute();
    const created = await race('POST', '/payments', { patientId, amountCents: 1234 }, `create-${dialect}`);
    expectAllEqual(created, 201);
    const now = await db().selectFrom('payments').select('id').where('patientId', '=', patientId).execute();
    expect(now.length).toBe(before.length + 1);

    // Status → Paid: the money is booked once.
    const paid = await race('POST', `/payments/${created[0]!.body.id}/status`, { status: 'paid' }, `paid-${dialect}`);
    expectAllEqual(paid, 200);
    expect(await receivedEntries(created[0]!.body.id)).toEqual({ count: 1, cashCents: 1234 });

    // A card refund (two-phase: the processor is called outside the transaction): one refund.
    const { row: card } = await createPayment(db(), actor, { patientId, amountCents: 6000, method: 'card' });
    await chargePayment(db(), actor, card.id, { source: sandboxCards.success }, new SandboxProcessor());
    const refunded = await race('POST', `/payments/${card.id}/refunds`, { amountCents: 1500, reason: 'patient_request' }, `refund-${dialect}`);
    expectAllEqual(refunded, 201);
    expect(refunded[0]!.body).toMatchObject({ amountCents: 1500, status: 'succeeded', method: 'processor', payment: { refundedCents: 1500, status: 'partially_refunded' } });
    const refunds = await db().selectFrom('refunds').select(['status', 'amountCents']).where('paymentId', '=', card.id).execute();
    expect(refunds.map((r) => [r.status, Number(r.amountCents)])).toEqual([['succeeded', 1500]]);

    // A credit: one lot.
    const credited = await race('POST', `/patients/${patientId}/credits`, { amountCents: 2500, reference: 'goodwill' }, `credit-${dialect}`);
    expectAllEqual(credited, 201);
    const lots = await db().selectFrom('credits').select('amountCents').where('patientId', '=', patientId).where('source', '=', 'manual').execute();
    expect(lots.map((l) => Number(l.amountCents))).toEqual([2500]);

    // The same key with another body: 409, nothing written.
    const reused = await call(0, 'POST', `/patients/${patientId}/credits`, { amountCents: 9900 }, { 'idempotency-key': `credit-${dialect}` });
    expect({ status: reused.status, code: reused.body.code }).toEqual({ status: 409, code: 'idempotency_key_reused' });
    expect((await db().selectFrom('credits').select('id').where('patientId', '=', patientId).execute()).length).toBe(1);
    expect(await verifyLedger(db())).toEqual([]);
  }, 90_000);

  it('numbers payments raced through both processes gaplessly, each number where its payment, answer, entry and audit row say it is', async () => {
    const { lastNumber } = await db().selectFrom('payments').select((eb) => eb.fn.max('number').as('lastNumber')).executeTakeFirstOrThrow();
    const start = Number(lastNumber ?? 0);
    const owing = (await createPatient(db(), actor, { firstName: 'Owen', lastName: 'Ing', dateOfBirth: '1980-02-02' })).id;
    const location = await call(0, 'POST', '/locations', { name: 'Race Street' });
    const visit = await call(1, 'POST', '/treatments', { patientId: owing, locationId: location.body.id, serviceDate: '2026-11-02', physician: 'Dr. Race', lines: [{ cpt: '99213', chargeCents: 50_000 }] });
    expect([location.status, visit.status]).toEqual([201, 201]);
    // Paid with nothing open, pending, and paid to a patient who owes (the money is applied): keyed and not, on either process.
    const bodies = Array.from({ length: 36 }, (_, i) =>
      i % 3 === 0 ? { patientId, amountCents: 100 + i, method: 'cash', status: 'paid' } : i % 3 === 1 ? { patientId, amountCents: 100 + i } : { patientId: owing, amountCents: 100 + i, method: 'cash', status: 'paid' },
    );
    const answers = await Promise.all(bodies.map((body, i) => call(i, 'POST', '/payments', body, i % 2 === 0 ? { 'idempotency-key': `numbered-${dialect}-${i}` } : {})));
    expect(answers.map((a) => a.status)).toEqual(bodies.map(() => 201));
    const rows = await db().selectFrom('payments').select(['id', 'number', 'amountCents']).where('number', '>', start).orderBy('number').execute();
    expect(rows.map((r) => Number(r.number))).toEqual(bodies.map((_, i) => start + i + 1));
    for (const answer of answers) {
      const row = rows.find((r) => r.id === answer.body.id)!;
      expect(answer.body.number).toBe(`PAY-${String(row.number).padStart(3, '0')}`);
      const audit = await db().selectFrom('auditEvents').select('after').where('entityId', '=', row.id).where('action', '=', 'payment.created').executeTakeFirstOrThrow();
      expect(JSON.parse(audit.after!).number).toBe(Number(row.number));
      if (answer.body.status === 'paid') {
        const entry = await db().selectFrom('journalEntries').select('memo').where('paymentId', '=', row.id).where('kind', '=', 'payment_received').executeTakeFirstOrThrow();
        expect(entry.memo).toBe(`${answer.body.number} received (cash)`);
      }
    }
    const stored = await db().selectFrom('idempotencyKeys').select(['key', 'responseBody']).where('key', 'like', `numbered-${dialect}-%`).execute();
    expect(stored).toHaveLength(18);
    for (const key of stored) expect(JSON.parse(key.responseBody)).toEqual(answers[Number(key.key.split('-').pop())]!.body);
    // No stand-in was left anywhere: every stored text holds real numbers only.
    const texts = [...stored.map((k) => k.responseBody), ...(await db().selectFrom('auditEvents').select('after').execute()).map((a) => a.after ?? '')];
    expect(texts.filter((text) => /PAY-\d{16}|\b8\d{15}\b/.test(text))).toEqual([]);
    expect(await verifyLedger(db())).toEqual([]);
  }, 90_000);

  it('pays a payment link once when the same pay request, with one key, reaches both processes during the charge', async () => {
    const { row: payment } = await createPayment(db(), actor, { patientId, amountCents: 4321 });
    const link = await call(0, 'POST', `/payments/${payment.id}/link`, { expiresInDays: 7 });
    const tokenOfLink = String(link.body.url).split('/pay/')[1]!;
    const pay = (i: number) => call(i, 'POST', `/pay/${tokenOfLink}`, { card: sandboxCards.slowSuccess }, { 'idempotency-key': `link-${dialect}` });
    const first = pay(0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const answers = [await first, ...(await Promise.all([1, 2, 3, 4, 5].map(pay)))];
    for (const a of answers) expect(a).toEqual(answers[0]);
    expect(answers[0]).toMatchObject({ status: 200, body: { status: 'paid', amountCents: 4321, failure: null } });
    expect(await receivedEntries(payment.id)).toEqual({ count: 1, cashCents: 4321 });
    const charges = await db().selectFrom('auditEvents').select('action').where('entityId', '=', payment.id).where('action', '=', 'payment.charge_started').execute();
    expect(charges).toHaveLength(1);
    expect(await verifyLedger(db())).toEqual([]);
  }, 60_000);

  it('answers concurrent creates of one account ID with one 201 and 409s, never a 500', async () => {
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => call(i, 'POST', '/patients', { firstName: 'Ann', lastName: `Twin${i}`, dateOfBirth: '1980-02-02', accountId: `RACE${dialect.toUpperCase()}` })),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([201, ...Array.from({ length: 9 }, () => 409)]);
    for (const a of answers.filter((x) => x.status === 409)) {
      expect({ type: a.type, code: a.body.code, detail: a.body.detail }).toEqual({
        type: 'application/problem+json; charset=utf-8',
        code: 'conflict',
        detail: 'That account ID is already in use by another patient.',
      });
    }
    const rows = await db().selectFrom('patients').select('id').where('accountId', '=', `RACE${dialect.toUpperCase()}`).execute();
    expect(rows).toHaveLength(1);
  }, 60_000);

  it.runIf(dialect === 'sqlite')('makes the CLI and a server wait for another process’s write transaction, then write', async () => {
    // A third process holds SQLite's write lock, as a long import in another process would.
    const holder = new SQLite(path.join(database!.dataDir, 'ledger.db'));
    holder.pragma('busy_timeout = 10000');
    holder.exec('begin immediate');
    holder.prepare("update practices set name = name where slug = 'races'").run();
    const cli = spawnLedger(['location', 'create', '--practice', 'races', '--name', 'CLI Street'], { DATA_DIR: database!.dataDir, DATABASE_URL: '', LOG_LEVEL: 'warn' });
    let servedYet = false;
    const served = call(0, 'POST', '/locations', { name: 'Server Street' }).finally(() => (servedYet = true));
    // Long enough for the CLI to start and reach its write (tsx start-up included); both are waiting, neither failed.
    await new Promise((resolve) => setTimeout(resolve, 5000));
    expect(cli.child.exitCode, cli.output()).toBeNull();
    expect(servedYet).toBe(false);
    holder.exec('commit');
    holder.close();
    const done = await cli.done;
    expect(done.code, cli.output()).toBe(0);
    expect(done.stdout).toContain('Created location CLI Street');
    expect((await served).status).toBe(201);
    const names = await db().selectFrom('locations').select('name').orderBy('name').execute();
    expect(names.map((n) => n.name)).toEqual(expect.arrayContaining(['CLI Street', 'Server Street']));
  }, 60_000);
});
