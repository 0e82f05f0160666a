import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Read271Result } from './eligibility-271.ts';
import { read271, read271Text } from './read-271.ts';
import { summarizeEligibility } from './summarize-eligibility.ts';

const FIXTURES = process.env.X12_FIXTURES_DIR ?? path.resolve(process.cwd(), '../shared/fixtures/x12');
const present = existsSync(FIXTURES);
if (!present) console.warn(`X12 fixture tests skipped: ${FIXTURES} is absent`);

function fixture(name: string): Read271Result {
  return read271Text(readFileSync(path.join(FIXTURES, name), 'utf8'));
}

/** SPEC E1: office-visit copay $25.00, coinsurance 20 %, deductible remaining $100.00, out-of-pocket remaining $1,000.00. */
const E1 = [
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
  'DMG*D8*19800115*F~',
  'EB*1*IND*30^98*PR*GOLD PPO~',
  'EB*B*IND*98*PR**27*25.00*****Y~',
  'EB*B*IND*98*PR**27*60****N~',
  'EB*B*IND*UC*PR**27*75*****Y~',
  'EB*A*IND*30*PR**27**.2****Y~',
  'EB*A*IND*30*PR**27**.4****N~',
  'EB*C*IND*30*PR**23*1500*****Y~',
  'EB*C*IND*30*PR**29*100*****Y~',
  'EB*C*FAM*30*PR**29*2500*****Y~',
  'EB*C*IND*30*PR**29*900*****N~',
  'EB*G*IND*30*PR**23*5000*****Y~',
  'EB*G*IND*30*PR**29*1000.00*****Y~',
  'MSG*OUT OF POCKET INCLUDES DEDUCTIBLE~',
  'DTP*291*RD8*20260101-20261231~',
  'SE*25*0001~',
  'GE*1*1~',
  'IEA*1*000000001~',
].join('\n');

describe('read271', () => {
  it('reads members, benefits (repeated service types, amounts, basis points, network) and messages', async () => {
    const result = await read271(E1);
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    const eligibility = result.transactions[0]!;
    expect(eligibility).toMatchObject({
      controlNumber: '0001',
      version: '005010X279A1',
      referenceId: 'REQ-1',
      createdDate: '2026-03-01',
      source: { entityCode: 'PR', lastName: 'ACME HEALTH PLAN', idQualifier: 'PI', id: '60054' },
      receiver: { entityCode: '1P', id: '1234567893' },
    });
    const member = eligibility.members[0]!;
    expect(member).toMatchObject({ level: 'subscriber', hierarchicalId: '3', parentId: '2', birthDate: '1980-01-15', gender: 'F', trace: 'TRACE-1' });
    expect(member.name).toMatchObject({ lastName: 'DOE', firstName: 'JANE', id: 'M123' });
    expect(member.benefits).toHaveLength(12);
    expect(member.benefits[0]).toMatchObject({ code: '1', coverageLevel: 'IND', serviceTypes: ['30', '98'], insuranceType: 'PR', planDescription: 'GOLD PPO' });
    expect(member.benefits[1]).toMatchObject({ code: 'B', serviceTypes: ['98'], timePeriod: '27', amountCents: 2500, inNetwork: 'Y' });
    expect(member.benefits[4]).toMatchObject({ code: 'A', percentBasisPoints: 2000, amountCents: null });
    const last = member.benefits[11]!;
    expect(last).toMatchObject({ code: 'G', timePeriod: '29', amountCents: 100_000, messages: ['OUT OF POCKET INCLUDES DEDUCTIBLE'] });
    expect(last.dates).toEqual([{ qualifier: '291', format: 'RD8', value: '20260101-20261231', from: '2026-01-01', to: '2026-12-31' }]);
  });

  it('fails a set with an inexact amount alone', () => {
    const broken = E1.replace('EB*B*IND*98*PR**27*25.00', 'EB*B*IND*98*PR**27*25.001');
    const result = read271Text(broken);
    expect(result.transactions).toEqual([]);
    expect(result.errors.map((e) => [e.code, e.segmentNumber, e.controlNumber])).toEqual([['invalid_amount', 14, '0001']]);
  });

  it('skips an 835 in the same file', () => {
    const result = read271Text(E1.replace('GE*1*1~', 'ST*835*0002~BPR*H*0*C*NON~SE*3*0002~GE*2*1~'));
    expect(result.transactions).toHaveLength(1);
    expect(result.skipped.map((s) => s.transactionSetId)).toEqual(['835']);
  });
});

describe('summarizeEligibility', () => {
  it('gives the E1 figures for an office visit, in network, individual', () => {
    const eligibility = read271Text(E1).transactions[0]!;
    expect(summarizeEligibility(eligibility, { serviceType: '98' })).toEqual({
      active: true,
      memberLevel: 'subscriber',
      serviceType: '98',
      copayCents: 2500,
      coinsuranceBasisPoints: 2000,
      deductibleTotalCents: 150_000,
      deductibleRemainingCents: 10_000,
      oopTotalCents: 500_000,
      oopRemainingCents: 100_000,
      rejectionReasons: [],
    });
  });

  it('does not take a copay of another service type for plan coverage (30)', () => {
    const eligibility = read271Text(E1).transactions[0]!;
    const summary = summarizeEligibility(eligibility);
    expect(summary.serviceType).toBe('30');
    expect(summary.copayCents).toBeUndefined();
    expect(summary.coinsuranceBasisPoints).toBe(2000);
    expect(summarizeEligibility(eligibility, { serviceType: 'UC' }).copayCents).toBe(7500);
  });

  it('is inactive without an active-coverage benefit', () => {
    const inactive = read271Text(E1.replace('EB*1*IND*30^98*PR*GOLD PPO', 'EB*6*IND*30')).transactions[0]!;
    expect(summarizeEligibility(inactive, { serviceType: '98' }).active).toBe(false);
  });
});

describe.skipIf(!present)('271 fixtures', () => {
  it('subscriber-health-benefit-check: in-network copay $10, out-of-network $30 ignored', () => {
    const result = fixture('LinuxForHealth__x12__subscriber-health-benefit-check.271');
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    const eligibility = result.transactions[0]!;
    expect(eligibility.members.map((m) => [m.level, m.name?.lastName, m.benefits.length])).toEqual([['subscriber', 'SMITH', 5]]);
    const copays = eligibility.members[0]!.benefits.filter((b) => b.code === 'B');
    expect(copays.map((b) => [b.amountCents, b.inNetwork, b.timePeriod, b.serviceTypes.length])).toEqual([
      [1000, 'Y', '27', 10],
      [3000, 'N', '27', 10],
    ]);
    // The primary care provider named between LS and LE belongs to the EB*L, not to the subscriber.
    const pcp = eligibility.members[0]!.benefits.find((b) => b.code === 'L')!;
    expect(pcp.relatedEntities).toEqual([expect.objectContaining({ entityCode: 'P3', lastName: 'JONES', id: '0202034' })]);
    expect(summarizeEligibility(eligibility, { serviceType: '98' })).toEqual({
      active: true,
      memberLevel: 'subscriber',
      serviceType: '98',
      copayCents: 1000,
      rejectionReasons: [],
    });
  });

  it('dependent-health-benefit-check: the dependent is the patient', () => {
    const eligibility = fixture('LinuxForHealth__x12__dependent-health-benefit-check.271').transactions[0]!;
    expect(eligibility.members.map((m) => [m.level, m.name?.firstName, m.benefits.length])).toEqual([
      ['subscriber', 'JOHN', 0],
      ['dependent', 'MARY', 5],
    ]);
    expect(eligibility.members[1]).toMatchObject({ birthDate: '1998-10-14', gender: 'F', parentId: '3' });
    expect(summarizeEligibility(eligibility, { serviceType: '98' })).toMatchObject({ active: true, memberLevel: 'dependent', copayCents: 1000 });
    expect(summarizeEligibility(eligibility, { member: 'subscriber' })).toMatchObject({ active: false, memberLevel: 'subscriber' });
  });

  it('subscriber-health-benefit-check-error: an AAA rejection and no benefits', () => {
    const result = fixture('LinuxForHealth__x12__subscriber-health-benefit-check-error.271');
    expect(result.errors).toEqual([]);
    // The file's SE02 (4323) does not match its ST02 (4321).
    expect(result.warnings.map((w) => w.code)).toEqual(['control_number_mismatch']);
    const eligibility = result.transactions[0]!;
    expect(eligibility.members).toEqual([]);
    expect(eligibility.rejections).toEqual([
      { segmentNumber: 9, level: 'receiver', hierarchicalId: '2', valid: true, reasonCode: '50', followUpAction: 'N' },
    ]);
    expect(summarizeEligibility(eligibility)).toEqual({ active: false, memberLevel: null, serviceType: '30', rejectionReasons: ['50'] });
  });

  it('node-x12 271 (Medicare): coinsurance, deductibles, other payer; truncated after SE', () => {
    const result = fixture('aaronhuggins__node-x12__271.edi');
    expect(result.errors).toEqual([]);
    expect(result.warnings.map((w) => [w.code, w.expected])).toEqual([
      ['truncated', 'GE'],
      ['truncated', 'IEA'],
    ]);
    const eligibility = result.transactions[0]!;
    const member = eligibility.members[0]!;
    expect(member.name).toMatchObject({ lastName: 'BELMAR', firstName: 'ALBERT', middleName: 'R', id: '9UY4R33KV83' });
    expect(member.benefits.map((b) => b.code)).toEqual(['1', '1', '1', 'A', 'C', 'C', 'I', 'R', 'R']);
    expect(member.benefits[2]!.serviceTypes).toHaveLength(39);
    expect(member.benefits.filter((b) => b.code === 'C').map((b) => [b.insuranceType, b.planDescription, b.timePeriod, b.amountCents])).toEqual([
      ['QM', 'Medicare Part A', '26', 0],
      ['QM', 'Medicare Part B', '23', 0],
    ]);
    expect(member.benefits[8]!.relatedEntities).toEqual([expect.objectContaining({ entityCode: 'PR', lastName: 'SILVERSCRIPT INSURANCE COMPANY' })]);
    expect(summarizeEligibility(eligibility)).toEqual({
      active: true,
      memberLevel: 'subscriber',
      serviceType: '30',
      coinsuranceBasisPoints: 0,
      // The calendar-year (Part B) deductible is preferred to the episode (Part A) one.
      deductibleTotalCents: 0,
      rejectionReasons: [],
    });
  });
});
