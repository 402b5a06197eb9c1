/**
 * Turns the service options (`service-options.ts`) plus the DASHSCOPE_* environment variables into a
 * connection: keys, base URL, workspace, and — with `--emulator` — an in-process emulator that is
 * closed by `close()`.
 *
 * The API key is never printed: not here, not in errors.
 */
import { DEFAULT_BASE_URL, readApiKeysFromEnv } from '@backdrop/api';
import type { Emulator, EmulatorOptions } from '@backdrop/emulator';
import { CliUsageError } from './cli-errors.js';
import { EMULATOR_DEFAULT_API_KEY, type ServiceArgs, type ServiceOptionsConfig } from './service-options.js';

/** Where and as whom to talk to the service. */
export interface ServiceConnection {
  /** At least one key. Single-key commands get exactly one. */
  apiKeys: string[];
  /** Base URL ending in `/api/v1` (no trailing slash). */
  baseUrl: string;
  workspace?: string;
  /** Present when `--emulator` started one in this process. */
  emulator?: Emulator;
  /** Stops the in-process emulator, if any. Safe to call twice. */
  close(): Promise<void>;
}

/** Splits `k1,k2` / repeated flags into clean, distinct keys. */
function keyList(value: string | string[] | undefined): string[] {
  const raw = value === undefined ? [] : Array.isArray(value) ? value : [value];
  const keys = raw
    .flatMap((v) => String(v).split(','))
    .map((k) => k.trim())
    .filter((k) => k.length > 0);
  return [...new Set(keys)];
}

/** The keys `--api-key` names; a user error when a single-key command is given several. */
function keysFromFlags(args: ServiceArgs, config: ServiceOptionsConfig): string[] {
  const keys = keyList(args.apiKey);
  if (keys.length > 1 && !config.multipleKeys) {
    throw new CliUsageError('TOO_MANY_API_KEYS', 'This command uses one API key; pass --api-key once.');
  }
  return keys;
}

/** Resolves keys from flags, then the environment; throws a user error when there are none. */
export function resolveApiKeys(args: ServiceArgs, config: ServiceOptionsConfig = {}, env: NodeJS.ProcessEnv = process.env): string[] {
  const fromFlags = keysFromFlags(args, config);
  if (fromFlags.length > 0) return fromFlags;
  // The same key twice in DASHSCOPE_API_KEYS is one account: one lane, not two sharing its limits.
  const keys = [...new Set(readApiKeysFromEnv(env, { several: config.multipleKeys === true }))];
  if (keys.length === 0) {
    throw new CliUsageError('MISSING_API_KEY', 'No DashScope API key: set DASHSCOPE_API_KEY (or pass --api-key), or use --emulator to try backdrop offline.');
  }
  return keys;
}

/** Validates and normalises a base URL (no trailing slash). */
function normaliseBaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new CliUsageError('INVALID_BASE_URL', `Base URL "${value}" is not a URL; expected e.g. ${DEFAULT_BASE_URL}.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliUsageError('INVALID_BASE_URL', `Base URL "${value}" must start with http:// or https://.`);
  }
  return value.replace(/\/+$/, '');
}

/**
 * Turns parsed service options into a connection. With `--emulator`, starts `@backdrop/emulator`
 * in this process on 127.0.0.1 (a random free port) and points the connection at it.
 */
export async function connectService(
  args: ServiceArgs,
  config: ServiceOptionsConfig & { emulatorOptions?: EmulatorOptions } = {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<ServiceConnection> {
  const workspace = (args.workspace ?? env.DASHSCOPE_WORKSPACE)?.trim() || undefined;
  if (args.emulator) {
    if (args.baseUrl) throw new CliUsageError('CONFLICTING_OPTIONS', 'Use either --emulator or --base-url, not both.');
    const fromFlags = keysFromFlags(args, config);
    const apiKeys = fromFlags.length > 0 ? fromFlags : [EMULATOR_DEFAULT_API_KEY];
    const emulator = await startInProcessEmulator({ ...config.emulatorOptions, apiKeys });
    let closed: Promise<void> | undefined;
    return {
      apiKeys,
      baseUrl: emulator.baseUrl.replace(/\/+$/, ''),
      workspace,
      emulator,
      close: () => (closed ??= emulator.close()),
    };
  }
  const apiKeys = resolveApiKeys(args, config, env);
  const baseUrl = normaliseBaseUrl(args.baseUrl ?? (env.DASHSCOPE_HTTP_BASE_URL?.trim() || DEFAULT_BASE_URL));
  return { apiKeys, baseUrl, workspace, close: async () => {} };
}

/** Loads the emulator only when asked for (it pulls in image and font code the real service does not need). */
async function startInProcessEmulator(options: EmulatorOptions): Promise<Emulator> {
  const { startEmulator } = await import('@backdrop/emulator');
  return startEmulator({ host: '127.0.0.1', port: 0, ...options });
}
