/**
 * @backdrop/api — a DashScope client for wanx-background-generation-v2:
 * validated submits that never silently resubmit, waiting with a shared per-key query budget,
 * temporary uploads to `oss://`, typed results and typed, secret-free errors.
 *
 * ```ts
 * const client = new DashScope(); // DASHSCOPE_API_KEY
 * const { results } = await client.backgroundGeneration.generate({ baseImageUrl: 'cup.png', refPrompt: 'on a wooden table' });
 * ```
 */
export { DashScope, DEFAULT_BASE_URL, type DashScopeOptions, type ClientLimits } from './client.js';
export { readApiKeysFromEnv } from './env-keys.js';
export { apiKeyFingerprint } from './api-key.js';
export { PACKAGE_VERSION, USER_AGENT } from './package-version.js';
export {
  validateBackgroundGenerationRequest,
  characterCount,
  promptWordCount,
  KNOWN_SCENE_TYPES,
  MODEL_VERSIONS,
  MAX_EDGE_ELEMENTS,
  REF_PROMPT_WORD_LIMIT,
  type ValidateOptions,
} from './validate.js';
// The wire form of a request is what `task.json` records (pipeline, cluster, CLI); `parseTask` reads a
// recorded task reply back (`backdrop retitle`). The other wire parsers stay internal to the client.
export { toWireRequest, parseTask, MISSING_RESULT_CODE, type WireBackgroundGenerationRequest, type WireReferenceEdge } from './wire.js';
export { defaultPollSchedule, sdkPollSchedule, type PollContext, type PollSchedule } from './poll-schedule.js';
// A pacer a caller can inject through `ClientLimits` (the limiter itself and the retry policy are internal).
export type { RequestLimiter } from './query-limiter.js';
export { isRemoteUrl, sniffImageType, type ImageInput } from './image-source.js';
export { readInputFile, checkInputFile, InputFileUnreadableError, MAX_INPUT_FILE_BYTES, type InputFileProblem } from './input-file.js';
export { checkBaseImageFile, checkEdgeElementFile, readPngFacts, isRgba8, describePngLayout, MAX_BASE_LONG_SIDE, type PngFacts } from './image-checks.js';
export { taskListQueryWindow, TASK_LIST_ZONE_SPREAD_HOURS } from './task-list-window.js';
export { isFinalTaskStatus, type RequestOptions, type WaitOptions, type CancelResult, Tasks } from './resources/tasks.js';
export { UPLOAD_LIFETIME_MS, type UploadOptions, Files } from './resources/files.js';
export { BackgroundGeneration, type GenerateRequest, type GenerateOptions, type GenerateResult, type LocalReferenceEdge } from './resources/background-generation.js';
export * from './errors.js';
export * from './types.js';
