import { describe, expect, it } from 'vitest';
import { calendarDateIn } from '../src/domain/calendar/practice-calendar.ts';
import { formatCents } from '../src/domain/money.ts';
import { addCalendarDays } from '../src/domain/refund-review/add-calendar-days.ts';
import type { Actor } from '../src/services/actor.ts';
import { ensureDemoPractice } from '../src/services/demo/seed-demo-data.ts';
import { arAging } from '../src/services/ledger/ar-aging.ts';
import { patientLedger } from '../src/services/ledger/patient-ledger.ts';
import { trialBalance } from '../src/services/ledger/trial-balance.ts';
import { patientBalanceFigures } from '../src/services/patients/patient-balance-figures.ts';
import { build835 } from '../src/x12/build-835.ts';
import { makeCardPayment, makeLocation, makePatient, makePayment, makeSelfPayTreatment, makeTreatment } from './helpers/factories.ts';
import { pdfText } from './helpers/pdf-text.ts';
import { dialects } from './helpers/test-database.ts';
import { json, useTestApp, type TestApp } from './helpers/test-app.ts';

const A = { payerName: 'ACME HEALTH', payerId: '11111' };
const B = { payerName: 'BETA MUTUAL', payerId: '22222' };
let accounts = 0;
let addresses = 0;

async function insuredPatient(t: TestApp, payers: Array<{ payerName: string; payerId: string }>) {
  const patient = await makePatient(t, undefined, { accountId: `LG${Date.now() % 1_000_000}${++accounts}`, dateOfBirth: '1971-02-03' });
  json(await t.request('PUT', `/api/v1/patients/${patient.id}/coverages`, { body: payers.map((p, i) => ({ ...p, memberId: `M${i}${patient.id.slice(-6)}`, order: i + 1 })) }), 200);
  return patient;
}

async function visit(t: TestApp, patientId: string, locationId: string, serviceDate: string, chargeCents: number) {
  const treatment = json(await t.request('POST', '/api/v1/treatments', { body: { patientId, locationId, serviceDate, physician: 'Dr. Osei', lines: [{ cpt: '99213', chargeCents }] } }), 201);
  const claim = json(await t.request('POST', `/api/v1/treatments/${treatment.id}/claims`, { as: t.biller }), 201);
  return { treatment, claim };
}

const importEra = (t: TestApp, text: string) => t.request('POST', '/api/v1/remittances', { as: t.biller, body: text, headers: { 'content-type': 'text/plain' } });
const ledgerOf = async (t: TestApp, patientId: string) => json(await t.request('GET', `/api/v1/patients/${patientId}/ledger`), 200);
/** The rows as [date, kind, amount, patient amount, insurance amount], in a fixed order (entries posted in the same millisecond may come either way). */
const canonical = (items: any[]) => items.map((r) => [r.date, r.kind, r.amountCents, r.patientAmountCents, r.insuranceAmountCents]).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
const balances = (tb: any) => Object.fromEntries(tb.accounts.map((a: any) => [a.account, a.balanceCents]));

/**
 * The ledger's final running balance is the balance everything else shows:
 * the patient page (GET /patients/:id), the portal and the statement.
 */
async function expectSameBalanceEverywhere(t: TestApp, patient: { id: string; accountId: string; dateOfBirth: string }) {
  const ledger = await ledgerOf(t, patient.id);
  const page = json(await t.request('GET', `/api/v1/patients/${patient.id}`), 200).balance;
  expect(ledger.balance).toEqual(page);
  expect(ledger.balanceCents).toBe(page.patientResponsibilityCents - page.unappliedCents - page.creditCents);
  expect(ledger.items.at(-1)?.runningBalanceCents ?? 0).toBe(ledger.balanceCents);
  expect(ledger.aging.totalCents).toBe(page.patientResponsibilityCents);
  let running = 0;
  for (const row of ledger.items) {
    running += row.patientAmountCents;
    expect(row.runningBalanceCents).toBe(running);
    expect(row.amountCents).toBe(row.patientAmountCents + row.insuranceAmountCents);
  }
  const portal = json(
    await t.app.inject({ method: 'POST', url: '/api/v1/portal/lookup', payload: { dateOfBirth: patient.dateOfBirth, accountId: patient.accountId, practice: 'alpha' }, remoteAddress: `10.9.0.${++addresses}` }),
    200,
  );
  expect(portal.balanceCents).toBe(page.patientResponsibilityCents);
  expect(portal.creditCents).toBe(page.creditCents);
  const statement = await t.request('GET', `/api/v1/patients/${patient.id}/statement.pdf`);
  expect(statement.statusCode).toBe(200);
  expect(pdfText(statement.rawPayload)).toContain(`Balance due\n${formatCents(page.patientResponsibilityCents)}`);
  return ledger;
}

describe.each(dialects)('the patient ledger and A/R aging on %s', (dialect) => {
  const t = useTestApp(dialect);
  const today = () => calendarDateIn('America/New_York');

  it('U1: charges, payer payments, write-offs, what passed to the next payer and to the patient, the held copay and its refund, with running balances that end at the patient page balance', async () => {
    const location = await makeLocation(t);
    const patient = await insuredPatient(t, [A, B]);
    const older = await visit(t, patient.id, location.id, '2026-01-10', 10000);
    const current = await visit(t, patient.id, location.id, '2026-03-02', 15000);
    const copay = await makePayment(t, patient.id, { amountCents: 4000, method: 'cash', status: 'paid', treatmentId: current.treatment.id, type: 'office_visit', paidDate: '2026-03-02' });

    // Before any ERA: the payers owe both charges, the patient has $40.00 held.
    let ledger = await expectSameBalanceEverywhere(t, patient);
    expect(ledger.insuranceBalanceCents).toBe(25000);
    expect(ledger.balanceCents).toBe(-4000);

    json(
      await importEra(
        t,
        build835([
          {
            ...A,
            traceNumber: 'A-EFT-0001',
            paymentDate: '2026-03-20',
            claims: [
              { controlNumber: older.claim.controlNumber, status: '19', chargeCents: 10000, paidCents: 7000, patientResponsibilityCents: 1000, adjustments: [{ group: 'CO', reason: '45', amountCents: 2000 }, { group: 'PR', reason: '2', amountCents: 1000 }] },
              { controlNumber: current.claim.controlNumber, status: '19', chargeCents: 15000, paidCents: 8000, patientResponsibilityCents: 4000, adjustments: [{ group: 'CO', reason: '45', amountCents: 3000 }, { group: 'PR', reason: '2', amountCents: 4000 }] },
            ],
          },
        ]),
      ),
      201,
    );
    const claimsOf = async (treatmentId: string) => json(await t.request('GET', `/api/v1/treatments/${treatmentId}`), 200).claims;
    const [currentB, olderB] = [(await claimsOf(current.treatment.id))[1], (await claimsOf(older.treatment.id))[1]];
    json(
      await importEra(
        t,
        build835([
          {
            ...B,
            traceNumber: 'B-CHK-0002',
            paymentDate: '2026-04-01',
            claims: [
              { controlNumber: currentB.controlNumber, status: '2', chargeCents: 4000, paidCents: 2500, patientResponsibilityCents: 1500, adjustments: [{ group: 'PR', reason: '1', amountCents: 1500 }] },
              { controlNumber: olderB.controlNumber, status: '2', chargeCents: 1000, paidCents: 0, patientResponsibilityCents: 1000, adjustments: [{ group: 'PR', reason: '1', amountCents: 1000 }] },
            ],
          },
        ]),
      ),
      201,
    );

    ledger = await expectSameBalanceEverywhere(t, patient);
    expect(ledger.balance).toEqual({ patientResponsibilityCents: 0, unappliedCents: 1500, creditCents: 0 });
    expect(ledger.insuranceBalanceCents).toBe(0);
    const day = today();
    expect(canonical(ledger.items)).toEqual(
      canonical([
        { date: '2026-01-10', kind: 'charge', amountCents: 10000, patientAmountCents: 0, insuranceAmountCents: 10000 },
        { date: '2026-03-02', kind: 'charge', amountCents: 15000, patientAmountCents: 0, insuranceAmountCents: 15000 },
        { date: '2026-03-02', kind: 'patient_payment', amountCents: -4000, patientAmountCents: -4000, insuranceAmountCents: 0 },
        { date: '2026-03-20', kind: 'payer_payment', amountCents: -7000, patientAmountCents: 0, insuranceAmountCents: -7000 },
        { date: '2026-03-20', kind: 'contractual_adjustment', amountCents: -2000, patientAmountCents: 0, insuranceAmountCents: -2000 },
        { date: '2026-03-20', kind: 'passed_to_next_payer', amountCents: 0, patientAmountCents: 0, insuranceAmountCents: 0 },
        { date: '2026-03-20', kind: 'payer_payment', amountCents: -8000, patientAmountCents: 0, insuranceAmountCents: -8000 },
        { date: '2026-03-20', kind: 'contractual_adjustment', amountCents: -3000, patientAmountCents: 0, insuranceAmountCents: -3000 },
        { date: '2026-03-20', kind: 'passed_to_next_payer', amountCents: 0, patientAmountCents: 0, insuranceAmountCents: 0 },
        { date: '2026-04-01', kind: 'payer_payment', amountCents: -2500, patientAmountCents: 0, insuranceAmountCents: -2500 },
        { date: '2026-04-01', kind: 'transfer_to_patient', amountCents: 0, patientAmountCents: 1500, insuranceAmountCents: -1500 },
        { date: '2026-04-01', kind: 'transfer_to_patient', amountCents: 0, patientAmountCents: 1000, insuranceAmountCents: -1000 },
        { date: day, kind: 'application', amountCents: 0, patientAmountCents: 0, insuranceAmountCents: 0 },
        { date: day, kind: 'application', amountCents: 0, patientAmountCents: 0, insuranceAmountCents: 0 },
      ]),
    );
    // Dates in order; the descriptions name the payment, the visit, the payer and its trace number.
    expect(ledger.items.map((r: any) => r.date)).toEqual([...ledger.items.map((r: any) => r.date)].sort());
    const payment = ledger.items.find((r: any) => r.kind === 'patient_payment');
    expect(payment).toMatchObject({ paymentId: copay.id, description: `Payment ${copay.number} · cash`, runningBalanceCents: -4000 });
    const acme = ledger.items.find((r: any) => r.kind === 'payer_payment' && r.amountCents === -8000);
    expect(acme.description).toBe('ACME HEALTH payment · trace A-EFT-0001 · visit 2026-03-02 (99213)');
    expect(acme).toMatchObject({ treatmentId: current.treatment.id, remittanceId: expect.any(String), paymentId: null });
    expect(ledger.items.filter((r: any) => r.kind === 'passed_to_next_payer').map((r: any) => r.description).sort()).toEqual([
      'ACME HEALTH passed $10.00 to BETA MUTUAL · visit 2026-01-10 (99213)',
      'ACME HEALTH passed $40.00 to BETA MUTUAL · visit 2026-03-02 (99213)',
    ]);
    expect(ledger.items.find((r: any) => r.kind === 'charge' && r.amountCents === 15000)).toMatchObject({
      treatmentId: current.treatment.id,
      description: 'Charge: visit 2026-03-02 (99213) · Dr. Osei · billed to insurance',
    });
    // Everything the patient owed is paid: nothing to age.
    expect(ledger.aging).toEqual({ currentCents: 0, days31To60Cents: 0, days61To90Cents: 0, days91To120Cents: 0, over120Cents: 0, totalCents: 0 });

    // The refund-owed task for the $15.00 left over, completed with a check.
    expect(json(await t.request('POST', '/api/v1/jobs/refund-review', { as: t.biller, body: { asOf: '2026-06-30' } }), 200).tasksCreated).toBe(1);
    const task = json(await t.request('GET', `/api/v1/tasks?type=refund_owed&status=open&patientId=${patient.id}`, { as: t.biller }), 200).items[0];
    json(await t.request('POST', `/api/v1/tasks/${task.id}/complete`, { as: t.biller, body: { refundDate: '2026-06-30', amountCents: 1500, method: 'check', reference: 'Check 1043' } }), 200);
    ledger = await expectSameBalanceEverywhere(t, patient);
    expect(ledger.balanceCents).toBe(0);
    expect(ledger.items.at(-1)).toMatchObject({ kind: 'refund', amountCents: 1500, patientAmountCents: 1500, runningBalanceCents: 0, paymentId: copay.id, refundId: expect.any(String) });
    expect(ledger.items.at(-1).description).toBe(`Refund of ${copay.number} · check`);
    await t.expectLedgerBalances();
  });

  it('C1 and R1: credits drawn and granted, a refund kept as credit, and a refunded payment still applied owed again', async () => {
    // C1
    const patient = await makePatient(t, undefined, { accountId: `LC${Date.now() % 1_000_000}${++accounts}`, dateOfBirth: '1980-04-12' });
    const first = await makeSelfPayTreatment(t, patient.id, 7000, '2026-03-02');
    const payment = await makeCardPayment(t, patient.id, 12000, '4242424242424242', { treatmentId: first.id });
    const asCredit = json(await t.request('POST', `/api/v1/payments/${payment.id}/refunds`, { body: { amountCents: 5000, reason: 'patient_request', asCredit: true } }), 201);
    const manual = json(await t.request('POST', `/api/v1/patients/${patient.id}/credits`, { as: t.biller, body: { amountCents: 2500, reference: 'PAY-0042', description: 'Courtesy' } }), 201);
    const later = await makeSelfPayTreatment(t, patient.id, 6000, '2026-04-06');
    json(await t.request('POST', `/api/v1/treatments/${later.id}/apply-credit`, { body: { creditId: asCredit.creditId, amountCents: 5000 } }), 201);
    json(await t.request('POST', `/api/v1/treatments/${later.id}/apply-credit`, { body: { creditId: manual.id, amountCents: 1000 } }), 201);

    const ledger = await expectSameBalanceEverywhere(t, patient);
    expect(ledger.balance).toEqual({ patientResponsibilityCents: 0, unappliedCents: 0, creditCents: 1500 });
    expect(ledger.balanceCents).toBe(-1500);
    const kinds = (kind: string) => ledger.items.filter((r: any) => r.kind === kind).map((r: any) => [r.amountCents, r.patientAmountCents]);
    expect(kinds('charge').sort()).toEqual([[6000, 6000], [7000, 7000]]);
    expect(kinds('patient_payment')).toEqual([[-12000, -12000]]);
    expect(kinds('refund_to_credit')).toEqual([[0, 0]]);
    expect(kinds('credit_created')).toEqual([[-2500, -2500]]);
    expect(kinds('credit_draw')).toEqual([[0, 0], [0, 0]]);
    expect(ledger.items.find((r: any) => r.kind === 'credit_created')).toMatchObject({ creditId: manual.id, description: 'Credit granted · PAY-0042 · Courtesy' });
    expect(ledger.items.find((r: any) => r.kind === 'patient_payment').description).toMatch(/^Payment PAY-\d+ · card ending 4242$/);

    // R1: a $100.00 card payment applied to a visit, refunded in full: the visit is owed again.
    const r1 = await makePatient(t, undefined, { accountId: `LR${Date.now() % 1_000_000}${++accounts}`, dateOfBirth: '1966-09-09' });
    const t464 = await makeSelfPayTreatment(t, r1.id, 10000, addCalendarDays(today(), -40));
    const paid = await makeCardPayment(t, r1.id, 10000, '4242424242424242', { treatmentId: t464.id });
    json(await t.request('POST', `/api/v1/payments/${paid.id}/refunds`, { body: { full: true, reason: 'duplicate_charge' } }), 201);
    const r1Ledger = await expectSameBalanceEverywhere(t, r1);
    expect(r1Ledger.balance).toEqual({ patientResponsibilityCents: 10000, unappliedCents: 0, creditCents: 0 });
    expect(r1Ledger.aging).toEqual({ currentCents: 0, days31To60Cents: 10000, days61To90Cents: 0, days91To120Cents: 0, over120Cents: 0, totalCents: 10000 });
    expect(r1Ledger.items.map((r: any) => [r.kind, r.patientAmountCents, r.runningBalanceCents])).toEqual([
      ['charge', 10000, 10000],
      ['patient_payment', -10000, 0],
      ['application', 0, 0],
      ['refund', 10000, 10000],
    ]);

    // Another practice's patient is not found; the front desk may read a ledger.
    expect(json(await t.request('GET', `/api/v1/patients/${r1.id}/ledger`, { as: t.otherAdmin }), 404).code).toBe('not_found');
    expect(json(await t.request('GET', `/api/v1/patients/${r1.id}/ledger/export.csv`, { as: t.otherAdmin }), 404).code).toBe('not_found');
    expect((await t.request('GET', `/api/v1/patients/${r1.id}/ledger`, { as: t.frontDesk })).statusCode).toBe(200);

    // The CSV is the same rows, in dollars.
    const csv = await t.request('GET', `/api/v1/patients/${r1.id}/ledger/export.csv`, { as: t.frontDesk });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    const lines = csv.body.trim().split('\r\n');
    expect(lines[0]).toBe('date,kind,description,amount,patientAmount,insuranceAmount,patientBalance,insuranceBalance,paymentId,treatmentId,remittanceId,refundId,creditId');
    expect(lines).toHaveLength(5);
    expect(lines[4]).toMatch(new RegExp(`^\\d{4}-\\d{2}-\\d{2},refund,Refund of ${paid.number} · card \\(processor\\),100\\.00,100\\.00,0\\.00,100\\.00,0\\.00,${paid.id},,,`));
    await t.expectLedgerBalances();
  });

  it('A/R aging: patient A/R per patient and insurance A/R per payer, by location and visit age, totalling the trial balance receivables', async () => {
    const north = await makeLocation(t, undefined, 'North Aging');
    const south = await makeLocation(t, undefined, 'South Aging');
    const day = today();
    // Self-pay visits at every age, and a part-paid one.
    const selfPay = await makePatient(t, undefined, { lastName: 'Aardvark' });
    await makeTreatment(t, selfPay.id, north.id, { serviceDate: addCalendarDays(day, -10), lines: [{ cpt: '99213', chargeCents: 1000 }] });
    await makeTreatment(t, selfPay.id, north.id, { serviceDate: addCalendarDays(day, -45), lines: [{ cpt: '99213', chargeCents: 2000 }] });
    await makeTreatment(t, selfPay.id, south.id, { serviceDate: addCalendarDays(day, -75), lines: [{ cpt: '99213', chargeCents: 3000 }] });
    const oldest = await makeTreatment(t, selfPay.id, south.id, { serviceDate: addCalendarDays(day, -200), lines: [{ cpt: '99214', chargeCents: 4000 }] });
    await makePayment(t, selfPay.id, { amountCents: 1500, method: 'cash', status: 'paid', treatmentId: oldest.id });
    // Insured: one visit billed to ACME (100 days old), one not yet billed (today).
    const insured = await insuredPatient(t, [A]);
    await visit(t, insured.id, south.id, addCalendarDays(day, -100), 9000);
    await makeTreatment(t, insured.id, north.id, { serviceDate: day, lines: [{ cpt: '99213', chargeCents: 5000 }] });

    const report = json(await t.request('GET', '/api/v1/reports/ar-aging', { as: t.biller }), 200);
    expect(report.asOf).toBe(day);
    const mine = report.patients.find((p: any) => p.patientId === selfPay.id);
    expect(mine).toEqual({ patientId: selfPay.id, patientName: `${selfPay.lastName}, ${selfPay.firstName}`, accountId: selfPay.accountId, currentCents: 1000, days31To60Cents: 2000, days61To90Cents: 3000, days91To120Cents: 0, over120Cents: 2500, totalCents: 8500 });
    expect(report.payers.find((p: any) => p.payerName === A.payerName)).toMatchObject({ payerId: A.payerId, days91To120Cents: 9000, totalCents: 9000 });
    expect(report.payers.find((p: any) => p.payerName === 'Not yet billed')).toMatchObject({ payerId: null, currentCents: 5000 });

    // The totals are the trial balance's receivable accounts, today and as of an earlier day.
    for (const asOf of [undefined, addCalendarDays(new Date().toISOString().slice(0, 10), 1), '2020-01-01']) {
      const q = asOf ? `?asOf=${asOf}` : '';
      const tb = balances(json(await t.request('GET', `/api/v1/reports/trial-balance${q}`, { as: t.biller }), 200));
      const aging = json(await t.request('GET', `/api/v1/reports/ar-aging${q}`, { as: t.biller }), 200);
      expect(aging.patientTotals.totalCents).toBe(tb.patient_receivable);
      expect(aging.insuranceTotals.totalCents).toBe(tb.insurance_receivable);
      expect(aging.patients.reduce((s: number, p: any) => s + p.totalCents, 0)).toBe(tb.patient_receivable);
      expect(aging.payers.reduce((s: number, p: any) => s + p.totalCents, 0)).toBe(tb.insurance_receivable);
      // Every location's share adds up to the whole.
      const byLocation = await Promise.all(
        [north, south].map(async (l) => json(await t.request('GET', `/api/v1/reports/ar-aging?locationId=${l.id}${asOf ? `&asOf=${asOf}` : ''}`, { as: t.biller }), 200)),
      );
      const others = json(await t.request('GET', '/api/v1/locations'), 200).items.filter((l: any) => l.id !== north.id && l.id !== south.id);
      const rest = await Promise.all(others.map(async (l: any) => json(await t.request('GET', `/api/v1/reports/ar-aging?locationId=${l.id}${asOf ? `&asOf=${asOf}` : ''}`, { as: t.biller }), 200)));
      expect([...byLocation, ...rest].reduce((s, r) => s + r.patientTotals.totalCents, 0)).toBe(tb.patient_receivable);
      expect([...byLocation, ...rest].reduce((s, r) => s + r.insuranceTotals.totalCents, 0)).toBe(tb.insurance_receivable);
      if (asOf === '2020-01-01') expect(aging.patients).toEqual([]);
    }
    const northOnly = json(await t.request('GET', `/api/v1/reports/ar-aging?locationId=${north.id}`, { as: t.biller }), 200);
    expect(northOnly.patients.find((p: any) => p.patientId === selfPay.id)).toMatchObject({ currentCents: 1000, days31To60Cents: 2000, totalCents: 3000 });
    expect(northOnly.payers).toEqual([expect.objectContaining({ payerName: 'Not yet billed', totalCents: 5000 })]);

    // Biller and admin only; another practice sees its own (empty) books.
    expect(json(await t.request('GET', '/api/v1/reports/ar-aging', { as: t.frontDesk }), 403).code).toBe('forbidden');
    expect(json(await t.request('GET', '/api/v1/reports/ar-aging', { as: t.otherAdmin }), 200)).toMatchObject({ patients: [], payers: [], patientTotals: { totalCents: 0 } });
    expect(json(await t.request('GET', '/api/v1/reports/ar-aging?asOf=2026-02-30', { as: t.biller }), 400).code).toBe('validation_failed');

    const csv = await t.request('GET', `/api/v1/reports/ar-aging/export.csv?locationId=${north.id}`, { as: t.biller });
    expect(csv.statusCode).toBe(200);
    const lines = csv.body.trim().split('\r\n');
    expect(lines[0]).toBe('receivable,name,accountOrPayerId,current,days31To60,days61To90,days91To120,over120,total');
    expect(lines).toContain(`patient,"${selfPay.lastName}, ${selfPay.firstName}",${selfPay.accountId},10.00,20.00,0.00,0.00,0.00,30.00`);
    expect(lines).toContain('insurance,Not yet billed,,50.00,0.00,0.00,0.00,0.00,50.00');
    expect((await t.request('GET', '/api/v1/reports/ar-aging/export.csv', { as: t.frontDesk })).statusCode).toBe(403);
    const doc = json(await t.request('GET', '/api/v1/openapi.json', { as: null }), 200);
    expect(doc.paths['/api/v1/patients/{id}/ledger'].get.responses['200'].content['application/json'].schema.properties.items.items.properties.runningBalanceCents.type).toBe('integer');
    expect(Object.keys(doc.paths['/api/v1/reports/ar-aging'].get.responses['200'].content['application/json'].schema.properties.patientTotals.properties)).toEqual([
      'currentCents', 'days31To60Cents', 'days61To90Cents', 'days91To120Cents', 'over120Cents', 'totalCents',
    ]);
    for (const path of ['/api/v1/payments/{id}/receipt.pdf', '/api/v1/refunds/{id}/receipt.pdf', '/api/v1/patients/{id}/ledger/export.csv', '/api/v1/reports/ar-aging/export.csv']) expect(Object.keys(doc.paths)).toContain(path);
    await t.expectLedgerBalances();
  });

  it('receipts: a PDF for a payment and for a refund, with what the money went to and the balance left; none for another practice or an unpaid payment', async () => {
    const location = await makeLocation(t, undefined, 'Receipt Street Clinic');
    const patient = await makePatient(t, undefined, { firstName: 'Rhea', lastName: 'Receipt' });
    const treatment = await makeTreatment(t, patient.id, location.id, { serviceDate: '2026-03-02', lines: [{ cpt: '99213', chargeCents: 7000 }, { cpt: '81002', chargeCents: 1000 }] });
    const payment = await makePayment(t, patient.id, { amountCents: 5000, method: 'check', checkNumber: '1043', status: 'paid', paidDate: '2026-03-04', treatmentId: treatment.id });

    const receipt = await t.request('GET', `/api/v1/payments/${payment.id}/receipt.pdf`, { as: t.frontDesk });
    expect(receipt.statusCode).toBe(200);
    expect(receipt.headers['content-type']).toBe('application/pdf');
    expect(receipt.headers['content-disposition']).toBe(`attachment; filename="receipt-${payment.number}.pdf"`);
    const text = pdfText(receipt.rawPayload);
    for (const expected of ['Alpha Clinic', 'Receipt Street Clinic', 'Payment receipt', payment.number, '03/04/2026', 'Check #1043', 'Amount paid\n$50.00', 'Applied to visit 2026-03-02 (CPT 99213, 81002), Dr. Test', 'Balance remaining\n$30.00', patient.accountId, 'Rhea Receipt']) {
      expect(text).toContain(expected);
    }

    const refund = json(await t.request('POST', `/api/v1/payments/${payment.id}/refunds`, { as: t.biller, body: { amountCents: 2000, reason: 'billing_error', notes: 'Overcharged' } }), 201);
    const refundReceipt = await t.request('GET', `/api/v1/refunds/${refund.id}/receipt.pdf`);
    expect(refundReceipt.statusCode).toBe(200);
    const refundText = pdfText(refundReceipt.rawPayload);
    for (const expected of ['Refund receipt', `Refund of\n${payment.number}`, 'Amount refunded\n$20.00', 'Refunded, reason: billing error (Overcharged)', `Original payment ${payment.number} of 2026-03-04 (Check #1043)`]) {
      expect(refundText).toContain(expected);
    }
    // The payment's receipt now also shows the refund, and the balance owed again.
    const after = json(await t.request('GET', `/api/v1/patients/${patient.id}`), 200).balance.patientResponsibilityCents;
    expect(pdfText((await t.request('GET', `/api/v1/payments/${payment.id}/receipt.pdf`)).rawPayload)).toContain(`Balance remaining\n${formatCents(after)}`);
    expect(pdfText(refundReceipt.rawPayload)).toContain(`Balance remaining\n${formatCents(after)}`);

    expect(json(await t.request('GET', `/api/v1/payments/${payment.id}/receipt.pdf`, { as: t.otherAdmin }), 404).code).toBe('not_found');
    expect(json(await t.request('GET', `/api/v1/refunds/${refund.id}/receipt.pdf`, { as: t.otherAdmin }), 404).code).toBe('not_found');
    const pending = await makePayment(t, patient.id, { amountCents: 1000, status: 'pending' });
    expect(json(await t.request('GET', `/api/v1/payments/${pending.id}/receipt.pdf`), 422).code).toBe('business_rule');
    expect((await t.request('GET', `/api/v1/payments/${payment.id}/receipt.pdf`, { as: null })).statusCode).toBe(401);
    await t.expectLedgerBalances();
  });

  it('on the demo practice (a year of every kind of movement) every patient ledger ends at that patient\'s balance, and A/R aging totals the trial balance', async () => {
    const db = t.database.handle.db;
    const { practiceId } = await ensureDemoPractice(db);
    const actor: Actor = { practiceId, kind: 'system', id: 'test', name: 'Test', role: 'admin' };
    const patients = await db.selectFrom('patients').select('id').where('practiceId', '=', practiceId).execute();
    expect(patients.length).toBeGreaterThan(10);
    const kinds = new Set<string>();
    for (const { id } of patients) {
      const ledger = await patientLedger(db, actor, id);
      const figures = await patientBalanceFigures(db, actor, id);
      expect(ledger.balance, `patient ${id}`).toEqual(figures.balance);
      expect(ledger.items.at(-1)?.runningBalanceCents ?? 0, `patient ${id}`).toBe(figures.balance.patientResponsibilityCents - figures.balance.unappliedCents - figures.balance.creditCents);
      expect(ledger.aging.totalCents, `patient ${id}`).toBe(figures.balance.patientResponsibilityCents);
      for (const row of ledger.items) kinds.add(row.kind);
    }
    // The demo has charges, payer and patient payments, refunds and credits: the ledger describes each.
    for (const kind of ['charge', 'patient_payment', 'payer_payment', 'contractual_adjustment', 'transfer_to_patient', 'passed_to_next_payer', 'application', 'refund', 'refund_to_credit', 'credit_created']) {
      expect(kinds).toContain(kind);
    }
    expect(kinds).not.toContain('other');
    const tb = balances(await trialBalance(db, practiceId));
    const aging = await arAging(db, actor, {});
    expect([aging.patientTotals.totalCents, aging.insuranceTotals.totalCents]).toEqual([tb.patient_receivable, tb.insurance_receivable]);
  });
});
