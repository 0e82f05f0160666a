import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliActor } from '../../src/services/actor.ts';
import { createApiToken } from '../../src/services/auth/create-api-token.ts';
import { createPractice } from '../../src/services/practices/create-practice.ts';
import { verifyLedger } from '../../src/services/ledger/verify-ledger.ts';
import { createTestDatabase, dialects, type TestDatabase } from '../helpers/test-database.ts';
import { startHealthyServer, stopServer, type ServerProcess } from '../helpers/server-processes.ts';
import { era835, fetchCall, recordFigures, type Call } from './harness.ts';

/**
 * SIGKILL rounds: a real server takes payments, refunds, credit draws and
 * remittance postings from concurrent clients and is killed mid-stream.
 * Afterwards every acknowledged write is there, nothing is half-written
 * (verify reconciles every record with its journal), no payment number
 * repeats, and the next server starts on what the killed one left.
 */

const ROUNDS = Number(process.env.RELIABILITY_KILL_ROUNDS ?? 3);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Acked {
  kind: 'payment' | 'refund' | 'credit_draw' | 'remittance';
  id: string;
  amountCents: number;
}

describe.each(dialects)('SIGKILL under concurrent money writes on %s', (dialect) => {
  let database: TestDatabase;
  let dataDir: string;
  let token = '';
  let current: ServerProcess | undefined;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    const practice = await createPractice(database.handle.db, { slug: 'alpha', name: 'Alpha Clinic' });
    token = (await createApiToken(database.handle.db, cliActor(practice.id), { role: 'admin' })).token;
    dataDir = dialect === 'sqlite' ? database.dataDir : fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-kill-'));
  });
  afterAll(async () => {
    if (current) await stopServer(current);
    if (dialect === 'postgres') fs.rmSync(dataDir, { recursive: true, force: true });
    await database?.drop();
  }, 60_000);

  const boot = async () => {
    current = await startHealthyServer({ dataDir, databaseUrl: database.databaseUrl, dialect });
    return fetchCall(current.url);
  };

  it(`loses no acknowledged write in ${ROUNDS} rounds`, async () => {
    const acked: Acked[] = [];
    let unacknowledged = 0;
    let answers5xx = 0;
    const as = { token };
    for (let round = 0; round < ROUNDS; round++) {
      const call = await boot();
      // Material for this round: patients with visits, a credit lot each, paid payments to refund, billed claims.
      const location = (await call('POST', '/api/v1/locations', { ...as, body: { name: `Round ${round}` } })).json;
      const work: Array<{ patientId: string; treatmentId: string; creditId: string; paymentId: string }> = [];
      for (let i = 0; i < 3; i++) {
        const patient = (await call('POST', '/api/v1/patients', { ...as, body: { firstName: 'Kill', lastName: `R${round}P${i}`, dateOfBirth: '1975-05-05' } })).json;
        const treatment = (
          await call('POST', '/api/v1/treatments', { ...as, body: { patientId: patient.id, locationId: location.id, serviceDate: '2026-03-02', physician: 'Dr. K', lines: [{ cpt: '99213', chargeCents: 500000 }] } })
        ).json;
        const credit = (await call('POST', `/api/v1/patients/${patient.id}/credits`, { ...as, body: { amountCents: 100000 } })).json;
        const payment = (await call('POST', '/api/v1/payments', { ...as, body: { patientId: patient.id, amountCents: 100000, method: 'cash', status: 'paid' } })).json;
        work.push({ patientId: patient.id, treatmentId: treatment.id, creditId: credit.id, paymentId: payment.id });
        acked.push({ kind: 'payment', id: payment.id, amountCents: 100000 });
      }
      const insured = (await call('POST', '/api/v1/patients', { ...as, body: { firstName: 'Ins', lastName: `R${round}`, dateOfBirth: '1975-05-06' } })).json;
      await call('PUT', `/api/v1/patients/${insured.id}/coverages`, { ...as, body: [{ order: 1, payerName: 'Acme Health', payerId: 'ACME1', memberId: 'M1' }] });
      const claims: string[] = [];
      for (let i = 0; i < 4; i++) {
        const t = (
          await call('POST', '/api/v1/treatments', { ...as, body: { patientId: insured.id, locationId: location.id, serviceDate: '2026-03-02', physician: 'Dr. K', lines: [{ cpt: '99214', chargeCents: 10000 }] } })
        ).json;
        claims.push((await call('POST', `/api/v1/treatments/${t.id}/claims`, as)).json.controlNumber);
      }

      let stop = false;
      const attempt = async (kind: Acked['kind'], amountCents: number, send: () => ReturnType<Call>) => {
        try {
          const answer = await send();
          if (answer.status >= 500) answers5xx++;
          if (answer.status === 200 || answer.status === 201) acked.push({ kind, id: answer.json.id ?? answer.json.application?.id ?? answer.json.remittanceId, amountCents });
        } catch {
          unacknowledged++; // the connection died with the server: the outcome is unknown, and either is allowed
          stop = true;
        }
      };
      const workers = work.map(async (w, i) => {
        for (let n = 0; !stop; n++) {
          const amount = 100 + ((round * 31 + i * 7 + n) % 50);
          await attempt('payment', amount, () => call('POST', '/api/v1/payments', { ...as, body: { patientId: w.patientId, amountCents: amount, method: 'cash', status: 'paid' } }));
          await attempt('refund', 10, () =>
            call('POST', `/api/v1/payments/${w.paymentId}/refunds`, { ...as, headers: { 'idempotency-key': `k${round}-${i}-${n}` }, body: { amountCents: 10, reason: 'patient_request' } }),
          );
          await attempt('credit_draw', 10, () => call('POST', `/api/v1/treatments/${w.treatmentId}/apply-credit`, { ...as, body: { creditId: w.creditId, amountCents: 10 } }));
        }
      });
      const remitter = (async () => {
        for (const [n, control] of claims.entries()) {
          if (stop) break;
          await attempt('remittance', 8000, () => call('POST', '/api/v1/remittances', { ...as, raw: era835(control, 10000, 8000, `K${round}-${n}-${Date.now()}`), contentType: 'text/plain' }));
        }
      })();
      // Kill mid-stream: once the load has been acknowledged a few times (however slow the machine), a little later.
      const ackedBefore = acked.length;
      for (let i = 0; i < 400 && acked.length < ackedBefore + 8; i++) await sleep(50);
      await sleep((round * 97) % 300);
      current!.child.kill('SIGKILL');
      await new Promise((resolve) => current!.child.once('exit', resolve));
      stop = true;
      await Promise.all([...workers, remitter]);
      current = undefined;
    }
    // A last server starts on what the killed one left; then count.
    const call = await boot();
    const db = database.handle.db;
    const lost: Acked[] = [];
    for (const a of acked) {
      const table = a.kind === 'payment' ? 'payments' : a.kind === 'refund' ? 'refunds' : a.kind === 'credit_draw' ? 'applications' : 'remittances';
      const row = await db.selectFrom(table).select('id').where('id', '=', a.id).executeTakeFirst();
      if (!row) lost.push(a);
    }
    const duplicates = await db.selectFrom('payments').select(['practiceId', 'number']).select((eb) => eb.fn.countAll<number>().as('n')).groupBy(['practiceId', 'number']).having((eb) => eb.fn.countAll(), '>', 1).execute();
    const verify = await verifyLedger(db);
    // Half-written: a record without its journal entry or the reverse is what verify reports; also every acked payment answers whole.
    const halfWritten = [];
    for (const a of acked.filter((x) => x.kind === 'payment').slice(-20)) {
      const answer = await call('GET', `/api/v1/payments/${a.id}`, as);
      if (answer.status !== 200 || answer.json.amountCents !== a.amountCents) halfWritten.push({ id: a.id, status: answer.status });
    }
    recordFigures(`SIGKILL rounds (${dialect})`, {
      rounds: ROUNDS,
      acknowledged: acked.length,
      byKind: Object.fromEntries(['payment', 'refund', 'credit_draw', 'remittance'].map((k) => [k, acked.filter((a) => a.kind === k).length])),
      unacknowledgedInFlight: unacknowledged,
      lost: lost.length,
      halfWritten: halfWritten.length + verify.length,
      duplicateNumbers: duplicates.length,
      answers5xx,
      verifyProblems: verify.length,
      details: { lost, halfWritten, duplicates, verify: verify.slice(0, 10) },
    });
    // The kills came while every kind of write was going on: each was acknowledged at least once.
    for (const kind of ['payment', 'refund', 'credit_draw', 'remittance'] as const) expect(acked.filter((a) => a.kind === kind).length, kind).toBeGreaterThan(0);
    expect(lost).toEqual([]);
    expect(halfWritten).toEqual([]);
    expect(duplicates).toEqual([]);
    expect(verify).toEqual([]);
    expect(answers5xx).toBe(0);
  }, 300_000);
});
