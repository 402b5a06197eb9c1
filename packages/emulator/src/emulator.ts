/** `startEmulator`: wires the state, the server and the expiry sweep, and returns the handle. */
import type { AddressInfo } from 'node:net';
import { Clock } from './clock.js';
import type { EmulatorState } from './emulator-state.js';
import { EmulatorListenError } from './errors.js';
import { FaultInjector } from './faults.js';
import { generateImages } from './images/compose.js';
import { TaskLifecycle } from './lifecycle.js';
import { type EmulatorOptions, TASK_LIFETIME_MS, UPLOAD_LIFETIME_MS, resolveOptions } from './options.js';
import { ResultStore } from './result-store.js';
import { createEmulatorServer } from './server.js';
import { type EmulatorStats, type EmulatorTaskStatus, StatsRecorder } from './stats.js';
import { UploadStore } from './upload-store.js';

/** A task as the emulator holds it (for tests and tools; times in ms since the epoch). */
export interface EmulatorTaskInfo {
  taskId: string;
  /** API-key fingerprint of the owner. */
  key: string;
  status: EmulatorTaskStatus;
  n: number;
  /** Time drawn for it to stay RUNNING (from `taskMs` and the seed); it runs longer only if images take longer. */
  plannedRunMs: number;
  submittedAt: number;
  startedAt?: number;
  endedAt?: number;
  expiresAt?: number;
}

/** A running emulator. */
export interface Emulator {
  /** `http://127.0.0.1:PORT/api/v1`: the base URL for a DashScope client. */
  baseUrl: string;
  /** `http://127.0.0.1:PORT`. */
  origin: string;
  port: number;
  host: string;
  /** The same object `GET /emulator/stats` returns. */
  stats(): EmulatorStats;
  /** Forgets the stats seen so far (like `POST /emulator/reset`). */
  resetStats(): void;
  /** Every task still kept (not expired), any key. */
  tasks(): EmulatorTaskInfo[];
  /**
   * Moves the emulator's clock forward by `ms` and expires what is due (tasks, result URLs, uploads,
   * upload policies). Running tasks keep their real-time timers.
   */
  advanceClock(ms: number): void;
  /** Stops listening, closes open (keep-alive) connections and stops all timers. Safe to call twice. */
  close(): Promise<void>;
}

/** Starts a DashScope-compatible server for wanx-background-generation-v2 on `host:port` (default 127.0.0.1, a free port). */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const config = resolveOptions(options);
  const clock = new Clock();
  const stats = new StatsRecorder(() => clock.now());
  const faults = new FaultInjector(config.faults, config.seed);
  const results = new ResultStore(config.maxResultBytes, (count) =>
    config.logger.warn?.(`emulator: result memory over ${config.maxResultBytes} bytes; dropped the ${count} oldest image(s) early.`),
  );
  const state: EmulatorState = {
    config,
    clock,
    stats,
    faults,
    results,
    uploads: new UploadStore(UPLOAD_LIFETIME_MS * config.timeScale, config.maxUploadBytes, config.maxUploadMemoryBytes, (count) =>
      config.logger.warn?.(`emulator: upload memory over ${config.maxUploadMemoryBytes} bytes; dropped the ${count} oldest file(s) early.`),
    ),
    tasks: new TaskLifecycle(config, clock, stats, faults, results, generateImages),
    limits: new Map(),
    origin: '',
  };
  const server = createEmulatorServer(state);
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(
        new EmulatorListenError(`Cannot listen on ${config.host}:${config.port} (${error.code ?? error.message}); choose another --port or stop what uses it.`, { cause: error }),
      );
    };
    server.once('error', onError);
    server.listen(config.port, config.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const hostForUrl = config.host.includes(':') ? `[${config.host}]` : config.host;
  state.origin = `http://${hostForUrl}:${port}`;

  const sweep = (): void => {
    const now = clock.now();
    state.tasks.sweep(now);
    state.results.sweep(now);
    state.uploads.sweep(now);
  };
  const sweepEveryMs = Math.min(60_000, Math.max(25, (Math.min(TASK_LIFETIME_MS, UPLOAD_LIFETIME_MS) * config.timeScale) / 4));
  const sweeper = setInterval(sweep, sweepEveryMs);
  sweeper.unref();

  let closing: Promise<void> | undefined;
  config.logger.info?.(`emulator: listening on ${state.origin}/api/v1`);
  return {
    baseUrl: `${state.origin}/api/v1`,
    origin: state.origin,
    port,
    host: config.host,
    stats: () => stats.snapshot(),
    resetStats: () => stats.reset(),
    tasks: () =>
      state.tasks.all().map((t) => ({
        taskId: t.id,
        key: t.key,
        status: t.status,
        n: t.n,
        plannedRunMs: t.runMs,
        submittedAt: t.submittedAt,
        startedAt: t.scheduledAt,
        endedAt: t.endedAt,
        expiresAt: t.expiresAt,
      })),
    advanceClock: (ms: number) => {
      clock.advance(ms);
      sweep();
    },
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        clearInterval(sweeper);
        state.tasks.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
