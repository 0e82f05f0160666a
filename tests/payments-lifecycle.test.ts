import { describe, expect, it } from 'vitest';
import { paymentStatuses, type PaymentStatus } from '../src/domain/payments/payment-status.ts';
import { makeLocation, makePatient, makePayment, makeTreatment } from './helpers/factories.ts';
import { dialects } from './helpers/test-database.ts';
import { json, useTestApp } from './helpers/test-app.ts';

describe.each(dialects)('payments lifecycle on %s', (dialect) => {
  const t = useTestApp(dialect);

  async function paymentCount() {
    const row = await t.database.handle.db
      .selectFrom('payments')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  it('numbers payments PAY-001, PAY-002… per practice', async () => {
    const patient = await makePatient(t);
    const first = await makePayment(t, patient.id);
    const second = await makePayment(t, patient.id);
    expect(first.number).toBe('PAY-001');
    expect(second.number).toBe('PAY-002');
    const otherPatient = await makePatient(t, t.otherAdmin);
    const other = await makePayment(t, otherPatient.id, {}, t.otherAdmin);
    expect(other.number).toBe('PAY-001');
    expect(first).toMatchObject({ status: 'pending', amountCents: 5000, refundedCents: 0, type: 'private_pay' });
  });

  it('never shares or skips a number under concurrent creates', async () => {
    const patient = await makePatient(t);
    const before = await paymentCount();
    const responses = await Promise.all(
      Array.from({ length: 25 }, () => t.request('POST', '/api/v1/payments', { body: { patientId: patient.id, amountCents: 100 } })),
    );
    const numbers = responses.map((r) => json(r, 201).number as string).map((n) => Number(n.slice(4)));
    expect(new Set(numbers).size).toBe(25);
    const sorted = [...numbers].sort((a, b) => a - b);
    expect(sorted[24]! - sorted[0]!).toBe(24);
    expect(await paymentCount()).toBe(before + 25);
  });

  it.each([
    ['a float', 10.5],
    ['a string', '1000'],
    ['zero', 0],
    ['a negative', -500],
    ['more than $10,000,000.00', 1_000_000_001],
    ['missing', undefined],
  ])('refuses an amount that is %s with problem+json and writes nothing', async (_name, amountCents) => {
    const patient = await makePatient(t);
    const before = await paymentCount();
    const response = await t.request('POST', '/api/v1/payments', { body: { patientId: patient.id, amountCents } });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    const problem = response.json();
    expect(problem).toMatchObject({ status: 400, code: 'validation_failed', title: expect.any(String) });
    expect(problem.detail).toContain('amountCents');
    expect(await paymentCount()).toBe(before);
  });

  it('accepts exactly $10,000,000.00', async () => {
    const patient = await makePatient(t);
    expect((await makePayment(t, patient.id, { amountCents: 1_000_000_000 })).amountCents).toBe(1_000_000_000);
  });

  it('refuses a patient or treatment of another practice as not found', async () => {
    const otherPatient = await makePatient(t, t.otherAdmin);
    const response = await t.request('POST', '/api/v1/payments', { body: { patientId: otherPatient.id, amountCents: 100 } });
    expect(json(response, 404).code).toBe('not_found');
  });

  it('takes the location from the treatment, books money when created as paid, and applies it at once to a self-pay visit', async () => {
    const location = await makeLocation(t);
    const patient = await makePatient(t);
    const treatment = await makeTreatment(t, patient.id, location.id);
    const payment = await makePayment(t, patient.id, { treatmentId: treatment.id, status: 'paid', method: 'card', paidDate: '2026-03-02' });
    expect(payment).toMatchObject({ locationId: location.id, status: 'paid', paidDate: '2026-03-02', method: 'card', editable: false });
    expect(payment.billing).toEqual({ netAmountCents: 5000, reference: payment.number, appliedCents: 5000, unappliedCents: 0, overApplied: false });
    const detail = json(await t.request('GET', `/api/v1/patients/${patient.id}`), 200);
    expect(detail.balance).toEqual({ patientResponsibilityCents: 10000, unappliedCents: 0, creditCents: 0 });
    // Money with no visit applies at once to the patient's oldest open balance.
    const unlinked = await makePayment(t, patient.id, { status: 'paid', amountCents: 700 });
    expect(unlinked.billing).toMatchObject({ appliedCents: 700, unappliedCents: 0 });
    expect(json(await t.request('GET', `/api/v1/patients/${patient.id}`), 200).balance).toEqual({ patientResponsibilityCents: 9300, unappliedCents: 0, creditCents: 0 });
    // With nothing open, money stays unapplied until there is something to pay.
    const other = await makePatient(t);
    const spare = await makePayment(t, other.id, { status: 'paid', amountCents: 700 });
    expect(spare.billing).toMatchObject({ appliedCents: 0, unappliedCents: 700 });
    expect(json(await t.request('GET', `/api/v1/patients/${other.id}`), 200).balance.unappliedCents).toBe(700);
    await t.expectLedgerBalances();
  });

  // Every pair (from, to): the allowed changes of SPEC section 3 succeed, everything else is refused.
  const manual: Record<PaymentStatus, PaymentStatus[]> = {
    draft: ['pending', 'cancelled'],
    pending: ['processing', 'paid', 'failed', 'cancelled'],
    processing: ['paid', 'failed', 'voided'],
    failed: ['pending', 'cancelled'],
    paid: [],
    partially_refunded: [],
    refunded: [],
    cancelled: [],
    voided: [],
    disputed: [],
  };
  const pathTo: Record<string, PaymentStatus[]> = {
    draft: [],
    pending: ['pending'],
    processing: ['pending', 'processing'],
    failed: ['pending', 'failed'],
    paid: ['pending', 'paid'],
    cancelled: ['cancelled'],
    voided: ['pending', 'processing', 'voided'],
  };

  it('allows exactly the status changes of the spec and names the allowed ones when refusing', async () => {
    const patient = await makePatient(t);
    for (const [from, steps] of Object.entries(pathTo)) {
      for (const to of paymentStatuses) {
        const payment = await makePayment(t, patient.id, { status: 'draft' });
        for (const step of steps) json(await t.request('POST', `/api/v1/payments/${payment.id}/status`, { body: { status: step } }), 200);
        const response = await t.request('POST', `/api/v1/payments/${payment.id}/status`, { body: { status: to } });
        const allowed = manual[from as PaymentStatus].includes(to);
        if (allowed) {
          expect(json(response, 200).status, `${from} → ${to}`).toBe(to);
        } else {
          const problem = json(response, 422);
          expect(problem.code, `${from} → ${to}`).toBe('invalid_status_change');
          expect(problem.details.allowed).toEqual(manual[from as PaymentStatus]);
        }
      }
    }
    await t.expectLedgerBalances();
  });

  it('reaches Partially Refunded and Refunded only through a refund', async () => {
    const patient = await makePatient(t);
    const payment = await makePayment(t, patient.id, { status: 'paid' });
    const problem = json(await t.request('POST', `/api/v1/payments/${payment.id}/status`, { body: { status: 'refunded' } }), 422);
    expect(problem.detail).toContain('only by recording a refund');
  });

  it('locks the terms of Paid and Voided payments but still takes notes', async () => {
    const patient = await makePatient(t);
    const pending = await makePayment(t, patient.id, { memo: 'first' });
    const edited = json(await t.request('PATCH', `/api/v1/payments/${pending.id}`, { body: { amountCents: 7500, memo: 'second', dueDate: '2026-12-01' } }), 200);
    expect(edited).toMatchObject({ amountCents: 7500, memo: 'second', dueDate: '2026-12-01' });

    const paid = await makePayment(t, patient.id, { status: 'paid' });
    const voided = await makePayment(t, patient.id);
    for (const s of ['processing', 'voided']) json(await t.request('POST', `/api/v1/payments/${voided.id}/status`, { body: { status: s } }), 200);
    for (const locked of [paid, voided]) {
      const problem = json(await t.request('PATCH', `/api/v1/payments/${locked.id}`, { body: { memo: 'changed' } }), 422);
      expect(problem.code).toBe('payment_locked');
      const after = json(await t.request('GET', `/api/v1/payments/${locked.id}`), 200);
      expect(after.memo).toBe(locked.memo);
      json(await t.request('POST', `/api/v1/payments/${locked.id}/notes`, { body: { text: 'Called the patient' } }), 201);
    }
    const notes = json(await t.request('GET', `/api/v1/payments/${paid.id}/notes`), 200);
    expect(notes.items).toEqual([expect.objectContaining({ text: 'Called the patient', authorName: 'admin token' })]);
  });

  it('audits every change with actor, before and after', async () => {
    const patient = await makePatient(t);
    const payment = await makePayment(t, patient.id);
    json(await t.request('PATCH', `/api/v1/payments/${payment.id}`, { body: { memo: 'audited' } }), 200);
    json(await t.request('POST', `/api/v1/payments/${payment.id}/status`, { body: { status: 'paid' }, as: t.frontDesk }), 200);
    const events = await t.database.handle.db
      .selectFrom('auditEvents')
      .selectAll()
      .where('entityId', '=', payment.id)
      .orderBy('createdAt')
      .orderBy('id')
      .execute();
    expect(events.map((e) => e.action)).toEqual(['payment.created', 'payment.updated', 'payment.status_changed']);
    const statusEvent = events[2]!;
    expect(statusEvent.actorId).toBe(t.frontDesk.actor.id);
    expect(JSON.parse(statusEvent.before!)).toEqual({ status: 'pending' });
    expect(JSON.parse(statusEvent.after!)).toMatchObject({ status: 'paid' });
    expect(JSON.parse(events[1]!.before!).memo).toBeNull();
    expect(JSON.parse(events[1]!.after!).memo).toBe('audited');
  });

  it('flags overdue payments on a treatment', async () => {
    const location = await makeLocation(t);
    const patient = await makePatient(t);
    const treatment = await makeTreatment(t, patient.id, location.id);
    const overdue = await makePayment(t, patient.id, { treatmentId: treatment.id, dueDate: '2020-01-01' });
    const future = await makePayment(t, patient.id, { treatmentId: treatment.id, dueDate: '2999-01-01' });
    const paidLate = await makePayment(t, patient.id, { treatmentId: treatment.id, dueDate: '2020-01-01', status: 'paid' });
    const detail = json(await t.request('GET', `/api/v1/treatments/${treatment.id}`), 200);
    const flags = Object.fromEntries(detail.payments.map((p: any) => [p.id, p.overdue]));
    expect(flags).toEqual({ [overdue.id]: true, [future.id]: false, [paidLate.id]: false });
  });

  it('refuses a staff charge with a Luhn-invalid card number (422 card_number_invalid) and leaves the payment Pending', async () => {
    const patient = await makePatient(t);
    const payment = await makePayment(t, patient.id, { amountCents: 2500, method: 'card' });
    const refused = json(await t.request('POST', `/api/v1/payments/${payment.id}/charge`, { body: { source: '4000000000000001' } }), 422);
    expect(refused).toMatchObject({ status: 422, code: 'card_number_invalid' });
    const after = json(await t.request('GET', `/api/v1/payments/${payment.id}`), 200);
    expect(after).toMatchObject({ status: 'pending' });
    const started = await t.database.handle.db.selectFrom('auditEvents').select('id').where('entityId', '=', payment.id).where('action', '=', 'payment.charge_started').execute();
    expect(started).toEqual([]);
    // The same payment charges with a valid number afterwards.
    expect(json(await t.request('POST', `/api/v1/payments/${payment.id}/charge`, { body: { source: '4242424242424242' } }), 200).status).toBe('paid');
    await t.expectLedgerBalances();
  });

  it('creates a payment link with an unguessable token and expiry, and refuses one for a paid payment', async () => {
    const patient = await makePatient(t);
    const payment = await makePayment(t, patient.id);
    const link = json(await t.request('POST', `/api/v1/payments/${payment.id}/link`, { body: { expiresInDays: 3 } }), 201);
    expect(link.url).toMatch(/^http:\/\/ledger\.test\/pay\/[A-Za-z0-9_-]{32}$/);
    const days = (Date.parse(link.expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(2.99);
    expect(days).toBeLessThan(3.01);
    const again = json(await t.request('POST', `/api/v1/payments/${payment.id}/link`, { body: { expiresInDays: 3 } }), 201);
    expect(again.url).not.toBe(link.url);
    expect(json(await t.request('GET', `/api/v1/payments/${payment.id}`), 200).link).toEqual(again);
    const paid = await makePayment(t, patient.id, { status: 'paid' });
    expect(json(await t.request('POST', `/api/v1/payments/${paid.id}/link`, { body: { expiresInDays: 3 } }), 422).code).toBe('link_not_allowed');
  });
});
