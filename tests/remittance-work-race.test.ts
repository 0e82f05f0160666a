import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliActor } from '../src/services/actor.ts';
import { createApiToken } from '../src/services/auth/create-api-token.ts';
import { verifyLedger } from '../src/services/ledger/verify-ledger.ts';
import { createPractice } from '../src/services/practices/create-practice.ts';
import { build835 } from '../src/x12/build-835.ts';
import { startServer, stopServer, waitForHealth, type ServerProcess } from './helpers/server-processes.ts';
import { createTestDatabase, type TestDatabase } from './helpers/test-database.ts';

/**
 * An exception is matched once: two server processes on one PostgreSQL
 * matching the same exception at once (to the same claim or to two claims)
 * post it once; every other request answers 409 and nothing else moves.
 */
describe('matching one exception from two server processes on PostgreSQL', () => {
  let database: TestDatabase | undefined;
  let dataDir: string | undefined;
  const servers: ServerProcess[] = [];
  let token = '';

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    const practice = await createPractice(database.handle.db, { slug: 'match-race', name: 'Match Race Clinic' });
    token = (await createApiToken(database.handle.db, cliActor(practice.id), { role: 'admin' })).token;
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-match-race-'));
    for (let i = 0; i < 2; i++) servers.push(await startServer({ databaseUrl: database.databaseUrl!, dataDir }));
    await Promise.all(servers.map((s) => waitForHealth(s, { dialect: 'postgres' })));
  }, 150_000);

  afterAll(async () => {
    await Promise.allSettled(servers.map(stopServer));
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    await database?.drop();
  }, 30_000);

  async function call(i: number, method: string, url: string, body?: unknown, contentType = 'application/json') {
    const response = await fetch(`${servers[i % servers.length]!.url}${url}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': contentType }) },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }

  async function insuredClaim(name: string) {
    const location = (await call(0, 'POST', '/api/v1/locations', { name: `Race ${name}` })).body;
    const patient = (await call(0, 'POST', '/api/v1/patients', { firstName: 'Rae', lastName: name, dateOfBirth: '1975-06-01' })).body;
    expect((await call(0, 'PUT', `/api/v1/patients/${patient.id}/coverages`, [{ payerName: 'ACME HEALTH', payerId: '11111', memberId: 'M1', order: 1 }])).status).toBe(200);
    const treatment = (await call(0, 'POST', '/api/v1/treatments', { patientId: patient.id, locationId: location.id, serviceDate: '2026-03-02', physician: 'Dr. Race', lines: [{ cpt: '99213', chargeCents: 15000 }] })).body;
    return (await call(0, 'POST', `/api/v1/treatments/${treatment.id}/claims`)).body;
  }

  it('posts the match once; every other attempt is a 409 and verify is clean', async () => {
    const claims = [await insuredClaim('One'), await insuredClaim('Two')];
    const era = build835([{ payerName: 'ACME HEALTH', payerId: '11111', traceNumber: 'RACE-M', paymentDate: '2026-03-20', claims: [{ controlNumber: 'TYPO-RACE', status: '1', chargeCents: 15000, paidCents: 8000, patientResponsibilityCents: 4000, adjustments: [{ group: 'CO', reason: '45', amountCents: 3000 }, { group: 'PR', reason: '2', amountCents: 4000 }] }] }]);
    expect((await call(0, 'POST', '/api/v1/remittances', era, 'text/plain')).status).toBe(201);
    const exception = (await call(1, 'GET', '/api/v1/remittance-exceptions?status=open')).body.items[0];

    // Eight requests over two processes, alternating between two claims.
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => call(i, 'POST', `/api/v1/remittance-exceptions/${exception.id}/match`, { claimId: claims[i % 2].id })));
    expect(answers.map((a) => `${a.status} ${a.status === 200 ? 'ok' : a.body.code}`).sort()).toEqual(['200 ok', ...Array.from({ length: 7 }, () => '409 exception_not_open')]);
    const winner = answers.find((a) => a.status === 200)!.body;

    const db = database!.handle.db;
    const posted = await db.selectFrom('claims').select(['id', 'status', 'paidCents']).where('id', 'in', claims.map((c) => c.id)).execute();
    expect(posted.filter((c) => c.status === 'processed').map((c) => [c.id, Number(c.paidCents)])).toEqual([[winner.matchedClaimId, 8000]]);
    const lines = await db
      .selectFrom('journalLines as l')
      .innerJoin('journalEntries as e', 'e.id', 'l.entryId')
      .where('e.memo', 'like', '%matched from suspense%')
      .select(['l.account', (eb) => eb.fn.sum<number>('l.amountCents').as('total')])
      .groupBy('l.account')
      .execute();
    // Once: $80.00 out of suspense, $30.00 written off, $40.00 to the patient, $150.00 off the claim.
    expect(Object.fromEntries(lines.map((l) => [l.account, Number(l.total)]))).toEqual({ remittance_suspense: 8000, contractual_writeoff: 3000, patient_receivable: 4000, insurance_receivable: -15000 });
    expect(await verifyLedger(db)).toEqual([]);
  }, 60_000);
});
