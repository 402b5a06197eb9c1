/**
 * The options every service-talking command shares (`generate`, `status`, `cancel`, `batch`, `worker`):
 * `--api-key`, `--base-url`, `--workspace`, `--emulator` — their yargs definitions and parsed shape.
 * Turning them into a connection is `service-connection.ts`'s job; this module stays free of
 * `@backdrop/api`, because every command's options are declared when the CLI starts.
 */
import type { Argv, Options } from 'yargs';

/**
 * The public DashScope endpoint (China region), used when neither flag nor environment names one.
 * The same as `@backdrop/api`'s `DEFAULT_BASE_URL` (a test checks), written out here so that `--help`
 * does not load the client.
 */
export const DEFAULT_DASHSCOPE_BASE_URL = 'https://dashscope.aliyuncs.com/api/v1';

/** The key an in-process emulator accepts when no `--api-key` is given. */
export const EMULATOR_DEFAULT_API_KEY = 'emulator';

/** Parsed service options, as yargs hands them to a command. */
export interface ServiceArgs {
  /** One string, or an array when `--api-key` is repeated. */
  apiKey?: string | string[];
  baseUrl?: string;
  workspace?: string;
  emulator?: boolean;
}

/** How many keys the command can use: `batch` spreads work over several, the others use one. */
export interface ServiceOptionsConfig {
  multipleKeys?: boolean;
}

/** The yargs option definitions (kebab-case names; yargs also exposes them camelCased). */
export function serviceOptionDefinitions(config: ServiceOptionsConfig = {}) {
  return {
    'api-key': {
      type: 'string',
      describe: config.multipleKeys
        ? 'DashScope API key; repeat for several accounts (default: $DASHSCOPE_API_KEYS=k1,k2 or $DASHSCOPE_API_KEY)'
        : 'DashScope API key (default: $DASHSCOPE_API_KEY)',
      group: 'Service:',
    },
    'base-url': {
      type: 'string',
      describe: `API base URL (default: $DASHSCOPE_HTTP_BASE_URL or ${DEFAULT_DASHSCOPE_BASE_URL})`,
      group: 'Service:',
    },
    workspace: {
      type: 'string',
      describe: 'DashScope workspace id, sent as X-DashScope-WorkSpace (default: $DASHSCOPE_WORKSPACE)',
      group: 'Service:',
    },
    emulator: {
      type: 'boolean',
      describe: `Run against an in-process emulator on 127.0.0.1 (key "${EMULATOR_DEFAULT_API_KEY}" unless --api-key is given)`,
      conflicts: 'base-url',
      group: 'Service:',
    },
  } satisfies Record<string, Options>;
}

/** Adds the service options to a command's yargs builder. */
export function withServiceOptions<T>(yargs: Argv<T>, config: ServiceOptionsConfig = {}) {
  return yargs.options(serviceOptionDefinitions(config));
}
