import { describe, expect, it } from 'vitest';
import { makePatient, makePayment, makeSelfPayTreatment } from './helpers/factories.ts';
import { dialects } from './helpers/test-database.ts';
import { json, useTestApp } from './helpers/test-app.ts';

describe.each(dialects)('GET /reports/trial-balance on %s', (dialect) => {
  const t = useTestApp(dialect);

  it("gives the practice's balance on every account, summing to zero, as of a day; admin and biller only; never another practice's", async () => {
    const patient = await makePatient(t);
    await makeSelfPayTreatment(t, patient.id, 12_000);
    const payment = await makePayment(t, patient.id, { amountCents: 3_000, method: 'check', status: 'paid', paidDate: '2026-03-02' });
    json(await t.request('POST', `/api/v1/payments/${payment.id}/refunds`, { as: t.biller, body: { amountCents: 500, reason: 'billing_error', asCredit: true } }), 201);
    json(await t.request('POST', `/api/v1/patients/${patient.id}/credits`, { as: t.biller, body: { amountCents: 250, description: 'Goodwill' } }), 201);

    const balances = (body: any) => Object.fromEntries(body.accounts.map((a: any) => [a.account, a.balanceCents]));
    const today = new Date().toISOString().slice(0, 10);
    for (const as of [t.admin, t.biller]) {
      const tb = json(await t.request('GET', `/api/v1/reports/trial-balance?asOf=${today}`, { as }), 200);
      expect(tb.asOf).toBe(today);
      expect(tb.totalCents).toBe(0);
      const b = balances(tb);
      // Whatever the desk applied at once, receivable + unapplied is what the patient owes net of the check.
      expect(b.cash_clearing).toBe(3_000);
      expect(b.patient_receivable + b.patient_unapplied).toBe(12_000 - 3_000 + 500);
      expect(b.patient_credit).toBe(-750);
      expect(b.credit_adjustment).toBe(250);
      expect(b.charges).toBe(-12_000);
      expect(b.insurance_receivable).toBe(0);
      expect(b.contractual_writeoff).toBe(0);
      expect(b.remittance_suspense).toBe(0);
      expect(b.provider_adjustment).toBe(0);
    }
    // Before anything happened every account is zero; without asOf, everything so far.
    const before = json(await t.request('GET', '/api/v1/reports/trial-balance?asOf=2020-01-01', { as: t.biller }), 200);
    expect(before.accounts).toHaveLength(14);
    expect(before.accounts.every((a: any) => a.balanceCents === 0)).toBe(true);
    expect(balances(json(await t.request('GET', '/api/v1/reports/trial-balance', { as: t.biller }), 200)).cash_clearing).toBe(3_000);
    // Practice B sees its own (empty) books.
    const other = json(await t.request('GET', '/api/v1/reports/trial-balance', { as: t.otherAdmin }), 200);
    expect(other.accounts.every((a: any) => a.balanceCents === 0)).toBe(true);

    expect(json(await t.request('GET', '/api/v1/reports/trial-balance', { as: t.frontDesk }), 403).code).toBe('forbidden');
    expect((await t.request('GET', '/api/v1/reports/trial-balance', { as: null })).statusCode).toBe(401);
    expect(json(await t.request('GET', '/api/v1/reports/trial-balance?asOf=2026-02-30', { as: t.biller }), 400).code).toBe('validation_failed');
    const doc = json(await t.request('GET', '/api/v1/openapi.json', { as: null }), 200);
    expect(Object.keys(doc.paths['/api/v1/reports/trial-balance'])).toEqual(['get']);
    await t.expectLedgerBalances();
  });
});
