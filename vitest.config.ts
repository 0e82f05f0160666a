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
  },
});
