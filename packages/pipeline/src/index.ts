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
export { acquireOutputLock } from './journal/out-lock.js';
export { BatchError, BatchConfigError, InvalidBatchInputError, KeyLockHeldError, OutputFolderLockedError, ResultExpiredError, formatProblem, type InputProblem } from './errors.js';

// Building blocks for a one-item run (`backdrop generate` in @backdrop/cli) and for tools that
// write results themselves: the same preparation, request, download and atomic-write steps the
// batch engine uses, so both paths reach the service the same way.
// Whether an image reference is a remote URL (http/https/oss) rather than a local file.
export { isRemoteReference, localFilesOf } from './item.js';
// Turns one item's local inputs into uploadable files or URLs (HED edges made on the way).
export { prepareItem, type PreparedItem, type PreparedInput, type PrepareContext } from './stages/prepare.js';
// Builds the service request for an item from its resolved input URLs.
export { buildRequest, type ResolvedUrls } from './request-builder.js';
// Plans and performs the download of a finished task's result images.
export { downloadPlan, downloadFiles, missingResults, type DownloadPlan, type MissingResult } from './stages/download.js';
// Writes a file under a temporary name, fsyncs and renames it into place: never a partial file.
export { writeFileAtomic } from './output/atomic-write.js';
export { ContactSheet, buildContactSheet, type ContactSheetOptions, type ContactSheetWritten } from './report/contact-sheet.js';
export { parseImagePrice, imagePriceFrom, formatMoney, PRICE_ENV, InvalidPriceError } from './report/image-price.js';
export type { ImagePrice, ReportTotals, LaneFigures } from './report/report-model.js';
// Building blocks of the batch stages, for other runners of the same items (e.g. `@backdrop/cluster`).
export { itemSpecHash } from './item.js';
export { InvalidItemInputError } from './stages/prepare.js';
export { uploadInputs, type UploadedInputs, type UploadUrlCache } from './stages/upload.js';
export { findUnclaimedTask, type ReconcileOutcome } from './stages/reconcile.js';
export { submitWantOf } from './stages/task-fit.js';
export { filesIntact, DownloadError } from './stages/download.js';
export { resultLine } from './output/results-file.js';
export type { JournalFile } from './journal/journal-entry.js';
export { errorFacts, isSlotBusy, isRateLimited, isPermanentTaskFailure, type ClientErrorFacts } from './batch-client.js';
// One client per API key with the client's own limiters and submit retries off (the runner paces each key).
export { openKeyClients, type KeyClient, type KeyClientConnection } from './key-clients.js';
