import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { generate835Stream } from './generate-835.ts';
import { stream835 } from './read-835.ts';

/** Re-cuts text chunks into small byte chunks, as a file stream would deliver them. */
async function* smallByteChunks(chunks: Iterable<string>, size: number): AsyncGenerator<Uint8Array> {
  for (const chunk of chunks) {
    const bytes = Buffer.from(chunk, 'utf8');
    for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
  }
}

describe('stream835', () => {
  it('reads a ~20 MB file fed in 4 KB chunks with the right totals', { timeout: 120_000 }, async () => {
    const generated = generate835Stream({ seed: 2026, claims: 50_000, profile: 'crlf-indented', claimsPerTransaction: 500, transactionsPerInterchange: 4, otherTransactionSets: true });
    let bytes = 0;
    async function* counted(): AsyncGenerator<Uint8Array> {
      for await (const chunk of smallByteChunks(generated.chunks, 4096)) {
        bytes += chunk.length;
        yield chunk;
      }
    }

    let claims = 0;
    let claimPaidCents = 0;
    let providerAdjustmentCents = 0;
    let paymentCents = 0;
    let transactions = 0;
    let skipped = 0;
    let unbalanced = 0;
    const problems: string[] = [];
    for await (const event of stream835(counted())) {
      switch (event.type) {
        case 'claim':
          claims++;
          claimPaidCents += event.claim.paidCents;
          break;
        case 'transaction':
          transactions++;
          providerAdjustmentCents += event.transaction.totals.providerAdjustmentCents;
          paymentCents += event.transaction.balance.paymentCents;
          if (!event.transaction.balance.balanced) unbalanced++;
          break;
        case 'skipped':
          skipped++;
          break;
        case 'error':
          problems.push(event.error.message);
          break;
        case 'warning':
          problems.push(event.warning.message);
          break;
      }
    }

    expect(bytes).toBeGreaterThan(18_000_000);
    expect(problems).toEqual([]);
    const totals = generated.totals;
    expect({ claims, claimPaidCents, providerAdjustmentCents, paymentCents, transactions, skipped, unbalanced }).toEqual({
      claims: totals.claimCount,
      claimPaidCents: totals.claimPaidCents,
      providerAdjustmentCents: totals.providerAdjustmentCents,
      paymentCents: totals.paymentCents,
      transactions: totals.transactions,
      skipped: totals.skippedTransactions,
      unbalanced: 0,
    });
    expect(claims).toBe(50_000);
  });
});

describe('stream835 memory', () => {
  it('a value kept from each payment (its payer name) does not keep the 64 KB chunk it was read from alive', { timeout: 120_000 }, async () => {
    // gc() at run time, without a flag on the test runner.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const generated = generate835Stream({ seed: 5, claims: 40_000, claimsPerTransaction: 100, chunkSize: 65_536 });
    const kept: string[] = [];
    gc();
    const before = process.memoryUsage().heapUsed;
    for await (const event of stream835(generated.chunks)) {
      if (event.type === 'transaction' && event.transaction.payer?.name) kept.push(event.transaction.payer.name);
    }
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    expect(kept.length).toBe(400);
    // Pinned chunks would be ~200 × 64 KB ≈ 13 MB (two payments a chunk); the names themselves are a few KB.
    expect(grown).toBeLessThan(3 * 1024 * 1024);
  });
});
