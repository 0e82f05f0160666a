import { describe, expect, it } from 'vitest';
import {
  DELIMITER_PROFILE_NAMES,
  DELIMITER_PROFILES,
  generate835,
  generate835Stream,
  GENERATED_STATUSES,
  type Generate835Options,
  type Generated835Totals,
} from './generate-835.ts';
import { read835, read835Text } from './read-835.ts';
import type { Read835Result } from './remittance-835.ts';

/** The reader's view of a file, in the generator's terms. */
function totalsRead(result: Read835Result): Omit<Generated835Totals, 'interchanges'> {
  const claimCountByStatus: Record<string, number> = {};
  let claimCount = 0;
  let serviceLineCount = 0;
  for (const t of result.transactions) {
    for (const claim of t.claims) {
      claimCount++;
      serviceLineCount += claim.serviceLines.length;
      claimCountByStatus[claim.status] = (claimCountByStatus[claim.status] ?? 0) + 1;
    }
  }
  return {
    transactions: result.transactions.length,
    skippedTransactions: result.skipped.length,
    claimCount,
    serviceLineCount,
    claimPaidCents: result.transactions.reduce((s, t) => s + t.totals.claimPaidCents, 0),
    providerAdjustmentCents: result.transactions.reduce((s, t) => s + t.totals.providerAdjustmentCents, 0),
    paymentCents: result.transactions.reduce((s, t) => s + t.balance.paymentCents, 0),
    claimCountByStatus,
    perTransaction: result.transactions.map((t) => ({
      controlNumber: t.controlNumber,
      claimCount: t.totals.claimCount,
      claimPaidCents: t.totals.claimPaidCents,
      providerAdjustmentCents: t.totals.providerAdjustmentCents,
      paymentCents: t.balance.paymentCents,
    })),
  };
}

function expectReadAsGenerated(options: Generate835Options): Generated835Totals {
  const { text, totals } = generate835(options);
  const result = read835Text(text);
  expect(result.errors).toEqual([]);
  expect(result.warnings).toEqual([]);
  for (const t of result.transactions) {
    expect(t.warnings).toEqual([]);
    expect(t.balance.balanced).toBe(true);
  }
  const { interchanges: _interchanges, ...expected } = totals;
  expect(totalsRead(result)).toEqual(expected);
  return totals;
}

describe('generate835', () => {
  it.each(DELIMITER_PROFILE_NAMES)('reads back exactly what it generated with the %s profile, for several seeds', (profile) => {
    for (const seed of [1, 2, 3, 42, 2026]) {
      expectReadAsGenerated({ seed, claims: 60, profile, claimsPerTransaction: 25, transactionsPerInterchange: 2 });
    }
  });

  it('mixes profiles across interchanges, adds a BOM and other transaction sets', () => {
    const totals = expectReadAsGenerated({ seed: 9, claims: 300, profile: 'mixed', claimsPerTransaction: 20, transactionsPerInterchange: 2, bom: true, otherTransactionSets: true });
    expect(totals.interchanges).toBe(8);
    expect(totals.transactions).toBe(15);
    expect(totals.skippedTransactions).toBe(8);
  });

  it('writes 4010 files too', () => {
    for (const seed of [5, 6, 7]) {
      const { text } = generate835({ seed, claims: 40, version: '4010', otherTransactionSets: true });
      expect(text).toContain('*U*00401*');
      expect(read835Text(text).transactions.every((t) => t.version === '004010X091A1')).toBe(true);
      expectReadAsGenerated({ seed, claims: 40, version: '4010', otherTransactionSets: true });
    }
  });

  it('covers every claim status, reversals with negative amounts, and PLB', () => {
    const { text, totals } = generate835({ seed: 11, claims: 400, claimsPerTransaction: 40 });
    for (const status of GENERATED_STATUSES) expect(totals.claimCountByStatus[status], status).toBeGreaterThan(0);
    expect(totals.providerAdjustmentCents).not.toBe(0);
    const result = read835Text(text);
    const claims = result.transactions.flatMap((t) => t.claims);
    const reversals = claims.filter((c) => c.status === '22');
    expect(reversals.length).toBeGreaterThan(0);
    for (const reversal of reversals) {
      expect(reversal.chargeCents).toBeLessThan(0);
      // A reversal refers back to a claim paid earlier in the file.
      const earlier = claims.slice(0, claims.indexOf(reversal)).filter((c) => c.patientControlNumber === reversal.patientControlNumber && c.status !== '22');
      expect(earlier.length, reversal.patientControlNumber).toBeGreaterThan(0);
    }
    expect(result.transactions.some((t) => t.providerAdjustments.length > 0)).toBe(true);
    // Every generated claim balances: charge = paid + every CAS.
    for (const claim of claims) {
      const adjusted = [...claim.adjustments, ...claim.serviceLines.flatMap((l) => l.adjustments)].reduce((s, a) => s + a.amountCents, 0);
      expect(claim.chargeCents - claim.paidCents - adjusted, claim.patientControlNumber).toBe(0);
    }
  });

  it('is deterministic for a seed and differs between seeds', () => {
    expect(generate835({ seed: 3, claims: 50 }).text).toBe(generate835({ seed: 3, claims: 50 }).text);
    expect(generate835({ seed: 3, claims: 50 }).text).not.toBe(generate835({ seed: 4, claims: 50 }).text);
  });

  it('writes an empty remittance as a notification-only BPR*H', () => {
    const { text, totals } = generate835({ seed: 1, claims: 0 });
    expect(text).toContain('BPR*H*0*C*NON');
    expect(totals).toMatchObject({ transactions: 1, claimCount: 0, paymentCents: 0 });
    expectReadAsGenerated({ seed: 1, claims: 0 });
  });

  it('streams the same file in chunks that the reader takes directly', async () => {
    const options: Generate835Options = { seed: 21, claims: 500, profile: 'crlf-indented', chunkSize: 2048 };
    const stream = generate835Stream(options);
    const result = await read835(stream.chunks);
    expect(totalsRead(result).claimPaidCents).toBe(stream.totals.claimPaidCents);
    expect(stream.totals).toEqual(generate835(options).totals);
  });

  it('keeps data clear of every profile delimiter', () => {
    const { text } = generate835({ seed: 8, claims: 200, profile: 'exotic' });
    const profile = DELIMITER_PROFILES.exotic;
    // Every segment has the element separator right after its id: no delimiter leaked into data.
    for (const segment of text.split(profile.segment).filter((s) => s !== '')) {
      expect(segment, segment).toMatch(/^[A-Z][A-Z0-9]{1,2}\^/);
    }
  });
});
