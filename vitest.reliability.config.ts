import { defineConfig } from 'vitest/config';

/**
 * `npm run test:reliability` (issue 11): crashes, races, hostile requests and
 * the access matrix against real databases and real server processes. Its
 * figures are printed at the end (tests/reliability/global-setup.ts).
 */
export default defineConfig({
  test: {
    include: ['tests/reliability/**/*.test.ts'],
    globalSetup: ['tests/reliability/global-setup.ts'],
    testTimeout: 180_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores: one file at a time keeps the server processes' timings honest.
    fileParallelism: false,
  },
});
