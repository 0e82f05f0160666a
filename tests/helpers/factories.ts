import type { Caller, TestApp } from './test-app.ts';
import { json } from './test-app.ts';

let counter = 0;

/** Builders that go through the API, as an integrator would. */
export async function makeLocation(t: TestApp, as?: Caller, name?: string) {
  return json(await t.request('POST', '/api/v1/locations', { body: { name: name ?? `Clinic ${++counter}` }, as: as ?? t.admin }), 201);
}

export async function makePatient(t: TestApp, as?: Caller, fields: Record<string, unknown> = {}) {
  counter++;
  return json(
    await t.request('POST', '/api/v1/patients', {
      as: as ?? t.admin,
      body: { firstName: 'Pat', lastName: `Tester${counter}`, dateOfBirth: '1980-04-12', ...fields },
    }),
    201,
  );
}

export async function makeTreatment(t: TestApp, patientId: string, locationId: string, fields: Record<string, unknown> = {}, as?: Caller) {
  return json(
    await t.request('POST', '/api/v1/treatments', {
      as: as ?? t.admin,
      body: { patientId, locationId, serviceDate: '2026-03-02', physician: 'Dr. Test', lines: [{ cpt: '99213', chargeCents: 15000 }], ...fields },
    }),
    201,
  );
}

export async function makePayment(t: TestApp, patientId: string, fields: Record<string, unknown> = {}, as?: Caller) {
  return json(await t.request('POST', '/api/v1/payments', { as: as ?? t.admin, body: { patientId, amountCents: 5000, ...fields } }), 201);
}

/** A self-pay visit (no coverage): its whole charge is patient responsibility at once. */
export async function makeSelfPayTreatment(t: TestApp, patientId: string, chargeCents: number, serviceDate = '2026-03-02') {
  const location = await makeLocation(t);
  return makeTreatment(t, patientId, location.id, { serviceDate, lines: [{ cpt: '99213', chargeCents }] });
}

/** A card payment charged through the sandbox processor with the given test card. */
export async function makeCardPayment(t: TestApp, patientId: string, amountCents: number, card = '4242424242424242', fields: Record<string, unknown> = {}) {
  const payment = await makePayment(t, patientId, { amountCents, method: 'card', ...fields });
  const charged = json(await t.request('POST', `/api/v1/payments/${payment.id}/charge`, { body: { source: card } }), 200);
  return charged;
}
