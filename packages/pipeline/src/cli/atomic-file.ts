/**
 * Kept for `commands/edge.ts`, which imports it: the one atomic writer of @backdrop/pipeline lives in
 * `../output/atomic-write.ts` (temp file in the same folder, fsync, rename). New code imports that.
 */
export { writeFileAtomic } from '../output/atomic-write.js';
