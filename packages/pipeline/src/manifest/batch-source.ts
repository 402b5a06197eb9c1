import { readdir } from 'node:fs/promises';
import { checkInputFile, InputFileUnreadableError } from '@backdrop/api';
import path from 'node:path';
import { BatchConfigError, type InputProblem } from '../errors.js';
import type { BatchItem, ItemDefaults } from '../item.js';
import { MAX_MANIFEST_LINE_BYTES, manifestLines } from './manifest-lines.js';
import { parseManifestObject, SAFE_ID } from './parse-item.js';

/** One entry of a batch source: the item, or the problems that kept it from being one. */
export interface SourceEntry {
  /** 1-based manifest line, or position in the folder listing. */
  line: number;
  /** The file the entry comes from, for a folder source (problems are named by it, not by a line). */
  file?: string;
  item?: BatchItem;
  problems: InputProblem[];
}

/** A re-readable stream of items: a JSONL manifest or a folder of PNGs. Nothing is held in memory. */
export interface BatchSource {
  /** What to call the input in messages (the path the user gave). */
  label: string;
  /** Streams the entries; may be called more than once (validation pass, then the run). */
  entries(): AsyncIterable<SourceEntry>;
  /** Warnings about the input as a whole, e.g. the files a folder source skips (not PNG). */
  inputWarnings?(): Promise<InputProblem[]>;
}

/**
 * Opens `input` (a `.jsonl` manifest or a folder whose PNGs are the items' base images) as a
 * {@link BatchSource}. `defaults` are the options every item gets (the CLI's flags).
 */
export async function openBatchSource(input: string, defaults: ItemDefaults = {}): Promise<BatchSource> {
  const abs = path.resolve(input);
  let isDirectory: boolean;
  try {
    // A FIFO, /dev/zero or other non-regular file is refused here, before anything streams from it.
    ({ isDirectory } = await checkInputFile(abs, { allowDirectory: true, maxBytes: Number.MAX_SAFE_INTEGER }));
  } catch (err) {
    if (err instanceof InputFileUnreadableError && err.problem !== 'missing') {
      throw new BatchConfigError(`${input} cannot be read as a manifest: ${err.reason}; give a manifest (.jsonl) or a folder of RGBA PNG cut-outs`);
    }
    throw new BatchConfigError(`${input} does not exist; give a manifest (.jsonl) or a folder of RGBA PNG cut-outs`);
  }
  if (isDirectory) return folderSource(input, abs, defaults);
  return manifestSource(input, abs, defaults);
}

function manifestSource(label: string, file: string, defaults: ItemDefaults): BatchSource {
  const baseDir = path.dirname(file);
  return {
    label,
    async *entries() {
      for await (const read of manifestLines(file)) {
        const { line } = read;
        if ('tooLong' in read) {
          yield {
            line,
            problems: [
              { line, code: 'line_too_long', message: `the line is ${read.bytes} bytes long, more than the ${MAX_MANIFEST_LINE_BYTES} any item needs; is this a JSONL manifest?` },
            ],
          };
          continue;
        }
        const trimmed = read.text.trim();
        if (trimmed === '') continue;
        let raw: unknown;
        try {
          raw = JSON.parse(line === 1 ? trimmed.replace(/^\uFEFF/, '') : trimmed);
        } catch (err) {
          yield { line, problems: [{ line, code: 'bad_json', message: `not valid JSON (${(err as Error).message})` }] };
          continue;
        }
        yield { line, ...parseManifestObject(raw, line, baseDir, defaults) };
      }
    },
  };
}

/** Folder entries that are not items: files that are not PNG. Hidden files (`.DS_Store`, …) are ignored silently. */
async function listFolder(dir: string): Promise<{ pngs: string[]; skipped: string[] }> {
  const files = (await readdir(dir, { withFileTypes: true })).filter((d) => d.isFile() || d.isSymbolicLink());
  const pngs = files
    .filter((d) => d.isFile() && /\.png$/i.test(d.name))
    .map((d) => d.name)
    .sort();
  const skipped = files
    .filter((d) => !d.name.startsWith('.') && !(d.isFile() && /\.png$/i.test(d.name)))
    .map((d) => (d.isSymbolicLink() ? `${d.name} (a symlink, not followed)` : d.name))
    .sort();
  return { pngs, skipped };
}

function folderSource(label: string, dir: string, defaults: ItemDefaults): BatchSource {
  return {
    label,
    async inputWarnings() {
      const { skipped } = await listFolder(dir);
      if (skipped.length === 0) return [];
      const shown = skipped.slice(0, 10).join(', ') + (skipped.length > 10 ? `, … (${skipped.length - 10} more)` : '');
      const files = `${skipped.length} file${skipped.length === 1 ? '' : 's'}`;
      return [{ line: 0, file: label, code: 'skipped_files', message: `skipping ${files} that ${skipped.length === 1 ? 'is' : 'are'} not a regular .png file: ${shown}` }];
    },
    async *entries() {
      const { pngs: names } = await listFolder(dir);
      let line = 0;
      for (const name of names) {
        line++;
        const file = path.join(label, name);
        const id = name
          .replace(/\.png$/i, '')
          .replace(/[^A-Za-z0-9._-]/g, '_')
          .replace(/^[._-]+/, '');
        if (!SAFE_ID.test(id)) {
          yield { line, file, problems: [{ line, file, id: name, code: 'unsafe_id', message: `cannot make a folder-safe id from the file name "${name}"; rename it` }] };
          continue;
        }
        const { ref, ...rest } = defaults;
        const item: BatchItem = { id, base: path.join(dir, name), ...rest, ...(ref !== undefined ? { ref } : {}) };
        yield { line, file, item, problems: [] };
      }
      if (line === 0) {
        yield { line: 1, problems: [{ line: 1, file: label, code: 'empty_folder', message: `${label} has no .png files; put RGBA PNG cut-outs in it` }] };
      }
    },
  };
}

/** A {@link BatchSource} over items already in memory (programmatic use), numbered from 1. */
export function itemsSource(label: string, items: Iterable<BatchItem> | AsyncIterable<BatchItem>): BatchSource {
  return {
    label,
    async *entries() {
      let line = 0;
      for await (const item of items as AsyncIterable<BatchItem>) {
        line++;
        yield { line, item, problems: [] };
      }
    },
  };
}
