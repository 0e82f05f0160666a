import { createReadStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { read835, read835Text } from './read-835.ts';
import type { Read835Result } from './remittance-835.ts';

// Real files from public projects, kept outside the repository (see their SOURCES.md).
const FIXTURES = process.env.X12_FIXTURES_DIR ?? path.resolve(process.cwd(), '../shared/fixtures/x12');
const present = existsSync(FIXTURES);
if (!present) console.warn(`X12 fixture tests skipped: ${FIXTURES} is absent`);

function read(name: string): Read835Result {
  return read835Text(readFileSync(path.join(FIXTURES, name), 'utf8'));
}

/** The figures a biller checks, summed over the file's transaction sets. */
function figures(result: Read835Result) {
  const sum = (pick: (t: Read835Result['transactions'][number]) => number): number =>
    result.transactions.reduce((total, t) => total + pick(t), 0);
  const statuses: Record<string, number> = {};
  for (const t of result.transactions) for (const c of t.claims) statuses[c.status] = (statuses[c.status] ?? 0) + 1;
  return {
    transactions: result.transactions.length,
    claims: sum((t) => t.claims.length),
    clp04Cents: sum((t) => t.claims.reduce((s, c) => s + c.paidCents, 0)),
    bpr02Cents: sum((t) => t.payment.amountCents),
    plbCents: sum((t) => t.totals.providerAdjustmentCents),
    statuses,
    balanced: result.transactions.map((t) => t.balance.balanced),
    errors: result.errors.map((e) => e.code),
  };
}

describe.skipIf(!present)('835 fixtures', () => {
  it('reads every 835 file in the folder without failing a set (except the 835 shells in mult_isa)', () => {
    const files = readdirSync(FIXTURES).filter((f) => !f.endsWith('.md') && !f.includes('271'));
    expect(files.length).toBeGreaterThanOrEqual(16);
    for (const name of files) {
      const result = read(name);
      if (name.includes('mult_isa')) continue;
      expect(result.errors, name).toEqual([]);
      expect(result.transactions.length, name).toBeGreaterThan(0);
    }
  });

  it.each([
    // file, transactions, claims, ΣCLP04, BPR02, ΣPLB, statuses
    ['LinuxForHealth__x12__managed-care.835', 1, 2, 945_00, 945_00, 0, { '1': 2 }],
    ['LinuxForHealth__x12__medicare-part-a.835', 1, 2, 149_998_73, 150_000_00, -1_27, { '1': 2 }],
    ['LinuxForHealth__x12__secondary-payment.835', 1, 2, 1_222_00, 1_222_00, 0, { '2': 2 }],
    ['LinuxForHealth__x12__tertiary-payment.835', 1, 1, 187_50, 187_50, 0, { '3': 1 }],
    ['LinuxForHealth__x12__cob-contractural-adjustment.835', 1, 1, 34_00, 34_00, 0, { '2': 1 }],
    ['tastypackets__x12-parser__835_profee.edi', 1, 3, 45_75, 45_75, 0, { '1': 1, '2': 2 }],
    ['tastypackets__x12-parser__835_profee-one-line.edi', 1, 3, 45_75, 45_75, 0, { '1': 1, '2': 2 }],
    ['tastypackets__x12-parser__835_multi-line-not-delimited.edi', 1, 3, 45_75, 45_75, 0, { '1': 1, '2': 2 }],
    ['tastypackets__x12-parser__835_profee-multiple.edi', 156, 468, 7_137_00, 7_137_00, 0, { '1': 156, '2': 312 }],
    ['tastypackets__x12-parser__835_oneLine-2-ISA.edi', 2, 4, 2_963_98, 2_963_98, 0, { '1': 2, '3': 2 }],
    ['tastypackets__x12-parser__835_errorISA.edi', 1, 2, 1_481_99, 1_481_99, 0, { '1': 1, '3': 1 }],
    ['azoner__pyx12__835_mult_loops.txt', 1, 1, 0, 0, 0, { '4': 1 }],
    ['azoner__pyx12__835_simple.txt', 1, 3, -510_25, 5_950_21, -977_94, { '1': 1, '22': 2 }],
    ['keironstoddart__edi-835-parser__blue_cross_nc_sample.txt', 1, 1, 1_922_86, 1_922_86, 0, { '1': 1 }],
    ['keironstoddart__edi-835-parser__united_healthcare_legacy_sample.txt', 1, 2, 349_99, 349_99, 0, { '1': 2 }],
  ] as const)('%s: %i sets, %i claims, ΣCLP04 %i, BPR02 %i, ΣPLB %i', (name, transactions, claims, clp04Cents, bpr02Cents, plbCents, statuses) => {
    const got = figures(read(name));
    expect(got).toMatchObject({ transactions, claims, clp04Cents, bpr02Cents, plbCents, statuses, errors: [] });
  });

  it('balances every file but the one whose totals are known not to (835_simple)', () => {
    for (const name of readdirSync(FIXTURES).filter((f) => !f.endsWith('.md') && !f.includes('271') && !f.includes('mult_isa'))) {
      const result = read(name);
      const balanced = result.transactions.every((t) => t.balance.balanced);
      expect(balanced, name).toBe(!name.includes('835_simple'));
    }
  });

  it('medicare-part-a: BPR02 = ΣCLP04 − ΣPLB with a negative PLB (CV:CP −1.27)', () => {
    const remittance = read('LinuxForHealth__x12__medicare-part-a.835').transactions[0]!;
    expect(remittance.balance).toEqual({
      balanced: true,
      paymentCents: 15_000_000,
      claimPaidCents: 14_999_873,
      providerAdjustmentCents: -127,
      expectedPaymentCents: 15_000_000,
      differenceCents: 0,
    });
    expect(remittance.providerAdjustments).toEqual([
      expect.objectContaining({ providerId: '6543210903', fiscalPeriodDate: '2002-12-31', reasonCode: 'CV', referenceId: 'CP', amountCents: -127 }),
    ]);
    // Institutional: adjustments at claim level, no service lines.
    expect(remittance.claims.map((c) => [c.patientControlNumber, c.serviceLines.length, c.adjustments.map((a) => `${a.group}-${a.reason} ${a.amountCents}`)])).toEqual([
      ['666123', 0, ['CO-45 7334857']],
      ['777777', 0, ['CO-45 301967']],
    ]);
    expect(remittance.claims[0]!.patient).toMatchObject({ lastName: 'JONES', firstName: 'SAM', idQualifier: 'HN', id: '666666666A' });
  });

  it('managed-care: payer, payee, claim and line CAS', () => {
    const remittance = read('LinuxForHealth__x12__managed-care.835').transactions[0]!;
    expect(remittance).toMatchObject({
      controlNumber: '112233',
      version: '005010X221A1',
      trace: { traceNumber: '7170066655', payerId: '1935665544' },
      productionDate: '2002-03-14',
      payer: { name: 'RUSHMORE LIFE', id: null },
      payee: { name: 'ACME MEDICAL CENTER', npi: '5544667733', taxId: '777667755' },
      payment: { handlingCode: 'I', method: 'ACH', creditDebit: 'C', paymentDate: null },
    });
    // BPR16 "20002316" is no date: a warning, not a failure.
    expect(remittance.warnings.map((w) => [w.code, w.found])).toEqual([['invalid_date', '20002316']]);
    const [first, second] = remittance.claims;
    expect(first).toMatchObject({ patientControlNumber: '5554555444', chargeCents: 800_00, paidCents: 450_00, patientResponsibilityCents: 300_00, payerClaimControlNumber: '94060555410000' });
    expect(first!.adjustments.map((a) => [a.group, a.reason, a.amountCents])).toEqual([['CO', 'A2', 50_00]]);
    expect(first!.serviceLines[0]).toMatchObject({ procedure: { code: '99211' }, chargeCents: 800_00, paidCents: 500_00, serviceDateFrom: '2002-03-01', serviceDateTo: '2002-03-04' });
    expect(first!.serviceLines[0]!.adjustments.map((a) => [a.group, a.reason, a.amountCents])).toEqual([['PR', '1', 300_00]]);
    expect(second!.serviceLines[0]!.adjustments.map((a) => [a.group, a.reason, a.amountCents])).toEqual([['PR', '1', 600_00], ['CO', '45', 50_00]]);
  });

  it('secondary-payment: COB adjustments, and composites written with an undeclared ">"', () => {
    const remittance = read('LinuxForHealth__x12__secondary-payment.835').transactions[0]!;
    const [first, second] = remittance.claims;
    expect(first!.adjustments.map((a) => [a.group, a.reason, a.amountCents])).toEqual([['OA', '23', 9_411_64]]);
    expect(second!.serviceLines.map((l) => l.procedure)).toEqual([
      { qualifier: 'HC', code: '12345', modifiers: ['26'], description: null },
      { qualifier: 'HC', code: '66543', modifiers: ['26'], description: null },
    ]);
    expect(second!.serviceLines[1]!.adjustments.map((a) => [a.group, a.reason, a.amountCents])).toEqual([['PR', '1', 150_00], ['PR', '2', 70_00], ['CO', '42', 85_00]]);
    expect(remittance.warnings.map((w) => w.code)).toEqual(['invalid_element', 'invalid_element']);
  });

  it('835_simple (4010): reversals with negative amounts, CAS CR, PLB, unbalanced', () => {
    const result = read('azoner__pyx12__835_simple.txt');
    const remittance = result.transactions[0]!;
    expect(remittance.version).toBe('004010X091A1');
    expect(remittance.claims.map((c) => [c.patientControlNumber, c.status, c.chargeCents, c.paidCents])).toEqual([
      ['123839-24635', '22', -310_00, -210_00],
      ['123839-24635', '1', 300_00, 200_00],
      ['134158-27488', '22', -500_25, -500_25],
    ]);
    expect(remittance.claims[0]!.serviceLines[0]!.adjustments).toEqual([expect.objectContaining({ group: 'CR', reason: '45', amountCents: -100_00 })]);
    expect(remittance.claims[2]!.serviceLines[0]!.procedure).toEqual({ qualifier: 'HC', code: 'T1017', modifiers: ['TG'], description: null });
    expect(remittance.providerAdjustments.map((p) => [p.reasonCode, p.amountCents])).toEqual([['CS', -1_008_10], ['CS', 24_21], ['CS', 5_95]]);
    expect(remittance.balance).toEqual({
      balanced: false,
      paymentCents: 5_950_21,
      claimPaidCents: -510_25,
      providerAdjustmentCents: -977_94,
      expectedPaymentCents: 467_69,
      differenceCents: 5_482_52,
    });
    expect(remittance.warnings.map((w) => w.code)).toEqual(['unbalanced']);
  });

  it('835_mult_loops: a notification-only BPR*H and a denied claim', () => {
    const remittance = read('azoner__pyx12__835_mult_loops.txt').transactions[0]!;
    expect(remittance.payment).toMatchObject({ handlingCode: 'H', amountCents: 0, method: 'NON' });
    const claim = remittance.claims[0]!;
    expect(claim).toMatchObject({ status: '4', chargeCents: 915_39, paidCents: 0 });
    expect(claim.serviceLines.flatMap((l) => l.adjustments.map((a) => `${a.group}-${a.reason} ${a.amountCents}`))).toEqual(['CO-16 50004', 'OA-A7 12780', 'OA-A7 28755']);
  });

  it('mult_isa: skips the 278 and 837 sets and fails the empty 835 shells alone', () => {
    const result = read('azoner__pyx12__mult_isa.txt');
    expect(result.transactions).toEqual([]);
    expect(result.skipped.map((s) => s.transactionSetId)).toEqual(['278', '278', '278', '837', '278', '278', '278', '837']);
    expect(result.errors.map((e) => [e.code, e.expected, e.found, e.segmentNumber])).toEqual([
      ['unexpected_segment', 'BPR', 'SE', 20],
      ['unexpected_segment', 'BPR', 'SE', 24],
      ['unexpected_segment', 'BPR', 'SE', 28],
      ['unexpected_segment', 'BPR', 'SE', 50],
    ]);
    expect(result.warnings).toEqual([]);
  });

  it('errorISA: IEA02 ≠ ISA13 is a warning; the payment is still read', () => {
    const result = read('tastypackets__x12-parser__835_errorISA.edi');
    expect(result.warnings).toEqual([
      expect.objectContaining({ code: 'control_number_mismatch', expected: '106000600', found: '006000600', segmentNumber: 35 }),
    ]);
    expect(result.transactions).toHaveLength(1);
  });

  it('blue_cross_nc: no envelope, and an SVC without amounts', () => {
    const result = read('keironstoddart__edi-835-parser__blue_cross_nc_sample.txt');
    expect(result.warnings.map((w) => w.code)).toEqual(['missing_envelope', 'count_mismatch']);
    const remittance = result.transactions[0]!;
    expect(remittance.version).toBeNull();
    const lines = remittance.claims[0]!.serviceLines;
    expect(lines.map((l) => [l.procedure.code, l.chargeCents, l.paidCents])).toEqual([
      ['59430', 1_210_00, 1_057_86],
      ['59440', 890_00, 865_00],
      ['59426', 0, 0],
    ]);
    expect(remittance.warnings.map((w) => [w.code, w.expected])).toEqual([['missing_element', 'SVC02'], ['missing_element', 'SVC03']]);
  });

  it('united_healthcare_legacy: ">" as component separator, payer id in N1', () => {
    const remittance = read('keironstoddart__edi-835-parser__united_healthcare_legacy_sample.txt').transactions[0]!;
    expect(remittance.payer).toEqual({ name: 'UNITED HEALTHCARE INSURANCE COMPANY', id: '87726', idQualifier: 'XV' });
    expect(remittance.claims[1]!.serviceLines.map((l) => l.procedure.code)).toEqual(['B4154', 'B4034', 'B4154']);
    expect(remittance.claims[1]!.serviceLines[2]!.adjustments.map((a) => [a.group, a.reason, a.amountCents, a.quantity])).toEqual([
      ['PR', '2', 5_13, null],
      ['PR', '1', 110_00, null],
      ['CO', '45', 184_32, null],
    ]);
    expect(remittance.warnings).toEqual([]);
  });

  it('profee: 3 claims, 10 service lines, corrected names', () => {
    const remittance = read('tastypackets__x12-parser__835_profee.edi').transactions[0]!;
    expect(remittance.claims.flatMap((c) => c.serviceLines)).toHaveLength(10);
    expect(remittance.claims[0]!.correctedPatient).toMatchObject({ lastName: 'CORRECTED LAST', firstName: 'CORRECTED FIRST' });
    expect(remittance.claims[0]!.serviceLines[0]!.procedure).toEqual({ qualifier: 'HC', code: 'V2020', modifiers: ['RB'], description: null });
  });

  it('streams the 280 KB multi-interchange file from disk to the same result', async () => {
    const name = 'tastypackets__x12-parser__835_profee-multiple.edi';
    const streamed = await read835(createReadStream(path.join(FIXTURES, name), { highWaterMark: 1024 }));
    expect(figures(streamed)).toEqual(figures(read(name)));
  });
});
