import { sql } from 'kysely';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeCardPayment, makeLocation, makePatient, makePayment, makeTreatment } from './helpers/factories.ts';
import { patientAccounts } from './helpers/ledger-accounts.ts';
import { markClaimProcessed, settleTreatment } from './helpers/settle-treatment.ts';
import { lastTwelveMonths } from '../src/services/payments/payment-dashboard.ts';
import { calendarDateIn } from '../src/domain/calendar/practice-calendar.ts';
import { verifyLedger } from '../src/services/ledger/verify-ledger.ts';
import { dialects } from './helpers/test-database.ts';
import { json, useTestApp, type TestApp } from './helpers/test-app.ts';

/** The journal's own figure: the net of the cash_clearing lines of patient payments and refunds (debit positive). */
async function cashFromPatients(t: TestApp): Promise<number> {
  const row = await t.database.handle.db
    .selectFrom('journalLines')
    .innerJoin('journalEntries', 'journalEntries.id', 'journalLines.entryId')
    .select(sql<number>`coalesce(sum(journal_lines.amount_cents), 0)`.as('total'))
    .where('journalLines.practiceId', '=', t.admin.actor.practiceId)
    .where('journalLines.account', '=', 'cash_clearing')
    .where('journalEntries.kind', 'in', ['payment_received', 'refund'])
    .where('journalLines.paymentId', 'is not', null)
    .executeTakeFirstOrThrow();
  return Number(row.total);
}


/** The dashboard recomputed from every payment and refund row, in JavaScript, independently of the running totals. */
async function fromScratch(t: TestApp, today: string, timeZone: string, locationId?: string) {
  const db = t.database.handle.db;
  const practiceId = t.admin.actor.practiceId;
  const payments = (await db.selectFrom('payments').selectAll().where('practiceId', '=', practiceId).execute()).filter((p) => !locationId || p.locationId === locationId);
  const byId = new Map(payments.map((p) => [p.id, p]));
  const refunds = (await db.selectFrom('refunds').selectAll().where('practiceId', '=', practiceId).execute()).filter((r) => byId.has(r.paymentId));
  const months = lastTwelveMonths(today);
  const monthly = new Map(months.map((m) => [m, 0]));
  const byStatus: Record<string, number> = {};
  let total = 0;
  let outstanding = 0;
  for (const p of payments) {
    byStatus[p.status] = (byStatus[p.status] ?? 0) + 1;
    if (['draft', 'pending', 'processing'].includes(p.status)) outstanding += Number(p.amountCents);
    if (['paid', 'partially_refunded', 'refunded', 'disputed'].includes(p.status) && p.method && p.method !== 'patient_credit') {
      total += Number(p.amountCents);
      const m = p.paidDate?.slice(0, 7);
      if (m && monthly.has(m)) monthly.set(m, monthly.get(m)! + Number(p.amountCents));
    }
  }
  for (const r of refunds) {
    const p = byId.get(r.paymentId)!;
    if (r.status !== 'succeeded' || r.method === 'credit' || !p.method || p.method === 'patient_credit') continue;
    total -= Number(r.amountCents);
    const m = calendarDateIn(timeZone, r.settledAt ?? r.createdAt).slice(0, 7);
    if (monthly.has(m)) monthly.set(m, monthly.get(m)! - Number(r.amountCents));
  }
  return { totalCollectedCents: total, outstandingCents: outstanding, monthly: months.map((month) => ({ month, collectedCents: monthly.get(month)! })), byStatus };
}

const dashboard = async (t: TestApp, locationId?: string) => json(await t.request('GET', `/api/v1/dashboard${locationId ? `?locationId=${locationId}` : ''}`), 200);

describe.each(dialects)('the dashboard on %s', (dialect) => {
  const t = useTestApp(dialect);
  const db = () => t.database.handle.db;
  afterEach(() => {
    vi.useRealTimers();
  });

  it('Total Collected is money received net of money sent back, and equals the cash_clearing journal lines', async () => {
    const location = await makeLocation(t);
    const total = async () => (await dashboard(t, location.id)).totalCollectedCents;
    const patient = await makePatient(t);

    const cash = await makePayment(t, patient.id, { amountCents: 20000, method: 'cash', status: 'paid', locationId: location.id });
    const card = await makeCardPayment(t, patient.id, 12000, '4242424242424242', { locationId: location.id });
    expect(await total()).toBe(32000);

    // A refund issued as credit keeps the money with the practice.
    const asCredit = json(await t.request('POST', `/api/v1/payments/${card.id}/refunds`, { as: t.biller, body: { amountCents: 5000, reason: 'patient_request', asCredit: true } }), 201);
    expect(await total()).toBe(32000);
    // A draw from that credit is not new money (the later visit is paid first by the money still unapplied).
    const visit = await makeTreatment(t, patient.id, location.id, { lines: [{ cpt: '99213', chargeCents: 32000 }] });
    expect(visit.balanceCents).toBe(5000);
    json(await t.request('POST', `/api/v1/treatments/${visit.id}/apply-credit`, { body: { creditId: asCredit.creditId, amountCents: 5000 } }), 201);
    expect(await total()).toBe(32000);
    // Money sent back reduces it: cash, and through the processor.
    json(await t.request('POST', `/api/v1/payments/${cash.id}/refunds`, { as: t.biller, body: { amountCents: 3000, reason: 'billing_error' } }), 201);
    json(await t.request('POST', `/api/v1/payments/${card.id}/refunds`, { as: t.biller, body: { amountCents: 2000, reason: 'billing_error' } }), 201);
    expect(await total()).toBe(27000);
    expect(await patientAccounts(db(), patient.id)).toMatchObject({ cash_clearing: 27000, patient_credit: 0 });

    // A refund-owed task dismissed: the $55.00 stays with the practice as credit; Total Collected keeps it.
    const insured = await makePatient(t);
    json(await t.request('PUT', `/api/v1/patients/${insured.id}/coverages`, { body: [{ payerName: 'Payer A', payerId: 'PA001', memberId: 'A-9', order: 1 }] }), 200);
    const insuredVisit = await makeTreatment(t, insured.id, location.id, { serviceDate: '2026-01-05' });
    await makePayment(t, insured.id, { amountCents: 5500, method: 'cash', status: 'paid', paidDate: '2026-01-05', treatmentId: insuredVisit.id, type: 'office_visit' });
    const claim = json(await t.request('POST', `/api/v1/treatments/${insuredVisit.id}/claims`, { as: t.biller }), 201);
    await markClaimProcessed(db(), claim.id, { processedDate: '2026-01-20', paidCents: 12000, contractualCents: 3000, patientResponsibilityCents: 0 });
    await settleTreatment(db(), t.biller.actor, insuredVisit.id, 0);
    expect(await total()).toBe(32500);
    json(await t.request('POST', '/api/v1/jobs/refund-review', { as: t.biller, body: { asOf: '2026-03-10' } }), 200);
    const [task] = json(await t.request('GET', `/api/v1/tasks?type=refund_owed&status=open&patientId=${insured.id}`, { as: t.biller }), 200).items;
    expect(task).toMatchObject({ amountCents: 5500 });
    json(await t.request('POST', `/api/v1/tasks/${task.id}/dismiss`, { as: t.biller }), 200);
    expect(await patientAccounts(db(), insured.id)).toEqual({ cash_clearing: 5500, patient_receivable: 0, patient_unapplied: 0, patient_credit: -5500 });
    expect(await total()).toBe(32500);

    // The practice-wide figure reconciles with the journal to the cent.
    expect((await dashboard(t)).totalCollectedCents).toBe(await cashFromPatients(t));
    await t.expectLedgerBalances();
  });

  it('counts a payment made at 22:00 in New York (03:00 UTC the next day) on its New York date and month; overdue uses the practice today', async () => {
    const location = await makeLocation(t);
    const patient = await makePatient(t);
    expect(json(await t.request('GET', '/api/v1/practice'), 200)).toMatchObject({ slug: 'alpha', timeZone: 'America/New_York' });
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-03-01T03:00:00Z'));

    const paid = await makePayment(t, patient.id, { amountCents: 4200, method: 'cash', status: 'paid', locationId: location.id });
    expect(paid.paidDate).toBe('2026-02-28');
    const pending = await makePayment(t, patient.id, { amountCents: 1000, locationId: location.id });
    const marked = json(await t.request('POST', `/api/v1/payments/${pending.id}/status`, { body: { status: 'paid' } }), 200);
    expect(marked.paidDate).toBe('2026-02-28');
    const board = await dashboard(t, location.id);
    expect(board.monthly.at(-1)).toEqual({ month: '2026-02', collectedCents: 5200 });
    expect(board.totalCollectedCents).toBe(5200);
    const statement = await t.request('GET', `/api/v1/patients/${patient.id}/statement.pdf`);
    expect(statement.headers['content-disposition']).toContain('-2026-02-28.pdf');

    // Due yesterday (New York) is overdue; due today is not.
    const visit = await makeTreatment(t, patient.id, location.id);
    const dueYesterday = await makePayment(t, patient.id, { amountCents: 500, dueDate: '2026-02-27', treatmentId: visit.id });
    const dueToday = await makePayment(t, patient.id, { amountCents: 500, dueDate: '2026-02-28', treatmentId: visit.id });
    expect([dueYesterday.overdue, dueToday.overdue]).toEqual([true, false]);
    const flags = async () => Object.fromEntries(json(await t.request('GET', `/api/v1/treatments/${visit.id}`), 200).payments.map((p: any) => [p.id, p.overdue]));
    expect(await flags()).toMatchObject({ [dueYesterday.id]: true, [dueToday.id]: false });

    // The same instant in a practice on UTC is already March 1st.
    json(await t.request('PATCH', '/api/v1/practice', { body: { timeZone: 'UTC' } }), 200);
    try {
      expect(json(await t.request('GET', `/api/v1/payments/${dueToday.id}`), 200).overdue).toBe(true);
      expect(await flags()).toMatchObject({ [dueYesterday.id]: true, [dueToday.id]: true });
      const march = await makePayment(t, patient.id, { amountCents: 300, method: 'cash', status: 'paid', locationId: location.id });
      expect(march.paidDate).toBe('2026-03-01');
      const utcBoard = await dashboard(t, location.id);
      expect(utcBoard.monthly.slice(-2)).toEqual([
        { month: '2026-02', collectedCents: 5200 },
        { month: '2026-03', collectedCents: 300 },
      ]);
    } finally {
      json(await t.request('PATCH', '/api/v1/practice', { body: { timeZone: 'America/New_York' } }), 200);
    }
    await t.expectLedgerBalances();
  });

  it('equals a from-scratch computation after payments, edits, status changes, refunds, credits and a remittance, in a half-hour time zone; verify checks the totals', async () => {
    const here = await makeLocation(t);
    const there = await makeLocation(t);
    const patient = await makePatient(t);
    json(await t.request('PATCH', '/api/v1/practice', { body: { timeZone: 'Asia/Kolkata' } }), 200);
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      // 18:10 UTC on Feb 28 is 23:40 in Kolkata; 18:45 UTC is 00:15 on March 1st: a month begins inside that UTC hour.
      vi.setSystemTime(new Date('2026-02-28T18:10:00Z'));
      const cash = await makePayment(t, patient.id, { amountCents: 30000, method: 'cash', status: 'paid', locationId: here.id });
      const card = await makeCardPayment(t, patient.id, 20000, '4242424242424242', { locationId: there.id });
      const draft = await makePayment(t, patient.id, { amountCents: 7000, locationId: here.id });
      json(await t.request('PATCH', `/api/v1/payments/${draft.id}`, { body: { amountCents: 7500, locationId: there.id } }), 200);
      const pending = await makePayment(t, patient.id, { amountCents: 1100, locationId: here.id });
      json(await t.request('POST', `/api/v1/payments/${pending.id}/status`, { body: { status: 'paid', method: 'check', checkNumber: '12' } }), 200);
      json(await t.request('POST', `/api/v1/payments/${cash.id}/refunds`, { as: t.biller, body: { amountCents: 1000, reason: 'billing_error' } }), 201);
      vi.setSystemTime(new Date('2026-02-28T18:45:00Z'));
      json(await t.request('POST', `/api/v1/payments/${cash.id}/refunds`, { as: t.biller, body: { amountCents: 2000, reason: 'billing_error' } }), 201);
      const asCredit = json(await t.request('POST', `/api/v1/payments/${card.id}/refunds`, { as: t.biller, body: { amountCents: 4000, reason: 'patient_request', asCredit: true } }), 201);
      json(await t.request('POST', `/api/v1/payments/${card.id}/refunds`, { as: t.biller, body: { amountCents: 3000, reason: 'billing_error' } }), 201);
      const visit = await makeTreatment(t, patient.id, here.id, { lines: [{ cpt: '99213', chargeCents: 90000 }] });
      json(await t.request('POST', `/api/v1/treatments/${visit.id}/apply-credit`, { body: { creditId: asCredit.creditId, amountCents: 4000 } }), 201);
      const voided = await makePayment(t, patient.id, { amountCents: 900, locationId: here.id });
      json(await t.request('POST', `/api/v1/payments/${voided.id}/status`, { body: { status: 'cancelled' } }), 200);
      // A remittance for an insured visit.
      const insured = await makePatient(t);
      json(await t.request('PUT', `/api/v1/patients/${insured.id}/coverages`, { body: [{ payerName: 'Payer A', payerId: 'PA001', memberId: 'A-9', order: 1 }] }), 200);
      const insuredVisit = await makeTreatment(t, insured.id, there.id, { serviceDate: '2026-01-05' });
      await makePayment(t, insured.id, { amountCents: 5500, method: 'cash', status: 'paid', treatmentId: insuredVisit.id, type: 'office_visit' });
      const claim = json(await t.request('POST', `/api/v1/treatments/${insuredVisit.id}/claims`, { as: t.biller }), 201);
      await markClaimProcessed(db(), claim.id, { processedDate: '2026-01-20', paidCents: 12000, contractualCents: 3000, patientResponsibilityCents: 0 });
      await settleTreatment(db(), t.biller.actor, insuredVisit.id, 0);

      const today = '2026-03-01';
      for (const locationId of [undefined, here.id, there.id]) {
        const board = await dashboard(t, locationId);
        const expected = await fromScratch(t, today, 'Asia/Kolkata', locationId);
        expect(board.totalCollectedCents).toBe(expected.totalCollectedCents);
        expect(board.outstandingCents).toBe(expected.outstandingCents);
        expect(board.monthly).toEqual(expected.monthly);
        expect(Object.fromEntries(Object.entries(board.byStatus).filter(([, n]) => n !== 0))).toEqual(expected.byStatus);
      }
      // The refunds of the split hour land in their own months: 10.00 in February, 20.00 in March.
      const atHere = await dashboard(t, here.id);
      expect(atHere.monthly.slice(-2).map((m: { collectedCents: number }) => m.collectedCents)).toEqual([30000 + 1100 - 1000, -2000]);
      await t.expectLedgerBalances();
    } finally {
      vi.useRealTimers();
      json(await t.request('PATCH', '/api/v1/practice', { body: { timeZone: 'America/New_York' } }), 200);
    }
    // A running total that drifts from its rows is reported.
    await db().updateTable('paymentTotals').set((eb) => ({ amountCents: eb('amountCents', '+', 1) })).where('practiceId', '=', t.admin.actor.practiceId).where('status', '=', 'paid').execute();
    const problems = await verifyLedger(db(), { practiceId: t.admin.actor.practiceId });
    expect(problems.map((p) => p.check)).toContain('dashboard_totals');
    await db().updateTable('paymentTotals').set((eb) => ({ amountCents: eb('amountCents', '-', 1) })).where('practiceId', '=', t.admin.actor.practiceId).where('status', '=', 'paid').execute();
    expect(await verifyLedger(db(), { practiceId: t.admin.actor.practiceId })).toEqual([]);
  });

  it('defines each dashboard figure in SPEC terms in the API description', async () => {
    const doc = json(await t.request('GET', '/api/v1/openapi.json'), 200);
    const schema = doc.paths['/api/v1/dashboard'].get.responses['200'].content['application/json'].schema;
    expect(schema.properties.totalCollectedCents.description).toMatch(/net of refunds.*Patient Credit.*cash_clearing/s);
    expect(schema.properties.outstandingCents.description).toMatch(/Draft, Pending and Processing/);
    expect(schema.properties.monthly.items.properties.month.description).toMatch(/time zone/);
    expect(schema.properties.byStatus.description).toMatch(/each status/);
  });

  it('GET/PATCH /practice: admins set the name and an IANA time zone, audited; others may read only', async () => {
    const before = json(await t.request('GET', '/api/v1/practice', { as: t.frontDesk }), 200);
    expect(before).toMatchObject({ name: 'Alpha Clinic', timeZone: 'America/New_York' });
    expect(json(await t.request('PATCH', '/api/v1/practice', { as: t.biller, body: { timeZone: 'America/Chicago' } }), 403).code).toBe('forbidden');
    const bad = await t.request('PATCH', '/api/v1/practice', { body: { timeZone: 'Mars/Olympus_Mons' } });
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(json(bad, 400).code).toBe('validation_failed');
    expect(json(await t.request('PATCH', '/api/v1/practice', { body: { timeZone: 'America/Chicago', name: 'Alpha Family Clinic' } }), 200)).toMatchObject({
      name: 'Alpha Family Clinic',
      timeZone: 'America/Chicago',
    });
    // Another practice is untouched.
    expect(json(await t.request('GET', '/api/v1/practice', { as: t.otherAdmin }), 200)).toMatchObject({ name: 'Beta Clinic', timeZone: 'America/New_York' });
    const audit = await db()
      .selectFrom('auditEvents')
      .select(['action', 'before', 'after'])
      .where('entityType', '=', 'practice')
      .where('action', '=', 'practice.updated')
      .where('practiceId', '=', t.admin.actor.practiceId)
      .execute();
    const nameAndZone = (x: { name: string; timeZone: string }) => ({ name: x.name, timeZone: x.timeZone });
    expect(audit.map((a) => [nameAndZone(JSON.parse(a.before!)), nameAndZone(JSON.parse(a.after!))])).toContainEqual([
      { name: 'Alpha Clinic', timeZone: 'America/New_York' },
      { name: 'Alpha Family Clinic', timeZone: 'America/Chicago' },
    ]);
    json(await t.request('PATCH', '/api/v1/practice', { body: { timeZone: 'America/New_York', name: 'Alpha Clinic' } }), 200);
  });
});
