import os from 'node:os';
import path from 'node:path';

/** File name of the HED weights, in the cache and on Hugging Face. */
export const HED_WEIGHTS_FILE = 'ControlNetHED.pth';

/** Environment variable naming a weights file to use. */
export const HED_WEIGHTS_ENV = 'BACKDROP_HED_WEIGHTS';

/** `$XDG_CACHE_HOME/backdrop`, else `$HOME/.cache/backdrop` (XDG: a relative XDG_CACHE_HOME is ignored). */
export function defaultWeightsCacheDir(env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, 'backdrop');
  return path.join(env.HOME || os.homedir(), '.cache', 'backdrop');
}

/** Download address: `${HF_ENDPOINT ?? 'https://huggingface.co'}/lllyasviel/Annotators/resolve/main/ControlNetHED.pth`. */
export function hedWeightsUrl(env: NodeJS.ProcessEnv): string {
  const endpoint = (env.HF_ENDPOINT || 'https://huggingface.co').replace(/\/+$/, '');
  return `${endpoint}/lllyasviel/Annotators/resolve/main/${HED_WEIGHTS_FILE}`;
}
