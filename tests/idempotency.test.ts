import { describe, expect, it } from 'vitest';
import { makePatient, makePayment, makeSelfPayTreatment, makeTreatment, makeLocation } from './helpers/factories.ts';
import { dialects } from './helpers/test-database.ts';
import { json, useTestApp } from './helpers/test-app.ts';
import { readKey } from '../src/db/repositories/idempotency-keys.ts';
import { eventWrite } from '../src/db/repositories/outbox.ts';
import { newId, nowIso } from '../src/db/ids.ts';
import type { Trx } from '../src/db/transaction.ts';
import { answerWithWrites, idempotently } from '../src/services/idempotency/idempotently.ts';

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

  it('sends a payment\'s last writes with the key\'s answer: every row of each kind of payment is there, and a retry replays it', async () => {
    const db = t.database.handle.db;
    const patient = await makePatient(t);
    const owing = await makePatient(t);
    await makeSelfPayTreatment(t, owing.id, 3000);
    const cases = [
      { name: 'pending', body: { patientId: patient.id, amountCents: 1100 }, entries: 0, applied: 0 },
      { name: 'paid, nothing open', body: { patientId: patient.id, amountCents: 1200, method: 'cash', status: 'paid' }, entries: 1, applied: 0 },
      { name: 'paid, applied to the open visit', body: { patientId: owing.id, amountCents: 1300, method: 'check', checkNumber: '501', status: 'paid' }, entries: 2, applied: 1300 },
    ];
    for (const c of cases) {
      const headers = { 'idempotency-key': `last-writes-${c.name.replace(/\W+/g, '-')}` };
      const response = await t.request('POST', '/api/v1/payments', { body: c.body, headers });
      expect(response.statusCode, `${c.name}: ${response.body}`).toBe(201);
      const first = json(response, 201);
      expect(first, c.name).toMatchObject({ amountCents: c.body.amountCents, number: expect.stringMatching(/^PAY-\d{3,}$/) });
      const row = await db.selectFrom('payments').selectAll().where('id', '=', first.id).executeTakeFirstOrThrow();
      expect(row.appliedCents, c.name).toBe(c.applied);
      expect(`PAY-${String(row.number).padStart(3, '0')}`, c.name).toBe(first.number);
      const audit = await db.selectFrom('auditEvents').select('action').where('entityId', '=', first.id).execute();
      expect(audit.map((a) => a.action), c.name).toContain('payment.created');
      const events = await db.selectFrom('outboxEvents').select('payload').where('type', '=', 'payment.created').execute();
      expect(events.filter((e) => JSON.parse(e.payload).paymentId === first.id), c.name).toHaveLength(1);
      expect(await db.selectFrom('journalEntries').select('id').where('paymentId', '=', first.id).execute(), c.name).toHaveLength(c.entries);
      const stored = await readKey(db, { practiceId: t.admin.actor.practiceId, key: headers['idempotency-key'], requestHash: '' });
      expect(stored?.state, c.name).toBe('done');
      expect(JSON.parse(stored!.responseBody), c.name).toEqual(first);
      expect(json(await t.request('POST', '/api/v1/payments', { body: c.body, headers }), 201), c.name).toEqual(first);
    }
    await t.expectLedgerBalances();
  });

  it('stores no answer when the work\'s last writes fail with it, and runs again on a retry; without a key the writes are sent alone', async () => {
    const db = t.database.handle.db;
    const practiceId = t.admin.actor.practiceId;
    const request = { practiceId, key: 'last-writes-fail', requestHash: 'h1' };
    const events = () => db.selectFrom('outboxEvents').select('id').where('type', '=', 'test.last-writes').execute();
    // Two events with one id: the second fails the statement that also stores the answer.
    const id = newId();
    const event = (trx: Trx) => trx.insertInto('outboxEvents').values({ id, practiceId, type: 'test.last-writes', payload: '{}', createdAt: nowIso(), deliveredAt: null });
    const failing = idempotently(db, request, 201, async (trx) => answerWithWrites({ ok: true }, [event(trx), event(trx)]));
    await expect(failing).rejects.toThrow();
    expect(await readKey(db, request)).toBeUndefined();
    expect(await events()).toHaveLength(0);
    const retried = await idempotently(db, request, 201, async (trx) => answerWithWrites({ ok: 'second' }, [eventWrite(trx, practiceId, 'test.last-writes', {})]));
    expect(retried).toEqual({ status: 201, body: { ok: 'second' } });
    expect((await readKey(db, request))?.state).toBe('done');
    expect(await events()).toHaveLength(1);
    const keyless = await idempotently(db, undefined, 200, async (trx) => answerWithWrites('sent', [eventWrite(trx, practiceId, 'test.last-writes', {})]));
    expect(keyless).toEqual({ status: 200, body: 'sent' });
    expect(await events()).toHaveLength(2);
  });
});
