/**
 * `@backdrop/emulator`: a local DashScope-compatible server for wanx-background-generation-v2 — submit,
 * task query/cancel/list, temporary uploads, result images, account limits, seeded fault injection and
 * stats — so clients and batch runs can be tested offline.
 *
 * ```ts
 * const emulator = await startEmulator({ taskMs: 200, seed: 7 });
 * // point a client at emulator.baseUrl with any non-empty API key
 * await emulator.close();
 * ```
 */
export { startEmulator } from './emulator.js';
export type { Emulator, EmulatorTaskInfo } from './emulator.js';
export type { EmulatorOptions, EmulatorFaults, EmulatorLogger, FaultRoute } from './options.js';
export { FAULT_ROUTES, TASK_LIFETIME_MS, UPLOAD_LIFETIME_MS } from './options.js';
export type { EmulatorStats, KeyStats, TaskTimelineEntry, EmulatorTaskStatus } from './stats.js';
export { EmulatorOptionsError, EmulatorListenError } from './errors.js';
export { fingerprintApiKey } from './key-fingerprint.js';
export { MODEL_NAME } from './submit-request.js';
