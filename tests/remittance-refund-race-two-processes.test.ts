import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliActor, type Actor } from '../src/services/actor.ts';
import { createApiToken } from '../src/services/auth/create-api-token.ts';
import { verifyLedger } from '../src/services/ledger/verify-ledger.ts';
import { createPractice } from '../src/services/practices/create-practice.ts';
import { build835, type Clp } from '../src/x12/build-835.ts';
import { patientAccounts } from './helpers/ledger-accounts.ts';
import { makeReviewCase } from './helpers/review-cases.ts';
import { callsTo, startServer, stopServer, waitForHealth, type Answer, type ServerProcess } from './helpers/server-processes.ts';
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
 * returned row) says which came first. A refund-owed task, though, refunds
 * unapplied money only: completed while an 835 applies the same funds, its
 * refund is refused by the refund's own write, never made on top of the
 * application.
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
/** The task race: fewer, its cases are slower to make (a refund review's worth each). */
const TASK_ROUNDS = 3;
const TASK_PATIENTS = 30;


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
  let actor: Actor;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    const practice = await createPractice(database.handle.db, { slug: 'race', name: 'Race Clinic' });
    actor = cliActor(practice.id);
    token = (await createApiToken(database.handle.db, actor, { role: 'admin' })).token;
    // The servers' own daily refund review must find nothing: only the run the test asks for makes tasks.
    const options = { ...database, env: { REFUND_REVIEW_DAYS: '3650' } };
    servers.push(await startServer(options), await startServer(options));
    await Promise.all(servers.map((s) => waitForHealth(s, { dialect })));
  }, 180_000);

  afterAll(async () => {
    await Promise.allSettled(servers.map((s) => stopServer(s)));
    await database?.drop();
  }, 30_000);

  const call = callsTo(servers, () => token, '/api/v1');
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
      // once in the first round, then one by one over twice as long as the last upload took, the upload sent
      // halfway, so refunds land before the set reads its funds, while its claims settle, and after it has applied.
      const stepMs = round === 0 ? 0 : (2 * lastUploadMs) / PATIENTS;
      const refunds = new Map<string, Promise<Answer>>();
      shuffled(visits, round + 1).forEach((v, k) => {
        refunds.set(v.paymentId, sleep(k * stepMs).then(() => call(1, 'POST', `/payments/${v.paymentId}/refunds`, { json: { amountCents: REFUND, reason: 'insurance_adjustment' } })));
      });
      const upload = sleep((PATIENTS / 2) * stepMs).then(async () => {
        const started = Date.now();
        const answer = await call(0, 'POST', '/remittances', { era, fileName: `race-${round}.835` });
        lastUploadMs = Date.now() - started;
        return answer;
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
      console.info(`${dialect} round ${round + 1}: upload ${lastUploadMs} ms, refunds spread over ${Math.round(stepMs * PATIENTS)} ms; so far ${JSON.stringify(orders)}`);
    }

    // The over-applied work list holds exactly the copays refunded after their application.
    const overApplied = ok(await call(1, 'GET', '/reports/over-applied?pageSize=200'), 200);
    expect(overApplied.total).toBe(orders.applicationFirst);
    // Both orders happened (a mid-set refund, posting_failed, is counted when the timing gave one).
    expect(orders.refundFirst).toBeGreaterThan(0);
    expect(orders.applicationFirst).toBeGreaterThan(0);
  }, 600_000);
  it('refunds a refund-owed task only from money no claim applied meanwhile', async () => {
    const db = database!.handle.db;
    const B = { payerName: 'Payer A', payerId: 'PA001' };
    const location = ok(await call(0, 'POST', '/locations', { json: { name: 'Task Street' } }), 201);
    const orders = { taskFirst: 0, applicationFirst: 0, postingFailed: 0 };
    let lastUploadMs = 0;
    for (let round = 0; round < TASK_ROUNDS; round++) {
      // Cases owed their whole $40.00 prepayment (their first visit left them nothing): one task each.
      const cases = [];
      for (let i = 0; i < TASK_PATIENTS; i++) cases.push(await makeReviewCase(db, actor, { prepayCents: COPAY }));
      ok(await call(0, 'POST', '/jobs/refund-review', { json: { asOf: '2026-06-01', days: 45 } }), 200);
      const visits = await Promise.all(
        cases.map(async (c, i) => {
          const [task] = ok(await call(i, 'GET', `/tasks?type=refund_owed&status=open&patientId=${c.patient.id}`), 200).items;
          expect(task).toMatchObject({ amountCents: COPAY });
          // A second visit, billed: its 835 leaves the patient $40.00, which the prepayment would pay.
          const treatment = ok(await call(i, 'POST', '/treatments', { json: { patientId: c.patient.id, locationId: location.id, serviceDate: '2026-06-02', physician: 'Dr. Race', lines: [{ cpt: '99213', chargeCents: 15000 }] } }), 201);
          const claim = ok(await call(i, 'POST', `/treatments/${treatment.id}/claims`), 201);
          return { patientId: c.patient.id, paymentId: c.payment.id, taskId: task.id as string, treatmentId: treatment.id as string, controlNumber: claim.controlNumber as string };
        }),
      );
      const era = build835([{ ...B, traceNumber: `EFT-TASK-${dialect}-${round}`, paymentDate: '2026-06-20', claims: visits.map((v) => paid(v.controlNumber)) }], { envelope: 800 + round });

      // As in the copay race: process 1 completes the tasks (a $40.00 cash refund each) around process 0's upload.
      const stepMs = round === 0 ? 0 : (2 * lastUploadMs) / TASK_PATIENTS;
      const completions = new Map<string, Promise<Answer>>();
      shuffled(visits, round + 11).forEach((v, k) => {
        completions.set(v.taskId, sleep(k * stepMs).then(() => call(1, 'POST', `/tasks/${v.taskId}/complete`, { json: { refundDate: '2026-06-20', amountCents: COPAY, method: 'cash', reference: 'race' } })));
      });
      const upload = sleep((TASK_PATIENTS / 2) * stepMs).then(async () => {
        const started = Date.now();
        const answer = await call(0, 'POST', '/remittances', { era, fileName: `task-race-${round}.835` });
        lastUploadMs = Date.now() - started;
        return answer;
      });
      const imported = ok(await upload, 201);
      expect(imported).toMatchObject({ claimCount: TASK_PATIENTS, duplicateCount: 0 });
      const outcomeOf = new Map<string, any>(imported.claims.map((c: any) => [c.patientControlNumber, c]));
      const queue = ok(await call(1, 'GET', '/remittance-exceptions?status=open&pageSize=200'), 200);
      const queued = new Map<string, any>(queue.items.filter((x: any) => x.remittanceId === imported.id).map((x: any) => [x.patientControlNumber, x]));

      for (const v of visits) {
        const completion = await completions.get(v.taskId)!;
        const payment = await db.selectFrom('payments').select(['amountCents', 'refundedCents', 'refundingCents', 'appliedCents']).where('id', '=', v.paymentId).executeTakeFirstOrThrow();
        const [amount, refundedCents, applied] = [Number(payment.amountCents), Number(payment.refundedCents), Number(payment.appliedCents)];
        // The limit: a task refunds unapplied money only, so a payment's applications and refunds never exceed it.
        expect(applied + refundedCents, `payment ${v.paymentId}: applied ${applied} and refunded ${refundedCents} of ${amount} (task answered ${completion.status})`).toBeLessThanOrEqual(amount);
        const claim = outcomeOf.get(v.controlNumber);
        const task = ok(await call(0, 'GET', `/tasks?type=refund_owed&patientId=${v.patientId}`), 200).items.find((t: any) => t.id === v.taskId);
        if (completion.status === 200) {
          expect(completion.body).toMatchObject({ status: 'completed' });
          expect({ refundedCents, applied }).toEqual({ refundedCents: COPAY, applied: 0 });
          if (claim.outcome === 'posted') orders.taskFirst++;
        } else {
          // The claim applied the money first: nothing is left to refund, the task is open again.
          orders.applicationFirst++;
          expect({ status: completion.status, code: completion.body.code }).toEqual({ status: 422, code: 'refund_exceeds_remaining' });
          expect(task).toMatchObject({ status: 'open' });
          expect({ refundedCents, applied, outcome: claim.outcome }).toEqual({ refundedCents: 0, applied: COPAY, outcome: 'posted' });
        }
        if (claim.outcome !== 'posted') {
          orders.postingFailed++;
          expect(claim).toMatchObject({ outcome: 'exception', reasonCode: 'posting_failed' });
          expect(queued.get(v.controlNumber), `claim ${v.controlNumber} is not in the exceptions queue`).toMatchObject({ reasonCode: 'posting_failed', suspenseCents: 8000, status: 'open' });
        }
        const treatment = await db.selectFrom('treatments').select(['patientResponsibilityCents', 'appliedCents']).where('id', '=', v.treatmentId).executeTakeFirstOrThrow();
        expect({ responsibility: Number(treatment.patientResponsibilityCents), applied: Number(treatment.appliedCents) }).toEqual({ responsibility: claim.outcome === 'posted' ? PATIENT_SHARE : 0, applied });
        expect(await patientAccounts(db, v.patientId)).toEqual({
          cash_clearing: amount - refundedCents,
          patient_receivable: Number(treatment.patientResponsibilityCents) - applied,
          patient_unapplied: applied + refundedCents - amount,
          patient_credit: 0,
        });
      }
      expect([...queued.keys()].sort()).toEqual(imported.exceptions.map((c: any) => c.patientControlNumber).sort());
      expect(await verifyLedger(db)).toEqual([]);
      console.info(`${dialect} task round ${round + 1}: upload ${lastUploadMs} ms, tasks spread over ${Math.round(stepMs * TASK_PATIENTS)} ms; so far ${JSON.stringify(orders)}`);
    }
    expect(orders.taskFirst).toBeGreaterThan(0);
    expect(orders.applicationFirst).toBeGreaterThan(0);
  }, 600_000);
});
