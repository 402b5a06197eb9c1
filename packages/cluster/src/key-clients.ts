import { DashScope, apiKeyFingerprint } from '@backdrop/api';
import { ClusterConfigError } from './cluster-errors.js';

/** The client calls a worker makes for one key (the shape of `@backdrop/api`'s `DashScope`). */
export interface KeyClient {
  files: DashScope['files'];
  backgroundGeneration: DashScope['backgroundGeneration'];
  tasks: DashScope['tasks'];
}

/** One account a worker holds: its fingerprint (the only name it goes by in Redis and output) and client. */
export interface KeyLane {
  fingerprint: string;
  client: KeyClient;
}

/** Settings for turning keys into clients. */
export interface KeyClientOptions {
  baseUrl?: string;
  workspace?: string;
  requestTimeoutMs?: number;
}

/**
 * One client per distinct key. Submits are never retried by the client (a retried 429 or timeout would be
 * a submit the shared limits did not count, or a task paid twice): the worker retries them itself.
 */
export function keyLanes(apiKeys: string[], options: KeyClientOptions = {}): KeyLane[] {
  const distinct = [...new Set(apiKeys.map((k) => k.trim()).filter(Boolean))];
  if (distinct.length === 0) throw new ClusterConfigError('MISSING_API_KEY', 'No DashScope API key: set DASHSCOPE_API_KEYS=k1,k2 (or DASHSCOPE_API_KEY), or pass apiKeys.');
  return distinct.map((apiKey) => {
    const common = {
      apiKey,
      ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
      ...(options.workspace ? { workspace: options.workspace } : {}),
      ...(options.requestTimeoutMs ? { timeoutMs: options.requestTimeoutMs } : {}),
    };
    const general = new DashScope(common);
    const submitter = new DashScope({ ...common, maxRetries: 0 });
    return { fingerprint: apiKeyFingerprint(apiKey), client: { files: general.files, tasks: general.tasks, backgroundGeneration: submitter.backgroundGeneration } };
  });
}
