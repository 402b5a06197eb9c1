import path from 'node:path';
import { writeFileAtomic } from './atomic-write.js';

/**
 * Writes `<out>/<id>/task.json`: the request (it holds URLs, never the API key), the task id, request
 * ids, the service's final response, usage, timings and the files written.
 */
export async function writeTaskRecord(dir: string, record: Record<string, unknown>): Promise<void> {
  await writeFileAtomic(path.join(dir, 'task.json'), JSON.stringify(record, null, 2) + '\n');
}
