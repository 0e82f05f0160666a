// Mutation testing (ADR 0023): `npm run mutate` runs both scopes, `npm run mutate:domain` /
// `npm run mutate:money` one. Never part of `npm test` or CI: the money scope takes many minutes.
// The scope comes from MUTATE_SCOPE so both share one config; vitest.mutate.config.ts reads it too.
const scope = process.env.MUTATE_SCOPE === 'money' ? 'money' : 'domain';
process.env.MUTATE_SCOPE = scope;
// The money services are measured against the SQLite integration tests only (PostgreSQL adds time, not kills).
if (scope === 'money') process.env.LEDGER_TEST_DIALECTS = 'sqlite';

const mutate = {
  domain: ['src/domain/**/*.ts', '!src/domain/**/*.test.ts'],
  money: [
    'src/services/refunds/refund-payment.ts',
    'src/services/remittance/post-claim-payment.ts',
    'src/services/applications/*.ts',
    'src/services/credits/credits.ts',
    'src/services/credits/credit-lots.ts',
    'src/services/payments/charge-payment.ts',
    'src/services/payments/record-payment-received.ts',
  ],
}[scope];

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutate.config.ts', related: true },
  // Each mutant runs only the tests that reached it in the first run.
  coverageAnalysis: 'perTest',
  mutate,
  // TypeScript 7 has no JavaScript API, so Stryker's TypeScript checker stays off; a tsconfig
  // path that does not exist keeps Stryker from rewriting ours.
  checkers: [],
  tsconfigFile: 'tsconfig.stryker-none.json',
  // The machine has two shared cores.
  concurrency: 2,
  timeoutMS: 30_000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `reports/mutation/${scope}.html` },
  jsonReporter: { fileName: `reports/mutation/${scope}.json` },
  incrementalFile: `reports/stryker-incremental-${scope}.json`,
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
  thresholds: { high: 90, low: 80, break: null },
};
