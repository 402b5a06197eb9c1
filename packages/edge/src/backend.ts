/**
 * Chooses and initialises the TensorFlow.js backend the HED network runs on.
 *
 * Order when nothing is forced: `@tensorflow/tfjs-node` (native TensorFlow, optional dependency —
 * often absent or without its native binary), then `@tensorflow/tfjs-backend-wasm` (XNNPACK, SIMD),
 * then `@tensorflow/tfjs-backend-cpu` (plain JavaScript, slow). `BACKDROP_TF_BACKEND=node|wasm|cpu`
 * or an explicit `backend` option forces one; a forced backend that cannot load is an error.
 *
 * TensorFlow.js keeps one global engine per JavaScript realm, so a process (or worker thread)
 * runs one backend at a time; the worker pool gives each worker its own.
 */
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { EdgeError } from './errors.js';

/** A TensorFlow.js backend backdrop can run the network on. */
export type BackendName = 'node' | 'wasm' | 'cpu';

/** What was chosen, for logs and benchmarks (`hed.backend`). */
export interface BackendInfo {
  /** The backend in use. */
  name: BackendName;
  /** wasm only: whether the SIMD build was loaded. */
  simd?: boolean;
  /** wasm only: threads per forward pass (1 in Node: tfjs-backend-wasm has no Node thread support). */
  threads?: number;
  /** Why earlier candidates were passed over (empty when the first one loaded). */
  skipped: string[];
}

const BACKEND_NAMES: readonly BackendName[] = ['node', 'wasm', 'cpu'];
/** The name tfjs registers each backend under. */
const TF_NAME: Record<BackendName, string> = { node: 'tensorflow', wasm: 'wasm', cpu: 'cpu' };

const require = createRequire(import.meta.url);

let current: Promise<BackendInfo> | undefined;

/** Parses a backend name from an option or environment variable; throws a user error for anything else. */
function parseBackendName(value: string, origin: string): BackendName {
  const v = value.trim().toLowerCase();
  if ((BACKEND_NAMES as readonly string[]).includes(v)) return v as BackendName;
  throw new EdgeError('HED_BACKEND_UNKNOWN', `Unknown TensorFlow.js backend "${value}" in ${origin}; use one of: ${BACKEND_NAMES.join(', ')}.`, { userError: true });
}

/**
 * Throws unless tfjs-node is installed with its native addon. Checked on disk first: importing a
 * tfjs-node without its binary loads all of @tensorflow/tfjs before failing (seconds, every start).
 */
function assertTfjsNodeInstalled(): void {
  let dir: string;
  try {
    dir = path.dirname(require.resolve('@tensorflow/tfjs-node/package.json'));
  } catch {
    throw new Error('@tensorflow/tfjs-node is not installed');
  }
  const lib = path.join(dir, 'lib');
  const hasAddon = existsSync(lib) && readdirSync(lib).some((d) => d.startsWith('napi-v') && existsSync(path.join(lib, d, 'tfjs_binding.node')));
  if (!hasAddon) throw new Error(`@tensorflow/tfjs-node has no native addon (${path.join(lib, 'napi-v*', 'tfjs_binding.node')} is missing)`);
}

async function loadNode(): Promise<void> {
  assertTfjsNodeInstalled();
  // Registers the 'tensorflow' backend; still throws if the addon cannot be loaded (e.g. a missing libtensorflow).
  await import('@tensorflow/tfjs-node');
}

async function loadWasm(): Promise<Pick<BackendInfo, 'simd' | 'threads'>> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  // In Node the .wasm binaries are read from the package's dist folder (a file path prefix).
  const dist = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep;
  wasm.setWasmPaths(dist);
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  return { simd };
}

async function loadCpu(): Promise<void> {
  await import('@tensorflow/tfjs-backend-cpu');
}

async function tryBackend(name: BackendName): Promise<Pick<BackendInfo, 'simd' | 'threads'>> {
  let extra: Pick<BackendInfo, 'simd' | 'threads'> = {};
  if (name === 'node') await loadNode();
  else if (name === 'wasm') extra = await loadWasm();
  else await loadCpu();
  const ok = await tf.setBackend(TF_NAME[name]);
  if (!ok) throw new Error(`tf.setBackend('${TF_NAME[name]}') returned false`);
  await tf.ready();
  if (name === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    extra.threads = wasm.getThreadsCount();
  }
  return extra;
}

function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0];
}

async function select(forced: BackendName | undefined): Promise<BackendInfo> {
  if (forced) {
    try {
      return { name: forced, ...(await tryBackend(forced)), skipped: [] };
    } catch (err) {
      throw new EdgeError(
        'HED_BACKEND_UNAVAILABLE',
        `The TensorFlow.js backend "${forced}" could not be loaded (${firstLine(err)}). ` +
          (forced === 'node'
            ? 'Install @tensorflow/tfjs-node with its native binary, or choose --backend wasm.'
            : 'Choose another backend (--backend / BACKDROP_TF_BACKEND) or reinstall @backdrop/edge.'),
        { userError: true, cause: err },
      );
    }
  }
  const skipped: string[] = [];
  for (const name of BACKEND_NAMES) {
    try {
      return { name, ...(await tryBackend(name)), skipped };
    } catch (err) {
      skipped.push(`${name}: ${firstLine(err)}`);
    }
  }
  throw new EdgeError('HED_BACKEND_UNAVAILABLE', `No TensorFlow.js backend could be loaded (${skipped.join('; ')}).`);
}

/**
 * Initialises the backend once per realm: `requested` (or `BACKDROP_TF_BACKEND`), else the best that loads.
 * Asking later for a different backend than the one already running is an error, not a silent switch.
 */
export async function initBackend(requested?: BackendName, env: NodeJS.ProcessEnv = process.env): Promise<BackendInfo> {
  const fromEnv = env.BACKDROP_TF_BACKEND?.trim();
  const forced = requested ?? (fromEnv ? parseBackendName(fromEnv, 'BACKDROP_TF_BACKEND') : undefined);
  if (current) {
    const info = await current;
    if (forced && forced !== info.name) {
      throw new EdgeError(
        'HED_BACKEND_CONFLICT',
        `This process already runs the HED network on "${info.name}"; it cannot also use "${forced}". ` +
          'Use one backend per process (the worker pool gives each worker its own).',
        { userError: true },
      );
    }
    return info;
  }
  // Production mode: no per-op debug checks, and no "install tfjs-node" banner from the cpu backend.
  tf.enableProdMode();
  current = select(forced);
  try {
    return await current;
  } catch (err) {
    current = undefined;
    throw err;
  }
}
