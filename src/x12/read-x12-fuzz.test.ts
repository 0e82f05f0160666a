import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { X12Error } from './errors.ts';
import { generate835 } from './generate-835.ts';
import { read271Text } from './read-271.ts';
import { read835, read835Text } from './read-835.ts';
import type { Read835Result } from './remittance-835.ts';

const VALID_835 = [
  generate835({ seed: 1, claims: 12, claimsPerTransaction: 4, profile: 'standard', otherTransactionSets: true }).text,
  generate835({ seed: 2, claims: 10, claimsPerTransaction: 5, profile: 'mixed', bom: true }).text,
  generate835({ seed: 3, claims: 8, profile: 'newline-terminated', version: '4010' }).text,
];

const VALID_271 = [
  'ISA*00*          *00*          *ZZ*PAYER          *ZZ*PRACTICE       *260301*1200*^*00501*000000001*0*P*:~',
  'GS*HB*PAYER*PRACTICE*20260301*1200*1*X*005010X279A1~ST*271*0001*005010X279A1~BHT*0022*11*R*20260301*1200~',
  'HL*1**20*1~NM1*PR*2*PLAN*****PI*1~HL*2*1*21*1~NM1*1P*2*CLINIC*****XX*1~HL*3*2*22*0~NM1*IL*1*DOE*JANE****MI*1~',
  'EB*1**30^98~EB*B**98***27*25*****Y~EB*A**30***27**.2****Y~MSG*TEXT~LS*2120~NM1*P3*1*PCP~LE*2120~AAA*Y**42*R~',
  'SE*17*0001~GE*1*1~IEA*1*000000001~',
].join('');

/** Reading must return, never throw, and every error must be ours. */
function expectContained(read: () => { errors: unknown[] }): void {
  let result: { errors: unknown[] } | undefined;
  expect(() => {
    result = read();
  }).not.toThrow();
  for (const error of result!.errors) expect(error).toBeInstanceOf(X12Error);
}

/** What must not depend on chunk boundaries. */
function comparable(result: Read835Result) {
  return {
    transactions: result.transactions,
    skipped: result.skipped,
    errors: result.errors.map((e) => e.toIssue()),
    warnings: result.warnings,
  };
}

const X12_TOKENS = [
  'ISA', 'GS', 'ST', 'SE', 'GE', 'IEA', 'BPR', 'TRN', 'N1', 'CLP', 'CAS', 'SVC', 'DTM', 'PLB', 'NM1', 'LX', 'REF',
  'HL', 'EB', 'AAA', 'MSG', 'LS', 'LE', '835', '271', '999', 'PR', 'PE', 'CO', 'QC', '1', '22', '-', '.', '0', '9',
  '*', '*', '*', '~', '~', ':', '^', '|', '>', '\n', '\r\n', ' ', '\uFEFF', 'HC:99213', '20260301', '-12.5', '.5',
];

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom(...X12_TOKENS)) }),
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), text: fc.constantFrom('*', '~', ':', '^', '\n', '', 'X', '-', '.', 'ISA*', 'ST*835*9~') }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(text: string, mutations: readonly Mutation[]): string {
  let out = text;
  for (const m of mutations) {
    const at = out.length === 0 ? 0 : m.at % (out.length + 1);
    if (m.kind === 'delete') out = out.slice(0, at) + out.slice(at + m.length);
    else if (m.kind === 'insert') out = out.slice(0, at) + m.text + out.slice(at);
    else if (m.kind === 'replace') out = out.slice(0, at) + m.text + out.slice(at + 1);
    else out = out.slice(0, at);
  }
  return out;
}

function splitAt(text: string, cuts: readonly number[]): string[] {
  const points = [...new Set(cuts.map((c) => (text.length === 0 ? 0 : c % (text.length + 1))))].sort((a, b) => a - b);
  const chunks: string[] = [];
  let from = 0;
  for (const point of points) {
    chunks.push(text.slice(from, point));
    from = point;
  }
  chunks.push(text.slice(from));
  return chunks;
}

describe('reading hostile input', () => {
  it('never throws on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) => {
        expectContained(() => read835Text(text));
        expectContained(() => read271Text(text));
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on strings made of X12 pieces', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...X12_TOKENS), { maxLength: 200 }), (tokens) => {
        const text = tokens.join('');
        expectContained(() => read835Text(text));
        expectContained(() => read835Text(VALID_835[0]!.slice(0, 300) + text));
        expectContained(() => read271Text(text));
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on arbitrary bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 400 }), async (bytes) => {
        const result = await read835(bytes);
        for (const error of result.errors) expect(error).toBeInstanceOf(X12Error);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on mutated valid files, and reads the same whatever the chunking', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...VALID_835),
        fc.array(mutation, { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        async (base, mutations, cuts) => {
          const text = mutate(base, mutations);
          let whole: Read835Result | undefined;
          expect(() => {
            whole = read835Text(text);
          }).not.toThrow();
          for (const error of whole!.errors) expect(error).toBeInstanceOf(X12Error);
          const chunked = await read835(splitAt(text, cuts));
          expect(comparable(chunked)).toEqual(comparable(whole!));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never throws on mutated 271 files', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 6 }), (mutations) => {
        expectContained(() => read271Text(mutate(VALID_271, mutations)));
      }),
      { numRuns: 500 },
    );
  });

  it('reads the unmutated bases cleanly (so the mutations are what the fuzzing exercises)', () => {
    for (const text of VALID_835) {
      const result = read835Text(text);
      expect(result.errors).toEqual([]);
      expect(result.transactions.length).toBeGreaterThan(0);
    }
    const eligibility = read271Text(VALID_271);
    expect(eligibility.errors).toEqual([]);
    expect(eligibility.warnings).toEqual([]);
    expect(eligibility.transactions[0]!.members[0]!.benefits).toHaveLength(3);
  });
});
