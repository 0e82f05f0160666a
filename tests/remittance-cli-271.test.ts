import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { build835 } from '../src/x12/build-835.ts';
import { makeLocation, makePatient } from './helpers/factories.ts';
import { json, useTestApp, type TestApp } from './helpers/test-app.ts';
import { dialects } from './helpers/test-database.ts';

/**
 * Issue 10 items 6 and 7: `ledger import-era` says per payment what happened
 * in dollars and exits non-zero when it could not read the file or posted
 * nothing for a reason; `ledger import-271 FILE --patient ID`; a 271 whose
 * repetition separator is its component separator (ISA11 = ISA16) keeps its
 * office-visit copay, and every benefit is stored and shown.
 */

// E1's 271 written with ":" in ISA11 and ISA16 alike: EB03 repeats with ":".
const sameSeparators271 = [
  'ISA*00*          *00*          *ZZ*PAYER          *ZZ*PRACTICE       *260301*1200*:*00501*000000001*0*P*:~',
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
  'EB*1*IND*30:98*PR*GOLD PPO~',
  'EB*B*IND*1:98:UC*PR**27*25.00*****Y~',
  'EB*A*IND*30*PR**27**.2****Y~',
  'EB*C*IND*30*PR**23*1500*****Y~',
  'EB*C*IND*30*PR**29*100*****Y~',
  'EB*G*IND*30*PR**29*1000.00*****Y~',
  'EB*B*IND*33*PR**27*40.00*****Y~',
  'EB*F*IND*33*PR**23***VS*20~',
  'SE*18*0001~',
  'GE*1*1~',
  'IEA*1*000000001~',
].join('\n');

function ledger(t: TestApp, args: string[]) {
  const env = { ...process.env, DATA_DIR: t.database.dataDir, DATABASE_URL: t.database.databaseUrl ?? '', DEMO_DATA: 'false' };
  return spawnSync(process.execPath, [path.resolve('bin/ledger.mjs'), ...args], { env, encoding: 'utf8', timeout: 90_000 });
}

describe.each(dialects)('271 separators, benefits and the CLI on %s', (dialect) => {
  const t = useTestApp(dialect);

  it('reads ISA11 = ISA16 right and shows every benefit, also those the figures do not use', async () => {
    const patient = await makePatient(t);
    const check = json(await t.request('POST', `/api/v1/eligibility-checks?patientId=${patient.id}`, { body: sameSeparators271, headers: { 'content-type': 'text/plain' }, as: t.frontDesk }), 201);
    expect(check).toMatchObject({ status: 'active', copayCents: 2500, coinsurancePercent: 20, deductibleRemainingCents: 10000, oopRemainingCents: 100000 });
    expect(check.benefits.map((b: any) => [b.code, b.serviceTypes.join(','), b.amountCents, b.quantity])).toEqual([
      ['1', '30,98', null, null],
      ['B', '1,98,UC', 2500, null],
      ['A', '30', null, null],
      ['C', '30', 150000, null],
      ['C', '30', 10000, null],
      ['G', '30', 100000, null],
      // Chiropractic: not used for an office-visit estimate, still stored and shown.
      ['B', '33', 4000, null],
      ['F', '33', null, '20'],
    ]);
    const listed = json(await t.request('GET', `/api/v1/patients/${patient.id}/eligibility-checks`, { as: t.frontDesk }), 200);
    expect((listed.items ?? listed)[0].benefits).toHaveLength(8);
  });

  it('ledger import-era: dollars per payment, exit 1 when nothing posted, 2 when the file cannot be read; ledger import-271', { timeout: 240_000 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'era-cli-'));
    try {
      const strangers = path.join(dir, 'strangers.835');
      fs.writeFileSync(strangers, build835([{ payerName: 'ACME HEALTH', payerId: '11111', traceNumber: 'CLI-X', paymentDate: '2026-07-15', claims: [{ controlNumber: 'UNKNOWN-7', status: '1', chargeCents: 12345, paidCents: 12345 }], plb: [{ reason: 'WO', amountCents: 45 }] }]));
      const nothing = ledger(t, ['import-era', strangers, '--practice', 'alpha']);
      expect(nothing.status, nothing.stderr).toBe(1);
      expect(nothing.stdout).toContain('payment CLI-X from ACME HEALTH: $123.00, provider adjustments $0.45, 1 claims (0 posted, 1 exceptions, 0 duplicates), posted');
      expect(nothing.stdout).toContain('exception UNKNOWN-7 (status 1, $123.45, segment');

      const utf16 = path.join(dir, 'utf16.835');
      fs.writeFileSync(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(fs.readFileSync(strangers, 'utf8'), 'utf16le')]));
      const unreadable = ledger(t, ['import-era', utf16, '--practice', 'alpha']);
      expect(unreadable.status).toBe(2);
      expect(unreadable.stderr).toContain('ledger: The file is UTF-16 text');
      const missing = ledger(t, ['import-era', path.join(dir, 'nope.835'), '--practice', 'alpha']);
      expect(missing.status).toBe(2);
      expect(missing.stderr).toContain('Cannot read');

      const patient = await makePatient(t);
      const file271 = path.join(dir, 'response.271');
      fs.writeFileSync(file271, sameSeparators271);
      const stored = ledger(t, ['import-271', file271, '--patient', patient.id]);
      expect(stored.status, stored.stderr).toBe(0);
      expect(stored.stdout).toContain('copay $25.00, coinsurance 20 %, deductible remaining $100.00, out-of-pocket remaining $1,000.00');
      const checks = await t.database.handle.db.selectFrom('eligibilityChecks').select(['copayCents', 'source']).where('patientId', '=', patient.id).execute();
      expect(checks.map((c) => [Number(c.copayCents), c.source])).toEqual([[2500, 'x12_271']]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
