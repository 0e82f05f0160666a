import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'tests/**/*.test.ts'],
    // The reliability suite runs on its own (`npm run test:reliability`, vitest.reliability.config.ts).
    exclude: [...configDefaults.exclude, 'tests/reliability/**'],
    // Integration files each create their own SQLite file and PostgreSQL database.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two files at a time, not vitest's default of cores − 1 (one here): most files wait on PostgreSQL's
    // fsync or their server processes, so two overlap well (12.3 → 9.1 min on this 2-core machine).
    maxWorkers: 2,
    // A worker keeps its loaded modules from one file to the next instead of importing the app again for each of
    // the ~115 files (ADR 0071: vitest's "import" 188 → 26 s, the whole run 731 → 596 s on 1 Dec 2026). Files share no state
    // through modules: each makes its own databases, app and processes, and a test that fakes time or spies on a
    // prototype restores it (tests/dashboard.test.ts, tests/query-plans.test.ts, tests/sqlite-statement-cache.test.ts).
    isolate: false,
  },
});
