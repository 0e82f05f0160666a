import { describe, expect, it } from 'vitest';
import { makeLocation, makePatient } from './helpers/factories.ts';
import { dialects } from './helpers/test-database.ts';
import { json, useTestApp } from './helpers/test-app.ts';

describe.each(dialects)('patients and visits on %s', (dialect) => {
  const t = useTestApp(dialect);

  it('creates a patient with coverages, edits them (audited), and the payments list follows a new name', async () => {
    const created = json(
      await t.request('POST', '/api/v1/patients', {
        as: t.frontDesk,
        body: { firstName: 'Ivy', lastName: 'Quill', dateOfBirth: '1975-11-03', accountId: 'IVY-1', email: 'ivy@example.com', phone: '555-0100' },
      }),
      201,
    );
    const coverages = json(
      await t.request('PUT', `/api/v1/patients/${created.id}/coverages`, {
        as: t.frontDesk,
        body: [
          { order: 1, payerName: 'Acme Health', payerId: 'ACME1', memberId: 'M-1', planName: 'Gold PPO' },
          { order: 2, payerName: 'Second Mutual', payerId: 'SEC2', memberId: 'M-2' },
        ],
      }),
      200,
    );
    expect(coverages.map((c: any) => [c.order, c.planName])).toEqual([
      [1, 'Gold PPO'],
      [2, null],
    ]);
    json(await t.request('POST', '/api/v1/payments', { body: { patientId: created.id, amountCents: 2500 } }), 201);

    const edited = json(
      await t.request('PATCH', `/api/v1/patients/${created.id}`, { as: t.frontDesk, body: { lastName: 'Quillon', dateOfBirth: '1975-11-04', email: null, phone: '555-0199' } }),
      200,
    );
    expect(edited).toMatchObject({ firstName: 'Ivy', lastName: 'Quillon', dateOfBirth: '1975-11-04', accountId: 'IVY-1', email: null, phone: '555-0199' });
    const detail = json(await t.request('GET', `/api/v1/patients/${created.id}`), 200);
    expect(detail).toMatchObject({ lastName: 'Quillon', coverages: [{ order: 1, payerName: 'Acme Health', memberId: 'M-1', planName: 'Gold PPO' }, { order: 2 }] });
    const payments = json(await t.request('GET', '/api/v1/payments?search=quillon'), 200);
    expect(payments.items.map((p: any) => p.patientId)).toEqual([created.id]);

    const audit = json(await t.request('GET', `/api/v1/audit-events?entityType=patient&entityId=${created.id}`), 200);
    const update = audit.items.find((e: any) => e.action === 'patient.updated');
    expect(update.before).toMatchObject({ lastName: 'Quill', email: 'ivy@example.com' });
    expect(update.after).toMatchObject({ lastName: 'Quillon', email: null });
  });

  it('refuses bad edits with problem+json and writes nothing; a taken account ID is 409; another practice is 404', async () => {
    const patient = await makePatient(t, t.admin, { accountId: 'KEEP-1' });
    await makePatient(t, t.admin, { accountId: 'TAKEN-1' });
    const db = t.database.handle.db;
    const snapshot = () => db.selectFrom('patients').selectAll().where('id', '=', patient.id).executeTakeFirstOrThrow();
    const auditCount = async () => (await db.selectFrom('auditEvents').select('id').where('entityId', '=', patient.id).execute()).length;
    const before = await snapshot();
    const audits = await auditCount();
    for (const body of [{ dateOfBirth: '2099-01-01' }, { dateOfBirth: '1980-02-30' }, { firstName: '' }, { email: 'nope' }, { accountId: 'has space' }, {}, { balance: 5 }]) {
      const response = await t.request('PATCH', `/api/v1/patients/${patient.id}`, { body });
      expect(response.headers['content-type'], JSON.stringify(body)).toMatch(/application\/problem\+json/);
      expect(json(response, 400).code).toBe('validation_failed');
    }
    expect(json(await t.request('PATCH', `/api/v1/patients/${patient.id}`, { body: { accountId: 'TAKEN-1' } }), 409).code).toBe('conflict');
    expect(json(await t.request('PATCH', `/api/v1/patients/${patient.id}`, { as: t.otherAdmin, body: { firstName: 'Hacked' } }), 404).code).toBe('not_found');
    expect(await snapshot()).toEqual(before);
    expect(await auditCount()).toBe(audits);
  });

  it('finds patients by date of birth typed as YYYY-MM-DD or MM/DD/YYYY, and still by name and account ID', async () => {
    const born = await makePatient(t, t.admin, { firstName: 'Dora', lastName: 'Birthday', dateOfBirth: '1961-07-04', accountId: 'DOB-7' });
    await makePatient(t, t.admin, { firstName: 'Other', lastName: 'Birthday', dateOfBirth: '1961-07-05' });
    await makePatient(t, t.otherAdmin, { firstName: 'Elsewhere', lastName: 'Birthday', dateOfBirth: '1961-07-04' });
    const ids = async (search: string) => json(await t.request('GET', `/api/v1/patients?search=${encodeURIComponent(search)}`), 200).items.map((p: any) => p.id);
    expect(await ids('1961-07-04')).toEqual([born.id]);
    expect(await ids('07/04/1961')).toEqual([born.id]);
    expect(await ids('7/4/1961')).toEqual([born.id]);
    expect(await ids('02/30/1961')).toEqual([]);
    expect(await ids('dob-7')).toEqual([born.id]);
    expect((await ids('birthday')).length).toBe(2);
  });

  it('records a visit with CPT lines and bills the next payer; a front desk cannot bill; bad lines write nothing', async () => {
    const location = await makeLocation(t);
    const patient = await makePatient(t);
    json(await t.request('PUT', `/api/v1/patients/${patient.id}/coverages`, { body: [{ order: 1, payerName: 'Acme Health', payerId: 'ACME1', memberId: 'M-9' }] }), 200);
    const visit = json(
      await t.request('POST', '/api/v1/treatments', {
        as: t.frontDesk,
        body: { patientId: patient.id, locationId: location.id, serviceDate: '2026-03-10', physician: 'Dr. Lines', lines: [{ cpt: '99213', chargeCents: 12500 }, { cpt: '87880', chargeCents: 2575, units: 2 }] },
      }),
      201,
    );
    expect(visit.chargeCents).toBe(12500 + 2575 * 2);
    expect(json(await t.request('POST', `/api/v1/treatments/${visit.id}/claims`, { as: t.frontDesk }), 403).code).toBe('forbidden');
    const claim = json(await t.request('POST', `/api/v1/treatments/${visit.id}/claims`, { as: t.biller }), 201);
    expect(claim).toMatchObject({ payerName: 'Acme Health', payerId: 'ACME1' });

    const db = t.database.handle.db;
    const count = async () => (await db.selectFrom('treatments').select('id').where('patientId', '=', patient.id).execute()).length;
    const before = await count();
    const bad = await t.request('POST', '/api/v1/treatments', {
      body: { patientId: patient.id, locationId: location.id, serviceDate: '2026-03-10', physician: 'Dr. Lines', lines: [{ cpt: '9921', chargeCents: 12.5 }] },
    });
    expect(json(bad, 400).code).toBe('validation_failed');
    expect(await count()).toBe(before);
    await t.expectLedgerBalances();
  });

  it('marks a payment Paid by check with its number and date; the applications name the visit', async () => {
    const location = await makeLocation(t);
    const patient = await makePatient(t);
    const visit = json(
      await t.request('POST', '/api/v1/treatments', { body: { patientId: patient.id, locationId: location.id, serviceDate: '2026-02-14', physician: 'Dr. Named', lines: [{ cpt: '99213', chargeCents: 8000 }] } }),
      201,
    );
    const payment = json(await t.request('POST', '/api/v1/payments', { body: { patientId: patient.id, amountCents: 3000 } }), 201);
    const paid = json(
      await t.request('POST', `/api/v1/payments/${payment.id}/status`, { as: t.frontDesk, body: { status: 'paid', method: 'check', checkNumber: '1042', paidDate: '2026-02-15' } }),
      200,
    );
    expect(paid).toMatchObject({ status: 'paid', method: 'check', checkNumber: '1042', paidDate: '2026-02-15' });
    // A desk payment is applied to the open visit when it becomes Paid.
    const applications = json(await t.request('GET', `/api/v1/payments/${payment.id}/applications`), 200);
    expect(applications.items).toMatchObject([{ amountCents: 3000, treatment: { serviceDate: '2026-02-14', physician: 'Dr. Named' } }]);
    await t.expectLedgerBalances();
  });
});
