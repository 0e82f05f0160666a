import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dialect } from '../src/db/connect.ts';
import { verifyWebhookSignature } from '../src/domain/webhooks/signature.ts';
import { cliActor } from '../src/services/actor.ts';
import { createApiToken } from '../src/services/auth/create-api-token.ts';
import { createPatient } from '../src/services/patients/patients.ts';
import { createPractice } from '../src/services/practices/create-practice.ts';
import { runLedger, startHealthyServer, stopServer, type ServerProcess } from './helpers/server-processes.ts';
import { createTestDatabase, type TestDatabase } from './helpers/test-database.ts';
import { startReceiver, waitFor, type Receiver } from './helpers/webhook-receiver.ts';

/**
 * Webhook workers in several real processes over one database: every event
 * reaches the receiver once per successful attempt, never twice. PostgreSQL:
 * two servers plus `ledger deliver-webhooks` from cron. SQLite: one server
 * plus the cron command on the same file.
 */

const cases: Array<{ dialect: Dialect; servers: number }> = [
  { dialect: 'postgres', servers: 2 },
  { dialect: 'sqlite', servers: 1 },
];

describe.each(cases)('webhook delivery from $servers server process(es) and the CLI on $dialect', ({ dialect, servers: serverCount }) => {
  let database: TestDatabase | undefined;
  let dataDir: string | undefined;
  const servers: ServerProcess[] = [];
  let env: Record<string, string>;
  let token = '';
  let patientId = '';
  let receiver: Receiver;
  let secret = '';
  let endpointId = '';
  // Every event's first request fails, so each is sent exactly twice: a retry taken by two processes would show as three.
  const firstSeen = new Set<string>();

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    const db = database.handle.db;
    const practice = await createPractice(db, { slug: 'hooks', name: 'Hooks Clinic' });
    const actor = cliActor(practice.id);
    patientId = (await createPatient(db, actor, { firstName: 'Web', lastName: 'Hook', dateOfBirth: '1970-01-01' })).id;
    token = (await createApiToken(db, actor, { role: 'admin' })).token;
    receiver = await startReceiver((_n, req) => {
      if (firstSeen.has(req.json.id)) return 200;
      firstSeen.add(req.json.id);
      return 500;
    });
    dataDir = dialect === 'sqlite' ? database.dataDir : fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-hooks-'));
    const workerEnv = { WEBHOOK_POLL_MS: '20', WEBHOOK_RETRY_BASE_MS: '50', WEBHOOK_TIMEOUT_MS: '2000' };
    env = { DATA_DIR: dataDir, DATABASE_URL: database.databaseUrl ?? '', ...workerEnv };
    for (let i = 0; i < serverCount; i++) servers.push(await startHealthyServer({ dataDir, databaseUrl: database.databaseUrl, dialect, env: workerEnv }));
  }, 90_000);

  afterAll(async () => {
    await Promise.allSettled(servers.map((s) => stopServer(s)));
    await receiver?.close();
    if (dataDir && dialect === 'postgres') fs.rmSync(dataDir, { recursive: true, force: true });
    await database?.drop();
  }, 30_000);

  const call = async (i: number, method: string, url: string, body?: unknown) => {
    const response = await fetch(`${servers[i % servers.length]!.url}${url}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as any };
  };

  it('sends every event exactly twice (one failure, one success), never more, and logs two attempts each', async () => {
    const created = await call(0, 'POST', '/api/v1/webhook-endpoints', { url: receiver.url, events: ['payment.created'], description: 'race' });
    expect(created.status).toBe(201);
    secret = created.body.secret;
    endpointId = created.body.id;

    const count = 20;
    // Payments through every server, while cron runs the CLI over the same database.
    const cron = Promise.all([runLedger(['deliver-webhooks'], env), runLedger(['deliver-webhooks'], env)]);
    const made = await Promise.all(
      Array.from({ length: count }, (_, i) => call(i, 'POST', '/api/v1/payments', { patientId, amountCents: 1000 + i })),
    );
    expect(made.map((m) => m.status)).toEqual(Array.from({ length: count }, () => 201));
    const paymentIds = made.map((m) => m.body.id as string);
    for (const run of await cron) expect(run, run.stderr).toMatchObject({ code: 0 });
    // And once more after the payments, racing the servers' workers for the retries.
    const late = await runLedger(['deliver-webhooks'], env);
    expect(late.code, late.stderr).toBe(0);
    expect(late.stdout).toMatch(/^Webhooks: \d+ event\(s\) queued, \d+ attempt\(s\), \d+ delivered\.\n$/);

    const allDelivered = await waitFor(() => paymentIds.every((id) => receiver.matching('payment.created', 'paymentId', id).length >= 2), 10_000);
    expect(allDelivered).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const [i, id] of paymentIds.entries()) {
      const sends = receiver.matching('payment.created', 'paymentId', id);
      expect({ id, sends: sends.length }).toEqual({ id, sends: 2 });
      expect(sends[0]!.json.data.amountCents).toBe(1000 + i);
      for (const s of sends) expect(verifyWebhookSignature(String(s.headers['ledger-signature']), s.body, secret)).toBe(true);
    }

    const log = await call(1, 'GET', `/api/v1/webhook-endpoints/${endpointId}/deliveries?pageSize=100`);
    expect(log.body.total).toBe(count);
    for (const d of log.body.items) {
      expect(d).toMatchObject({ status: 'delivered', attemptCount: 2, lastResponseCode: 200 });
      expect(d.attempts.map((a: any) => a.responseCode)).toEqual([500, 200]);
    }
  }, 180_000);
});
