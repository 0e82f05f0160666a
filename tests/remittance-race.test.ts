import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/db/transaction.ts';
import { cliActor } from '../src/services/actor.ts';
import { createApiToken } from '../src/services/auth/create-api-token.ts';
import { verifyLedger } from '../src/services/ledger/verify-ledger.ts';
import { createPractice } from '../src/services/practices/create-practice.ts';
import { build835, type Clp } from '../src/x12/build-835.ts';
import { callsTo, startServer, stopServer, waitForHealth, type Call, type ServerProcess } from './helpers/server-processes.ts';
import { useTestApp } from './helpers/test-app.ts';
import { createTestDatabase, type TestDatabase } from './helpers/test-database.ts';

/**
 * DESIGN "One way at the money points": one claim payment is posted once
 * however many 835 files carry it at once, and a treatment has one open claim
 * per payer order. Raced on PostgreSQL through two server processes and on
 * SQLite in one process; the limits must hold in the database.
 */


const A = { payerName: 'ACME HEALTH', payerId: '11111' };
// Paid $80.00, CO-45 $30.00, PR-2 $40.00 of a $150.00 visit, primary only: $40.00 becomes the patient's.
const paid = (controlNumber: string): Clp => ({
  controlNumber,
  status: '1',
  chargeCents: 15000,
  paidCents: 8000,
  patientResponsibilityCents: 4000,
  adjustments: [
    { group: 'CO', reason: '45', amountCents: 3000 },
    { group: 'PR', reason: '2', amountCents: 4000 },
  ],
});

async function insuredVisit(call: Call) {
  const location = (await call(0, 'POST', '/api/v1/locations', { json: { name: `Race ${Math.random()}` } })).body;
  const patient = (await call(0, 'POST', '/api/v1/patients', { json: { firstName: 'Rae', lastName: 'Cer', dateOfBirth: '1975-06-01' } })).body;
  expect((await call(0, 'PUT', `/api/v1/patients/${patient.id}/coverages`, { json: [{ ...A, memberId: 'M1', order: 1 }] })).status).toBe(200);
  const treatment = (await call(0, 'POST', '/api/v1/treatments', { json: { patientId: patient.id, locationId: location.id, serviceDate: '2026-03-02', physician: 'Dr. Race', lines: [{ cpt: '99213', chargeCents: 15000 }] } })).body;
  return { patient, treatment };
}

/** The journal of a treatment's remittance postings, and of the suspense held for a control number, per account. */
async function remittanceAccounts(db: Db, treatmentId: string, controlNumber: string) {
  const sum = async (where: (q: any) => any) => {
    const rows = await where(db.selectFrom('journalLines as l').innerJoin('journalEntries as e', 'e.id', 'l.entryId').where('e.kind', '=', 'remittance'))
      .select(['l.account', (eb: any) => eb.fn.sum('l.amountCents').as('total')])
      .groupBy('l.account')
      .execute();
    return Object.fromEntries(rows.map((r: any) => [r.account, Number(r.total)]).filter(([, v]: any) => v !== 0));
  };
  return {
    treatment: await sum((q) => q.where('l.treatmentId', '=', treatmentId)),
    suspense: await sum((q) => q.where('e.memo', 'like', `%exception ${controlNumber}%`)),
  };
}

async function eightFilesPayOneClaim(call: Call, db: Db) {
  const { treatment } = await insuredVisit(call);
  const claim = (await call(0, 'POST', `/api/v1/treatments/${treatment.id}/claims`)).body;
  const files = Array.from({ length: 8 }, (_, i) => build835([{ ...A, traceNumber: `EFT-RACE-${i}`, paymentDate: '2026-03-20', claims: [paid(claim.controlNumber)] }], { envelope: 200 + i }));
  const answers = await Promise.all(files.map((era, i) => call(i, 'POST', '/api/v1/remittances', { era, fileName: `race-${i}.835` })));
  expect(answers.map((a) => a.status)).toEqual(Array.from({ length: 8 }, () => 201));
  const posted = answers.filter((a) => a.body.postedCount === 1);
  expect(posted).toHaveLength(1);
  const first = posted[0]!.body;
  // The other seven are new payments of money already posted: each an exception holding its $80.00 in suspense, naming the first import.
  for (const a of answers.filter((x) => x !== posted[0])) {
    expect(a.body).toMatchObject({ claimCount: 1, postedCount: 0, duplicates: [] });
    expect(a.body.exceptions).toHaveLength(1);
    expect(a.body.exceptions[0]).toMatchObject({ reasonCode: 'already_posted', paidCents: 8000, duplicateOf: { remittanceId: first.id, fileName: first.fileName } });
  }
  const after = (await call(1, 'GET', `/api/v1/treatments/${treatment.id}`)).body;
  expect(after).toMatchObject({ patientResponsibilityCents: 4000, insuranceStatus: 'settled' });
  expect(after.claims.map((c: any) => [c.status, c.paidCents, c.contractualCents, c.patientResponsibilityCents])).toEqual([['processed', 8000, 3000, 4000]]);
  expect(await remittanceAccounts(db, treatment.id, claim.controlNumber)).toEqual({
    treatment: { cash_clearing: 8000, contractual_writeoff: 3000, patient_receivable: 4000, insurance_receivable: -15000 },
    suspense: { cash_clearing: 56000, remittance_suspense: -56000 },
  });
  const rows = await db.selectFrom('remittanceClaims').select(['outcome', 'exceptionStatus', 'suspenseCents']).where('claimId', '=', claim.id).execute();
  expect(rows.map((r) => `${r.outcome} ${r.exceptionStatus ?? '-'} ${Number(r.suspenseCents)}`).sort()).toEqual([...Array.from({ length: 7 }, () => 'exception open 8000'), 'posted - 0']);
  expect(await verifyLedger(db)).toEqual([]);
}

async function eightEnvelopesOfOnePayment(call: Call, db: Db) {
  const { treatment } = await insuredVisit(call);
  const claim = (await call(0, 'POST', `/api/v1/treatments/${treatment.id}/claims`)).body;
  // The same payment (trace, amounts, claims) re-sent in eight envelopes: one posts, seven are duplicates.
  const files = Array.from({ length: 8 }, (_, i) => build835([{ ...A, traceNumber: 'EFT-SAME', paymentDate: '2026-03-21', claims: [paid(claim.controlNumber)] }], { envelope: 300 + i }));
  const answers = await Promise.all(files.map((era, i) => call(i, 'POST', '/api/v1/remittances', { era, fileName: `same-${i}.835` })));
  expect(answers.map((a) => a.status)).toEqual(Array.from({ length: 8 }, () => 201));
  const posted = answers.filter((a) => a.body.postedCount === 1);
  expect(posted).toHaveLength(1);
  for (const a of answers.filter((x) => x !== posted[0])) {
    expect(a.body).toMatchObject({ claimCount: 1, postedCount: 0, exceptions: [] });
    expect(a.body.duplicates).toEqual([expect.objectContaining({ outcome: 'duplicate', patientControlNumber: claim.controlNumber, duplicateOf: { remittanceId: posted[0]!.body.id, fileName: posted[0]!.body.fileName, importedAt: posted[0]!.body.createdAt } })]);
    expect(a.body.payments[0]).toMatchObject({ status: 'duplicate', message: `Already posted by import ${posted[0]!.body.fileName} of ${posted[0]!.body.createdAt.slice(0, 10)}.` });
  }
  expect((await call(1, 'GET', `/api/v1/treatments/${treatment.id}`)).body).toMatchObject({ patientResponsibilityCents: 4000 });
  expect(await remittanceAccounts(db, treatment.id, claim.controlNumber)).toEqual({
    treatment: { cash_clearing: 8000, contractual_writeoff: 3000, patient_receivable: 4000, insurance_receivable: -15000 },
    suspense: {},
  });
  expect(await verifyLedger(db)).toEqual([]);
}

async function tenClaimsAtOnce(call: Call, db: Db) {
  const { treatment } = await insuredVisit(call);
  const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => call(i, 'POST', `/api/v1/treatments/${treatment.id}/claims`)));
  expect(answers.map((a) => `${a.status} ${a.status === 201 ? 'ok' : a.body.code}`).sort()).toEqual(['201 ok', ...Array.from({ length: 9 }, () => '409 conflict')]);
  const claims = await db.selectFrom('claims').select(['coverageOrder', 'status']).where('treatmentId', '=', treatment.id).execute();
  expect(claims).toEqual([{ coverageOrder: 1, status: 'submitted' }]);
}

describe('remittance races: two server processes on one PostgreSQL', () => {
  let database: TestDatabase | undefined;
  let dataDir: string | undefined;
  const servers: ServerProcess[] = [];
  let token = '';

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    const practice = await createPractice(database.handle.db, { slug: 'race', name: 'Race Clinic' });
    token = (await createApiToken(database.handle.db, cliActor(practice.id), { role: 'admin' })).token;
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-remit-race-'));
    for (let i = 0; i < 2; i++) servers.push(await startServer({ databaseUrl: database.databaseUrl!, dataDir }));
    await Promise.all(servers.map((s) => waitForHealth(s, { dialect: 'postgres' })));
  }, 150_000);

  afterAll(async () => {
    await Promise.allSettled(servers.map((s) => stopServer(s)));
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    await database?.drop();
  }, 30_000);

  const call = callsTo(servers, () => token);

  it('posts one claim payment once when 8 different 835 files pay it at once', () => eightFilesPayOneClaim(call, database!.handle.db), 60_000);
  it('posts one payment once when 8 envelopes carry it at once; the rest are duplicates naming the first', () => eightEnvelopesOfOnePayment(call, database!.handle.db), 60_000);
  it('opens one claim when 10 requests bill the same treatment at once', () => tenClaimsAtOnce(call, database!.handle.db), 60_000);
});

describe('remittance races on SQLite, in one process', () => {
  const t = useTestApp('sqlite');
  const call: Call = async (_i, method, url, options = {}) => {
    const headers: Record<string, string> = {};
    let body: unknown;
    if (options.era !== undefined) {
      headers['content-type'] = 'text/plain';
      if (options.fileName) headers['x-file-name'] = options.fileName;
      body = options.era;
    } else body = options.json;
    const response = await t.request(method as 'GET', url, { headers, ...(body === undefined ? {} : { body }) });
    return { status: response.statusCode, body: response.body ? JSON.parse(response.body) : undefined };
  };

  it('posts one claim payment once when 8 different 835 files pay it at once', () => eightFilesPayOneClaim(call, t.database.handle.db), 60_000);
  it('posts one payment once when 8 envelopes carry it at once; the rest are duplicates naming the first', () => eightEnvelopesOfOnePayment(call, t.database.handle.db), 60_000);
  it('opens one claim when 10 requests bill the same treatment at once', () => tenClaimsAtOnce(call, t.database.handle.db), 60_000);
});
