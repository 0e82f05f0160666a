import { describe, expect, it } from 'vitest';
import { makeCardPayment, makeLocation, makePatient, makePayment, makeSelfPayTreatment, makeTreatment } from './helpers/factories.ts';
import { patientAccounts } from './helpers/ledger-accounts.ts';
import { pdfText } from './helpers/pdf-text.ts';
import { markClaimProcessed, settleTreatment } from './helpers/settle-treatment.ts';
import { dialects } from './helpers/test-database.ts';
import { json, useTestApp, type TestApp } from './helpers/test-app.ts';

let addresses = 0;
let accounts = 0;

function portalLookup(t: TestApp, patient: { accountId: string }) {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/portal/lookup',
    payload: { dateOfBirth: '1980-04-12', accountId: patient.accountId },
    remoteAddress: `10.7.${Math.floor(++addresses / 250)}.${addresses % 250}`,
  });
}

/** The line a PDF shows right after `label` (the statement draws label and amount as two text runs). */
function pdfValueAfter(text: string, label: string): string | undefined {
  const lines = text.split('\n');
  return lines[lines.indexOf(label) + 1];
}

/** What the patient page (GET /patients/:id), the portal and the statement PDF each say the patient owes. */
async function balancesShown(t: TestApp, patient: { id: string; accountId: string }) {
  const detail = json(await t.request('GET', `/api/v1/patients/${patient.id}`), 200);
  const portal = json(await portalLookup(t, patient), 200);
  const pdf = pdfText((await t.request('GET', `/api/v1/patients/${patient.id}/statement.pdf`)).rawPayload);
  return {
    api: detail.balance.patientResponsibilityCents,
    patientPageVisits: detail.treatments.reduce((sum: number, v: { balanceCents: number }) => sum + v.balanceCents, 0),
    portal: portal.balanceCents,
    portalVisits: portal.treatments.reduce((sum: number, v: { balanceCents: number }) => sum + v.balanceCents, 0),
    statement: pdfValueAfter(pdf, 'Balance due'),
    detail,
    portalAccount: portal,
    pdf,
  };
}

async function newPatient(t: TestApp) {
  return makePatient(t, undefined, { accountId: `D${Date.now() % 1_000_000}${++accounts}` });
}

describe.each(dialects)('money at the desk is applied on %s', (dialect) => {
  const t = useTestApp(dialect);
  const db = () => t.database.handle.db;
  const visit = async (id: string) => json(await t.request('GET', `/api/v1/treatments/${id}`), 200);
  const getPaymentOf = async (id: string) => json(await t.request('GET', `/api/v1/payments/${id}`), 200);

  it('Collect Now for $315.00 of patient responsibility pays it all: nothing left owed, nothing unapplied', async () => {
    const patient = await newPatient(t);
    const a = await makeSelfPayTreatment(t, patient.id, 10000, '2026-01-10');
    const b = await makeSelfPayTreatment(t, patient.id, 15000, '2026-02-01');
    const c = await makeSelfPayTreatment(t, patient.id, 6500, '2026-03-02');
    expect(json(await t.request('GET', `/api/v1/patients/${patient.id}`), 200).balance.patientResponsibilityCents).toBe(31500);
    // Collect Now: the create-payment form prefilled with the patient and the balance, paid at the desk.
    const payment = await makePayment(t, patient.id, { amountCents: 31500, method: 'cash', status: 'paid' }, t.frontDesk);
    expect(payment.billing).toMatchObject({ appliedCents: 31500, unappliedCents: 0 });
    for (const v of [a, b, c]) expect((await visit(v.id)).balanceCents).toBe(0);
    expect(await patientAccounts(db(), patient.id)).toEqual({ cash_clearing: 31500, patient_receivable: 0, patient_unapplied: 0, patient_credit: 0 });
    const shown = await balancesShown(t, patient);
    expect(shown.detail.balance).toEqual({ patientResponsibilityCents: 0, unappliedCents: 0, creditCents: 0 });
    expect([shown.api, shown.patientPageVisits, shown.portal, shown.portalVisits, shown.statement]).toEqual([0, 0, 0, 0, '$0.00']);
    await t.expectLedgerBalances();
  });

  it('applies to the linked treatment first, then to the oldest open balance', async () => {
    const patient = await newPatient(t);
    const older = await makeSelfPayTreatment(t, patient.id, 5000, '2026-01-10');
    const newer = await makeSelfPayTreatment(t, patient.id, 10000, '2026-03-02');
    const payment = await makeCardPayment(t, patient.id, 12000, '4242424242424242', { treatmentId: newer.id });
    const applications = json(await t.request('GET', `/api/v1/payments/${payment.id}/applications`), 200).items;
    // The amounts show the order (the linked visit is paid in full, the older one gets the rest); two
    // applications made in the same millisecond list in either order (UUIDv7 ids are random within one).
    expect(applications).toHaveLength(2);
    expect(applications.map((x: any) => [x.treatmentId, x.amountCents])).toEqual(
      expect.arrayContaining([
        [newer.id, 10000],
        [older.id, 2000],
      ]),
    );
    expect((await visit(newer.id)).balanceCents).toBe(0);
    expect((await visit(older.id)).balanceCents).toBe(3000);
    expect(await patientAccounts(db(), patient.id)).toEqual({ cash_clearing: 12000, patient_receivable: 3000, patient_unapplied: 0, patient_credit: 0 });
    await t.expectLedgerBalances();
  });

  it('marking a Pending payment Paid applies it; a payment link pays and applies the same way', async () => {
    const patient = await newPatient(t);
    const older = await makeSelfPayTreatment(t, patient.id, 5000, '2026-01-10');
    const pending = await makePayment(t, patient.id, { amountCents: 2000 });
    expect(await patientAccounts(db(), patient.id)).toEqual({ cash_clearing: 0, patient_receivable: 5000, patient_unapplied: 0, patient_credit: 0 });
    const paid = json(await t.request('POST', `/api/v1/payments/${pending.id}/status`, { body: { status: 'paid', method: 'check' } }), 200);
    expect(paid.billing).toMatchObject({ appliedCents: 2000, unappliedCents: 0 });
    expect((await visit(older.id)).balanceCents).toBe(3000);
    expect(await patientAccounts(db(), patient.id)).toEqual({ cash_clearing: 2000, patient_receivable: 3000, patient_unapplied: 0, patient_credit: 0 });

    const linked = await makePayment(t, patient.id, { amountCents: 3000 });
    const link = json(await t.request('POST', `/api/v1/payments/${linked.id}/link`, { body: { expiresInDays: 7 } }), 201);
    const token = link.url.split('/pay/')[1];
    const result = json(await t.app.inject({ method: 'POST', url: `/api/v1/pay/${token}`, payload: { card: '4242424242424242' }, remoteAddress: '10.8.0.1' }), 200);
    expect(result.status).toBe('paid');
    expect((await visit(older.id)).balanceCents).toBe(0);
    expect(await patientAccounts(db(), patient.id)).toEqual({ cash_clearing: 5000, patient_receivable: 0, patient_unapplied: 0, patient_credit: 0 });
    await t.expectLedgerBalances();
  });

  it('holds a time-of-service payment for an insured visit still with the payers, and applies it when the ERA sets patient responsibility', async () => {
    const patient = await newPatient(t);
    json(await t.request('PUT', `/api/v1/patients/${patient.id}/coverages`, { body: [{ payerName: 'Payer A', payerId: 'PA001', memberId: 'A-1', order: 1 }] }), 200);
    const location = await makeLocation(t);
    const older = await makeTreatment(t, patient.id, location.id, { serviceDate: '2026-01-10', lines: [{ cpt: '99212', chargeCents: 9000 }] });
    const olderClaim = json(await t.request('POST', `/api/v1/treatments/${older.id}/claims`, { as: t.biller }), 201);
    await markClaimProcessed(db(), olderClaim.id, { processedDate: '2026-01-25', paidCents: 8000, patientResponsibilityCents: 1000 });
    await settleTreatment(db(), t.biller.actor, older.id, 1000);
    const today = await makeTreatment(t, patient.id, location.id, { serviceDate: '2026-03-02', lines: [{ cpt: '99213', chargeCents: 15000 }] });
    expect(today.insuranceStatus).toBe('awaiting');
    // The copay is held for today's visit: the older balance stays open.
    const copay = await makePayment(t, patient.id, { amountCents: 4000, method: 'cash', status: 'paid', treatmentId: today.id, type: 'office_visit' }, t.frontDesk);
    expect(copay.billing).toMatchObject({ appliedCents: 0, unappliedCents: 4000 });
    expect((await visit(older.id)).balanceCents).toBe(1000);
    expect(await patientAccounts(db(), patient.id)).toEqual({ cash_clearing: 4000, patient_receivable: 1000, patient_unapplied: -4000, patient_credit: 0 });
    // Money not tied to a visit still pays the older balance at once.
    await makePayment(t, patient.id, { amountCents: 600, method: 'cash', status: 'paid' });
    expect((await visit(older.id)).balanceCents).toBe(400);

    // The ERA leaves $15.00 to the patient: the held copay pays it, then the older visit's $4.00; $21.00 stays unapplied.
    const todayClaim = json(await t.request('POST', `/api/v1/treatments/${today.id}/claims`, { as: t.biller }), 201);
    await markClaimProcessed(db(), todayClaim.id, { processedDate: '2026-03-20', paidCents: 10000, contractualCents: 3500, patientResponsibilityCents: 1500 });
    await settleTreatment(db(), t.biller.actor, today.id, 1500);
    expect((await visit(today.id)).balanceCents).toBe(0);
    expect((await visit(older.id)).balanceCents).toBe(0);
    expect(await patientAccounts(db(), patient.id)).toEqual({ cash_clearing: 4600, patient_receivable: 0, patient_unapplied: -2100, patient_credit: 0 });
    expect(json(await t.request('GET', `/api/v1/patients/${patient.id}`), 200).balance).toEqual({ patientResponsibilityCents: 0, unappliedCents: 2100, creditCents: 0 });
    await t.expectLedgerBalances();
  });

  it("names each received payment's journal entry by its number and method: cash, check, card, patient credit", async () => {
    const patient = await newPatient(t);
    const visitOwed = await makeSelfPayTreatment(t, patient.id, 9000, '2026-02-01');
    const cash = await makePayment(t, patient.id, { amountCents: 1000, method: 'cash', status: 'paid' });
    const pending = await makePayment(t, patient.id, { amountCents: 2000 });
    const check = json(await t.request('POST', `/api/v1/payments/${pending.id}/status`, { body: { status: 'paid', method: 'check', checkNumber: '2044' } }), 200);
    const card = await makeCardPayment(t, patient.id, 3000);
    const credit = json(await t.request('POST', `/api/v1/patients/${patient.id}/credits`, { as: t.biller, body: { amountCents: 500 } }), 201);
    const fromCredit = json(await t.request('POST', `/api/v1/treatments/${visitOwed.id}/apply-credit`, { body: { creditId: credit.id, amountCents: 500 } }), 201);
    const creditPayment = json(await t.request('GET', `/api/v1/payments/${fromCredit.paymentId}`), 200);
    const entry = (paymentId: string) =>
      db().selectFrom('journalEntries').select(['kind', 'memo']).where('paymentId', '=', paymentId).where('kind', 'in', ['payment_received', 'credit_applied']).execute();
    expect(await entry(cash.id)).toEqual([{ kind: 'payment_received', memo: `${cash.number} received (cash)` }]);
    expect(await entry(check.id)).toEqual([{ kind: 'payment_received', memo: `${check.number} received (check)` }]);
    expect(await entry(card.id)).toEqual([{ kind: 'payment_received', memo: `${card.number} received (card)` }]);
    expect(await entry(creditPayment.id)).toEqual([{ kind: 'credit_applied', memo: `${creditPayment.number} received (patient_credit)` }]);
    // $10 + $20 + $30 received and $5 drawn from credit, all applied to the $90.00 visit: $25.00 still owed.
    expect((await visit(visitOwed.id)).balanceCents).toBe(2500);
    expect(await patientAccounts(db(), patient.id)).toEqual({ cash_clearing: 6000, patient_receivable: 2500, patient_unapplied: 0, patient_credit: 0 });
    await t.expectLedgerBalances();
  });

  it('applies and unapplies by hand within what the payment holds and the visit owes; a received payment applies only itself', async () => {
    const patient = await newPatient(t);
    const stranger = await newPatient(t);
    const first = await makeSelfPayTreatment(t, patient.id, 3000, '2026-01-10');
    const cash = await makePayment(t, patient.id, { amountCents: 5000, method: 'cash', status: 'paid' });
    const [auto] = json(await t.request('GET', `/api/v1/payments/${cash.id}/applications`), 200).items;
    expect(auto).toMatchObject({ treatmentId: first.id, amountCents: 3000, removedAt: null });
    const apply = (paymentId: string, treatmentId: string, amountCents: number) =>
      t.request('POST', `/api/v1/payments/${paymentId}/applications`, { as: t.biller, body: { treatmentId, amountCents } });

    // Unapply: another practice cannot see it; once removed it cannot be removed again.
    expect(json(await t.request('DELETE', `/api/v1/applications/${auto.id}`, { as: t.otherAdmin }), 404).code).toBe('not_found');
    expect(json(await t.request('DELETE', `/api/v1/applications/${auto.id}`, { as: t.biller }), 200)).toMatchObject({ id: auto.id, amountCents: 3000, removedAt: expect.any(String) });
    const again = json(await t.request('DELETE', `/api/v1/applications/${auto.id}`, { as: t.biller }), 409);
    expect(again).toMatchObject({ code: 'conflict', detail: 'This application was already removed.' });
    expect((await visit(first.id)).balanceCents).toBe(3000);
    expect(await patientAccounts(db(), patient.id)).toEqual({ cash_clearing: 5000, patient_receivable: 3000, patient_unapplied: -5000, patient_credit: 0 });

    // $10.00 refunded: Partially Refunded money can still be applied.
    expect(json(await t.request('POST', `/api/v1/payments/${cash.id}/refunds`, { as: t.biller, body: { amountCents: 1000, reason: 'other' } }), 201).payment.status).toBe('partially_refunded');
    const pending = await makePayment(t, patient.id, { amountCents: 2000 });
    expect(json(await apply(pending.id, first.id, 1000), 422)).toMatchObject({ code: 'business_rule', detail: 'Only money received (a Paid or Partially Refunded payment) can be applied.' });
    const theirs = await makeSelfPayTreatment(t, stranger.id, 1000);
    expect(json(await apply(cash.id, theirs.id, 1000), 400)).toMatchObject({ code: 'validation_failed', detail: "A payment can only be applied to its own patient's treatments." });
    expect(json(await apply(cash.id, first.id, 1000), 201)).toMatchObject({ paymentId: cash.id, treatmentId: first.id, patientId: patient.id, amountCents: 1000, removedAt: null });
    // $40.00 left of the payment, $10.00 applied: $30.00 unapplied; the visit owes $20.00.
    expect(json(await apply(cash.id, first.id, 3500), 422)).toMatchObject({
      code: 'application_exceeds_unapplied',
      detail: 'The payment has only 3000 cents unapplied.',
      details: { unappliedCents: 3000 },
    });
    expect(json(await apply(cash.id, first.id, 2500), 422)).toMatchObject({
      code: 'application_exceeds_balance',
      detail: "The treatment's open patient balance is 2000 cents.",
      details: { openCents: 2000 },
    });
    expect((await getPaymentOf(cash.id)).billing).toMatchObject({ appliedCents: 1000, unappliedCents: 3000 });
    expect(await patientAccounts(db(), patient.id)).toEqual({ cash_clearing: 4000, patient_receivable: 2000, patient_unapplied: -3000, patient_credit: 0 });

    // A $5.00 payment received now applies itself only: the $30.00 unapplied by hand stays where staff left it.
    const more = await makePayment(t, patient.id, { amountCents: 500, method: 'cash', status: 'paid' });
    expect(more.billing).toMatchObject({ appliedCents: 500, unappliedCents: 0 });
    expect((await getPaymentOf(cash.id)).billing).toMatchObject({ appliedCents: 1000, unappliedCents: 3000 });
    expect((await visit(first.id)).balanceCents).toBe(1500);
    expect(await patientAccounts(db(), patient.id)).toEqual({ cash_clearing: 4500, patient_receivable: 1500, patient_unapplied: -3000, patient_credit: 0 });

    // A new $40.00 self-pay visit draws the Partially Refunded payment's $30.00.
    const second = await makeSelfPayTreatment(t, patient.id, 4000, '2026-03-02');
    expect((await visit(second.id)).balanceCents).toBe(1000);
    expect((await getPaymentOf(cash.id)).billing).toMatchObject({ appliedCents: 4000, unappliedCents: 0 });
    expect(await patientAccounts(db(), patient.id)).toEqual({ cash_clearing: 4500, patient_receivable: 2500, patient_unapplied: 0, patient_credit: 0 });

    // Each application and its removal is audited on the payment and sent as an event.
    const audit = await db().selectFrom('auditEvents').select(['action', 'entityType']).where('entityId', '=', cash.id).where('action', 'like', 'application.%').execute();
    expect(audit.map((e) => `${e.entityType} ${e.action}`).sort()).toEqual(['payment application.created', 'payment application.created', 'payment application.created', 'payment application.removed']);
    const events = await db().selectFrom('outboxEvents').select(['type', 'payload']).where('type', 'like', 'application.%').execute();
    const ofAuto = events.filter((e) => JSON.parse(e.payload).id === auto.id).map((e) => e.type);
    expect(ofAuto.sort()).toEqual(['application.created', 'application.removed']);
    await t.expectLedgerBalances();
  });

  it('a self-pay visit created later draws the unapplied funds; refund and manual credits wait for staff', async () => {
    const patient = await newPatient(t);
    await makePayment(t, patient.id, { amountCents: 8000, method: 'cash', status: 'paid' });
    json(await t.request('POST', `/api/v1/patients/${patient.id}/credits`, { as: t.biller, body: { amountCents: 2500 } }), 201);
    expect(await patientAccounts(db(), patient.id)).toEqual({ cash_clearing: 8000, patient_receivable: 0, patient_unapplied: -8000, patient_credit: -2500 });
    const later = await makeSelfPayTreatment(t, patient.id, 9000, '2026-04-01');
    expect(later.balanceCents).toBe(1000);
    expect(await patientAccounts(db(), patient.id)).toEqual({ cash_clearing: 8000, patient_receivable: 1000, patient_unapplied: 0, patient_credit: -2500 });
    expect(json(await t.request('GET', `/api/v1/patients/${patient.id}`), 200).balance).toEqual({ patientResponsibilityCents: 1000, unappliedCents: 0, creditCents: 2500 });
    await t.expectLedgerBalances();
  });

  it('the patient page, the portal, the statement and the API agree, and refunded money never shows as paid', async () => {
    const patient = await newPatient(t);
    const v = await makeSelfPayTreatment(t, patient.id, 10000, '2026-03-02');
    const payment = await makeCardPayment(t, patient.id, 10000, '4242424242424242', { treatmentId: v.id });
    let shown = await balancesShown(t, patient);
    expect([shown.api, shown.patientPageVisits, shown.portal, shown.portalVisits, shown.statement]).toEqual([0, 0, 0, 0, '$0.00']);
    expect(shown.portalAccount.treatments[0]).toMatchObject({ paidCents: 10000, balanceCents: 0 });

    // The $100.00 goes back to the card: the application stays (over-applied), but nothing of it is paid any more.
    json(await t.request('POST', `/api/v1/payments/${payment.id}/refunds`, { as: t.biller, body: { full: true, reason: 'duplicate_charge' } }), 201);
    expect(await patientAccounts(db(), patient.id)).toEqual({ cash_clearing: 0, patient_receivable: 0, patient_unapplied: 10000, patient_credit: 0 });
    shown = await balancesShown(t, patient);
    expect([shown.api, shown.patientPageVisits, shown.portal, shown.portalVisits, shown.statement]).toEqual([10000, 10000, 10000, 10000, '$100.00']);
    expect(shown.detail.balance).toEqual({ patientResponsibilityCents: 10000, unappliedCents: 0, creditCents: 0 });
    expect(shown.portalAccount.treatments[0]).toMatchObject({ patientResponsibilityCents: 10000, paidCents: 0, balanceCents: 10000 });
    expect((await visit(v.id)).balanceCents).toBe(10000);
    // The statement's summary and payment line: nothing applied and kept.
    expect(pdfValueAfter(shown.pdf, 'Payments and credits applied to visits')).toBe('$0.00');

    // The biller unapplies the over-applied payment: the journal now says what every view already said.
    const [application] = json(await t.request('GET', `/api/v1/payments/${payment.id}/applications`), 200).items;
    json(await t.request('DELETE', `/api/v1/applications/${application.id}`, { as: t.biller }), 200);
    expect(await patientAccounts(db(), patient.id)).toEqual({ cash_clearing: 0, patient_receivable: 10000, patient_unapplied: 0, patient_credit: 0 });
    shown = await balancesShown(t, patient);
    expect([shown.api, shown.patientPageVisits, shown.portal, shown.portalVisits, shown.statement]).toEqual([10000, 10000, 10000, 10000, '$100.00']);
    await t.expectLedgerBalances();
  });
});
