import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { describeClaimStatus } from '../domain/remittance/claim-status.ts';
import { X12Error } from './errors.ts';
import { read835, read835Text, stream835 } from './read-835.ts';
import type { Remittance835Event } from './remittance-835.ts';

const ISA_5010 = 'ISA*00*          *00*          *ZZ*PAYER          *ZZ*PRACTICE       *260301*1200*^*00501*000000042*0*P*:~';
const ISA_4010 = 'ISA*00*          *00*          *ZZ*PAYER          *ZZ*PRACTICE       *260301*1200*U*00401*000000042*0*P*:~';

interface Set {
  id?: string;
  control: string;
  segments: string[];
}

/** One interchange, one group, the given sets with correct SE counts. */
function file(sets: Set[], options: { version?: '5010' | '4010' } = {}): string {
  const v5010 = (options.version ?? '5010') === '5010';
  const out = [v5010 ? ISA_5010 : ISA_4010, `GS*HP*PAYER*PRACTICE*20260301*1200*7*X*${v5010 ? '005010X221A1' : '004010X091A1'}~`];
  for (const set of sets) {
    out.push(`ST*${set.id ?? '835'}*${set.control}${v5010 && (set.id ?? '835') === '835' ? '*005010X221A1' : ''}~`);
    for (const segment of set.segments) out.push(`${segment}~`);
    out.push(`SE*${set.segments.length + 2}*${set.control}~`);
  }
  out.push(`GE*${sets.length}*7~`, 'IEA*1*000000042~');
  return out.join('\n');
}

const HEADER = [
  'BPR*I*258.48*C*ACH*CCP*01*071000013*DA*218857199*1123456789**01*124384877*DA*1234567890*20260305',
  'TRN*1*EFT0001*1123456789*SUPP',
  'REF*EV*PRACTICE',
  'DTM*405*20260304',
  'N1*PR*ACME HEALTH PLAN',
  'N3*100 MAIN STREET',
  'N4*SPRINGFIELD*IL*62701',
  'REF*2U*60054',
  'N1*PE*RIVERSIDE FAMILY PRACTICE*XX*1234567893',
  'REF*TJ*123456789',
];

const CLAIM_A = [
  'LX*1',
  'CLP*TRT-0001*19*150.00*80*40*12*PAYER-CLM-1*11*1',
  'NM1*QC*1*DOE*JANE*Q***MI*M123',
  'NM1*IL*1*DOE*JOHN****MI*M100',
  'NM1*82*1*HOUSE*GREGORY****XX*1234567893',
  'DTM*232*20260302',
  'DTM*233*20260302',
  'DTM*050*20260303',
  'SVC*HC:99213:25:59*150*80**1*HC:99214',
  'DTM*472*20260302',
  'CAS*CO*45*30',
  'CAS*PR*1*25**2*10.00*1*3*5',
  'REF*6R*LINE-1',
  'AMT*B6*120',
];

const CLAIM_B = [
  'CLP*TRT-0002*22*-100*-60*-20*12*PAYER-CLM-0',
  'CAS*CO*45*-20',
  'CAS*PR*2*-20',
  'NM1*QC*1*ROE*RICHARD',
  'CLP*TRT-0002*1*100*259.48*0*12*PAYER-CLM-2',
  'CAS*CO*45*-159.48',
  'DTM*232*20260115',
];

const PLB = ['PLB*1234567893*20261231*WO:TRT-0009*25.00*L6*-4'];

describe('read835', () => {
  it('reads a transaction set into the typed model', () => {
    const text = file([{ control: '0001', segments: [...HEADER, ...CLAIM_A, ...CLAIM_B, ...PLB] }]);
    // file() writes one segment per line, so a segment's number is its line number.
    const lines = text.split('\n');
    const lineOf = (needle: string): number => lines.findIndex((line) => line.startsWith(needle)) + 1;
    const result = read835Text(text);
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(result.skipped).toEqual([]);
    expect(result.transactions).toHaveLength(1);
    const remittance = result.transactions[0]!;

    expect(remittance).toMatchObject({
      controlNumber: '0001',
      version: '005010X221A1',
      segmentNumber: 3,
      interchangeControlNumber: '000000042',
      groupControlNumber: '7',
      productionDate: '2026-03-04',
      payment: { handlingCode: 'I', amountCents: 25848, creditDebit: 'C', method: 'ACH', format: 'CCP', paymentDate: '2026-03-05', netCents: 25848 },
      trace: { type: '1', traceNumber: 'EFT0001', payerId: '1123456789', supplementalCode: 'SUPP' },
      payer: { name: 'ACME HEALTH PLAN', id: '60054', idQualifier: '2U' },
      payee: { name: 'RIVERSIDE FAMILY PRACTICE', idQualifier: 'XX', id: '1234567893', npi: '1234567893', taxId: '123456789' },
    });

    expect(remittance.claims).toHaveLength(3);
    const [a, reversal, corrected] = remittance.claims;
    expect(a).toMatchObject({
      segmentNumber: lineOf('CLP*TRT-0001'),
      patientControlNumber: 'TRT-0001',
      status: '19',
      chargeCents: 15000,
      paidCents: 8000,
      patientResponsibilityCents: 4000,
      filingIndicator: '12',
      payerClaimControlNumber: 'PAYER-CLM-1',
      facilityCode: '11',
      frequencyCode: '1',
      patient: { lastName: 'DOE', firstName: 'JANE', middleName: 'Q', idQualifier: 'MI', id: 'M123' },
      insured: { lastName: 'DOE', firstName: 'JOHN', id: 'M100' },
      renderingProvider: { lastName: 'HOUSE', idQualifier: 'XX' },
      correctedPatient: null,
      serviceDateFrom: '2026-03-02',
      serviceDateTo: '2026-03-02',
      receivedDate: '2026-03-03',
      adjustments: [],
    });
    expect(a!.serviceLines).toEqual([
      {
        segmentNumber: lineOf('SVC*'),
        procedure: { qualifier: 'HC', code: '99213', modifiers: ['25', '59'], description: null },
        chargeCents: 15000,
        paidCents: 8000,
        revenueCode: null,
        units: 1,
        originalProcedure: { qualifier: 'HC', code: '99214', modifiers: [], description: null },
        originalUnits: null,
        serviceDateFrom: '2026-03-02',
        serviceDateTo: '2026-03-02',
        controlNumber: 'LINE-1',
        adjustments: [
          { group: 'CO', reason: '45', amountCents: 3000, quantity: null, segmentNumber: lineOf('CAS*CO*45*30') },
          { group: 'PR', reason: '1', amountCents: 2500, quantity: null, segmentNumber: lineOf('CAS*PR*1*25') },
          { group: 'PR', reason: '2', amountCents: 1000, quantity: '1', segmentNumber: lineOf('CAS*PR*1*25') },
          { group: 'PR', reason: '3', amountCents: 500, quantity: null, segmentNumber: lineOf('CAS*PR*1*25') },
        ],
      },
    ]);

    expect(reversal).toMatchObject({ status: '22', chargeCents: -10000, paidCents: -6000, patientResponsibilityCents: -2000, serviceLines: [] });
    expect(reversal!.adjustments.map((x) => [x.group, x.reason, x.amountCents])).toEqual([['CO', '45', -2000], ['PR', '2', -2000]]);
    expect(corrected).toMatchObject({ status: '1', paidCents: 25948, patientResponsibilityCents: 0, serviceDateFrom: '2026-01-15' });

    expect(remittance.providerAdjustments).toEqual([
      { segmentNumber: lineOf('PLB'), providerId: '1234567893', fiscalPeriodDate: '2026-12-31', reasonCode: 'WO', referenceId: 'TRT-0009', amountCents: 2500 },
      { segmentNumber: lineOf('PLB'), providerId: '1234567893', fiscalPeriodDate: '2026-12-31', reasonCode: 'L6', referenceId: null, amountCents: -400 },
    ]);
    expect(remittance.totals).toEqual({ claimCount: 3, claimPaidCents: 27948, providerAdjustmentCents: 2100, claimCountByStatus: { '19': 1, '22': 1, '1': 1 } });
    // 258.48 = (80.00 − 60.00 + 259.48) − (25.00 − 4.00)
    expect(remittance.balance).toEqual({
      balanced: true,
      paymentCents: 25848,
      claimPaidCents: 27948,
      providerAdjustmentCents: 2100,
      expectedPaymentCents: 25848,
      differenceCents: 0,
    });
    expect(remittance.warnings).toEqual([]);
  });

  it('reads a 4010 file', () => {
    const header4010 = HEADER.map((s) => (s.startsWith('N1*PR') ? 'N1*PR*ACME HEALTH PLAN*PI*60054' : s));
    const result = read835Text(file([{ control: '40731', segments: [...header4010, 'CLP*X1*1*10*10', 'CAS*CR*45*0'] }], { version: '4010' }));
    expect(result.errors).toEqual([]);
    const remittance = result.transactions[0]!;
    expect(remittance.version).toBe('004010X091A1');
    expect(remittance.payer).toEqual({ name: 'ACME HEALTH PLAN', id: '60054', idQualifier: 'PI' });
    expect(remittance.claims[0]!.adjustments[0]!.group).toBe('CR');
    expect(remittance.balance.balanced).toBe(false);
  });

  it('reports an unbalanced set as a warning with the figures', () => {
    const result = read835Text(file([{ control: '0001', segments: [...HEADER, 'CLP*X1*1*300*200'] }]));
    const remittance = result.transactions[0]!;
    expect(remittance.balance).toMatchObject({ balanced: false, paymentCents: 25848, expectedPaymentCents: 20000, differenceCents: 5848 });
    expect(remittance.warnings).toEqual([expect.objectContaining({ code: 'unbalanced', controlNumber: '0001', expected: '20000', found: '25848' })]);
    expect(result.errors).toEqual([]);
  });

  it('counts a debit (BPR03 D) against the claims', () => {
    const header = ['BPR*I*60*D*ACH************20260305', ...HEADER.slice(1)];
    const remittance = read835Text(file([{ control: '0001', segments: [...header, 'CLP*X1*22*-100*-60'] }])).transactions[0]!;
    expect(remittance.payment).toMatchObject({ amountCents: 6000, creditDebit: 'D', netCents: -6000 });
    expect(remittance.balance.balanced).toBe(true);
  });

  it('fails a broken transaction set alone, with its segment number and what was expected', () => {
    const good = (control: string): Set => ({ control, segments: [...HEADER, ...CLAIM_A, ...CLAIM_B, ...PLB] });
    const text = file([
      good('0001'),
      { control: '0003', segments: [...HEADER, 'CAS*CO*45*10', 'CLP*Z1*1*10*10'] },
      { control: '0006', segments: ['TRN*1*X', ...HEADER] },
      good('0007'),
    ]);
    const result = read835Text(text);
    expect(result.transactions.map((t) => t.controlNumber)).toEqual(['0001', '0007']);
    expect(result.transactions.map((t) => t.claims.length)).toEqual([3, 3]);
    expect(result.errors.every((e) => e instanceof X12Error)).toBe(true);

    const lines = text.split('\n');
    const lineOf = (needle: string): number => lines.findIndex((line) => line.startsWith(needle)) + 1;
    expect(result.errors.map((e) => e.toIssue())).toEqual([
      expect.objectContaining({ code: 'unexpected_segment', controlNumber: '0003', segmentNumber: lineOf('CAS*CO*45*10'), expected: 'CLP', found: 'CAS' }),
      expect.objectContaining({ code: 'unexpected_segment', controlNumber: '0006', segmentNumber: lineOf('TRN*1*X'), expected: 'BPR' }),
    ]);
  });

  it('keeps a malformed claim as a claim with its problem, and reads the rest of its payment', () => {
    const text = file([
      { control: '0002', segments: [...HEADER, 'CLP*Y1*1*10*10', 'CLP*Y2*99*10*10', 'CAS*CO*45*0', 'CLP*W1*1*10*1.234', 'CLP*V1*1*10*10', 'CAS*XX*45*0', 'CLP*R1*22', 'CLP*U1*1*10*10', 'SVC*HC:99213*10*10', 'CAS*CO**5'] },
    ]);
    const lines = text.split('\n');
    const lineOf = (needle: string): number => lines.findIndex((line) => line.startsWith(needle)) + 1;
    const result = read835Text(text);
    expect(result.errors).toEqual([]);
    const claims = result.transactions[0]!.claims;
    expect(claims.map((c) => [c.patientControlNumber, c.status, c.paidCents, c.problem && { code: c.problem.code, segmentNumber: c.problem.segmentNumber, found: c.problem.found, expected: c.problem.expected }])).toEqual([
      ['Y1', '1', 1000, null],
      ['Y2', '99', 1000, { code: 'invalid_element', segmentNumber: lineOf('CLP*Y2'), found: '99', expected: expect.stringContaining('1|2|3|4|19') }],
      ['W1', '1', 0, { code: 'invalid_amount', segmentNumber: lineOf('CLP*W1'), found: '1.234', expected: 'CLP04 as a decimal with at most 2 decimals' }],
      ['V1', '1', 1000, { code: 'invalid_element', segmentNumber: lineOf('CAS*XX'), found: 'XX', expected: 'CO|PR|OA|PI|CR' }],
      // A bare reversal: no amounts, but it still names the claim it would reverse.
      ['R1', '22', 0, { code: 'missing_element', segmentNumber: lineOf('CLP*R1'), found: undefined, expected: 'CLP03' }],
      ['U1', '1', 1000, { code: 'missing_element', segmentNumber: lineOf('CAS*CO**5'), found: undefined, expected: 'CAS02' }],
    ]);
    // The adjustments after a claim's problem are not read into it.
    expect(claims[1]!.adjustments).toEqual([]);
  });

  it('reports a set cut off before its SE as truncated, and reads the rest', () => {
    const complete = file([{ control: '0001', segments: [...HEADER, ...CLAIM_A] }]);
    const withoutSe = complete
      .split('\n')
      .filter((line) => !line.startsWith('SE*'))
      .join('\n');
    const missingSe = withoutSe + '\n' + file([{ control: '0002', segments: [...HEADER, ...CLAIM_B] }]);
    const result = read835Text(missingSe);
    expect(result.transactions.map((t) => t.controlNumber)).toEqual(['0002']);
    expect(result.errors.map((e) => e.toIssue())).toEqual([
      expect.objectContaining({ code: 'truncated', controlNumber: '0001', expected: 'SE', found: 'GE' }),
    ]);

    const cut = complete.slice(0, complete.indexOf('CAS*PR') + 10);
    const cutResult = read835Text(cut);
    expect(cutResult.transactions).toEqual([]);
    expect(cutResult.errors.map((e) => [e.code, e.expected])).toEqual([['truncated', 'SE']]);
    expect(cutResult.warnings.map((w) => [w.code, w.expected])).toEqual([
      ['truncated', '~'],
      ['truncated', 'GE'],
      ['truncated', 'IEA'],
    ]);
  });

  it('skips other transaction sets in the same file', () => {
    const text = file([
      { id: '999', control: '0001', segments: ['AK1*HC*1*005010X222A1', 'AK9*A*1*1*1'] },
      { control: '0002', segments: [...HEADER, ...CLAIM_A] },
      { id: '277', control: '0003', segments: ['BHT*0085*08*1*20260301*1200*TH'] },
    ]);
    const result = read835Text(text);
    expect(result.transactions.map((t) => t.controlNumber)).toEqual(['0002']);
    expect(result.skipped).toEqual([
      { transactionSetId: '999', controlNumber: '0001', version: '005010X221A1', segmentNumber: 3 },
      { transactionSetId: '277', controlNumber: '0003', version: '005010X221A1', segmentNumber: expect.any(Number) },
    ]);
    expect(result.errors).toEqual([]);
  });

  it('warns about trailer counts and control numbers but still reads', () => {
    const text = file([{ control: '0001', segments: [...HEADER, ...CLAIM_A] }]).replace(/SE\*\d+\*0001/, 'SE*99*0009').replace('IEA*1*000000042', 'IEA*2*000000043');
    const result = read835Text(text);
    expect(result.transactions).toHaveLength(1);
    expect(result.warnings.map((w) => w.code)).toEqual(['count_mismatch', 'control_number_mismatch', 'count_mismatch', 'control_number_mismatch']);
  });

  it('reads up to six CAS triplets and refuses an amount without a reason', () => {
    const six = 'CAS*CO*1*1**2*2**3*3**4*4**5*5**6*6';
    const remittance = read835Text(file([{ control: '0001', segments: [...HEADER, 'CLP*X*4*21*0', six] }])).transactions[0]!;
    expect(remittance.claims[0]!.adjustments.map((a) => [a.reason, a.amountCents])).toEqual([
      ['1', 100], ['2', 200], ['3', 300], ['4', 400], ['5', 500], ['6', 600],
    ]);
    const bad = read835Text(file([{ control: '0001', segments: [...HEADER, 'CLP*X*4*21*0', 'CAS*CO**5'] }]));
    expect(bad.transactions[0]!.claims[0]!.problem).toMatchObject({ code: 'missing_element', expected: 'CAS02' });
  });

  it('reads a service line without amounts as zero, with a warning', () => {
    const remittance = read835Text(file([{ control: '0001', segments: [...HEADER, 'CLP*X*1*10*10', 'SVC*HC:99213******1'] }])).transactions[0]!;
    expect(remittance.claims[0]!.serviceLines[0]).toMatchObject({ chargeCents: 0, paidCents: 0, units: null, originalUnits: 1 });
    expect(remittance.warnings.map((w) => [w.code, w.expected])).toEqual([
      ['missing_element', 'SVC02'],
      ['missing_element', 'SVC03'],
      ['unbalanced', '1000'],
    ]);
  });

  it('reads the same from a byte stream as from a text', async () => {
    const text = file([
      { control: '0001', segments: [...HEADER, ...CLAIM_A, ...CLAIM_B, ...PLB] },
      { control: '0002', segments: [...HEADER, 'CLP*Y2*99*10*10'] },
    ]);
    const bytes = Buffer.from(text);
    const chunks = Array.from({ length: Math.ceil(bytes.length / 7) }, (_, i) => bytes.subarray(i * 7, i * 7 + 7));
    const streamed = await read835(Readable.from(chunks));
    const whole = read835Text(text);
    expect(streamed.transactions).toEqual(whole.transactions);
    expect(streamed.errors.map((e) => e.toIssue())).toEqual(whole.errors.map((e) => e.toIssue()));
  });

  it('never throws for data that is not X12', async () => {
    const result = await read835('this is not an 835 file');
    expect(result.transactions).toEqual([]);
    expect(result.errors.map((e) => e.code)).toEqual(['not_x12']);
  });
});

describe('stream835', () => {
  it('yields claims as read, then each set, skipped sets and errors in file order', async () => {
    const text = file([
      { control: '0001', segments: [...HEADER, ...CLAIM_A, ...PLB] },
      { id: '999', control: '0002', segments: ['AK1*HC*1'] },
      { control: '0003', segments: [...HEADER, 'CLP*Y1*1*10*10', 'CAS*CO*45*10'] },
      { control: '0004', segments: [...HEADER, 'CLP*Y1*1*10*10', 'BPR*I*1*C'] },
    ]);
    const events: Remittance835Event[] = [];
    for await (const event of stream835(text)) events.push(event);
    expect(events.map((e) => (e.type === 'claim' ? `claim ${e.claim.patientControlNumber}` : e.type))).toEqual([
      'claim TRT-0001',
      'transaction',
      'skipped',
      'claim Y1',
      'transaction',
      // Provisional: its set fails at the second BPR, and the error says so.
      'error',
    ]);
    const summary = events[1]!;
    expect(summary.type === 'transaction' && summary.transaction.totals.claimCount).toBe(1);
    expect(summary.type === 'transaction' && 'claims' in summary.transaction).toBe(false);
  });
});

describe('describeClaimStatus', () => {
  it('says what each status means for posting', () => {
    expect(describeClaimStatus('2')).toMatchObject({ kind: 'processed', payerOrder: 2, forwarded: false });
    expect(describeClaimStatus('19')).toMatchObject({ kind: 'processed', payerOrder: 1, forwarded: true });
    expect(describeClaimStatus('4').kind).toBe('denied');
    expect(describeClaimStatus('22').kind).toBe('reversal');
    expect(describeClaimStatus('23')).toMatchObject({ kind: 'not_ours', forwarded: true });
  });
});
