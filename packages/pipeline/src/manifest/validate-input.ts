import sharp from 'sharp';
import { InputFileUnreadableError, readInputFile, readPngFacts, MAX_BASE_LONG_SIDE, type BackgroundGenerationRequest, type PngFacts, type ValidationReport } from '@backdrop/api';
import { describeRgba8Conversion } from '../stages/base-rgba8.js';
import type { InputProblem } from '../errors.js';
import { localFilesOf, type BatchItem } from '../item.js';
import { buildRequest, placeholderUrls } from '../request-builder.js';
import type { BatchSource } from './batch-source.js';
import { FlagProblems } from './flag-problems.js';

/** Options of {@link validateBatchInput}. */
export interface ValidateInputOptions {
  /** Allow base images larger than 2048 px (they are downscaled before upload). */
  fit?: boolean;
  /** The request rules (from `@backdrop/api`'s `validateBackgroundGenerationRequest`). */
  validateRequest?: (req: BackgroundGenerationRequest) => ValidationReport;
  /** Files checked at once (default 4). */
  concurrency?: number;
}

/** What validation found: every problem, warnings, and the number of valid items. */
export interface InputReport {
  items: number;
  /** Cut-out elements over all items (they need HED weights). */
  cutouts: number;
  problems: InputProblem[];
  warnings: InputProblem[];
}

interface ImageFacts {
  ok: boolean;
  format?: string;
  width?: number;
  height?: number;
  hasAlpha?: boolean;
  error?: string;
  /** For `unreadable`: why (e.g. "it is a FIFO (named pipe), not a regular file"). */
  reason?: string;
  /** What the PNG header says (PNGs only). */
  png?: PngFacts;
}

/**
 * Validates a whole batch input without uploading anything: manifest syntax and keys, duplicate and
 * unsafe ids, every local file exists, decodes completely and is an image of the right kind (base: RGBA PNG, long side
 * ≤ 2048 unless `fit`), and the service's request rules. Streams the source; keeps only ids and
 * per-file facts in memory.
 */
export async function validateBatchInput(source: BatchSource, options: ValidateInputOptions = {}): Promise<InputReport> {
  const problems: InputProblem[] = [];
  const warnings: InputProblem[] = [];
  const seenIds = new Map<string, number>();
  const facts = new Map<string, Promise<ImageFacts>>();
  const pending = new Set<Promise<void>>();
  const limit = options.concurrency ?? 4;
  let items = 0;
  let cutouts = 0;
  // A folder's items take every request field from the flags: what the flags break is said once.
  const flagProblems = new FlagProblems(source.label);
  const flagWarnings = new FlagProblems(source.label);
  warnings.push(...((await source.inputWarnings?.()) ?? []));

  const imageFacts = (p: string): Promise<ImageFacts> => {
    let f = facts.get(p);
    if (!f) {
      f = inspectImage(p);
      facts.set(p, f);
    }
    return f;
  };

  const checkFiles = async (item: BatchItem, line: number, inFile: string | undefined): Promise<void> => {
    for (const file of localFilesOf(item)) {
      const f = await imageFacts(file.path);
      const at = { line, ...(inFile !== undefined ? { file: inFile } : {}), id: item.id, field: file.field };
      if (!f.ok && f.error === 'unreadable') {
        problems.push({ ...at, code: 'file_unreadable', message: `${file.path} cannot be read: ${f.reason}` });
        continue;
      }
      if (!f.ok) {
        problems.push({
          ...at,
          code: f.error === 'missing' ? 'file_missing' : 'not_an_image',
          message: f.error === 'missing' ? `${file.path} does not exist` : `${file.path} is not a readable image (${f.error})`,
        });
        continue;
      }
      if (file.role === 'base' || file.role === 'cutout' || file.role === 'edge') {
        if (f.format !== 'png' || !f.hasAlpha) {
          const what = file.role === 'base' ? 'the base image' : file.role === 'cutout' ? 'a cut-out element' : 'an edge element';
          problems.push({
            ...at,
            code: 'not_rgba_png',
            message: `${file.path} is ${f.format?.toUpperCase()}${f.hasAlpha ? ' with alpha' : ' without alpha'}; ${what} must be an RGBA PNG with a transparent background`,
          });
        }
      }
      // Transparency in another layout than 8-bit RGBA: converted before upload (prepare stage); said once here.
      const conversion = file.role === 'base' && f.format === 'png' && f.hasAlpha && f.png ? describeRgba8Conversion(f.png) : undefined;
      if (conversion) warnings.push({ ...at, code: 'base_converted', message: `${file.path} ${conversion}` });
      if (file.role === 'base' && Math.max(f.width ?? 0, f.height ?? 0) > MAX_BASE_LONG_SIDE && !options.fit) {
        problems.push({
          ...at,
          code: 'too_large',
          message: `${file.path} is ${f.width}×${f.height}; the long side must be ≤ ${MAX_BASE_LONG_SIDE} px — resize it, or pass --fit to downscale it before upload`,
        });
      }
    }
  };

  for await (const entry of source.entries()) {
    problems.push(...entry.problems);
    const item = entry.item;
    if (!item) continue;
    const inFile = entry.file !== undefined ? { file: entry.file } : {};
    items++;
    for (const el of [...(item.foreground ?? []), ...(item.background ?? [])]) if ('cutout' in el) cutouts++;
    const key = item.id.toLowerCase();
    const first = seenIds.get(key);
    if (first !== undefined) {
      problems.push({
        line: entry.line,
        ...inFile,
        id: item.id,
        field: 'id',
        code: 'duplicate_id',
        message: `id "${item.id}" is already used on line ${first} (ids name output folders, compared without case)`,
      });
    } else seenIds.set(key, entry.line);
    if (options.validateRequest) {
      const report = options.validateRequest(buildRequest(item, placeholderUrls(item)));
      for (const e of report.errors) {
        const p = { line: entry.line, ...inFile, id: item.id, field: e.path, code: e.code, message: e.message };
        if (!(entry.file !== undefined && flagProblems.take(p))) problems.push(p);
      }
      for (const w of report.warnings) {
        const p = { line: entry.line, ...inFile, id: item.id, field: w.path, code: w.code, message: w.message };
        if (!(entry.file !== undefined && flagWarnings.take(p))) warnings.push(p);
      }
    }
    const task = checkFiles(item, entry.line, entry.file).finally(() => pending.delete(task));
    pending.add(task);
    if (pending.size >= limit) await Promise.race(pending);
  }
  await Promise.all(pending);
  problems.push(...flagProblems.summarise());
  warnings.push(...flagWarnings.summarise());
  if (items === 0 && problems.length === 0) {
    problems.push({ line: 1, code: 'empty', message: `${source.label} has no items` });
  }
  problems.sort((a, b) => a.line - b.line);
  return { items, cutouts, problems, warnings };
}

async function inspectImage(p: string): Promise<ImageFacts> {
  let bytes: Buffer;
  try {
    // Regular files only: a FIFO or /dev/zero given as an input is refused at once, not read forever.
    bytes = await readInputFile(p);
  } catch (err) {
    if (err instanceof InputFileUnreadableError && err.problem !== 'missing') return { ok: false, error: 'unreadable', reason: err.reason };
    return { ok: false, error: 'missing' };
  }
  try {
    const m = await sharp(bytes).metadata();
    // Decode every pixel (into a tiny thumbnail, so memory stays small): a truncated file fails here, not at the service.
    await sharp(bytes, { failOn: 'truncated' }).resize(8, 8, { fit: 'fill' }).raw().toBuffer();
    const png = readPngFacts(bytes);
    return { ok: true, format: m.format, width: m.width, height: m.height, hasAlpha: m.hasAlpha === true, ...(png ? { png } : {}) };
  } catch (err) {
    return { ok: false, error: `truncated or corrupt: ${(err as Error).message}` };
  }
}
