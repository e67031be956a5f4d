import { defineConfig } from 'vitest/config';

// CI sets DUBAN_TEST_REPORT to a file path to get a JSON summary beside the usual output.
const report = process.env.DUBAN_TEST_REPORT;

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Two cores: PGlite instances are heavy, so keep file-level parallelism modest.
    maxWorkers: 2,
    pool: 'forks',
    reporters: report ? ['default', 'json'] : ['default'],
    ...(report ? { outputFile: { json: report } } : {}),
  },
});
