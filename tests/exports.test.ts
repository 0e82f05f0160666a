import { beforeAll, describe, expect, it } from 'vitest';
import { webhookEventCatalogue, webhookEventTypes } from '../src/contracts/webhooks.ts';
import { calendarDateIn } from '../src/domain/calendar/practice-calendar.ts';
import { build835 } from '../src/x12/build-835.ts';
import { makeLocation, makePatient, makePayment, makeTreatment } from './helpers/factories.ts';
import { json, useTestApp } from './helpers/test-app.ts';
import { dialects } from './helpers/test-database.ts';

/**
 * Parses RFC 4180 text the strict way (CRLF rows, quoted fields with doubled
 * quotes and embedded line breaks), so the tests check the format, not just
 * a split on commas.
 */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (ch === '"') {
        quoted = false;
        i++;
        continue;
      }
      field += ch;
      i++;
      continue;
    }
    if (ch === '"' && field === '') {
      quoted = true;
      i++;
    } else if (ch === ',') {
      row.push(field);
      field = '';
      i++;
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 2;
    } else {
      // A bare CR or LF outside quotes is not RFC 4180.
      if (ch === '\n' || ch === '\r') throw new Error(`bare line break at ${i}`);
      field += ch;
      i++;
    }
  }
  if (field !== '' || row.length) throw new Error('the file does not end with CRLF');
  return rows;
}

/** The rows as objects keyed by the header. */
function records(text: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(text);
  return rows.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i] ?? ''])));
}

describe.each(dialects)('CSV exports on %s', (dialect) => {
  const t = useTestApp(dialect);
  // Dates of instants are on the practice's calendar (a new practice's default is New York), not UTC's.
  const today = calendarDateIn('America/New_York');
  const ctx: Record<string, any> = {};

  async function csv(url: string, as = t.admin) {
    const response = await t.request('GET', `/api/v1${url}`, { as });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(String(response.headers['content-disposition'])).toMatch(/^attachment; filename="[a-z-]+-\d{4}-\d{2}-\d{2}\.csv"$/);
    return response.body;
  }

  beforeAll(async () => {
    const location = await makeLocation(t, t.admin, 'North, Main St');
    ctx.location = location;
    // Cells a spreadsheet would run, and text that needs quoting.
    ctx.zoe = await makePatient(t, t.admin, { firstName: 'Zoe', lastName: 'Adams' });
    ctx.mary = await makePatient(t, t.admin, { firstName: 'Mary', lastName: 'O"Neil, Jr' });

    // Zoe: a self-pay visit of $150.00, a cash payment of $123.45 of which $100.00 is applied; a $7.00 credit.
    ctx.visit = await makeTreatment(t, ctx.zoe.id, location.id, { serviceDate: '2026-03-02', lines: [{ cpt: '99213', chargeCents: 15000 }] });
    ctx.oldVisit = await makeTreatment(t, ctx.zoe.id, location.id, { serviceDate: '2025-11-20', lines: [{ cpt: '99212', chargeCents: 8001 }] });
    ctx.paid = await makePayment(t, ctx.zoe.id, { amountCents: 12345, method: 'cash', status: 'paid', paidDate: '2026-03-02', memo: '=HYPERLINK("http://evil.example","click")' });
    // Desk money applies itself at once (oldest visit first); the biller takes that back and applies $100.00 by hand.
    for (const a of json(await t.request('GET', `/api/v1/payments/${ctx.paid.id}/applications`), 200).items) {
      json(await t.request('DELETE', `/api/v1/applications/${a.id}`), 200);
    }
    json(await t.request('POST', `/api/v1/payments/${ctx.paid.id}/applications`, { body: { treatmentId: ctx.visit.id, amountCents: 10000 } }), 201);
    ctx.credit = json(await t.request('POST', `/api/v1/patients/${ctx.zoe.id}/credits`, { body: { amountCents: 700, reference: '+CR-1', description: 'Goodwill, "one time"\nsecond line' } }), 201);

    ctx.pending = await makePayment(t, ctx.mary.id, { amountCents: 999, dueDate: '2026-06-30', memo: '@SUM(A1)' });
    ctx.minus = await makePayment(t, ctx.mary.id, { amountCents: 5, memo: '-2+3' });
    ctx.tab = await makePayment(t, ctx.mary.id, { amountCents: 101, memo: "+cmd|' /C calc'!A0" });

    // Over-applied: $50.00 paid and applied at once in full to Mary's visit, then $20.00 refunded.
    await makeTreatment(t, ctx.mary.id, location.id, { serviceDate: '2026-02-01', lines: [{ cpt: '99213', chargeCents: 5000 }] });
    ctx.over = await makePayment(t, ctx.mary.id, { amountCents: 5000, method: 'cash', status: 'paid', paidDate: '2026-02-01' });
    json(await t.request('POST', `/api/v1/payments/${ctx.over.id}/refunds`, { body: { amountCents: 2000, reason: 'billing_error' } }), 201);

    // An insured visit paid by an 835 ($100.00, $15.00 to the patient): its $40.00 copay leaves $25.00 unapplied,
    // which the refund review turns into a refund-owed task.
    ctx.ivan = await makePatient(t, t.admin, { firstName: 'Ivan', lastName: 'Insured' });
    json(await t.request('PUT', `/api/v1/patients/${ctx.ivan.id}/coverages`, { body: [{ payerName: 'ACME HEALTH', payerId: '11111', memberId: 'M-1', order: 1 }] }), 200);
    const insured = await makeTreatment(t, ctx.ivan.id, location.id, { serviceDate: '2026-03-05', lines: [{ cpt: '99213', chargeCents: 15000 }] });
    await makePayment(t, ctx.ivan.id, { amountCents: 4000, method: 'cash', status: 'paid', paidDate: '2026-03-05', treatmentId: insured.id, type: 'office_visit' });
    const claim = json(await t.request('POST', `/api/v1/treatments/${insured.id}/claims`, { as: t.biller }), 201);
    const era = build835([
      {
        payerName: 'ACME HEALTH',
        payerId: '11111',
        traceNumber: 'EXP-0001',
        paymentDate: '2026-03-20',
        claims: [
          {
            controlNumber: claim.controlNumber,
            status: '1',
            chargeCents: 15000,
            paidCents: 10000,
            patientResponsibilityCents: 1500,
            adjustments: [
              { group: 'CO', reason: '45', amountCents: 3500 },
              { group: 'PR', reason: '2', amountCents: 1500 },
            ],
          },
        ],
      },
    ]);
    const imported = await t.request('POST', '/api/v1/remittances', { as: t.biller, body: era, headers: { 'content-type': 'text/plain' } });
    expect(imported.statusCode, imported.body).toBeLessThan(300);
    ctx.remittance = JSON.parse(imported.body);
    expect(json(await t.request('POST', '/api/v1/jobs/refund-review', { as: t.biller, body: { asOf: '2026-12-31' } }), 200).tasksCreated).toBe(1);

    // Practice B: same names, other amounts; none of it may show in A's files.
    const stranger = await makePatient(t, t.otherAdmin, { firstName: 'Zoe', lastName: 'Stranger' });
    const theirLocation = await makeLocation(t, t.otherAdmin, 'Elsewhere');
    await makeTreatment(t, stranger.id, theirLocation.id, {}, t.otherAdmin);
    await makePayment(t, stranger.id, { amountCents: 88888, status: 'paid', method: 'cash' }, t.otherAdmin);
    json(await t.request('POST', `/api/v1/patients/${stranger.id}/credits`, { as: t.otherAdmin, body: { amountCents: 7777 } }), 201);
    await t.expectLedgerBalances();
  });

  it('payments: dollars to the cent, YYYY-MM-DD dates, RFC 4180 quoting, formulas escaped, filters applied', async () => {
    const text = await csv('/payments/export.csv?sort=amount&order=asc');
    expect(text.split('\r\n')[0]).toBe('number,status,patient,location,amount,refunded,applied,unapplied,type,method,checkNumber,dueDate,paidDate,createdDate,memo');
    const rows = records(text);
    const byNumber = Object.fromEntries(rows.map((r) => [r.number, r]));
    expect(byNumber[ctx.paid.number]).toMatchObject({
      status: 'paid',
      patient: 'Zoe Adams',
      amount: '123.45',
      refunded: '0.00',
      applied: '100.00',
      unapplied: '23.45',
      paidDate: '2026-03-02',
      createdDate: today,
      // Escaped with a leading quote, and quoted (it holds quotes and a comma).
      memo: `'=HYPERLINK("http://evil.example","click")`,
    });
    expect(text).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
    expect(byNumber[ctx.pending.number]).toMatchObject({ amount: '9.99', dueDate: '2026-06-30', memo: "'@SUM(A1)", patient: 'Mary O"Neil, Jr' });
    expect(text).toContain('"Mary O""Neil, Jr"');
    expect(byNumber[ctx.minus.number]).toMatchObject({ amount: '0.05', memo: "'-2+3" });
    expect(byNumber[ctx.tab.number]).toMatchObject({ amount: '1.01', memo: "'+cmd|' /C calc'!A0" });
    expect(byNumber[ctx.over.number]).toMatchObject({ amount: '50.00', refunded: '20.00', status: 'partially_refunded' });
    expect(rows.map((r) => Number(r.amount!.replace('.', '')))).toEqual([...rows.map((r) => Number(r.amount!.replace('.', '')))].sort((a, b) => a - b));
    expect(text).not.toContain('888.88');
    expect(text).not.toContain('Stranger');

    const pendingOnly = records(await csv('/payments/export.csv?status=pending'));
    expect(pendingOnly.map((r) => r.number).sort()).toEqual([ctx.pending.number, ctx.minus.number, ctx.tab.number].sort());
    expect(records(await csv(`/payments/export.csv?search=adams`)).map((r) => r.number)).toEqual([ctx.paid.number]);
  });

  it('patients: with their balances, to the cent, and the search filter', async () => {
    const rows = records(await csv('/patients/export.csv'));
    expect(rows.map((r) => r.lastName)).toEqual(['Adams', 'Insured', 'O"Neil, Jr']);
    const zoe = rows.find((r) => r.lastName === 'Adams')!;
    // $150.00 + $80.01 of visits less $100.00 applied; $23.45 unapplied; $7.00 credit.
    expect(zoe).toMatchObject({ firstName: 'Zoe', dateOfBirth: '1980-04-12', patientResponsibility: '130.01', unapplied: '23.45', credit: '7.00', createdDate: today });
    const detail = json(await t.request('GET', `/api/v1/patients/${ctx.zoe.id}`), 200);
    expect(detail.balance).toEqual({ patientResponsibilityCents: 13001, unappliedCents: 2345, creditCents: 700 });
    expect(rows.find((r) => r.lastName === 'Insured')).toMatchObject({ patientResponsibility: '0.00', unapplied: '25.00', credit: '0.00' });
    expect(records(await csv('/patients/export.csv?search=mary')).map((r) => r.firstName)).toEqual(['Mary']);
    expect(JSON.stringify(rows)).not.toContain('Stranger');
  });

  it('treatments: charges and balances to the cent, filtered by patient and service dates', async () => {
    const all = records(await csv('/treatments/export.csv'));
    expect(all).toHaveLength(4);
    expect(all.map((r) => r.serviceDate)).toEqual(['2026-03-05', '2026-03-02', '2026-02-01', '2025-11-20']);
    expect(all[1]).toMatchObject({ patient: 'Zoe Adams', location: 'North, Main St', charge: '150.00', patientResponsibility: '150.00', applied: '100.00', balance: '50.00', insuranceStatus: 'self_pay' });
    const zoe = records(await csv(`/treatments/export.csv?patientId=${ctx.zoe.id}&from=2026-01-01`));
    expect(zoe.map((r) => [r.serviceDate, r.charge])).toEqual([['2026-03-02', '150.00']]);
    expect(records(await csv(`/treatments/export.csv?to=2025-12-31`)).map((r) => r.charge)).toEqual(['80.01']);
    const list = json(await t.request('GET', `/api/v1/treatments?patientId=${ctx.zoe.id}`), 200);
    expect(list.items.map((x: any) => x.balanceCents)).toEqual([5000, 8001]);
  });

  it('credits: amounts and remaining, quoting and escaping, filters', async () => {
    const rows = records(await csv('/credits/export.csv'));
    const zoe = rows.find((r) => r.patient === 'Zoe Adams')!;
    expect(zoe).toMatchObject({ source: 'manual', amount: '7.00', remaining: '7.00', reference: "'+CR-1", description: 'Goodwill, "one time"\nsecond line', createdDate: today });
    expect(rows.every((r) => r.amount !== '77.77')).toBe(true);
    expect(records(await csv(`/credits/export.csv?patientId=${ctx.mary.id}`))).toEqual([]);
    expect(records(await csv('/credits/export.csv?available=true&source=manual'))).toHaveLength(1);
  });

  it('tasks: the refund-owed task to the cent, filtered by status', async () => {
    const rows = records(await csv('/tasks/export.csv?type=refund_owed&status=open'));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ type: 'refund_owed', status: 'open', patient: 'Ivan Insured', amount: '25.00', createdDate: today, resolvedDate: '' });
    expect(rows[0]!.dueDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(records(await csv('/tasks/export.csv?status=completed'))).toEqual([]);
    expect(records(await csv('/tasks/export.csv', t.otherAdmin))).toEqual([]);
  });

  it('remittances: what each 835 paid, to the cent', async () => {
    const rows = records(await csv('/remittances/export.csv'));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ importedDate: today, payers: 'ACME HEALTH', traceNumbers: 'EXP-0001', paid: '100.00', claims: '1', posted: '1', exceptions: '0' });
    expect(records(await csv('/remittances/export.csv', t.otherAdmin))).toEqual([]);
  });

  it('over-applied payments: the amount over, to the cent', async () => {
    const rows = records(await csv('/reports/over-applied/export.csv'));
    expect(rows.map((r) => [r.number, r.amount, r.refunded, r.applied, r.overApplied])).toEqual([[ctx.over.number, '50.00', '20.00', '50.00', '20.00']]);
    expect(records(await csv('/reports/over-applied/export.csv', t.otherAdmin))).toEqual([]);
  });

  it('audit events: who changed what, filtered by record; admin and biller only; never another practice', async () => {
    const rows = records(await csv(`/audit-events/export.csv?entityType=payment&entityId=${ctx.over.id}`));
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.entityType === 'payment' && r.entityId === ctx.over.id)).toBe(true);
    const created = rows.find((r) => r.action === 'payment.created')!;
    expect(created).toMatchObject({ date: today, actorType: 'token' }); // the tests call the API with tokens
    expect(JSON.parse(created.after!)).toMatchObject({ amountCents: 5000 });
    expect(records(await csv(`/audit-events/export.csv?entityType=payment&entityId=${ctx.over.id}`, t.biller))).toHaveLength(rows.length);
    expect((await t.request('GET', '/api/v1/audit-events/export.csv', { as: t.frontDesk })).statusCode).toBe(403);
    expect(records(await csv(`/audit-events/export.csv?entityType=payment&entityId=${ctx.over.id}`, t.otherAdmin))).toEqual([]);
  });

  it('streams a list longer than one page in the list order', async () => {
    const patient = await makePatient(t, t.admin, { firstName: 'Many', lastName: 'Payments' });
    for (let i = 0; i < 510; i += 30) {
      await Promise.all(Array.from({ length: Math.min(30, 510 - i) }, (_, k) => makePayment(t, patient.id, { amountCents: 100 + i + k })));
    }
    const rows = records(await csv(`/payments/export.csv?patientId=${patient.id}&sort=amount&order=desc`));
    expect(rows).toHaveLength(510);
    expect(rows[0]!.amount).toBe('6.09');
    expect(rows[509]!.amount).toBe('1.00');
    expect(new Set(rows.map((r) => r.number)).size).toBe(510);
  }, 120_000);

  it('answers a bad filter with problem+json and refuses callers without the permission', async () => {
    const bad = await t.request('GET', '/api/v1/treatments/export.csv?from=2026-13-01');
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect((await t.request('GET', '/api/v1/patients/export.csv', { as: null })).statusCode).toBe(401);
  });

  // The same data feeds the webhooks: every event these flows wrote must match its documented payload.
  it('every outbox event written by these flows is in the webhook catalogue and matches its schema', async () => {
    const events = await t.database.handle.db.selectFrom('outboxEvents').select(['type', 'payload']).where('practiceId', '=', t.admin.actor.practiceId).execute();
    const types = new Set(events.map((e) => e.type));
    for (const type of ['payment.created', 'application.created', 'credit.created', 'refund.succeeded', 'claim.opened', 'remittance.posted', 'task.created']) {
      expect(types.has(type), type).toBe(true);
    }
    for (const event of events) {
      expect(webhookEventTypes, event.type).toContain(event.type);
      const schema = webhookEventCatalogue[event.type as keyof typeof webhookEventCatalogue].data;
      const parsed = schema.safeParse(JSON.parse(event.payload));
      expect(parsed.success, `${event.type}: ${parsed.error?.message}`).toBe(true);
    }
  });
});
