/**
 * One `DashScope` client per distinct API key, as every runner of items needs them (the batch engine and
 * `@backdrop/cluster`'s workers): the runner owns each key's pacing, so the client's own limiters are off,
 * and submits are never retried by the client (a client-side retry of a 429 or a timeout would be a submit
 * the runner did not count — or a task paid twice); the runner retries them inside its own accounting.
 */
import { DashScope, apiKeyFingerprint } from '@backdrop/api';
import type { BatchClient } from './batch-client.js';

/** Where and how the clients connect. */
export interface KeyClientConnection {
  baseUrl?: string;
  workspace?: string;
  requestTimeoutMs?: number;
}

/** One key's client, named only by its fingerprint. */
export interface KeyClient {
  fingerprint: string;
  client: BatchClient;
}

/** A client for each distinct, non-empty key (trimmed), in the order given. */
export function openKeyClients(apiKeys: readonly string[], connection: KeyClientConnection = {}): KeyClient[] {
  const distinct = [...new Set(apiKeys.map((k) => k.trim()).filter(Boolean))];
  return distinct.map((apiKey) => {
    const common = {
      apiKey,
      ...(connection.baseUrl ? { baseUrl: connection.baseUrl } : {}),
      ...(connection.workspace ? { workspace: connection.workspace } : {}),
      ...(connection.requestTimeoutMs ? { timeoutMs: connection.requestTimeoutMs } : {}),
    };
    const general = new DashScope({ ...common, limits: false });
    const submitter = new DashScope({ ...common, maxRetries: 0, limits: false });
    return { fingerprint: apiKeyFingerprint(apiKey), client: { files: general.files, tasks: general.tasks, backgroundGeneration: submitter.backgroundGeneration } };
  });
}
