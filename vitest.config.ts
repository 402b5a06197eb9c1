import { defineConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript source (the `source` export condition each
// package.json lists first), so a stale dist/ can never make a test pass. Vite's own server
// conditions follow it. The CLI end-to-end tests still spawn the built CLI (packages/cli/dist),
// which `pnpm test` builds first; the build itself (tsc -b) never sets this condition.
const sourceFirst = ['source', 'module', 'node', 'development|production'];

export default defineConfig({
  resolve: { conditions: sourceFirst },
  ssr: { resolve: { conditions: sourceFirst } },
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
