/** What a route handler gets for one request. */
import type { IncomingMessage } from 'node:http';
import type { EmulatorState } from '../emulator-state.js';

/** One request, as routes see it. */
export interface RouteContext {
  req: IncomingMessage;
  url: URL;
  /** Path parameters, e.g. `{ taskId }`. */
  params: Record<string, string>;
  requestId: string;
  /** API-key fingerprint (`key_…`); empty on routes without authentication. */
  key: string;
  state: EmulatorState;
}
