/**
 * Fidelity of the HED port against the Python reference: the full-size checkpoint's softedge cases
 * (`full/*` in ../shared/hed-golden/cases.json; skipped with a printed reason without ../shared).
 * Split from hed-golden.test.ts so vitest's two forks share the ~10 s forward passes.
 */
import { describeGoldenCases } from './hed-golden-harness.js';

await describeGoldenCases('full');
