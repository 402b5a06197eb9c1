/**
 * Fidelity of the HED port against the Python reference (controlnet-aux 0.0.7 softedge_hed + Pillow
 * resize back + original alpha): the tiny, tiny-legacy, safe, scribble and detect1024 cases of
 * ../shared/hed-golden/cases.json (the tiny subset in test/fixtures/hed without ../shared), on each engine
 * of HED_GOLDEN_ENGINES (default onnx and wasm).
 * The full-size softedge cases run in hed-golden-full.test.ts, in the other vitest fork.
 */
import { describeGoldenCases } from './hed-golden-harness.js';

await describeGoldenCases('other');
