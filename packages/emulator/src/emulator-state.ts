/** Everything the routes share: config, clock, stores, limits, stats. One per running emulator. */
import type { Clock } from './clock.js';
import type { FaultInjector } from './faults.js';
import type { TaskLifecycle } from './lifecycle.js';
import { AccountLimits } from './limits.js';
import type { EmulatorConfig } from './options.js';
import type { ResultStore } from './result-store.js';
import type { StatsRecorder } from './stats.js';
import type { UploadStore } from './upload-store.js';

/** Shared state of one emulator. */
export interface EmulatorState {
  config: EmulatorConfig;
  clock: Clock;
  stats: StatsRecorder;
  faults: FaultInjector;
  tasks: TaskLifecycle;
  uploads: UploadStore;
  results: ResultStore;
  /** Rate limits per API-key fingerprint. */
  limits: Map<string, AccountLimits>;
  /** `http://host:port`, known once listening. */
  origin: string;
}

/** The rate limits of an account, created on first use. */
export function limitsFor(state: EmulatorState, key: string): AccountLimits {
  let limits = state.limits.get(key);
  if (!limits) {
    limits = new AccountLimits(state.config.submitQps, state.config.queryQps);
    state.limits.set(key, limits);
  }
  return limits;
}
