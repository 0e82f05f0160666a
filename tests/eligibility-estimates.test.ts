import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeLocation, makePatient, makeTreatment } from './helpers/factories.ts';
import { dialects } from './helpers/test-database.ts';
import { json, useTestApp, type TestApp } from './helpers/test-app.ts';

const fixtures = process.env.X12_FIXTURES_DIR ?? path.resolve(process.cwd(), '../shared/fixtures/x12');
const fixture = (name: string) => path.join(fixtures, name);
const haveFixture = (name: string) => fs.existsSync(fixture(name));
if (!fs.existsSync(fixtures)) console.warn(`271 fixture tests skipped: ${fixtures} is absent`);

/** SPEC E1 as a payer would send it: copay $25.00 (office visit), 20 %, deductible remaining $100.00, out-of-pocket remaining $1,000.00. */
const e1271 = [
  'ISA*00*          *00*          *ZZ*PAYER          *ZZ*PRACTICE       *260301*1200*^*00501*000000001*0*P*:~',
  'GS*HB*PAYER*PRACTICE*20260301*1200*1*X*005010X279A1~',
  'ST*271*0001*005010X279A1~',
  'BHT*0022*11*REQ-1*20260301*1200~',
  'HL*1**20*1~',
  'NM1*PR*2*ACME HEALTH PLAN*****PI*60054~',
  'HL*2*1*21*1~',
  'NM1*1P*2*RIVERSIDE FAMILY PRACTICE*****XX*1234567893~',
  'HL*3*2*22*0~',
  'TRN*2*TRACE-1*9PRACTICE~',
  'NM1*IL*1*DOE*JANE****MI*M123~',
  'DMG*D8*19800412*F~',
  'EB*1*IND*30^98*PR*GOLD PPO~',
  'EB*B*IND*98*PR**27*25.00*****Y~',
  'EB*A*IND*30*PR**27**.2****Y~',
  'EB*C*IND*30*PR**23*1500*****Y~',
  'EB*C*IND*30*PR**29*100*****Y~',
  'EB*G*IND*30*PR**23*5000*****Y~',
  'EB*G*IND*30*PR**29*1000.00*****Y~',
  'SE*18*0001~',
  'GE*1*1~',
  'IEA*1*000000001~',
].join('\n');

const e1Lines = [
  { cpt: '29881', chargeCents: 15000 },
  { cpt: '20610', chargeCents: 8000 },
];

describe.each(dialects)('eligibility checks and the payment estimate on %s', (dialect) => {
  const t = useTestApp(dialect);

  async function e1Treatment(t: TestApp) {
    const patient = await makePatient(t);
    const location = await makeLocation(t);
    const treatment = await makeTreatment(t, patient.id, location.id, { lines: e1Lines });
    return { patient, treatment };
  }
  const check = (body: Record<string, unknown>) => t.request('POST', '/api/v1/eligibility-checks', { body, as: t.frontDesk });
  const import271 = (patientId: string, text: string, query = '') =>
    t.request('POST', `/api/v1/eligibility-checks?patientId=${patientId}${query}`, { body: text, headers: { 'content-type': 'text/plain' }, as: t.frontDesk });
  const estimateOf = (patientId: string, treatmentId: string, type?: string) =>
    t.request('GET', `/api/v1/estimates?patientId=${patientId}&treatmentId=${treatmentId}${type ? `&type=${type}` : ''}`, { as: t.frontDesk });

  it('E1 through the API: $110.00 + $16.00 = $126.00, then capped at $120.00 by the out-of-pocket remaining', async () => {
    const { patient, treatment } = await e1Treatment(t);
    const first = json(
      await check({ patientId: patient.id, copayCents: 2500, coinsurancePercent: 20, deductibleRemainingCents: 10000, oopRemainingCents: 100000 }),
      201,
    );
    expect(first).toMatchObject({ source: 'manual', status: 'active', copayCents: 2500, coinsurancePercent: 20, coinsuranceBasisPoints: 2000, deductibleRemainingCents: 10000, oopRemainingCents: 100000, rejections: [] });

    const estimate = json(await estimateOf(patient.id, treatment.id, 'treatment_prepayment'), 200);
    expect(estimate.lines.map((l: any) => [l.cpt, l.chargeCents, l.copayCents, l.deductibleCents, l.coinsuranceCents, l.patientCents])).toEqual([
      ['29881', 15000, 0, 10000, 1000, 11000],
      ['20610', 8000, 0, 0, 1600, 1600],
    ]);
    expect(estimate).toMatchObject({ subtotalCents: 12600, totalCents: 12600, cappedByOop: false, basis: 'charges', eligibilityCheckId: first.id, deductibleRemainingAfterCents: 0 });
    expect(estimate.basisNote).toMatch(/charges, not payer fee schedules/);
    // Without a type the estimate is for a pre-payment, as E1.
    expect(json(await estimateOf(patient.id, treatment.id), 200).totalCents).toBe(12600);

    const capped = json(
      await check({ patientId: patient.id, copayCents: 2500, coinsurancePercent: 20, deductibleRemainingCents: 10000, oopRemainingCents: 12000 }),
      201,
    );
    const second = json(await estimateOf(patient.id, treatment.id, 'treatment_prepayment'), 200);
    expect(second).toMatchObject({ subtotalCents: 12600, totalCents: 12000, cappedByOop: true, eligibilityCheckId: capped.id });
    // The breakdown still adds up to the subtotal; the cap is said in words.
    expect(second.lines.map((l: any) => l.patientCents)).toEqual([11000, 1600]);
    expect(second.notes.join(' ')).toMatch(/\$120\.00/);

    // An office visit takes the plan copay on its first line instead.
    const visit = json(await estimateOf(patient.id, treatment.id, 'office_visit'), 200);
    expect(visit.lines.map((l: any) => [l.copayCents, l.deductibleCents, l.coinsuranceCents])).toEqual([
      [2500, 0, 0],
      [0, 8000, 0],
    ]);
    expect(visit.totalCents).toBe(10500);
  });

  it('E1 from an X12 271 body gives the same estimate to the cent', async () => {
    const { patient, treatment } = await e1Treatment(t);
    const imported = json(await import271(patient.id, e1271), 201);
    expect(imported).toMatchObject({
      source: 'x12_271',
      status: 'active',
      payerName: 'ACME HEALTH PLAN',
      payerId: '60054',
      memberId: 'M123',
      serviceType: '98',
      copayCents: 2500,
      coinsuranceBasisPoints: 2000,
      deductibleRemainingCents: 10000,
      deductibleTotalCents: 150000,
      oopRemainingCents: 100000,
      oopTotalCents: 500000,
      rejections: [],
      warnings: [],
    });
    const estimate = json(await estimateOf(patient.id, treatment.id, 'treatment_prepayment'), 200);
    expect(estimate).toMatchObject({ totalCents: 12600, eligibilityCheckId: imported.id, notes: [] });
  });

  it('uses a payer fee schedule when there is one, and says so', async () => {
    const { patient, treatment } = await e1Treatment(t);
    json(await t.request('PUT', '/api/v1/fee-schedules/PAYER-FS', { as: t.biller, body: [{ cpt: '29881', allowedCents: 12000 }, { cpt: '99213', allowedCents: 9000 }] }), 200);
    expect(json(await t.request('GET', '/api/v1/fee-schedules/PAYER-FS'), 200).entries).toEqual([
      { cpt: '29881', allowedCents: 12000 },
      { cpt: '99213', allowedCents: 9000 },
    ]);
    // The front desk may not change contract terms.
    expect(json(await t.request('PUT', '/api/v1/fee-schedules/PAYER-FS', { as: t.frontDesk, body: [] }), 403).code).toBe('forbidden');
    // Another practice's fee schedule of the same payer id is its own.
    expect(json(await t.request('GET', '/api/v1/fee-schedules/PAYER-FS', { as: t.otherAdmin }), 200).entries).toEqual([]);

    json(await check({ patientId: patient.id, payerId: 'PAYER-FS', coinsurancePercent: '20', deductibleRemainingCents: 10000, oopRemainingCents: 100000 }), 201);
    const estimate = json(await estimateOf(patient.id, treatment.id, 'treatment_prepayment'), 200);
    expect(estimate.lines.map((l: any) => [l.basisSource, l.basisCents, l.deductibleCents, l.coinsuranceCents])).toEqual([
      ['fee_schedule', 12000, 10000, 400],
      ['charge', 8000, 0, 1600],
    ]);
    expect(estimate).toMatchObject({ basis: 'mixed', totalCents: 12000 });
  });

  it('imports the 271 fixtures: benefits read for the office visit, the rejection stored as rejected and never estimated from', async ({ skip }) => {
    const names = ['LinuxForHealth__x12__subscriber-health-benefit-check.271', 'LinuxForHealth__x12__subscriber-health-benefit-check-error.271'];
    if (!names.every(haveFixture)) skip();
    const { patient, treatment } = await e1Treatment(t);
    // No check yet: a clear answer, not a guess.
    expect(json(await estimateOf(patient.id, treatment.id), 422).code).toBe('eligibility_missing');

    const ok = json(await import271(patient.id, fs.readFileSync(fixture(names[0]!), 'utf8')), 201);
    expect(ok).toMatchObject({ status: 'active', payerName: 'ABC COMPANY', payerId: '841610001', memberId: '123456789', copayCents: 1000, coinsuranceBasisPoints: null, rejections: [] });
    // The member's date of birth differs from the patient's: imported, with a warning to check it.
    expect(ok.warnings.join(' ')).toMatch(/1963-05-19/);

    const rejected = json(await import271(patient.id, fs.readFileSync(fixture(names[1]!), 'utf8')), 201);
    expect(rejected).toMatchObject({
      status: 'rejected',
      copayCents: null,
      rejections: [{ code: '50', description: 'Provider ineligible for inquiries', followUpAction: 'N', level: 'receiver' }],
    });

    const listed = json(await t.request('GET', `/api/v1/patients/${patient.id}/eligibility-checks`), 200);
    expect(listed.total).toBe(2);
    expect(listed.items.map((c: any) => [c.id, c.status])).toEqual([
      [rejected.id, 'rejected'],
      [ok.id, 'active'],
    ]);

    // The newest check was rejected: the estimate uses the one before, and says what it did not state.
    const estimate = json(await estimateOf(patient.id, treatment.id, 'office_visit'), 200);
    expect(estimate.eligibilityCheckId).toBe(ok.id);
    expect(estimate.lines[0]).toMatchObject({ copayCents: 1000, patientCents: 1000 });
    expect(estimate.notes.join(' ')).toMatch(/no coinsurance/);
    expect(estimate.eligibility.oopRemainingCents).toBeNull();
  });

  it('reads a dependent 271 for the dependent', async ({ skip }) => {
    const name = 'LinuxForHealth__x12__dependent-health-benefit-check.271';
    if (!haveFixture(name)) skip();
    const patient = await makePatient(t, undefined, { dateOfBirth: '1998-10-14', firstName: 'Mary' });
    const imported = json(await import271(patient.id, fs.readFileSync(fixture(name), 'utf8')), 201);
    expect(imported).toMatchObject({ status: 'active', copayCents: 1000, memberId: '123456789', warnings: [] });
  });

  it('refuses bad input clearly and keeps checks inside the practice', async () => {
    const { patient, treatment } = await e1Treatment(t);
    const bad = json(await check({ patientId: patient.id, coinsurancePercent: 12.345, deductibleRemainingCents: 0, oopRemainingCents: 0 }), 400);
    expect(bad.code).toBe('validation_failed');
    expect(json(await check({ patientId: patient.id, coinsurancePercent: 20, deductibleRemainingCents: 10.5, oopRemainingCents: 0 }), 400).code).toBe('validation_failed');
    expect(json(await import271(patient.id, 'this is not X12'), 400).code).toBe('validation_failed');
    expect(json(await t.request('POST', '/api/v1/eligibility-checks', { body: e1271, headers: { 'content-type': 'text/plain' } }), 400).code).toBe('validation_failed');

    json(await check({ patientId: patient.id, coinsurancePercent: 20, deductibleRemainingCents: 0, oopRemainingCents: 0 }), 201);
    // Another practice sees none of it.
    expect(json(await t.request('GET', `/api/v1/patients/${patient.id}/eligibility-checks`, { as: t.otherAdmin }), 404).code).toBe('not_found');
    expect(json(await t.request('GET', `/api/v1/estimates?patientId=${patient.id}&treatmentId=${treatment.id}`, { as: t.otherAdmin }), 404).code).toBe('not_found');
    expect(
      json(await t.request('POST', '/api/v1/eligibility-checks', { as: t.otherAdmin, body: { patientId: patient.id, coinsurancePercent: 20, deductibleRemainingCents: 0, oopRemainingCents: 0 } }), 404)
        .code,
    ).toBe('not_found');
    // A treatment of another patient is refused.
    const other = await makePatient(t);
    expect(json(await estimateOf(other.id, treatment.id), 400).code).toBe('validation_failed');
  });
});
