import { describe, expect, it } from 'vitest';
import { makePatient, makePayment, makeSelfPayTreatment } from './helpers/factories.ts';
import { dialects } from './helpers/test-database.ts';
import { json, useTestApp, type TestApp } from './helpers/test-app.ts';

const cards = { ok: '4242424242424242', declined: '4000000000000002' };

/** A staff-made payment with a link; returns the payment and the link's token. */
async function linkedPayment(t: TestApp, fields: Record<string, unknown> = {}) {
  const patient = await makePatient(t);
  const payment = await makePayment(t, patient.id, { amountCents: 5000, ...fields });
  const link = json(await t.request('POST', `/api/v1/payments/${payment.id}/link`, { body: { expiresInDays: 7 } }), 201);
  expect(link.url).toMatch(/^http:\/\/ledger\.test\/pay\/[A-Za-z0-9_-]{32}$/);
  return { patient, payment, token: link.url.split('/pay/')[1] as string };
}

/** The patient's browser: no staff credentials. */
function asPatient(t: TestApp, method: 'GET' | 'POST', token: string, body?: unknown, headers: Record<string, string> = {}) {
  return t.app.inject({ method, url: `/api/v1/pay/${token}`, headers, ...(body === undefined ? {} : { payload: body as object }), remoteAddress: `10.9.0.${Math.floor(Math.random() * 250)}` });
}

async function journalLinesOf(t: TestApp, paymentId: string) {
  return t.database.handle.db.selectFrom('journalLines').select('amountCents').where('paymentId', '=', paymentId).execute();
}

describe.each(dialects)('payment links on %s', (dialect) => {
  const t = useTestApp(dialect);

  it('shows the practice, number and amount, and pays by card: Processing then Paid', async () => {
    const { payment, token } = await linkedPayment(t);
    const view = json(await asPatient(t, 'GET', token), 200);
    expect(view).toEqual({
      practiceName: 'Alpha Clinic',
      number: payment.number,
      amountCents: 5000,
      status: 'pending',
      expiresAt: expect.any(String),
      payable: true,
      reason: null,
      serviceDate: null,
    });
    const paid = json(await asPatient(t, 'POST', token, { card: cards.ok }), 200);
    expect(paid).toEqual({ paymentNumber: payment.number, amountCents: 5000, status: 'paid', failure: null });
    const after = json(await t.request('GET', `/api/v1/payments/${payment.id}`), 200);
    expect(after).toMatchObject({ status: 'paid', method: 'online', paidDate: expect.any(String) });
    // The charge went Pending → Processing → Paid, by the patient through the link.
    const trail = await t.database.handle.db
      .selectFrom('auditEvents')
      .select(['action', 'actorType', 'after'])
      .where('entityId', '=', payment.id)
      .where('action', 'in', ['payment.charge_started', 'payment.charged'])
      .orderBy('createdAt')
      .execute();
    expect(trail.map((e) => [e.action, e.actorType, JSON.parse(e.after!).status])).toEqual([
      ['payment.charge_started', 'patient', 'processing'],
      ['payment.charged', 'patient', 'paid'],
    ]);
    // Paid now: the link says so and takes no more money.
    expect(json(await asPatient(t, 'GET', token), 200)).toMatchObject({ status: 'paid', payable: false, reason: 'paid' });
    const again = json(await asPatient(t, 'POST', token, { card: cards.ok }), 422);
    expect(again.code).toBe('link_already_paid');
    expect((await journalLinesOf(t, payment.id)).reduce((s, l) => s + Math.abs(Number(l.amountCents)), 0)).toBe(10000);
    await t.expectLedgerBalances();
  });

  it('a declined card leaves the payment Failed with the reason, no money moved, and the link can be tried again', async () => {
    const { payment, token } = await linkedPayment(t);
    const declined = json(await asPatient(t, 'POST', token, { card: cards.declined }), 200);
    expect(declined).toMatchObject({ paymentNumber: payment.number, status: 'failed', failure: expect.stringMatching(/declined/) });
    expect(json(await t.request('GET', `/api/v1/payments/${payment.id}`), 200).status).toBe('failed');
    expect(await journalLinesOf(t, payment.id)).toEqual([]);
    expect(json(await asPatient(t, 'GET', token), 200)).toMatchObject({ status: 'failed', payable: true });
    expect(json(await asPatient(t, 'POST', token, { card: cards.ok }), 200).status).toBe('paid');
    await t.expectLedgerBalances();
  });

  it('refuses a Luhn-invalid or malformed card number as invalid (422), not declined, and writes nothing', async () => {
    const { payment, token } = await linkedPayment(t);
    const auditBefore = await t.database.handle.db.selectFrom('auditEvents').select('id').where('entityId', '=', payment.id).execute();
    for (const card of ['4242424242424241', '4242 4242', 'abcd efgh ijkl', '42424242424242424242']) {
      const refused = json(await asPatient(t, 'POST', token, { card }), 422);
      expect(refused).toMatchObject({ status: 422, code: 'card_number_invalid' });
    }
    expect(json(await t.request('GET', `/api/v1/payments/${payment.id}`), 200).status).toBe('pending');
    expect(await t.database.handle.db.selectFrom('auditEvents').select('id').where('entityId', '=', payment.id).execute()).toHaveLength(auditBefore.length);
    expect(await journalLinesOf(t, payment.id)).toEqual([]);
    // Spaces and dashes in a valid number are fine.
    expect(json(await asPatient(t, 'POST', token, { card: '4242-4242 4242-4242' }), 200).status).toBe('paid');
    await t.expectLedgerBalances();
  });

  it('an expired link says so (410) and takes no money', async () => {
    const { payment, token } = await linkedPayment(t);
    await t.database.handle.db.updateTable('payments').set({ linkExpiresAt: new Date(Date.now() - 60_000).toISOString() }).where('id', '=', payment.id).execute();
    expect(json(await asPatient(t, 'GET', token), 200)).toMatchObject({ payable: false, reason: 'expired', status: 'pending' });
    const refused = json(await asPatient(t, 'POST', token, { card: cards.ok }), 410);
    expect(refused).toMatchObject({ status: 410, code: 'link_expired' });
    expect(json(await t.request('GET', `/api/v1/payments/${payment.id}`), 200).status).toBe('pending');
    expect(await journalLinesOf(t, payment.id)).toEqual([]);
  });

  it('a cancelled payment\'s link says so (422) and takes no money', async () => {
    const { payment, token } = await linkedPayment(t);
    json(await t.request('POST', `/api/v1/payments/${payment.id}/status`, { body: { status: 'cancelled' } }), 200);
    expect(json(await asPatient(t, 'GET', token), 200)).toMatchObject({ payable: false, reason: 'cancelled', status: 'cancelled' });
    expect(json(await asPatient(t, 'POST', token, { card: cards.ok }), 422).code).toBe('link_cancelled');
    expect(json(await t.request('GET', `/api/v1/payments/${payment.id}`), 200).status).toBe('cancelled');
    expect(await journalLinesOf(t, payment.id)).toEqual([]);
  });

  it('a replaced or made-up token is not found', async () => {
    const { payment, token } = await linkedPayment(t);
    json(await t.request('POST', `/api/v1/payments/${payment.id}/link`, { body: { expiresInDays: 1 } }), 201);
    expect(json(await asPatient(t, 'GET', token), 404).code).toBe('not_found');
    expect(json(await asPatient(t, 'POST', token, { card: cards.ok }), 404).code).toBe('not_found');
    expect(json(await asPatient(t, 'GET', 'short'), 404).code).toBe('not_found');
    expect(json(await t.request('GET', `/api/v1/payments/${payment.id}`), 200).status).toBe('pending');
  });

  it('pays a Draft payment (made Pending first) and applies a visit payment to its self-pay visit', async () => {
    const patient = await makePatient(t);
    const treatment = await makeSelfPayTreatment(t, patient.id, 8000);
    const payment = await makePayment(t, patient.id, { amountCents: 8000, status: 'draft', treatmentId: treatment.id, type: 'office_visit' });
    const link = json(await t.request('POST', `/api/v1/payments/${payment.id}/link`, { body: { expiresInDays: 3 } }), 201);
    const token = link.url.split('/pay/')[1];
    expect(json(await asPatient(t, 'GET', token), 200)).toMatchObject({ status: 'draft', payable: true, serviceDate: '2026-03-02' });
    expect(json(await asPatient(t, 'POST', token, { card: cards.ok }), 200).status).toBe('paid');
    expect(json(await t.request('GET', `/api/v1/treatments/${treatment.id}`), 200).balanceCents).toBe(0);
    await t.expectLedgerBalances();
  });

  it('answers a retry with the same Idempotency-Key as the first time, and ignores staff credentials', async () => {
    const { payment, token } = await linkedPayment(t);
    const headers = { 'idempotency-key': `link-${Date.now()}`, authorization: `Bearer ${t.otherAdmin.token}` };
    const first = json(await asPatient(t, 'POST', token, { card: cards.ok }, headers), 200);
    const retry = json(await asPatient(t, 'POST', token, { card: cards.ok }, headers), 200);
    expect(retry).toEqual(first);
    expect(first.status).toBe('paid');
    // Another practice's staff token neither blocks nor changes anything: the link is the credential.
    expect(json(await asPatient(t, 'GET', token, undefined, { authorization: `Bearer ${t.otherAdmin.token}` }), 200).practiceName).toBe('Alpha Clinic');
    expect((await journalLinesOf(t, payment.id)).length).toBeGreaterThan(0);
    await t.expectLedgerBalances();
  });
});
