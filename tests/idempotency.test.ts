import { describe, expect, it } from 'vitest';
import { makePatient } from './helpers/factories.ts';
import { dialects } from './helpers/test-database.ts';
import { json, useTestApp } from './helpers/test-app.ts';

describe.each(dialects)('Idempotency-Key on %s', (dialect) => {
  const t = useTestApp(dialect);

  async function countPayments(patientId: string) {
    const rows = await t.database.handle.db.selectFrom('payments').select('id').where('patientId', '=', patientId).execute();
    return rows.length;
  }

  it('returns the first result for a retry with the same key and body, and creates one payment', async () => {
    const patient = await makePatient(t);
    const body = { patientId: patient.id, amountCents: 4200, status: 'paid' };
    const headers = { 'idempotency-key': 'create-4200' };
    const first = json(await t.request('POST', '/api/v1/payments', { body, headers }), 201);
    const retry = json(await t.request('POST', '/api/v1/payments', { body, headers }), 201);
    expect(retry).toEqual(first);
    expect(await countPayments(patient.id)).toBe(1);
    await t.expectLedgerBalances();
  });

  it('answers 409 when the key comes back with a different body, writing nothing', async () => {
    const patient = await makePatient(t);
    const headers = { 'idempotency-key': 'create-once' };
    json(await t.request('POST', '/api/v1/payments', { body: { patientId: patient.id, amountCents: 100 }, headers }), 201);
    const conflict = await t.request('POST', '/api/v1/payments', { body: { patientId: patient.id, amountCents: 200 }, headers });
    expect(json(conflict, 409).code).toBe('idempotency_key_reused');
    expect(await countPayments(patient.id)).toBe(1);
  });

  it('keeps keys per practice', async () => {
    const mine = await makePatient(t);
    const theirs = await makePatient(t, t.otherAdmin);
    const headers = { 'idempotency-key': 'shared-key' };
    json(await t.request('POST', '/api/v1/payments', { body: { patientId: mine.id, amountCents: 100 }, headers }), 201);
    json(await t.request('POST', '/api/v1/payments', { body: { patientId: theirs.id, amountCents: 100 }, headers, as: t.otherAdmin }), 201);
  });

  it('does not store a failed attempt: a corrected retry with the same key is not a conflict', async () => {
    const patient = await makePatient(t);
    const headers = { 'idempotency-key': 'retry-after-error' };
    const draft = json(await t.request('POST', '/api/v1/payments', { body: { patientId: patient.id, amountCents: 100, status: 'draft' } }), 201);
    const refused = await t.request('POST', `/api/v1/payments/${draft.id}/status`, { body: { status: 'paid' }, headers });
    expect(json(refused, 422).code).toBe('invalid_status_change');
    const ok = await t.request('POST', `/api/v1/payments/${draft.id}/status`, { body: { status: 'pending' }, headers });
    expect(json(ok, 200).status).toBe('pending');
  });

  it('pays a payment once when the same status change is sent concurrently with one key', async () => {
    const patient = await makePatient(t);
    const payment = json(await t.request('POST', '/api/v1/payments', { body: { patientId: patient.id, amountCents: 777 } }), 201);
    const headers = { 'idempotency-key': `pay-${payment.id}` };
    const responses = await Promise.all(
      Array.from({ length: 6 }, () => t.request('POST', `/api/v1/payments/${payment.id}/status`, { body: { status: 'paid' }, headers })),
    );
    for (const r of responses) expect(json(r, 200).status).toBe('paid');
    const entries = await t.database.handle.db
      .selectFrom('journalEntries')
      .select('id')
      .where('paymentId', '=', payment.id)
      .where('kind', '=', 'payment_received')
      .execute();
    expect(entries).toHaveLength(1);
    await t.expectLedgerBalances();
  });
});
