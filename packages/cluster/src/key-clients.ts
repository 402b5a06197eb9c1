import { openKeyClients, type BatchClient } from './stages-bridge.js';
import { ClusterConfigError } from './cluster-errors.js';

/** The client calls a worker makes for one key: the batch engine's `BatchClient`. */
export type KeyClient = BatchClient;

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
  const lanes = openKeyClients(apiKeys, options);
  if (lanes.length === 0) throw new ClusterConfigError('MISSING_API_KEY', 'No DashScope API key: set DASHSCOPE_API_KEYS=k1,k2 (or DASHSCOPE_API_KEY), or pass apiKeys.');
  return lanes;
}
