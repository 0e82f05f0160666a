import { describe, expect, it } from 'vitest';
import { makePatient, makePayment, makeSelfPayTreatment, makeTreatment, makeLocation } from './helpers/factories.ts';
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

  it('replays the first answer to a retried unapply and a retried claim, with one effect each', async () => {
    const patient = await makePatient(t);
    await makeSelfPayTreatment(t, patient.id, 6000);
    // Desk money applies itself to the open visit; taking it back is one journal entry, however often it is retried.
    const payment = await makePayment(t, patient.id, { amountCents: 2500, method: 'cash', status: 'paid' });
    const [application] = json(await t.request('GET', `/api/v1/payments/${payment.id}/applications`), 200).items;
    expect(application.amountCents).toBe(2500);
    const unapplyKey = { 'idempotency-key': `unapply-${application.id}` };
    const unapplied = await Promise.all(Array.from({ length: 3 }, () => t.request('DELETE', `/api/v1/applications/${application.id}`, { headers: unapplyKey })));
    const answers = unapplied.map((r) => json(r, 200));
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    const reversals = await t.database.handle.db.selectFrom('journalEntries').select('id').where('paymentId', '=', payment.id).where('kind', '!=', 'payment_received').execute();
    expect(reversals).toHaveLength(2); // the automatic application and its one reversal
    expect(json(await t.request('GET', `/api/v1/payments/${payment.id}/applications`), 200).items).toEqual([expect.objectContaining({ id: application.id, removedAt: answers[0].removedAt })]);

    const insured = await makePatient(t);
    json(await t.request('PUT', `/api/v1/patients/${insured.id}/coverages`, { body: [{ order: 1, payerName: 'Acme Health', payerId: 'ACME1', memberId: 'M77' }] }), 200);
    const visit = await makeTreatment(t, insured.id, (await makeLocation(t)).id);
    const claimKey = { 'idempotency-key': `claim-${visit.id}` };
    const billed = await Promise.all(Array.from({ length: 3 }, () => t.request('POST', `/api/v1/treatments/${visit.id}/claims`, { headers: claimKey })));
    const claims = billed.map((r) => json(r, 201));
    expect(new Set(claims.map((c) => c.controlNumber)).size).toBe(1);
    expect(await t.database.handle.db.selectFrom('claims').select('id').where('treatmentId', '=', visit.id).execute()).toHaveLength(1);
    // Without the key, billing again is refused: the claim is open.
    expect(json(await t.request('POST', `/api/v1/treatments/${visit.id}/claims`), 409).code).toBe('conflict');
    await t.expectLedgerBalances();
  });
});
