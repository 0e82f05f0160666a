import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliActor, type Actor } from '../src/services/actor.ts';
import { createApiToken } from '../src/services/auth/create-api-token.ts';
import { verifyLedger } from '../src/services/ledger/verify-ledger.ts';
import { createPractice } from '../src/services/practices/create-practice.ts';
import { patientAccounts } from './helpers/ledger-accounts.ts';
import { makeReviewCase } from './helpers/review-cases.ts';
import { startServer, stopServer, waitForHealth, type ServerProcess } from './helpers/server-processes.ts';
import { createTestDatabase, type TestDatabase } from './helpers/test-database.ts';

/**
 * "At most one open task per case" holds across processes: two server
 * processes on one PostgreSQL run the refund review at the same moment, a
 * few times each, over the same cases. Each case gets one task, its money is
 * applied to its balance once, and each task has one audit row and one event.
 */
describe('the refund review from two server processes on PostgreSQL', () => {
  let database: TestDatabase | undefined;
  let dataDir: string | undefined;
  const servers: ServerProcess[] = [];
  let token = '';
  let actor: Actor;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    const practice = await createPractice(database.handle.db, { slug: 'review-race', name: 'Review Race Clinic' });
    actor = cliActor(practice.id);
    token = (await createApiToken(database.handle.db, actor, { role: 'admin' })).token;
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-review-race-'));
    // The servers' own daily review (as of today) must find nothing: only the runs below act.
    for (let i = 0; i < 2; i++) servers.push(await startServer({ databaseUrl: database.databaseUrl!, dataDir, env: { REFUND_REVIEW_DAYS: '3650' } }));
    await Promise.all(servers.map((s) => waitForHealth(s, { dialect: 'postgres' })));
  }, 150_000);

  afterAll(async () => {
    await Promise.allSettled(servers.map(stopServer));
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    await database?.drop();
  }, 30_000);

  async function review(i: number) {
    const response = await fetch(`${servers[i % servers.length]!.url}/api/v1/jobs/refund-review`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ asOf: '2026-06-01', days: 45 }),
    });
    return { status: response.status, body: (await response.json()) as { reviewed: number; tasksCreated: number } };
  }

  it('opens one task per case and applies each balance once', async () => {
    const db = database!.handle.db;
    // Eight cases owed their whole prepayment; four with a balance the review pays first.
    const plain = [];
    for (let i = 0; i < 8; i++) plain.push(await makeReviewCase(db, actor, { prepayCents: 1000 + i }));
    const withBalance = [];
    for (let i = 0; i < 4; i++) withBalance.push(await makeReviewCase(db, actor, { prepayCents: 5000, prCents: 1000 + i, unapply: true }));

    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => review(i)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(answers.reduce((sum, a) => sum + a.body.tasksCreated, 0)).toBe(12);

    const tasks = await db.selectFrom('tasks').select(['id', 'patientId', 'amountCents', 'status']).where('practiceId', '=', actor.practiceId).execute();
    const expected = new Map<string, number>([
      ...plain.map((c, i) => [c.patient.id, 1000 + i] as const),
      ...withBalance.map((c, i) => [c.patient.id, 5000 - (1000 + i)] as const),
    ]);
    expect(tasks.map((task) => [task.patientId, Number(task.amountCents), task.status]).sort()).toEqual([...expected].map(([id, cents]) => [id, cents, 'open']).sort());

    for (const [i, c] of withBalance.entries()) {
      const applications = await db.selectFrom('applications').select('amountCents').where('patientId', '=', c.patient.id).where('removedAt', 'is', null).execute();
      expect(applications.map((a) => Number(a.amountCents))).toEqual([1000 + i]);
      expect(await patientAccounts(db, c.patient.id)).toEqual({ cash_clearing: 5000, patient_receivable: 0, patient_unapplied: -(5000 - (1000 + i)), patient_credit: 0 });
    }
    const taskIds = tasks.map((task) => task.id);
    expect(await db.selectFrom('auditEvents').select('entityId').where('action', '=', 'task.created').where('entityId', 'in', taskIds).execute()).toHaveLength(12);
    const events = await db.selectFrom('outboxEvents').select('payload').where('practiceId', '=', actor.practiceId).where('type', '=', 'task.created').execute();
    expect(events.map((e) => (JSON.parse(e.payload) as { id: string }).id).sort()).toEqual([...taskIds].sort());
    expect(await verifyLedger(db)).toEqual([]);
  }, 120_000);
});
