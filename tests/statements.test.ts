import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { build835 } from '../src/x12/build-835.ts';
import { makeLocation, makePatient, makePayment, makeTreatment } from './helpers/factories.ts';
import { pdfPageCount, pdfText } from './helpers/pdf-text.ts';
import { dialects } from './helpers/test-database.ts';
import { json, useTestApp, type TestApp } from './helpers/test-app.ts';

const root = path.resolve(import.meta.dirname, '..');
const A = { payerName: 'ACME HEALTH', payerId: '11111' };
let clinics = 0;

/**
 * A patient with an insured visit settled by an 835 (insurance paid $80.00,
 * contractual $30.00, patient share $40.00), a self-pay visit of $100.00 of
 * which $25.00 was paid, and a $10.00 credit: $115.00 due.
 */
async function patientWithHistory(t: TestApp) {
  const patient = await makePatient(t, undefined, { firstName: 'Rosa', lastName: `Statement${Date.now() % 100000}` });
  const location = await makeLocation(t, undefined, `Main Street Clinic ${++clinics}`);
  const selfPay = await makeTreatment(t, patient.id, location.id, { serviceDate: '2026-01-10', physician: 'Dr. Osei', lines: [{ cpt: '99213', chargeCents: 10000 }] });
  await makePayment(t, patient.id, { amountCents: 2500, method: 'cash', status: 'paid', paidDate: '2026-01-10', treatmentId: selfPay.id });
  json(await t.request('PUT', `/api/v1/patients/${patient.id}/coverages`, { body: [{ ...A, memberId: `M${patient.id.slice(-6)}`, order: 1 }] }), 200);
  const insured = await makeTreatment(t, patient.id, location.id, {
    serviceDate: '2026-03-02',
    physician: 'Dr. Osei',
    lines: [
      { cpt: '99213', chargeCents: 12000 },
      { cpt: '36415', chargeCents: 3000 },
    ],
  });
  const claim = json(await t.request('POST', `/api/v1/treatments/${insured.id}/claims`, { as: t.biller }), 201);
  const era = build835([
    {
      ...A,
      traceNumber: `EFT-${claim.controlNumber}`,
      paymentDate: '2026-03-20',
      claims: [
        {
          controlNumber: claim.controlNumber,
          status: '1',
          chargeCents: 15000,
          paidCents: 8000,
          patientResponsibilityCents: 4000,
          adjustments: [
            { group: 'CO', reason: '45', amountCents: 3000 },
            { group: 'PR', reason: '2', amountCents: 4000 },
          ],
        },
      ],
    },
  ]);
  json(await t.request('POST', '/api/v1/remittances', { as: t.biller, body: era, headers: { 'content-type': 'text/plain' } }), 201);
  json(await t.request('POST', `/api/v1/patients/${patient.id}/credits`, { as: t.biller, body: { amountCents: 1000, description: 'Courtesy' } }), 201);
  return patient;
}

describe.each(dialects)('patient statements on %s', (dialect) => {
  const t = useTestApp(dialect);

  it('GET /patients/:id/statement.pdf is a real PDF with the practice, account, visits, insurance, payments, credit, balance and how to pay', async () => {
    const patient = await patientWithHistory(t);
    const response = await t.request('GET', `/api/v1/patients/${patient.id}/statement.pdf`, { as: t.frontDesk });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/pdf');
    expect(response.headers['content-disposition']).toMatch(new RegExp(`attachment; filename="statement-${patient.accountId}-\\d{4}-\\d{2}-\\d{2}\\.pdf"`));
    const pdf = response.rawPayload;
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.subarray(-6).toString('latin1')).toMatch(/%%EOF/);
    expect(pdfPageCount(pdf)).toBeGreaterThanOrEqual(1);

    const text = pdfText(pdf);
    for (const expected of [
      'Alpha Clinic',
      'Patient statement',
      patient.accountId,
      `Rosa ${patient.lastName}`,
      '01/10/2026',
      '03/02/2026',
      'Dr. Osei, Main Street Clinic',
      'CPT 99213',
      'CPT 36415',
      '$150.00', // the insured visit's charges
      '$80.00', // insurance paid
      '$30.00', // contractual adjustment
      '$40.00', // the patient's share of it
      '$100.00', // the self-pay visit
      '$25.00', // paid on it
      '$75.00', // left on it
      '$250.00', // all charges
      '$10.00', // the credit
      '$115.00', // balance due
      'Balance due',
      'http://ledger.test/pay?practice=alpha',
    ]) {
      expect(text, `the statement shows ${expected}`).toContain(expected);
    }
    // Payments by number and method.
    expect(text).toMatch(/PAY-\d{3,}/);
    expect(text).toContain('Cash');
  });

  it('answers 404 for a patient of another practice', async () => {
    const patient = await makePatient(t);
    expect(json(await t.request('GET', `/api/v1/patients/${patient.id}/statement.pdf`, { as: t.otherAdmin }), 404).code).toBe('not_found');
  });

  it('`ledger statements` writes one PDF per patient with a balance', async () => {
    const owing = await patientWithHistory(t);
    await makePatient(t); // nothing owed: no statement
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'statements-'));
    try {
      const env = { ...process.env, DATA_DIR: t.database.dataDir, DATABASE_URL: t.database.databaseUrl ?? '', DEMO_DATA: 'false', PUBLIC_URL: 'https://pay.example.org' };
      const result = spawnSync(process.execPath, [path.join(root, 'bin', 'ledger.mjs'), 'statements', '--practice', 'alpha', '--out', out], { env, encoding: 'utf8', cwd: root, timeout: 120_000 });
      expect(result.status, result.stderr).toBe(0);
      const files = fs.readdirSync(out).sort();
      const owingPatients = await t.database.handle.db
        .selectFrom('treatments')
        .innerJoin('patients', 'patients.id', 'treatments.patientId')
        .select('patients.accountId')
        .where('treatments.practiceId', '=', t.admin.actor.practiceId)
        .groupBy('patients.accountId')
        .having((eb) => eb(eb.fn.sum('treatments.patientResponsibilityCents'), '>', eb.fn.sum('treatments.appliedCents')))
        .execute();
      expect(files).toHaveLength(owingPatients.length);
      expect(result.stdout).toContain(`Wrote ${owingPatients.length} statement(s)`);
      const mine = files.find((f) => f.includes(owing.accountId));
      expect(mine).toBeDefined();
      const text = pdfText(fs.readFileSync(path.join(out, mine!)));
      expect(text).toContain('$115.00');
      expect(text).toContain('https://pay.example.org/pay?practice=alpha');
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
