/**
 * Loads onnxruntime-node once, with a clear reason when it cannot run here: the package ships CPU binaries
 * for linux x64/arm64, win32 x64/arm64 and darwin arm64 only (`bin/napi-v6/<platform>/<arch>/`).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** The onnxruntime-node module. */
export type OnnxRuntime = typeof import('onnxruntime-node');

const require = createRequire(import.meta.url);
let loading: Promise<OnnxRuntime> | undefined;

/** Version of the installed onnxruntime-node, or undefined when it is not installed. */
export function onnxRuntimeVersion(): string | undefined {
  try {
    return (require('onnxruntime-node/package.json') as { version: string }).version;
  } catch {
    return undefined;
  }
}

async function load(): Promise<OnnxRuntime> {
  let dir: string;
  try {
    dir = path.dirname(require.resolve('onnxruntime-node/package.json'));
  } catch {
    throw new Error('onnxruntime-node is not installed');
  }
  const binary = path.join(dir, 'bin', 'napi-v6', process.platform, process.arch, 'onnxruntime_binding.node');
  if (!existsSync(binary)) throw new Error(`onnxruntime-node has no binary for ${process.platform}-${process.arch}`);
  // onnxruntime 1.30's Linux build carries a telemetry client that writes `.ses` and `mat-debug-<pid>.log`
  // into the temp folder and tries HTTPS uploads. backdrop sends nothing anywhere but the service: off,
  // unless the user set the variable themselves. It is read when the library initialises, so set it first.
  process.env.ORT_DISABLE_TELEMETRY ??= '1';
  const mod = (await import('onnxruntime-node')) as OnnxRuntime & { default?: OnnxRuntime };
  // CommonJS module: named exports come through Node's static analysis, `default` always.
  return mod.InferenceSession ? mod : mod.default!;
}

/** The onnxruntime-node module (loaded on first use); throws an Error whose first line says why not. */
export function loadOnnxRuntime(): Promise<OnnxRuntime> {
  loading ??= load();
  loading.catch(() => (loading = undefined));
  return loading;
}
