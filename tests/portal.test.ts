import { describe, expect, it } from 'vitest';
import { makePatient, makeSelfPayTreatment } from './helpers/factories.ts';
import { dialects } from './helpers/test-database.ts';
import { json, useTestApp, type TestApp } from './helpers/test-app.ts';
import { portalAttemptLimit } from '../src/services/portal/portal-attempt-limit.ts';

const cards = { ok: '4242424242424242', declined: '4000000000000002' };
let addresses = 0;
let accounts = 0;

/** Portal requests come from patients' browsers: no staff token, each test from its own address (the per-address limit is tested on its own). */
function portal(t: TestApp, url: string, body: unknown, options: { address?: string; headers?: Record<string, string> } = {}) {
  return t.app.inject({
    method: 'POST',
    url: `/api/v1/portal${url}`,
    payload: body as object,
    remoteAddress: options.address ?? `10.1.${Math.floor(++addresses / 250)}.${addresses % 250}`,
    ...(options.headers ? { headers: options.headers } : {}),
  });
}

/** A patient of practice alpha owing $100.00 (2026-01-10) and $150.00 (2026-03-02). */
async function owingPatient(t: TestApp, fields: Record<string, unknown> = {}) {
  const patient = await makePatient(t, undefined, { accountId: `P${Date.now() % 1_000_000}${++accounts}`, dateOfBirth: '1975-06-30', ...fields });
  const older = await makeSelfPayTreatment(t, patient.id, 10000, '2026-01-10');
  const newer = await makeSelfPayTreatment(t, patient.id, 15000, '2026-03-02');
  return { patient, older, newer };
}

describe.each(dialects)('the patient portal on %s', (dialect) => {
  const t = useTestApp(dialect);

  it('finds the account by date of birth and account ID and shows the balance with its visits', async () => {
    const { patient } = await owingPatient(t);
    const found = json(await portal(t, '/lookup', { dateOfBirth: '1975-06-30', accountId: patient.accountId }), 200);
    expect(found).toMatchObject({
      practiceName: 'Alpha Clinic',
      practiceSlug: 'alpha',
      accountId: patient.accountId,
      patientFirstName: 'Pat',
      balanceCents: 25000,
      patientResponsibilityCents: 25000,
      creditCents: 0,
      portalToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
    expect(found.treatments).toEqual([
      { serviceDate: '2026-03-02', chargeCents: 15000, insurancePaidCents: 0, adjustmentCents: 0, insurancePending: false, patientResponsibilityCents: 15000, paidCents: 0, balanceCents: 15000 },
      { serviceDate: '2026-01-10', chargeCents: 10000, insurancePaidCents: 0, adjustmentCents: 0, insurancePending: false, patientResponsibilityCents: 10000, paidCents: 0, balanceCents: 10000 },
    ]);
    // Nothing of the staff side leaks: no ids of patients or visits.
    expect(JSON.stringify(found)).not.toContain(patient.id);
    // The account ID may be typed in lower case; the practice may be named.
    expect(json(await portal(t, '/lookup', { dateOfBirth: '1975-06-30', accountId: patient.accountId.toLowerCase(), practice: 'alpha' }), 200).balanceCents).toBe(25000);
    // The token reads the same account again.
    expect(json(await portal(t, '/account', { portalToken: found.portalToken }), 200)).toMatchObject({ accountId: patient.accountId, balanceCents: 25000 });
  });

  it('answers every failed lookup with the same 404, whichever field was wrong', async () => {
    const { patient } = await owingPatient(t);
    const wrongDob = await portal(t, '/lookup', { dateOfBirth: '1975-06-29', accountId: patient.accountId });
    const wrongAccount = await portal(t, '/lookup', { dateOfBirth: '1975-06-30', accountId: `${patient.accountId}9` });
    const wrongPractice = await portal(t, '/lookup', { dateOfBirth: '1975-06-30', accountId: patient.accountId, practice: 'beta' });
    const noSuchPractice = await portal(t, '/lookup', { dateOfBirth: '1975-06-30', accountId: patient.accountId, practice: 'nowhere' });
    for (const response of [wrongDob, wrongAccount, wrongPractice, noSuchPractice]) {
      expect(response.statusCode).toBe(404);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body).toBe(wrongDob.body);
    }
    expect(JSON.parse(wrongDob.body)).toMatchObject({ status: 404, code: 'not_found' });
  });

  it('locks an account ID after repeated failures (in the database, whether or not the account exists), then lets it in after the window', async () => {
    const { patient } = await owingPatient(t);
    const dob = '1975-06-30';
    for (let i = 0; i < portalAttemptLimit.maxFailures; i++) {
      expect((await portal(t, '/lookup', { dateOfBirth: `1975-01-${String(i + 1).padStart(2, '0')}`, accountId: patient.accountId })).statusCode).toBe(404);
    }
    // Even the right date of birth is refused now: guessing cannot go on.
    const limited = await portal(t, '/lookup', { dateOfBirth: dob, accountId: patient.accountId });
    expect(limited.statusCode).toBe(429);
    expect(JSON.parse(limited.body)).toMatchObject({ status: 429, code: 'rate_limited' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Another account is not affected.
    const other = await owingPatient(t);
    expect((await portal(t, '/lookup', { dateOfBirth: dob, accountId: other.patient.accountId })).statusCode).toBe(200);

    // An account ID that does not exist locks the same way: the 429 says nothing about existence.
    const ghost = `ZZ${Date.now()}`;
    for (let i = 0; i < portalAttemptLimit.maxFailures; i++) expect((await portal(t, '/lookup', { dateOfBirth: dob, accountId: ghost })).statusCode).toBe(404);
    expect((await portal(t, '/lookup', { dateOfBirth: dob, accountId: ghost })).statusCode).toBe(429);

    // Once the failures are older than the window, the patient gets in.
    const past = new Date(Date.now() - portalAttemptLimit.windowMs - 1000).toISOString();
    await t.database.handle.db.updateTable('portalAttempts').set({ createdAt: past }).where('accountKey', '=', patient.accountId.toUpperCase()).execute();
    expect((await portal(t, '/lookup', { dateOfBirth: dob, accountId: patient.accountId })).statusCode).toBe(200);
  });

  it('never lets racing lookups past the per-account limit', async () => {
    const { patient } = await owingPatient(t);
    const responses = await Promise.all(
      Array.from({ length: 12 }, (_, i) => portal(t, '/lookup', { dateOfBirth: `1960-02-${String(i + 1).padStart(2, '0')}`, accountId: patient.accountId })),
    );
    const codes = responses.map((r) => r.statusCode);
    expect(codes.filter((c) => c === 404).length).toBeLessThanOrEqual(portalAttemptLimit.maxFailures);
    expect(codes.every((c) => c === 404 || c === 429)).toBe(true);
    expect((await portal(t, '/lookup', { dateOfBirth: '1975-06-30', accountId: patient.accountId })).statusCode).toBe(429);
  });

  it('limits lookups per client address', async () => {
    const address = '192.0.2.77';
    const codes: number[] = [];
    for (let i = 0; i < 21; i++) codes.push((await portal(t, '/lookup', { dateOfBirth: '1990-01-01', accountId: `NOPE${i}X${Date.now()}` }, { address })).statusCode);
    expect(codes.slice(0, 20).every((c) => c === 404)).toBe(true);
    expect(codes[20]).toBe(429);
    // Another address is served.
    expect((await portal(t, '/lookup', { dateOfBirth: '1990-01-01', accountId: 'NOPE-OTHER' }, { address: '192.0.2.78' })).statusCode).toBe(404);
  });

  it('pays part of the balance by card, applied to the oldest visit first; a declined card moves no money', async () => {
    const { patient, older, newer } = await owingPatient(t);
    const { portalToken } = json(await portal(t, '/lookup', { dateOfBirth: '1975-06-30', accountId: patient.accountId }), 200);

    const tooMuch = json(await portal(t, '/pay', { portalToken, amountCents: 25001, card: cards.ok }), 422);
    expect(tooMuch).toMatchObject({ code: 'amount_exceeds_balance' });
    expect(json(await portal(t, '/pay', { portalToken, amountCents: 0, card: cards.ok }), 400).code).toBe('validation_failed');

    const declined = json(await portal(t, '/pay', { portalToken, amountCents: 5000, card: cards.declined }), 200);
    expect(declined).toMatchObject({ status: 'failed', failure: expect.stringMatching(/declined/), amountCents: 5000 });
    expect(declined.account.balanceCents).toBe(25000);

    // A second decline reuses the one Failed payment: declines never pile up.
    const declinedAgain = json(await portal(t, '/pay', { portalToken, amountCents: 6000, card: cards.declined }), 200);
    expect(declinedAgain).toMatchObject({ status: 'failed', paymentNumber: declined.paymentNumber, amountCents: 6000 });
    const failedCount = async () =>
      (await t.database.handle.db.selectFrom('payments').select('id').where('patientId', '=', patient.id).where('status', '=', 'failed').execute()).length;
    expect(await failedCount()).toBe(1);

    // The successful attempt is the same payment, now Paid: no Failed payment is left behind.
    const paid = json(await portal(t, '/pay', { portalToken, amountCents: 12000, card: cards.ok }), 200);
    expect(paid).toMatchObject({ status: 'paid', failure: null, amountCents: 12000, paymentNumber: declined.paymentNumber });
    expect(await failedCount()).toBe(0);
    expect(paid.account.balanceCents).toBe(13000);
    expect(json(await t.request('GET', `/api/v1/treatments/${older.id}`), 200).balanceCents).toBe(0);
    expect(json(await t.request('GET', `/api/v1/treatments/${newer.id}`), 200).balanceCents).toBe(13000);

    // Staff see a Private Pay, Online payment, Paid and fully applied, created by the portal.
    const list = json(await t.request('GET', `/api/v1/payments?search=${paid.paymentNumber}`), 200);
    const payment = json(await t.request('GET', `/api/v1/payments/${list.items[0].id}`), 200);
    expect(payment).toMatchObject({ type: 'private_pay', method: 'online', status: 'paid', amountCents: 12000, patientId: patient.id, createdBy: 'Patient portal' });
    expect(payment.billing).toMatchObject({ appliedCents: 12000, unappliedCents: 0 });
    await t.expectLedgerBalances();

    // The rest, then nothing more can be paid.
    expect(json(await portal(t, '/pay', { portalToken, amountCents: 13000, card: cards.ok }), 200).account.balanceCents).toBe(0);
    expect(json(await portal(t, '/pay', { portalToken, amountCents: 1, card: cards.ok }), 422).code).toBe('amount_exceeds_balance');
    await t.expectLedgerBalances();
  });

  it('refuses a Luhn-invalid card number as invalid (422), not declined, and creates no payment', async () => {
    const { patient } = await owingPatient(t);
    const { portalToken } = json(await portal(t, '/lookup', { dateOfBirth: '1975-06-30', accountId: patient.accountId }), 200);
    const refused = json(await portal(t, '/pay', { portalToken, amountCents: 5000, card: '4242424242424241' }, { headers: { 'idempotency-key': `luhn-${Date.now()}` } }), 422);
    expect(refused).toMatchObject({ status: 422, code: 'card_number_invalid' });
    const payments = await t.database.handle.db.selectFrom('payments').select('id').where('patientId', '=', patient.id).execute();
    expect(payments).toEqual([]);
    expect(json(await portal(t, '/account', { portalToken }), 200).balanceCents).toBe(25000);
    await t.expectLedgerBalances();
  });

  it('pays once per Idempotency-Key', async () => {
    const { patient } = await owingPatient(t);
    const { portalToken } = json(await portal(t, '/lookup', { dateOfBirth: '1975-06-30', accountId: patient.accountId }), 200);
    const headers = { 'idempotency-key': `portal-${Date.now()}` };
    const first = json(await portal(t, '/pay', { portalToken, amountCents: 4000, card: cards.ok }, { headers }), 200);
    const again = json(await portal(t, '/pay', { portalToken, amountCents: 4000, card: cards.ok }, { headers }), 200);
    expect(again).toMatchObject({ paymentNumber: first.paymentNumber, status: 'paid', amountCents: 4000 });
    expect(again.account.balanceCents).toBe(21000);
    expect(json(await portal(t, '/pay', { portalToken, amountCents: 4500, card: cards.ok }, { headers }), 409).code).toBe('idempotency_key_reused');
    const payments = await t.database.handle.db.selectFrom('payments').select('id').where('patientId', '=', patient.id).execute();
    expect(payments).toHaveLength(1);
    await t.expectLedgerBalances();
  });

  it('keeps a portal token to its own patient, and practices apart', async () => {
    const a = await owingPatient(t, { dateOfBirth: '1982-02-02' });
    const b = await owingPatient(t, { dateOfBirth: '1982-02-02' });
    const tokenA = json(await portal(t, '/lookup', { dateOfBirth: '1982-02-02', accountId: a.patient.accountId }), 200).portalToken;
    json(await portal(t, '/pay', { portalToken: tokenA, amountCents: 25000, card: cards.ok }), 200);
    // A's token pays and shows A only: B still owes everything.
    expect(json(await portal(t, '/account', { portalToken: tokenA }), 200)).toMatchObject({ accountId: a.patient.accountId, balanceCents: 0 });
    const tokenB = json(await portal(t, '/lookup', { dateOfBirth: '1982-02-02', accountId: b.patient.accountId }), 200).portalToken;
    expect(json(await portal(t, '/account', { portalToken: tokenB }), 200)).toMatchObject({ accountId: b.patient.accountId, balanceCents: 25000 });
    // A made-up or altered token is refused.
    expect(json(await portal(t, '/account', { portalToken: `${tokenA.slice(0, -2)}xx` }), 401).code).toBe('portal_session_invalid');
    expect(json(await portal(t, '/pay', { portalToken: 'not-a-token', amountCents: 100, card: cards.ok }), 401).code).toBe('portal_session_invalid');

    // Practice beta has a patient with the same account ID and date of birth as A.
    const twin = json(
      await t.request('POST', '/api/v1/patients', { as: t.otherAdmin, body: { firstName: 'Twin', lastName: 'Beta', dateOfBirth: '1982-02-02', accountId: a.patient.accountId } }),
      201,
    );
    // Without the practice the pair is ambiguous, hence not found; with it, each practice finds its own.
    expect((await portal(t, '/lookup', { dateOfBirth: '1982-02-02', accountId: a.patient.accountId })).statusCode).toBe(404);
    expect(json(await portal(t, '/lookup', { dateOfBirth: '1982-02-02', accountId: a.patient.accountId, practice: 'alpha' }), 200).practiceName).toBe('Alpha Clinic');
    const beta = json(await portal(t, '/lookup', { dateOfBirth: '1982-02-02', accountId: twin.accountId, practice: 'beta' }), 200);
    expect(beta).toMatchObject({ practiceName: 'Beta Clinic', patientFirstName: 'Twin', balanceCents: 0 });
    // Beta's own account IDs are not found under alpha.
    const betaOnly = json(
      await t.request('POST', '/api/v1/patients', { as: t.otherAdmin, body: { firstName: 'Only', lastName: 'Beta', dateOfBirth: '1991-09-09', accountId: `B${Date.now() % 1_000_000}` } }),
      201,
    );
    expect((await portal(t, '/lookup', { dateOfBirth: '1991-09-09', accountId: betaOnly.accountId, practice: 'alpha' })).statusCode).toBe(404);
    expect((await portal(t, '/lookup', { dateOfBirth: '1991-09-09', accountId: betaOnly.accountId, practice: 'beta' })).statusCode).toBe(200);
    await t.expectLedgerBalances();
  });

  it('ignores staff cookies and tokens: they neither open an account nor are needed', async () => {
    const { patient } = await owingPatient(t);
    const staff = { authorization: `Bearer ${t.admin.token}`, cookie: 'pl_session=anything' };
    // A staff token does not get past a wrong date of birth.
    const wrong = await portal(t, '/lookup', { dateOfBirth: '1975-06-01', accountId: patient.accountId }, { headers: staff });
    expect(wrong.statusCode).toBe(404);
    // Nor does it stand in for a portal token.
    expect(json(await portal(t, '/pay', { amountCents: 100, card: cards.ok }, { headers: staff }), 400).code).toBe('validation_failed');
    expect(json(await portal(t, '/account', { portalToken: t.admin.token }, { headers: staff }), 401).code).toBe('portal_session_invalid');
    // A bad or revoked staff token does not block a patient.
    const found = await portal(t, '/lookup', { dateOfBirth: '1975-06-30', accountId: patient.accountId }, { headers: { authorization: 'Bearer pl_revoked', cookie: 'pl_session=stale' } });
    expect(found.statusCode).toBe(200);
    expect(found.headers['cache-control']).toBe('no-store');
    // Payments made with a staff token around are still the patient's own, made by the portal.
    const paid = json(await portal(t, '/pay', { portalToken: JSON.parse(found.body).portalToken, amountCents: 1000, card: cards.ok }, { headers: staff }), 200);
    const audit = await t.database.handle.db
      .selectFrom('auditEvents')
      .select(['actorType', 'actorId'])
      .where('action', '=', 'payment.charged')
      .orderBy('createdAt', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    expect(paid.status).toBe('paid');
    expect(audit).toEqual({ actorType: 'patient', actorId: patient.id });
  });

  it('ends a portal session when it expires', async () => {
    const { patient } = await owingPatient(t);
    const { portalToken } = json(await portal(t, '/lookup', { dateOfBirth: '1975-06-30', accountId: patient.accountId }), 200);
    await t.database.handle.db.updateTable('portalSessions').set({ expiresAt: new Date(Date.now() - 1000).toISOString() }).where('patientId', '=', patient.id).execute();
    expect(json(await portal(t, '/pay', { portalToken, amountCents: 100, card: cards.ok }), 401).code).toBe('portal_session_invalid');
  });
});
