import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliActor } from '../src/services/actor.ts';
import { createApiToken } from '../src/services/auth/create-api-token.ts';
import { verifyLedger } from '../src/services/ledger/verify-ledger.ts';
import { createPractice } from '../src/services/practices/create-practice.ts';
import { build835, type Clp } from '../src/x12/build-835.ts';
import { patientAccounts } from './helpers/ledger-accounts.ts';
import { startServer, stopServer, waitForHealth, type ServerProcess } from './helpers/server-processes.ts';
import { createTestDatabase, dialects, type TestDatabase } from './helpers/test-database.ts';

/**
 * ADR 0042: an 835 set reads its patients' funds once and settles its claims
 * from memory; each application's conditional update stays the limit. Here
 * one server process posts an 835 whose claims leave the patients $40.00
 * that their held time-of-service copays would pay, while the other process
 * refunds $15.00 of each of those copays. Whatever the order, no payment is
 * applied beyond what its refund left, and every claim is posted or an
 * exception in the queue. A refund never removes applications (SPEC 4): one
 * that comes after the application leaves the payment over-applied, which is
 * the SPEC's rule, not a race lost — the refund's own answer (its update's
 * returned row) says which came first.
 */

const A = { payerName: 'ACME HEALTH', payerId: '11111' };
const COPAY = 4000;
const REFUND = 1500;
const PATIENT_SHARE = 4000;
/** Paid $80.00, CO-45 $30.00, PR-2 $40.00 of a $150.00 visit, primary only: $40.00 becomes the patient's. */
const paid = (controlNumber: string): Clp => ({
  controlNumber,
  status: '1',
  chargeCents: 15000,
  paidCents: 8000,
  patientResponsibilityCents: PATIENT_SHARE,
  adjustments: [
    { group: 'CO', reason: '45', amountCents: 3000 },
    { group: 'PR', reason: '2', amountCents: PATIENT_SHARE },
  ],
});
const ROUNDS = 5;
const PATIENTS = 40;

interface Answer {
  status: number;
  body: any;
}

/** A fixed shuffle (no Math.random: a failing round is the same round again). */
function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(dialects)('an 835 set against refunds of its patients’ copays, two server processes on %s', (dialect) => {
  let database: TestDatabase | undefined;
  const servers: ServerProcess[] = [];
  let token = '';

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    const practice = await createPractice(database.handle.db, { slug: 'race', name: 'Race Clinic' });
    token = (await createApiToken(database.handle.db, cliActor(practice.id), { role: 'admin' })).token;
    servers.push(await startServer(database), await startServer(database));
    await Promise.all(servers.map((s) => waitForHealth(s, { dialect })));
  }, 180_000);

  afterAll(async () => {
    await Promise.allSettled(servers.map((s) => stopServer(s)));
    await database?.drop();
  }, 30_000);

  const call = async (i: number, method: string, url: string, options: { json?: unknown; era?: string; fileName?: string } = {}): Promise<Answer> => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    let body: string | undefined;
    if (options.era !== undefined) {
      headers['content-type'] = 'text/plain';
      if (options.fileName) headers['x-file-name'] = options.fileName;
      body = options.era;
    } else if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    }
    const response = await fetch(`${servers[i % servers.length]!.url}/api/v1${url}`, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
  const ok = (answer: Answer, status: number) => {
    expect(answer.status, JSON.stringify(answer.body)).toBe(status);
    return answer.body;
  };

  /** An insured visit billed to its payer, and the $40.00 cash copay collected at it, held unapplied for it. */
  async function heldCopay(i: number, locationId: string) {
    const patient = ok(await call(i, 'POST', '/patients', { json: { firstName: 'Rae', lastName: `Cer${i}`, dateOfBirth: '1975-06-01' } }), 201);
    ok(await call(i, 'PUT', `/patients/${patient.id}/coverages`, { json: [{ ...A, memberId: `M${i}`, order: 1 }] }), 200);
    const treatment = ok(await call(i, 'POST', '/treatments', { json: { patientId: patient.id, locationId, serviceDate: '2026-03-02', physician: 'Dr. Race', lines: [{ cpt: '99213', chargeCents: 15000 }] } }), 201);
    const payment = ok(
      await call(i, 'POST', '/payments', { json: { patientId: patient.id, amountCents: COPAY, method: 'cash', status: 'paid', treatmentId: treatment.id, type: 'office_visit', paidDate: '2026-03-02' } }),
      201,
    );
    expect(payment.billing).toMatchObject({ appliedCents: 0, unappliedCents: COPAY });
    const claim = ok(await call(i, 'POST', `/treatments/${treatment.id}/claims`), 201);
    return { patientId: patient.id as string, treatmentId: treatment.id as string, paymentId: payment.id as string, controlNumber: claim.controlNumber as string };
  }

  it('applies no copay beyond what its refund left, and posts every claim or lists it as an exception', async () => {
    const db = database!.handle.db;
    const location = ok(await call(0, 'POST', '/locations', { json: { name: 'Race Street' } }), 201);
    const orders = { refundFirst: 0, applicationFirst: 0, postingFailed: 0 };
    let lastUploadMs = 0;

    for (let round = 0; round < ROUNDS; round++) {
      const visits = [];
      for (let i = 0; i < PATIENTS; i += 10) visits.push(...(await Promise.all(Array.from({ length: 10 }, (_, k) => heldCopay(i + k, location.id)))));
      const era = build835([{ ...A, traceNumber: `EFT-${dialect}-${round}`, paymentDate: '2026-03-20', claims: visits.map((v) => paid(v.controlNumber)) }], { envelope: 700 + round });

      // Process 0 posts the 835; process 1 refunds the copays meanwhile, in an order unlike the file's: all at
      // once in the first round, then spread over as long as the last upload took, so refunds land before the
      // set reads its funds, while its claims settle, and after it has applied.
      const started = Date.now();
      const upload = call(0, 'POST', '/remittances', { era, fileName: `race-${round}.835` }).then((answer) => {
        lastUploadMs = Date.now() - started;
        return answer;
      });
      const spreadMs = round === 0 ? 0 : (lastUploadMs * 1.5) / PATIENTS;
      const refunds = new Map<string, Promise<Answer>>();
      shuffled(visits, round + 1).forEach((v, k) => {
        refunds.set(v.paymentId, sleep(k * spreadMs).then(() => call(1, 'POST', `/payments/${v.paymentId}/refunds`, { json: { amountCents: REFUND, reason: 'insurance_adjustment' } })));
      });
      const imported = ok(await upload, 201);
      const refunded = new Map<string, Answer>();
      for (const [paymentId, answer] of refunds) refunded.set(paymentId, await answer);

      // Every claim of the file accounted for once: posted, or an exception (never a duplicate here).
      expect(imported).toMatchObject({ claimCount: PATIENTS, duplicateCount: 0 });
      expect(imported.postedCount + imported.exceptionCount).toBe(PATIENTS);
      const outcomeOf = new Map<string, any>(imported.claims.map((c: any) => [c.patientControlNumber, c]));
      expect([...outcomeOf.keys()].sort()).toEqual(visits.map((v) => v.controlNumber).sort());
      const queue = ok(await call(1, 'GET', '/remittance-exceptions?status=open&pageSize=200'), 200);
      const queued = new Map<string, any>(queue.items.filter((x: any) => x.remittanceId === imported.id).map((x: any) => [x.patientControlNumber, x]));

      for (const v of visits) {
        const refund = refunded.get(v.paymentId)!;
        // A refund of $15.00 of a $40.00 payment always fits: refunds never look at applications (SPEC 4).
        expect(ok(refund, 201)).toMatchObject({ amountCents: REFUND, status: 'succeeded' });
        // What was applied when the refund's update ran: none (it came first) or the claim's (it came after).
        const appliedSeen = refund.body.payment.billing.appliedCents as number;
        const payment = await db.selectFrom('payments').select(['amountCents', 'refundedCents', 'refundingCents', 'appliedCents']).where('id', '=', v.paymentId).executeTakeFirstOrThrow();
        const [amount, refundedCents, applied] = [Number(payment.amountCents), Number(payment.refundedCents), Number(payment.appliedCents)];
        expect({ refundedCents, refunding: Number(payment.refundingCents) }).toEqual({ refundedCents: REFUND, refunding: 0 });
        // The limit: nothing applied after the refund beyond what the refund left.
        expect(applied, `payment ${v.paymentId}: applied ${applied}, refunded ${refundedCents} of ${amount}, ${appliedSeen} applied before the refund`).toBeLessThanOrEqual(
          Math.max(appliedSeen, amount - refundedCents),
        );

        const claim = outcomeOf.get(v.controlNumber);
        const treatment = await db.selectFrom('treatments').select(['patientResponsibilityCents', 'appliedCents', 'insuranceStatus']).where('id', '=', v.treatmentId).executeTakeFirstOrThrow();
        const visit = { responsibility: Number(treatment.patientResponsibilityCents), applied: Number(treatment.appliedCents), insuranceStatus: treatment.insuranceStatus };
        const applications = await db.selectFrom('applications').select(['treatmentId', 'amountCents']).where('paymentId', '=', v.paymentId).where('removedAt', 'is', null).execute();
        const accounts = await patientAccounts(db, v.patientId);
        let expected: { applied: number; accounts: Awaited<ReturnType<typeof patientAccounts>> };
        if (claim.outcome === 'posted' && appliedSeen === 0) {
          orders.refundFirst++;
          // The refund came first: the claim took what it left, $25.00; $15.00 of the visit stays the patient's to pay.
          expected = { applied: COPAY - REFUND, accounts: { cash_clearing: COPAY - REFUND, patient_receivable: PATIENT_SHARE - (COPAY - REFUND), patient_unapplied: 0, patient_credit: 0 } };
        } else if (claim.outcome === 'posted') {
          orders.applicationFirst++;
          // The claim applied the whole $40.00 first; the refund then left the payment over-applied by $15.00 (SPEC R1).
          expect(appliedSeen).toBe(COPAY);
          expected = { applied: COPAY, accounts: { cash_clearing: COPAY - REFUND, patient_receivable: 0, patient_unapplied: REFUND, patient_credit: 0 } };
        } else {
          orders.postingFailed++;
          // The refund landed after the set read its funds and before this claim applied: the limit refused, the
          // claim rolled back and waits in the exceptions queue with its $80.00 in suspense.
          expect(claim).toMatchObject({ outcome: 'exception', reasonCode: 'posting_failed' });
          expect(appliedSeen).toBe(0);
          expect(queued.get(v.controlNumber), `claim ${v.controlNumber} is not in the exceptions queue`).toMatchObject({ reasonCode: 'posting_failed', paidCents: 8000, suspenseCents: 8000, status: 'open' });
          expected = { applied: 0, accounts: { cash_clearing: COPAY - REFUND, patient_receivable: 0, patient_unapplied: REFUND - COPAY, patient_credit: 0 } };
        }
        const posted = claim.outcome === 'posted';
        expect({ applied, applications: applications.map((a) => [a.treatmentId, Number(a.amountCents)]) }).toEqual({
          applied: expected.applied,
          applications: expected.applied > 0 ? [[v.treatmentId, expected.applied]] : [],
        });
        expect(visit).toEqual({ responsibility: posted ? PATIENT_SHARE : 0, applied: expected.applied, insuranceStatus: posted ? 'settled' : 'awaiting' });
        // Per ledger account, to the cent: as expected, and as the payment and visit rows say.
        expect(accounts).toEqual(expected.accounts);
        expect(accounts).toEqual({
          cash_clearing: amount - refundedCents,
          patient_receivable: visit.responsibility - visit.applied,
          patient_unapplied: applied + refundedCents - amount,
          patient_credit: 0,
        });
        const billing = ok(await call(0, 'GET', `/payments/${v.paymentId}`), 200).billing;
        expect(billing).toMatchObject({ netAmountCents: COPAY - REFUND, appliedCents: applied, unappliedCents: COPAY - REFUND - applied, overApplied: applied > COPAY - REFUND });
      }
      // Only the exceptions the refunds caused, each in the queue.
      expect([...queued.keys()].sort()).toEqual(imported.exceptions.map((c: any) => c.patientControlNumber).sort());
      expect(await verifyLedger(db)).toEqual([]);
      console.info(`${dialect} round ${round + 1}: upload ${lastUploadMs} ms, refunds spread ${Math.round(spreadMs * PATIENTS)} ms; so far ${JSON.stringify(orders)}`);
    }

    // The over-applied work list holds exactly the copays refunded after their application.
    const overApplied = ok(await call(1, 'GET', '/reports/over-applied?pageSize=200'), 200);
    expect(overApplied.total).toBe(orders.applicationFirst);
    // Both orders happened (a mid-set refund, posting_failed, is counted when the timing gave one).
    expect(orders.refundFirst).toBeGreaterThan(0);
    expect(orders.applicationFirst).toBeGreaterThan(0);
  }, 600_000);
});
