/**
 * Builds the `@backdrop/api` client for a CLI command from its service connection. Request logs go
 * to stderr only with BACKDROP_DEBUG=1 (the client never hands the API key to its logger).
 */
import { DashScope, type Logger } from '@backdrop/api';
import type { ServiceConnection } from './service-connection.js';

function stderrLogger(): Logger {
  const line =
    (level: string) =>
    (message: string, ...rest: unknown[]): void => {
      const extra = rest.length > 0 ? ' ' + rest.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join(' ') : '';
      process.stderr.write(`[${level}] ${message}${extra}\n`);
    };
  return { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') };
}

/** A client for `apiKey` (default: the connection's first key). */
export function openClient(connection: ServiceConnection, apiKey: string = connection.apiKeys[0]): DashScope {
  return new DashScope({
    apiKey,
    baseUrl: connection.baseUrl,
    workspace: connection.workspace,
    ...(process.env.BACKDROP_DEBUG === '1' ? { logger: stderrLogger() } : {}),
  });
}
