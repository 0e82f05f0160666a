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
  },
});
