/**
 * Backend selection, each case in a fresh Node process (tfjs has one backend per process), through the
 * built `dist/` (run `npx tsc -b packages/edge` first).
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
const backendJs = pathToFileURL(path.resolve(here, '..', 'dist', 'backend.js')).href;
const run = promisify(execFile);

/** Runs initBackend(requested) in a child with `env`; returns its BackendInfo or its error. */
async function select(requested: string | undefined, env: Record<string, string> = {}): Promise<Record<string, unknown>> {
  const script = `
    const { initBackend } = await import(${JSON.stringify(backendJs)});
    try { console.log(JSON.stringify({ ok: await initBackend(${requested ? JSON.stringify(requested) : 'undefined'}) })); }
    catch (e) { console.log(JSON.stringify({ error: { code: e.code, message: e.message, userError: e.userError } })); }`;
  const childEnv = { ...process.env, ...env };
  if (!('BACKDROP_TF_BACKEND' in env)) delete childEnv.BACKDROP_TF_BACKEND;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { env: childEnv, cwd: path.resolve(here, '..') });
  return JSON.parse(stdout.trim().split('\n').pop()!);
}

let nodeLoads: Promise<boolean> | undefined;
/** Whether @tensorflow/tfjs-node (with its native addon) loads on this machine (asked once). */
function tfjsNodeLoads(): Promise<boolean> {
  nodeLoads ??= tfjsNodeImport();
  return nodeLoads;
}

async function tfjsNodeImport(): Promise<boolean> {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', `try { await import('@tensorflow/tfjs-node'); console.log('yes'); } catch { console.log('no'); }`], {
    cwd: path.resolve(here, '..'),
  });
  return stdout.trim().endsWith('yes');
}

describe('initBackend', () => {
  it('picks the best backend that loads and says why it passed over the others', async () => {
    const nodeLoads = await tfjsNodeLoads();
    const r = await select(undefined);
    if (nodeLoads) {
      expect(r.ok).toMatchObject({ name: 'node' });
    } else {
      console.log('backend test: @tensorflow/tfjs-node does not load here (no native addon) — expecting the wasm fallback');
      expect(r.ok).toMatchObject({ name: 'wasm', simd: true, threads: 1 });
      expect((r.ok as { skipped: string[] }).skipped[0]).toMatch(/^node: @tensorflow\/tfjs-node (is not installed|has no native addon)/);
    }
  });

  it('honours BACKDROP_TF_BACKEND and the explicit option', async () => {
    expect((await select(undefined, { BACKDROP_TF_BACKEND: 'cpu' })).ok).toMatchObject({ name: 'cpu', skipped: [] });
    expect((await select('wasm', { BACKDROP_TF_BACKEND: 'cpu' })).ok).toMatchObject({ name: 'wasm' });
  });

  it('rejects an unknown backend name, and a forced backend that cannot load, with user errors', async () => {
    expect((await select(undefined, { BACKDROP_TF_BACKEND: 'gpu' })).error).toMatchObject({ code: 'HED_BACKEND_UNKNOWN', userError: true });
    if (!(await tfjsNodeLoads())) {
      const r = await select('node');
      expect(r.error).toMatchObject({ code: 'HED_BACKEND_UNAVAILABLE', userError: true });
      expect(String((r.error as { message: string }).message)).toMatch(/--backend wasm/);
    }
  });
});
