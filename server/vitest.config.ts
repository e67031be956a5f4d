import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: PGlite instances are heavy, so keep file-level parallelism modest.
    maxWorkers: 2,
    pool: 'forks',
  },
});
