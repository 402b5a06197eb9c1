/**
 * The HTTP server: routing, request ids, API-key checks, fault hooks, and turning thrown errors into the
 * service's (JSON) or the object store's (XML) error replies.
 */
import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { EmulatorState } from './emulator-state.js';
import { INTERNAL_ERROR_MESSAGE, INVALID_API_KEY_MESSAGE, ObjectStoreError, ServiceError, invalidParameter } from './errors.js';
import { type Reply, errorReply, writeReply, xmlErrorReply } from './http-io.js';
import { fingerprintApiKey } from './key-fingerprint.js';
import type { FaultRoute } from './options.js';
import type { RouteContext } from './routes/route-context.js';
import { handleResult } from './routes/results.js';
import { handleStats, handleStatsReset } from './routes/stats.js';
import { handleSubmit } from './routes/submit.js';
import { handleTaskCancel, handleTaskList, handleTaskQuery } from './routes/tasks.js';
import { handleUpload } from './routes/upload-host.js';
import { UPLOAD_HOST_PATH, handleUploadPolicy } from './routes/uploads.js';
import { RESULT_PATH_PREFIX } from './result-store.js';

interface Route {
  method: string;
  pattern: RegExp;
  /** Names of the pattern's capture groups, in order. */
  params: string[];
  /** API routes need `Authorization: Bearer <key>` and answer JSON errors; others answer XML (OSS). */
  kind: 'api' | 'object-store' | 'emulator';
  fault?: FaultRoute;
  handle(ctx: RouteContext): Promise<Reply>;
}

const ROUTES: Route[] = [
  {
    method: 'POST',
    pattern: /^\/api\/v1\/services\/aigc\/background-generation\/generation\/?$/,
    params: [],
    kind: 'api',
    fault: 'submit',
    handle: handleSubmit,
  },
  { method: 'GET', pattern: /^\/api\/v1\/tasks\/?$/, params: [], kind: 'api', fault: 'list', handle: handleTaskList },
  { method: 'GET', pattern: /^\/api\/v1\/tasks\/([^/]+)\/?$/, params: ['taskId'], kind: 'api', fault: 'query', handle: handleTaskQuery },
  {
    method: 'POST',
    pattern: /^\/api\/v1\/tasks\/([^/]+)\/cancel\/?$/,
    params: ['taskId'],
    kind: 'api',
    fault: 'cancel',
    handle: handleTaskCancel,
  },
  { method: 'GET', pattern: /^\/api\/v1\/uploads\/?$/, params: [], kind: 'api', fault: 'policy', handle: handleUploadPolicy },
  { method: 'POST', pattern: new RegExp(`^${UPLOAD_HOST_PATH}/?$`), params: [], kind: 'object-store', fault: 'upload', handle: handleUpload },
  { method: 'GET', pattern: new RegExp(`^${RESULT_PATH_PREFIX}`), params: [], kind: 'object-store', fault: 'result', handle: handleResult },
  { method: 'GET', pattern: /^\/emulator\/stats\/?$/, params: [], kind: 'emulator', handle: handleStats },
  { method: 'POST', pattern: /^\/emulator\/reset\/?$/, params: [], kind: 'emulator', handle: handleStatsReset },
];

function decodePathParam(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw invalidParameter(`The path segment "${raw.slice(0, 80)}" is not valid percent-encoding.`);
  }
}

/** The route for a request, with its decoded path parameters; throws a 400 for a malformed path parameter. */
function match(method: string, pathname: string): { route: Route; params: Record<string, string> } | undefined {
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const m = route.pattern.exec(pathname);
    if (!m) continue;
    const params: Record<string, string> = {};
    route.params.forEach((name, i) => (params[name] = decodePathParam(m[i + 1])));
    return { route, params };
  }
  return undefined;
}

/** The API key of a request, or undefined when missing or not accepted. */
function authenticate(req: IncomingMessage, state: EmulatorState): string | undefined {
  const header = req.headers.authorization ?? '';
  const m = /^Bearer\s+(.+)$/i.exec(header.trim());
  const key = m?.[1].trim();
  if (!key) return undefined;
  if (state.config.apiKeys && !state.config.apiKeys.has(key)) return undefined;
  return key;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function errorToReply(error: unknown, route: Route | undefined, requestId: string, state: EmulatorState): Reply {
  if (error instanceof ServiceError) return errorReply(error.status, error.code, error.message, requestId, error.headers);
  if (error instanceof ObjectStoreError) return xmlErrorReply(error.status, error.code, error.message, requestId);
  state.config.logger.error?.(`emulator: internal error on ${route?.fault ?? 'request'}: ${error instanceof Error ? error.stack : String(error)}`);
  return route?.kind === 'object-store'
    ? xmlErrorReply(500, 'InternalError', INTERNAL_ERROR_MESSAGE, requestId)
    : errorReply(500, 'InternalError', INTERNAL_ERROR_MESSAGE, requestId);
}

async function handle(req: IncomingMessage, res: ServerResponse, state: EmulatorState): Promise<void> {
  const requestId = randomUUID();
  const started = Date.now();
  const pathname = (req.url ?? '/').split('?')[0];
  let route: Route | undefined;
  let key = '';
  let reply: Reply;
  let dropAfterHandling = false;
  try {
    // Inside the try: a malformed URL or path parameter is answered like any other bad request.
    const url = new URL(req.url ?? '/', state.origin);
    const found = match(req.method ?? 'GET', url.pathname);
    if (!found) {
      throw new ServiceError(404, 'NotFound', `No route for ${req.method} ${url.pathname} on this DashScope emulator.`);
    }
    route = found.route;
    const { params } = found;
    if (route.kind === 'api') {
      const apiKey = authenticate(req, state);
      if (!apiKey) throw new ServiceError(401, 'InvalidApiKey', INVALID_API_KEY_MESSAGE);
      key = fingerprintApiKey(apiKey);
      state.stats.recordRequest(key);
    }
    if (route.fault) {
      const faults = state.faults.forRequest(route.fault);
      if (faults.delayMs > 0) {
        state.stats.recordFault(key || undefined, 'slowReply');
        await sleep(faults.delayMs);
      }
      if (faults.drop) {
        state.stats.recordFault(key || undefined, 'dropConnection');
        if (route.fault === 'submit' && state.config.faults.dropAfterCreate) {
          dropAfterHandling = true;
        } else {
          req.socket.destroy();
          return;
        }
      }
      if (faults.serverError) {
        state.stats.recordFault(key || undefined, 'serverError');
        throw route.kind === 'object-store' ? new ObjectStoreError(500, 'InternalError', INTERNAL_ERROR_MESSAGE) : new ServiceError(500, 'InternalError', INTERNAL_ERROR_MESSAGE);
      }
    }
    reply = await route.handle({ req, url, params, requestId, key, state });
  } catch (error) {
    reply = errorToReply(error, route, requestId, state);
    if (error instanceof ServiceError || error instanceof ObjectStoreError) state.stats.recordError(key || undefined, error.code, error.status);
  }
  if (dropAfterHandling) {
    req.socket.destroy();
    state.config.logger.debug?.(`emulator: ${req.method} ${pathname} → dropped after handling (${key})`);
    return;
  }
  writeReply(res, reply, requestId);
  state.config.logger.debug?.(`emulator: ${req.method} ${pathname} → ${reply.status} ${key || '-'} ${Date.now() - started}ms`);
}

/** Creates the HTTP server for `state` (not yet listening). */
export function createEmulatorServer(state: EmulatorState): Server {
  const server = createServer((req, res) => {
    handle(req, res, state).catch((error: unknown) => {
      state.config.logger.error?.(`emulator: failed to answer a request: ${String(error)}`);
      if (!res.headersSent) writeReply(res, errorReply(500, 'InternalError', 'The emulator failed to answer.', 'none'), 'none');
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5000;
  return server;
}
