/**
 * Re-renders an item folder's titles locally: reads `task.json` (the final response holds
 * `text_results`), draws its layers with new strings onto each `plain-<i>` image through
 * `@backdrop/layers`, and writes `retitled-<i>.png|svg` atomically. Nothing is sent to the service.
 */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { type Task, characterCount, parseTask } from '@backdrop/api';
import { renderTextLayers } from '@backdrop/layers';
import { writeFileAtomic } from '@backdrop/pipeline';
import { CliUsageError } from './cli-errors.js';

/** What to re-render. */
export interface RetitleOptions {
  title: string;
  subTitle?: string;
  format: 'png' | 'svg';
  fontDir?: string;
  /** SVG: embed the fallback font's subset (default true). */
  embedFonts?: boolean;
}

/** The service's title limits (characters, as it counts them). */
const TITLE_LIMITS = { title: [1, 8], subTitle: [1, 10] } as const;

function checkLength(value: string | undefined, field: 'title' | 'subTitle', flag: string): void {
  if (value === undefined) return;
  const [min, max] = TITLE_LIMITS[field];
  const n = characterCount(value);
  if (n < min || n > max) {
    throw new CliUsageError('TITLE_LENGTH', `${flag} must be ${min}–${max} characters (the service's limit), got ${n}: ${JSON.stringify(value)}.`);
  }
}

async function readTask(dir: string): Promise<Task> {
  const file = path.join(dir, 'task.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new CliUsageError('TASK_RECORD_MISSING', `${file} not found: give the folder of one item (the one holding task.json and plain-<i> images).`, { cause: err });
  }
  let record: { response?: unknown };
  try {
    record = JSON.parse(text) as { response?: unknown };
  } catch (err) {
    throw new CliUsageError('TASK_RECORD_INVALID', `${file} is not valid JSON; was it edited by hand?`, { cause: err });
  }
  if (!record || typeof record !== 'object' || record.response === undefined || record.response === null) {
    throw new CliUsageError('TASK_NOT_FINISHED', `${file} holds no final task response yet; wait for the task to finish (backdrop status <task-id> --download ${dir}).`);
  }
  try {
    return parseTask(record.response);
  } catch (err) {
    throw new CliUsageError('TASK_RECORD_INVALID', `${file}: the recorded response is not a task reply (${(err as Error).message}).`, { cause: err });
  }
}

/** `plain-<i>.<ext>` files of the folder by index. */
async function plainImages(dir: string): Promise<Map<number, string>> {
  const found = new Map<number, string>();
  for (const name of await readdir(dir)) {
    const m = /^plain-(\d+)\.(png|jpe?g|webp)$/i.exec(name);
    if (m) found.set(Number(m[1]), path.join(dir, name));
  }
  return found;
}

/** Renders every variant and returns the files written. */
export async function retitleItem(dir: string, options: RetitleOptions): Promise<string[]> {
  checkLength(options.title, 'title', '--title');
  checkLength(options.subTitle, 'subTitle', '--subtitle');
  const task = await readTask(dir);
  if (task.taskStatus !== 'SUCCEEDED') {
    throw new CliUsageError('TASK_NOT_SUCCEEDED', `The task in ${path.join(dir, 'task.json')} is ${task.taskStatus}; only a SUCCEEDED task has images to retitle.`);
  }
  const params = task.textResults?.params ?? [];
  if (params.length === 0 || params.every((p) => !p.layers.some((l) => l.type === 'text'))) {
    throw new CliUsageError('NO_TEXT_LAYERS', 'This task has no text layers (it was made without --title), so there is no title to replace; generate with a title first.');
  }
  const plains = await plainImages(dir);
  if (plains.size === 0) {
    throw new CliUsageError('PLAIN_IMAGES_MISSING', `${dir} has no plain-<i> images (the untitled results); download them with backdrop status <task-id> --download ${dir}.`);
  }
  const written: string[] = [];
  for (const [i, p] of params.entries()) {
    const index = p.sampleIdx ?? i;
    const plainFile = plains.get(index);
    if (!plainFile) throw new CliUsageError('PLAIN_IMAGES_MISSING', `${dir} lacks plain-${index}.png (the untitled image of variant ${index}); download the task's images again.`);
    const bytes = await renderTextLayers(
      await readFile(plainFile),
      p.layers,
      { title: options.title, subTitle: options.subTitle },
      { format: options.format, fontDir: options.fontDir, embedFonts: options.embedFonts },
    );
    const out = path.join(dir, `retitled-${index}.${options.format}`);
    await writeFileAtomic(out, bytes);
    written.push(out);
  }
  return written;
}
