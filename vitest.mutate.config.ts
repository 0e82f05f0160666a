import { defineConfig } from 'vitest/config';

// The tests Stryker runs against mutants (stryker.config.mjs, ADR 0023). Domain code is measured
// with its unit tests; the money services with the in-process integration tests on SQLite
// (tests that start server processes cannot report which mutant they reached).
const scope = process.env.MUTATE_SCOPE === 'money' ? 'money' : 'domain';

const include = {
  domain: ['src/domain/**/*.test.ts'],
  money: [
    'tests/refunds.test.ts',
    'tests/refund-recovery.test.ts',
    'tests/refund-review.test.ts',
    'tests/remittance.test.ts',
    'tests/remittance-accounted.test.ts',
    'tests/desk-payments.test.ts',
    'tests/payments-lifecycle.test.ts',
    'tests/transactions-and-retries.test.ts',
    'tests/trial-balance.test.ts',
    'tests/eligibility-estimates.test.ts',
    // Card entry in the processor's element, processor refunds and disputes: in process (a local stand-in).
    'tests/stripe-card-entry.test.ts',
    'tests/stripe-webhook.test.ts',
    'tests/processor-reconciliation.test.ts',
    // Matching a remittance exception posts the claim by the same rule, from suspense.
    'tests/remittance-work.test.ts',
  ],
}[scope];

export default defineConfig({
  test: {
    include,
    env: scope === 'money' ? { LEDGER_TEST_DIALECTS: 'sqlite' } : {},
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
