import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
/** Repository root (…/packages/edge/test/checkpoint → 4 levels up). */
const repoRoot = path.resolve(here, '..', '..', '..', '..');
export const fixturesDir = path.resolve(here, '..', 'fixtures', 'checkpoint');
/** The tiny seeded checkpoints copied from ../shared/hed-golden/weights, shared with the golden and CLI tests. */
const tinyWeightsDir = path.resolve(repoRoot, 'test', 'fixtures', 'hed', 'weights');
const sharedWeightsDir = path.resolve(repoRoot, '..', 'shared', 'hed-golden', 'weights');

export const TINY_FP32_ZIP = path.join(tinyWeightsDir, 'hed-tiny-seed2-fp32.pth');
export const TINY_FP16_LEGACY = path.join(tinyWeightsDir, 'hed-tiny-seed3-fp16-legacy.pth');
export const FULL_FP16_ZIP = path.join(sharedWeightsDir, 'hed-random-seed1-fp16.pth');
