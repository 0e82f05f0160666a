import { spawnSync } from 'node:child_process';
import path from 'node:path';
import Fastify from 'fastify';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { REFUND_REVIEW_LOCK_KEY, runScheduledRefundReview, startRefundReviewSchedule } from '../src/jobs/refund-review-schedule.ts';
import { runRefundReview } from '../src/services/tasks/run-refund-review.ts';
import { makeCardPayment, makeLocation, makePatient, makePayment, makeTreatment } from './helpers/factories.ts';
import { build835 } from '../src/x12/build-835.ts';
import { forwardToNextPayer, markClaimProcessed, settleTreatment } from './helpers/settle-treatment.ts';
import { json, useTestApp, type TestApp } from './helpers/test-app.ts';
import { dialects } from './helpers/test-database.ts';
import { calendarDateIn } from '../src/domain/calendar/practice-calendar.ts';

const root = path.resolve(import.meta.dirname, '..');
const cards = { ok: '4242424242424242', refundDeclined: '4000000000005126' };

/**
 * SPEC U1 up to the review: primary A and secondary B; the 2026-03-02 visit
 * ($150.00) with a $40.00 copay held; an older visit (2026-01-10) left with
 * $10.00 patient responsibility; A processes on 2026-03-20 (status 19, $40.00
 * PR to B), B on 2026-04-06 ($15.00 PR): $15.00 applies to the visit, $10.00
 * to the older one, $15.00 stays unapplied. Remittance is simulated by
 * tests/helpers/settle-treatment.ts until the 835 importer lands.
 */
async function u1Case(t: TestApp, copay: { method: 'cash' } | { method: 'card'; card: string } = { method: 'cash' }) {
  const db = t.database.handle.db;
  const actor = t.biller.actor;
  const patient = await makePatient(t);
  json(
    await t.request('PUT', `/api/v1/patients/${patient.id}/coverages`, {
      body: [
        { payerName: 'Payer A', payerId: 'PA001', memberId: 'A-123', order: 1 },
        { payerName: 'Payer B', payerId: 'PB002', memberId: 'B-456', order: 2 },
      ],
    }),
    200,
  );
  const location = await makeLocation(t);
  const older = await makeTreatment(t, patient.id, location.id, { serviceDate: '2026-01-10', lines: [{ cpt: '99212', chargeCents: 9000 }] });
  const visit = await makeTreatment(t, patient.id, location.id, { serviceDate: '2026-03-02', lines: [{ cpt: '99213', chargeCents: 15000 }] });
  expect(visit.insuranceStatus).toBe('awaiting');
  const payment =
    copay.method === 'cash'
      ? await makePayment(t, patient.id, { amountCents: 4000, method: 'cash', status: 'paid', paidDate: '2026-03-02', treatmentId: visit.id, type: 'office_visit' })
      : await makeCardPayment(t, patient.id, 4000, copay.card, { treatmentId: visit.id, type: 'office_visit' });
  expect(payment.status).toBe('paid');

  const olderClaim = json(await t.request('POST', `/api/v1/treatments/${older.id}/claims`, { as: t.biller }), 201);
  await markClaimProcessed(db, olderClaim.id, { processedDate: '2026-02-05', paidCents: 6000, contractualCents: 2000, patientResponsibilityCents: 1000 });
  await settleTreatment(db, actor, older.id, 1000);
  // The copay is held for the visit still with the payers: the older visit stays open.
  expect(json(await t.request('GET', `/api/v1/treatments/${older.id}`), 200).balanceCents).toBe(1000);

  const claimA = json(await t.request('POST', `/api/v1/treatments/${visit.id}/claims`, { as: t.biller }), 201);
  expect(claimA).toMatchObject({ coverageOrder: 1, payerName: 'Payer A', status: 'submitted' });
  await markClaimProcessed(db, claimA.id, { processedDate: '2026-03-20', paidCents: 8000, contractualCents: 3000, patientResponsibilityCents: 4000 });
  const claimB = await forwardToNextPayer(db, actor, visit.id, 2, 4000);
  await markClaimProcessed(db, claimB.id, { processedDate: '2026-04-06', paidCents: 2500, patientResponsibilityCents: 1500 });
  await settleTreatment(db, actor, visit.id, 1500);

  expect(json(await t.request('GET', `/api/v1/treatments/${visit.id}`), 200)).toMatchObject({ patientResponsibilityCents: 1500, balanceCents: 0 });
  expect(json(await t.request('GET', `/api/v1/treatments/${older.id}`), 200).balanceCents).toBe(0);
  expect(json(await t.request('GET', `/api/v1/patients/${patient.id}`), 200).balance).toEqual({ patientResponsibilityCents: 0, unappliedCents: 1500, creditCents: 0 });
  await t.expectLedgerBalances();
  return { patient, location, older, visit, payment };
}

describe.each(dialects)('refund review and refund-owed tasks on %s', (dialect) => {
  const t = useTestApp(dialect);

  const review = async (body: unknown, as = t.biller) => json(await t.request('POST', '/api/v1/jobs/refund-review', { as, body }), 200);
  const tasksOf = async (patientId: string, status = 'open') =>
    json(await t.request('GET', `/api/v1/tasks?type=refund_owed&status=${status}&patientId=${patientId}`, { as: t.biller }), 200).items as any[];
  const complete = (taskId: string, body: unknown, as = t.biller, headers?: Record<string, string>) =>
    t.request('POST', `/api/v1/tasks/${taskId}/complete`, { as, body, ...(headers ? { headers } : {}) });
  const dismiss = (taskId: string, as = t.biller) => t.request('POST', `/api/v1/tasks/${taskId}/dismiss`, { as });
  const getPayment = async (id: string) => json(await t.request('GET', `/api/v1/payments/${id}`), 200);
  const ledger = (...args: string[]) => {
    const env = { ...process.env, DATA_DIR: t.database.dataDir, DATABASE_URL: t.database.databaseUrl ?? '', DEMO_DATA: 'false' };
    const result = spawnSync(process.execPath, [path.join(root, 'bin', 'ledger.mjs'), ...args], { env, encoding: 'utf8', cwd: root, timeout: 60_000 });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };

  it('U1: no task before 45 days, one task for $15.00 on day 45, never a second; a $15.00 check refund completes it', async () => {
    const { patient, payment } = await u1Case(t);

    expect(await review({ asOf: '2026-05-20' })).toEqual({ asOf: '2026-05-20', days: 45, reviewed: 0, tasksCreated: 0 });
    expect(await tasksOf(patient.id)).toEqual([]);

    expect(await review({ asOf: '2026-05-21' })).toMatchObject({ tasksCreated: 1 });
    const list = json(await t.request('GET', '/api/v1/tasks?type=refund_owed&status=open', { as: t.biller }), 200);
    expect(list).toMatchObject({ total: 1, page: 1 });
    const task = list.items[0];
    expect(task).toMatchObject({
      patientId: patient.id,
      patientName: `${patient.firstName} ${patient.lastName}`,
      type: 'refund_owed',
      status: 'open',
      amountCents: 1500,
      dueDate: '2026-05-21',
      resolvedAt: null,
      resolution: null,
    });
    const db = t.database.handle.db;
    expect(await db.selectFrom('outboxEvents').select('type').where('type', '=', 'task.created').where('payload', 'like', `%${task.id}%`).execute()).toHaveLength(1);
    expect(await db.selectFrom('auditEvents').select('action').where('entityId', '=', task.id).execute()).toEqual([{ action: 'task.created' }]);

    // At most one open task per case, however often the review runs.
    expect((await review({ asOf: '2026-05-21' })).tasksCreated).toBe(0);
    expect((await review({ asOf: '2026-06-30' })).tasksCreated).toBe(0);
    expect(await tasksOf(patient.id)).toHaveLength(1);

    const completed = json(await complete(task.id, { refundDate: '2026-05-22', amountCents: 1500, method: 'check', reference: 'Check 1043' }), 200);
    expect(completed).toMatchObject({
      id: task.id,
      status: 'completed',
      resolvedBy: 'biller token',
      resolution: { kind: 'refund', refundDate: '2026-05-22', amountCents: 1500, method: 'check', reference: 'Check 1043', refundIds: [expect.any(String)] },
    });
    expect(completed.resolvedAt).toEqual(expect.any(String));
    expect(await getPayment(payment.id)).toMatchObject({ status: 'partially_refunded', refundedCents: 1500, billing: { appliedCents: 2500, unappliedCents: 0 } });
    const refunds = json(await t.request('GET', `/api/v1/payments/${payment.id}/refunds`), 200).items;
    expect(refunds).toEqual([expect.objectContaining({ id: completed.resolution.refundIds[0], amountCents: 1500, method: 'check', reason: 'insurance_adjustment', notes: 'Check 1043', status: 'succeeded' })]);
    expect(json(await t.request('GET', `/api/v1/patients/${patient.id}`), 200).balance).toEqual({ patientResponsibilityCents: 0, unappliedCents: 0, creditCents: 0 });
    expect(await tasksOf(patient.id, 'completed')).toEqual([expect.objectContaining({ id: task.id, status: 'completed' })]);
    await t.expectLedgerBalances();

    // Refusing to complete (or dismiss) it twice, and nothing more is owed afterwards.
    const again = await complete(task.id, { refundDate: '2026-05-22', amountCents: 1500, method: 'check', reference: 'Check 1043' });
    expect(again.headers['content-type']).toContain('application/problem+json');
    expect(json(again, 409).code).toBe('task_not_open');
    expect(json(await dismiss(task.id), 409).code).toBe('task_not_open');
    expect((await getPayment(payment.id)).refundedCents).toBe(1500);
    expect((await review({ asOf: '2026-07-01' })).tasksCreated).toBe(0);
    await t.expectLedgerBalances();
  });

  it('U1 end to end with real 835 files from A and B: the review finds the $15.00 45 days after B\'s ERA', async () => {
    const patient = await makePatient(t);
    const payers = { A: { payerName: 'ACME HEALTH', payerId: '11111' }, B: { payerName: 'BETA MUTUAL', payerId: '22222' } };
    json(
      await t.request('PUT', `/api/v1/patients/${patient.id}/coverages`, {
        body: [
          { ...payers.A, memberId: 'A-1', order: 1 },
          { ...payers.B, memberId: 'B-2', order: 2 },
        ],
      }),
      200,
    );
    const location = await makeLocation(t);
    const older = await makeTreatment(t, patient.id, location.id, { serviceDate: '2026-01-10', lines: [{ cpt: '99212', chargeCents: 10000 }] });
    const visit = await makeTreatment(t, patient.id, location.id, { serviceDate: '2026-03-02', lines: [{ cpt: '99213', chargeCents: 15000 }] });
    const olderA = json(await t.request('POST', `/api/v1/treatments/${older.id}/claims`, { as: t.biller }), 201);
    const visitA = json(await t.request('POST', `/api/v1/treatments/${visit.id}/claims`, { as: t.biller }), 201);
    const copay = await makePayment(t, patient.id, { amountCents: 4000, method: 'cash', status: 'paid', paidDate: '2026-03-02', treatmentId: visit.id, type: 'office_visit' });
    const importEra = async (era: Parameters<typeof build835>[0][number]) =>
      json(await t.request('POST', '/api/v1/remittances', { as: t.biller, body: build835([era]), headers: { 'content-type': 'text/plain' } }), 201);

    const pr = (cents: number, reason: string) => ({ group: 'PR', reason, amountCents: cents });
    await importEra({
      ...payers.A,
      traceNumber: `RR-A-${patient.id.slice(-8)}`,
      paymentDate: '2026-03-20',
      claims: [
        { controlNumber: olderA.controlNumber, status: '19', chargeCents: 10000, paidCents: 7000, patientResponsibilityCents: 1000, adjustments: [{ group: 'CO', reason: '45', amountCents: 2000 }, pr(1000, '2')] },
        { controlNumber: visitA.controlNumber, status: '19', chargeCents: 15000, paidCents: 8000, patientResponsibilityCents: 4000, adjustments: [{ group: 'CO', reason: '45', amountCents: 3000 }, pr(4000, '2')] },
      ],
    });
    const claimB = async (treatmentId: string) => json(await t.request('GET', `/api/v1/treatments/${treatmentId}`), 200).claims.find((c: any) => c.coverageOrder === 2);
    await importEra({
      ...payers.B,
      traceNumber: `RR-B-${patient.id.slice(-8)}`,
      paymentDate: '2026-04-06',
      claims: [
        { controlNumber: (await claimB(visit.id)).controlNumber, status: '2', chargeCents: 4000, paidCents: 2500, patientResponsibilityCents: 1500, adjustments: [pr(1500, '1')] },
        { controlNumber: (await claimB(older.id)).controlNumber, status: '2', chargeCents: 1000, paidCents: 0, patientResponsibilityCents: 1000, adjustments: [pr(1000, '1')] },
      ],
    });
    expect(json(await t.request('GET', `/api/v1/patients/${patient.id}`), 200).balance).toEqual({ patientResponsibilityCents: 0, unappliedCents: 1500, creditCents: 0 });

    await review({ asOf: '2026-05-20' });
    expect(await tasksOf(patient.id)).toEqual([]);
    await review({ asOf: '2026-05-21' });
    const [task] = await tasksOf(patient.id);
    expect(task).toMatchObject({ amountCents: 1500, dueDate: '2026-05-21' });
    json(await complete(task.id, { refundDate: '2026-05-22', amountCents: 1500, method: 'check', reference: 'Check 1044' }), 200);
    expect(await getPayment(copay.id)).toMatchObject({ status: 'partially_refunded', refundedCents: 1500, billing: { appliedCents: 2500, unappliedCents: 0 } });
    await t.expectLedgerBalances();
  });

  it('U1 dismissed instead: $15.00 stays as credit (task_dismissal), and a later $20.00 visit gets $15.00 of it', async () => {
    const { patient, location, payment } = await u1Case(t);
    expect(await review({ asOf: '2026-05-21' })).toMatchObject({ tasksCreated: 1 });
    const [task] = await tasksOf(patient.id);

    const dismissed = json(await dismiss(task.id), 200);
    expect(dismissed).toMatchObject({ status: 'dismissed', amountCents: 1500, resolution: { kind: 'credit', amountCents: 1500, creditIds: [expect.any(String)] } });
    const credits = json(await t.request('GET', `/api/v1/patients/${patient.id}/credits`), 200);
    expect(credits.availableCents).toBe(1500);
    expect(credits.items).toEqual([
      expect.objectContaining({ id: dismissed.resolution.creditIds[0], amountCents: 1500, remainingCents: 1500, source: 'task_dismissal', paymentId: payment.id }),
    ]);
    expect(await getPayment(payment.id)).toMatchObject({ status: 'partially_refunded', refundedCents: 1500 });
    expect(json(await t.request('GET', `/api/v1/patients/${patient.id}`), 200).balance).toEqual({ patientResponsibilityCents: 0, unappliedCents: 0, creditCents: 1500 });
    expect(json(await complete(task.id, { refundDate: '2026-05-22', amountCents: 1500, method: 'cash' }), 409).code).toBe('task_not_open');
    await t.expectLedgerBalances();

    // A later visit with $20.00 patient responsibility draws the $15.00.
    const later = await makeTreatment(t, patient.id, location.id, { serviceDate: '2026-06-01', lines: [{ cpt: '99213', chargeCents: 12000 }] });
    const claim = json(await t.request('POST', `/api/v1/treatments/${later.id}/claims`, { as: t.biller }), 201);
    await markClaimProcessed(t.database.handle.db, claim.id, { processedDate: '2026-06-20', paidCents: 10000, patientResponsibilityCents: 2000 });
    await settleTreatment(t.database.handle.db, t.biller.actor, later.id, 2000);
    // The kept credit applies by itself once the payers leave the patient $20.00.
    const laterVisit = json(await t.request('GET', `/api/v1/treatments/${later.id}`), 200);
    expect(laterVisit).toMatchObject({ patientResponsibilityCents: 2000, balanceCents: 500 });
    expect(laterVisit.payments).toEqual([expect.objectContaining({ amountCents: 1500, status: 'paid' })]);
    expect(json(await t.request('GET', `/api/v1/payments/${laterVisit.payments[0].id}`), 200)).toMatchObject({ method: 'patient_credit' });
    expect(json(await t.request('GET', `/api/v1/patients/${patient.id}/credits`), 200).availableCents).toBe(0);
    // Nothing is owed back: the review leaves the case alone.
    expect(await review({ asOf: '2026-09-01' })).toMatchObject({ tasksCreated: 0 });
    expect(await tasksOf(patient.id)).toEqual([]);
    await t.expectLedgerBalances();
  });

  it('honours the configured days, and guards tasks: roles, amounts, other practices', async () => {
    const { patient, payment } = await u1Case(t);
    expect(await review({ asOf: '2026-05-06', days: 31 })).toMatchObject({ days: 31, tasksCreated: 0 });
    expect(await review({ asOf: '2026-05-06', days: 30 })).toMatchObject({ days: 30, tasksCreated: 1 });
    const [task] = await tasksOf(patient.id);
    expect(task).toMatchObject({ amountCents: 1500, dueDate: '2026-05-06' });

    // Another practice sees nothing of it; the front desk may not resolve it.
    expect(json(await t.request('GET', '/api/v1/tasks', { as: t.otherAdmin }), 200).items.map((x: any) => x.id)).not.toContain(task.id);
    expect(json(await complete(task.id, { refundDate: '2026-05-07', amountCents: 1500, method: 'cash' }, t.otherAdmin), 404).code).toBe('not_found');
    expect(json(await dismiss(task.id, t.otherAdmin), 404).code).toBe('not_found');
    expect(json(await complete(task.id, { refundDate: '2026-05-07', amountCents: 1500, method: 'cash' }, t.frontDesk), 403).code).toBe('forbidden');
    expect(json(await t.request('POST', '/api/v1/jobs/refund-review', { as: t.frontDesk, body: {} }), 403).code).toBe('forbidden');
    // Bad input, and more than the patient's unapplied funds, are refused and change nothing.
    expect(json(await complete(task.id, { refundDate: '2026-02-30', amountCents: 1500, method: 'cash' }), 400).code).toBe('validation_failed');
    expect(json(await complete(task.id, { refundDate: '2026-05-07', amountCents: 15.5, method: 'cash' }), 400).code).toBe('validation_failed');
    expect(json(await complete(task.id, { refundDate: '2026-05-07', amountCents: 1500, method: 'wire' }), 400).code).toBe('validation_failed');
    expect(json(await complete(task.id, { refundDate: '2026-05-07', amountCents: 1501, method: 'cash' }), 422).code).toBe('refund_exceeds_remaining');
    expect(json(await t.request('POST', '/api/v1/jobs/refund-review', { as: t.biller, body: { asOf: '2026-13-01' } }), 400).code).toBe('validation_failed');
    expect(json(await t.request('POST', '/api/v1/tasks/no-such-task/dismiss', { as: t.biller }), 404).code).toBe('not_found');
    expect(await tasksOf(patient.id)).toEqual([expect.objectContaining({ id: task.id, status: 'open' })]);
    expect((await getPayment(payment.id)).refundedCents).toBe(0);

    // A retry with the same Idempotency-Key answers with the first result.
    const body = { refundDate: '2026-05-07', amountCents: 1500, method: 'cash', reference: 'Handed back at the desk' };
    const first = json(await complete(task.id, body, t.biller, { 'idempotency-key': `complete-${task.id}` }), 200);
    const retry = json(await complete(task.id, body, t.biller, { 'idempotency-key': `complete-${task.id}` }), 200);
    expect(retry).toEqual(first);
    expect(first.resolution).toMatchObject({ method: 'cash', refundIds: [expect.any(String)] });
    expect(json(await t.request('GET', `/api/v1/payments/${payment.id}/refunds`), 200).items).toEqual([expect.objectContaining({ method: 'cash', amountCents: 1500 })]);
    await t.expectLedgerBalances();
  });

  it('refunds a card copay through the processor ("original method"); a processor decline leaves the task open', async () => {
    const declinedCase = await u1Case(t, { method: 'card', card: cards.refundDeclined });
    const okCase = await u1Case(t, { method: 'card', card: cards.ok });
    await review({ asOf: '2026-05-21' });
    const [declinedTask] = await tasksOf(declinedCase.patient.id);
    const [okTask] = await tasksOf(okCase.patient.id);

    const refundsBefore = t.processor.refundCount;
    const completed = json(await complete(okTask.id, { refundDate: '2026-05-21', amountCents: 1500, method: 'original', reference: 'Back to the card' }), 200);
    expect(t.processor.refundCount).toBe(refundsBefore + 1);
    expect(json(await t.request('GET', `/api/v1/payments/${okCase.payment.id}/refunds`), 200).items).toEqual([
      expect.objectContaining({ id: completed.resolution.refundIds[0], method: 'processor', amountCents: 1500, processorReference: expect.stringMatching(/^sbx_re_/) }),
    ]);

    const declined = await complete(declinedTask.id, { refundDate: '2026-05-21', amountCents: 1500, method: 'card' });
    expect(json(declined, 402).code).toBe('processor_declined');
    expect(await tasksOf(declinedCase.patient.id)).toEqual([expect.objectContaining({ id: declinedTask.id, status: 'open', resolution: null })]);
    expect(await getPayment(declinedCase.payment.id)).toMatchObject({ status: 'paid', refundedCents: 0 });
    // The biller hands a check instead.
    expect(json(await complete(declinedTask.id, { refundDate: '2026-05-23', amountCents: 1500, method: 'check', reference: 'Check 2001' }), 200).status).toBe('completed');
    expect(await getPayment(declinedCase.payment.id)).toMatchObject({ status: 'partially_refunded', refundedCents: 1500 });
    await t.expectLedgerBalances();
  });

  it('a decline after another card refund went through reopens the task and says what was refunded', async () => {
    const patient = await makePatient(t);
    json(await t.request('PUT', `/api/v1/patients/${patient.id}/coverages`, { body: [{ payerName: 'Payer A', payerId: 'PA001', memberId: 'A-7', order: 1 }] }), 200);
    const visit = await makeTreatment(t, patient.id, (await makeLocation(t)).id, { serviceDate: '2026-02-02' });
    const claim = json(await t.request('POST', `/api/v1/treatments/${visit.id}/claims`, { as: t.biller }), 201);
    // Two prepayments by card, not tied to a visit; the visit leaves the patient nothing to pay.
    const first = await makeCardPayment(t, patient.id, 1000, cards.ok, { type: 'private_pay' });
    const second = await makeCardPayment(t, patient.id, 1000, cards.refundDeclined, { type: 'private_pay' });
    await markClaimProcessed(t.database.handle.db, claim.id, { processedDate: '2026-03-01', paidCents: 12000, contractualCents: 3000 });
    await settleTreatment(t.database.handle.db, t.biller.actor, visit.id, 0);
    await review({ asOf: '2026-04-15' });
    const [task] = await tasksOf(patient.id);
    expect(task.amountCents).toBe(2000);

    const failed = json(await complete(task.id, { refundDate: '2026-04-16', amountCents: 2000, method: 'original' }), 402);
    expect(failed.code).toBe('processor_declined');
    expect(failed.detail).toContain('$10.00 was refunded before the failure');
    expect(failed.details).toMatchObject({ refundedCents: 1000, refundIds: [expect.any(String)] });
    expect(await getPayment(first.id)).toMatchObject({ status: 'refunded', refundedCents: 1000 });
    expect(await getPayment(second.id)).toMatchObject({ status: 'paid', refundedCents: 0 });
    expect(await tasksOf(patient.id)).toEqual([expect.objectContaining({ id: task.id, status: 'open' })]);
    // Only what is still unapplied can be recorded now.
    expect(json(await complete(task.id, { refundDate: '2026-04-16', amountCents: 2000, method: 'check' }), 422).code).toBe('refund_exceeds_remaining');
    expect(json(await complete(task.id, { refundDate: '2026-04-17', amountCents: 1000, method: 'check', reference: 'Check 3003' }), 200).status).toBe('completed');
    expect(await getPayment(second.id)).toMatchObject({ status: 'refunded', refundedCents: 1000 });
    const audit = await t.database.handle.db.selectFrom('auditEvents').select('action').where('entityId', '=', task.id).orderBy('createdAt').execute();
    expect(audit.map((a) => a.action).sort()).toEqual(['task.completed', 'task.completion_failed', 'task.completion_failed', 'task.created']);
    await t.expectLedgerBalances();
  });

  it('dismissing a task drawn from three payments ($10, $25, $20) makes exactly one $55.00 credit', async () => {
    const patient = await makePatient(t);
    // A case whose one claim the payer finished (paid in full): then nothing of the patient's money is owed to a visit.
    json(await t.request('PUT', `/api/v1/patients/${patient.id}/coverages`, { body: [{ payerName: 'Payer A', payerId: 'PA001', memberId: 'A-7', order: 1 }] }), 200);
    const visit = await makeTreatment(t, patient.id, (await makeLocation(t)).id, { serviceDate: '2026-03-01' });
    const claim = json(await t.request('POST', `/api/v1/treatments/${visit.id}/claims`, { as: t.biller }), 201);
    await markClaimProcessed(t.database.handle.db, claim.id, { processedDate: '2026-04-01', paidCents: 12000, contractualCents: 3000 });
    await settleTreatment(t.database.handle.db, t.biller.actor, visit.id, 0);
    const paid = [];
    for (const [amountCents, paidDate] of [[1000, '2026-03-01'], [2500, '2026-03-02'], [2000, '2026-03-03']] as const) {
      paid.push(await makePayment(t, patient.id, { amountCents, method: 'cash', status: 'paid', paidDate, type: 'private_pay' }));
    }
    await review({ asOf: '2026-11-01' });
    const [task] = await tasksOf(patient.id);
    expect(task).toMatchObject({ amountCents: 5500 });
    const perAccount = async () => {
      const rows = await t.database.handle.db
        .selectFrom('journalLines')
        .select(['account', (eb) => eb.fn.sum<number>('amountCents').as('sum')])
        .where('patientId', '=', patient.id)
        .where('account', 'in', ['patient_unapplied', 'patient_credit'])
        .groupBy('account')
        .execute();
      return Object.fromEntries(rows.map((r) => [r.account, Number(r.sum)]));
    };
    // Before: $55.00 unapplied (a credit balance of the patient's account), no credit.
    expect(await perAccount()).toEqual({ patient_unapplied: -5500 });

    const dismissed = json(await dismiss(task.id), 200);
    expect(dismissed.resolution).toEqual({ kind: 'credit', amountCents: 5500, creditIds: [expect.any(String)] });
    const credits = json(await t.request('GET', `/api/v1/patients/${patient.id}/credits`), 200);
    expect(credits.availableCents).toBe(5500);
    expect(credits.items).toEqual([
      expect.objectContaining({ id: dismissed.resolution.creditIds[0], amountCents: 5500, remainingCents: 5500, source: 'task_dismissal' }),
    ]);
    // Each payment still shows its own part refunded to the credit.
    for (const [i, cents] of [1000, 2500, 2000].entries()) {
      expect(await getPayment(paid[i].id)).toMatchObject({ status: 'refunded', refundedCents: cents });
    }
    // The journal moved exactly $55.00 from unapplied to credit.
    expect(await perAccount()).toEqual({ patient_unapplied: 0, patient_credit: -5500 });
    expect(json(await t.request('GET', `/api/v1/patients/${patient.id}`), 200).balance).toEqual({ patientResponsibilityCents: 0, unappliedCents: 0, creditCents: 5500 });
    await t.expectLedgerBalances();
    expect(ledger('verify').code).toBe(0);
  });

  it('waits while a claim on the case is still with a payer', async () => {
    const patient = await makePatient(t);
    json(await t.request('PUT', `/api/v1/patients/${patient.id}/coverages`, { body: [{ payerName: 'Payer A', payerId: 'PA001', memberId: 'A-9', order: 1 }] }), 200);
    const location = await makeLocation(t);
    const visit = await makeTreatment(t, patient.id, location.id, { serviceDate: '2026-03-10' });
    const claim = json(await t.request('POST', `/api/v1/treatments/${visit.id}/claims`, { as: t.biller }), 201);
    // A prepayment not tied to any visit: unapplied, and owed back only once the payers are done.
    await makePayment(t, patient.id, { amountCents: 3000, method: 'cash', status: 'paid', paidDate: '2026-03-10', type: 'private_pay' });
    await review({ asOf: '2026-11-01' });
    expect(await tasksOf(patient.id)).toEqual([]);

    await markClaimProcessed(t.database.handle.db, claim.id, { processedDate: '2026-04-01', paidCents: 12000, contractualCents: 3000 });
    await settleTreatment(t.database.handle.db, t.biller.actor, visit.id, 0);
    await review({ asOf: '2026-05-15' });
    expect(await tasksOf(patient.id)).toEqual([]);
    await review({ asOf: '2026-05-16' });
    expect(await tasksOf(patient.id)).toEqual([expect.objectContaining({ amountCents: 3000, dueDate: '2026-05-16' })]);
    await t.expectLedgerBalances();
  });

  it('two reviews at once still open one task per case', async () => {
    const { patient } = await u1Case(t);
    const actor = t.biller.actor;
    const db = t.database.handle.db;
    const runs = await Promise.all([1, 2, 3].map(() => runRefundReview(db, actor, { asOf: '2026-05-21', days: 45 })));
    expect(runs.flatMap((r) => r.created).filter((c) => c.patientId === patient.id)).toHaveLength(1);
    expect(await tasksOf(patient.id)).toHaveLength(1);
  });

  it('the CLI: ledger review-refunds --practice --as-of [--days], then ledger verify', async () => {
    const { patient } = await u1Case(t);
    const early = ledger('review-refunds', '--practice', 'alpha', '--as-of', '2026-05-20');
    expect(early.code).toBe(0);
    expect(early.stdout).toContain('0 refund-owed task(s) created');
    // The review's own time (npm run bench reads it: the review beside the CLI's start).
    expect(early.stdout).toMatch(/task\(s\) created in \d+\.\d\d s\./);
    const due = ledger('review-refunds', '--practice', 'alpha', '--as-of', '2026-05-21');
    expect(due).toMatchObject({ code: 0, stderr: '' });
    expect(due.stdout).toMatch(/1 refund-owed task\(s\) created/);
    expect(due.stdout).toContain(`patient ${patient.id}, $15.00, due 2026-05-21`);
    expect(await tasksOf(patient.id)).toHaveLength(1);
    // A second run opens no second task; --days overrides REFUND_REVIEW_DAYS.
    const again = ledger('review-refunds', '--practice', 'alpha', '--as-of', '2026-05-21', '--days', '10');
    expect(again.stdout).toContain('as of 2026-05-21 (10 days)');
    expect(again.stdout).toContain('0 refund-owed task(s) created');
    const bad = ledger('review-refunds', '--practice', 'alpha', '--as-of', '2026-02-30');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Not a calendar date');
    const verify = ledger('verify');
    expect(verify).toMatchObject({ code: 0 });
    expect(verify.stdout).toContain('Ledger balances');
  }, 120_000);

  it('the server schedule reviews every practice as of today, once per instance lock, and stops on close', async () => {
    const { patient } = await u1Case(t);
    const handle = t.database.handle;
    if (dialect === 'postgres') {
      // Another instance holds the job's lock: this one skips.
      const other = new pg.Client({ connectionString: t.database.databaseUrl });
      await other.connect();
      try {
        expect((await other.query('select pg_try_advisory_lock($1::bigint) as locked', [REFUND_REVIEW_LOCK_KEY])).rows[0].locked).toBe(true);
        expect(await runScheduledRefundReview(handle, { refundReviewDays: 45 })).toMatchObject({ ran: false });
        expect(await tasksOf(patient.id)).toEqual([]);
      } finally {
        await other.end();
      }
    }
    const server = Fastify({ logger: false });
    startRefundReviewSchedule(server, { database: handle, config: { refundReviewDays: 45 } }, { firstRunDelayMs: 0, intervalMs: 60_000 });
    await server.ready();
    for (let i = 0; i < 100 && (await tasksOf(patient.id)).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    await server.close();
    expect(await tasksOf(patient.id)).toEqual([expect.objectContaining({ amountCents: 1500, dueDate: '2026-05-21' })]);
    // Run again by hand: nothing more, and the lock was released.
    expect(await runScheduledRefundReview(handle, { refundReviewDays: 45 })).toMatchObject({ ran: true, failedPractices: 0 });
    expect(await tasksOf(patient.id)).toHaveLength(1);
    await t.expectLedgerBalances();
  });
});

describe.each(dialects)('refund review days from the configuration on %s', (dialect) => {
  const t = useTestApp(dialect, { refundReviewDays: 30 });

  it('POST /jobs/refund-review without a body reviews as of today with REFUND_REVIEW_DAYS', async () => {
    const { patient } = await u1Case(t);
    // The practice's today (America/New_York by default), not the server's UTC date.
    const today = calendarDateIn('America/New_York');
    const result = json(await t.request('POST', '/api/v1/jobs/refund-review', { as: t.biller }), 200);
    expect(result).toEqual({ asOf: today, days: 30, reviewed: 1, tasksCreated: 1 });
    const tasks = json(await t.request('GET', `/api/v1/tasks?patientId=${patient.id}`, { as: t.biller }), 200).items;
    expect(tasks).toEqual([expect.objectContaining({ amountCents: 1500, dueDate: '2026-05-06' })]);
  });
});
