/**
 * @backdrop/pipeline — the batch engine behind `backdrop batch`: streams a catalogue of product
 * cut-outs through HED, upload, submit, poll and download at each account's full speed (2 submits/s,
 * 1 running task), journalled so that a re-run resumes without losing or paying twice for work.
 */
export { runBatch, type BatchOptions } from './engine/run-batch.js';
export type { BatchEvent, BatchSummary, ItemResult } from './engine/batch-events.js';
export type { BatchItem, ElementSpec, ItemDefaults } from './item.js';
export { openBatchSource, itemsSource, type BatchSource, type SourceEntry } from './manifest/batch-source.js';
export { validateBatchInput, type InputReport, type ValidateInputOptions } from './manifest/validate-input.js';
export type { EdgeMaker } from './stages/prepare.js';
export { TaskRecordFile, recordedFiles, type TaskRecord, type RecordedFile, type RecordedUpload } from './output/task-record.js';
export { openHedEdgeMaker, type HedEdgeMaker, type HedEdgeMakerOptions } from './edges/hed-edge-maker.js';
export type { BatchClient } from './batch-client.js';
export { acquireKeyLock, defaultLockDir, type KeyLock } from './throttle/key-lock.js';
export {
  BatchError,
  BatchConfigError,
  InvalidBatchInputError,
  KeyLockHeldError,
  ResultExpiredError,
  formatProblem,
  type InputProblem,
} from './errors.js';
