/**
 * @backdrop/pipeline — the batch engine behind `backdrop batch`: streams a catalogue of product
 * cut-outs through HED, upload, submit, poll and download at each account's full speed (2 submits/s,
 * 1 running task), journalled so that a re-run resumes without losing or paying twice for work.
 */
export { runBatch, type BatchOptions } from './engine/run-batch.js';
export type { BatchEvent, BatchSummary, ItemResult } from './engine/batch-events.js';
export type { BatchItem, ElementSpec, ItemDefaults } from './item.js';
export { openBatchSource, itemsSource, type BatchSource, type SourceEntry } from './manifest/batch-source.js';
export { validateBatchInput, MAX_BASE_SIDE, type InputReport, type ValidateInputOptions } from './manifest/validate-input.js';
export type { EdgeMaker } from './stages/prepare.js';
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

// Building blocks of the batch stages, for other runners of the same items (e.g. `@backdrop/cluster`).
export { itemSpecHash } from './item.js';
export { buildRequest, type ResolvedUrls } from './request-builder.js';
export { prepareItem, InvalidItemInputError, type PreparedInput, type PreparedItem, type PrepareContext } from './stages/prepare.js';
export { uploadInputs, type UploadedInputs, type UploadUrlCache } from './stages/upload.js';
export { findUnclaimedTask, type ReconcileOutcome } from './stages/reconcile.js';
export { downloadFiles, downloadPlan, filesIntact, DownloadError, type DownloadPlan } from './stages/download.js';
export { writeTaskRecord } from './output/task-record.js';
export { resultLine } from './output/results-file.js';
export { writeFileAtomic } from './output/atomic-write.js';
export type { JournalFile } from './journal/journal-entry.js';
export {
  errorFacts,
  isSlotBusy,
  isRateLimited,
  isPermanentTaskFailure,
  isInputDownloadFailure,
  isInputDownloadTaskFailure,
  type ClientErrorFacts,
} from './batch-client.js';
