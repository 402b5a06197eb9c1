import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    // Real servers, real images and a real network forward pass: generous but bounded.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores on CI; one fork per core.
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    reporters: ['default', './test/plain-summary-reporter.ts'],
  },
});
