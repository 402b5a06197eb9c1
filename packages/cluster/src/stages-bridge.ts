/**
 * The pipeline's stages and checks as this package uses them: every use of `@backdrop/pipeline` goes
 * through here, so that a change in the pipeline's public building blocks is adapted in one place.
 */
export {
  buildRequest,
  downloadFiles,
  downloadPlan,
  errorFacts,
  findUnclaimedTask,
  submitWantOf,
  isPermanentTaskFailure,
  isRateLimited,
  isSlotBusy,
  itemSpecHash,
  itemsSource,
  openBatchSource,
  openHedEdgeMaker,
  openKeyClients,
  prepareItem,
  resultLine,
  uploadInputs,
  validateBatchInput,
  recordedFiles,
  TaskRecordFile,
  InvalidBatchInputError,
  type BatchClient,
  type BatchItem,
  type BatchSource,
  type ClientErrorFacts,
  type DownloadPlan,
  type EdgeMaker,
  type HedEdgeMaker,
  type ItemDefaults,
  type ItemResult,
  type JournalFile,
  type PreparedInput,
  type ReconcileOutcome,
  type TaskRecord,
  type UploadUrlCache,
} from '@backdrop/pipeline';

import type { ClientErrorFacts } from '@backdrop/pipeline';

/** Errors that condemn a key, not an item: wrong or revoked key, no access, account in arrears (as the batch engine decides). */
export function isKeyRefused(f: ClientErrorFacts): boolean {
  return f.status === 401 || f.status === 403 || f.code === 'InvalidApiKey' || f.code === 'Arrearage' || f.code.startsWith('AccessDenied');
}
