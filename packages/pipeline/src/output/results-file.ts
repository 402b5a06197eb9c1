import type { ItemResult } from '../engine/batch-events.js';
import { writeFileAtomic } from './atomic-write.js';

/** Writes `<out>/results.jsonl`: one line per item (id, status, task id, files, error code and message, usage). */
export async function writeResultsFile(file: string, results: ItemResult[]): Promise<void> {
  const lines = results.map((r) => resultLine(r));
  await writeFileAtomic(file, lines.join('\n') + (lines.length ? '\n' : ''));
}

/** One line of `results.jsonl` (without the newline): the JSON record of one item's result. */
export function resultLine(r: ItemResult): string {
  return JSON.stringify({
    id: r.id,
    status: r.status,
    taskId: r.taskId ?? null,
    files: r.files.map((f) => `${r.id}/${f}`),
    errorCode: r.error?.code ?? null,
    errorMessage: r.error?.message ?? null,
    attempts: r.attempts,
    ...(r.resumed ? { resumed: true } : {}),
    ...(r.possibleDuplicate ? { possibleDuplicate: true } : {}),
    ...(r.usage ? { usage: { image_count: r.usage.imageCount ?? null } } : {}),
    ...(r.missing && r.missing.length > 0 ? { missing: r.missing } : {}),
  });
}
