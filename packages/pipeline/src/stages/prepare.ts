import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { MAX_BASE_LONG_SIDE, readInputFile, readPngFacts } from '@backdrop/api';
import { describeRgba8Conversion, toRgba8Png } from './base-rgba8.js';
import { BatchError } from '../errors.js';
import { isRemoteReference, type BatchItem } from '../item.js';
import { sha256Hex } from '../cache/content-hash.js';
import { writeFileAtomic } from '../output/atomic-write.js';

/** Makes an HED edge element (RGBA PNG) from a cut-out. `@backdrop/edge`'s pool fits. */
export interface EdgeMaker {
  /** Identifies the weights and settings, so cached edge elements are redone when they change. */
  readonly cacheKey: string;
  /** Edge elements it makes at once (its workers); the batch runs that many HED jobs at once (default 1). */
  readonly concurrency?: number;
  edgeElement(input: Buffer): Promise<Buffer>;
}

/** An input ready to upload: a local file with its content hash, or a URL used as it is. */
export type PreparedInput = { field: string; url: string } | { field: string; file: string; sha256: string };

/** An item whose inputs are ready: cut-outs turned into edge elements, large bases downscaled. */
export interface PreparedItem {
  item: BatchItem;
  inputs: PreparedInput[];
}

/** Settings of the prepare stage. */
export interface PrepareContext {
  /** `<out>/.backdrop`: edge elements and downscaled bases are cached under it by content hash. */
  stateDir: string;
  /** Downscale bases whose long side is over 2048 px instead of failing. */
  fit: boolean;
  /** Needed when an item has `cutout` elements. */
  edges?: EdgeMaker;
}

/** The item's input is unusable (not an RGBA PNG, too large, unreadable). Not retried. */
export class InvalidItemInputError extends BatchError {
  constructor(message: string) {
    super('InvalidItemInput', message, { userError: true });
  }
}

/**
 * Prepares an item: checks the base image, downscales it with `fit`, runs HED on every `cutout`
 * element (cached by content hash under `<out>/.backdrop/edges/`), and hashes every local input.
 */
export async function prepareItem(item: BatchItem, ctx: PrepareContext): Promise<PreparedItem> {
  const inputs: PreparedInput[] = [];
  inputs.push(await prepareBase(item, ctx));
  if (item.ref !== undefined) inputs.push(await prepareFile('ref', item.ref));
  for (const side of ['foreground', 'background'] as const) {
    const list = item[side] ?? [];
    for (let i = 0; i < list.length; i++) {
      const el = list[i];
      const field = `${side}[${i}]`;
      if ('edge' in el) inputs.push(await prepareFile(field, el.edge));
      else if (isRemoteReference(el.cutout)) {
        throw new InvalidItemInputError(
          `item ${item.id}: ${field}.cutout is a URL; cut-outs are turned into edge elements locally, so give a local file (or pass a ready edge element as "edge")`,
        );
      } else inputs.push(await prepareCutout(item.id, field, el.cutout, ctx));
    }
  }
  return { item, inputs };
}

async function prepareFile(field: string, ref: string): Promise<PreparedInput> {
  if (isRemoteReference(ref)) return { field, url: ref };
  return { field, file: ref, sha256: sha256Hex(await readInputFile(ref)) };
}

async function prepareBase(item: BatchItem, ctx: PrepareContext): Promise<PreparedInput> {
  if (isRemoteReference(item.base)) return { field: 'base', url: item.base };
  const bytes = await readInputFile(item.base).catch((err: Error & { reason?: string }) => {
    throw new InvalidItemInputError(`item ${item.id}: cannot read base image ${item.base} (${err.reason ?? err.message})`);
  });
  let meta: sharp.Metadata;
  try {
    meta = await sharp(bytes).metadata();
  } catch (err) {
    throw new InvalidItemInputError(`item ${item.id}: base image ${item.base} is not a readable image (${(err as Error).message})`);
  }
  if (meta.format !== 'png' || !meta.hasAlpha) {
    throw new InvalidItemInputError(`item ${item.id}: base image ${item.base} must be an RGBA PNG with a transparent background`);
  }
  const sha256 = sha256Hex(bytes);
  const png = readPngFacts(bytes);
  // Not 8-bit RGBA (grey + alpha, palette + tRNS, 16-bit, …): converted before upload (see base-rgba8.ts).
  const convert = png !== undefined && describeRgba8Conversion(png) !== undefined;
  const long = Math.max(meta.width ?? 0, meta.height ?? 0);
  if (long <= MAX_BASE_LONG_SIDE) {
    if (!convert) return { field: 'base', file: item.base, sha256 };
    const converted = await cachedFile(path.join(ctx.stateDir, 'rgba8', `${sha256}.png`), () => toRgba8Png(sharp(bytes)));
    return { field: 'base', ...converted };
  }
  if (!ctx.fit) {
    throw new InvalidItemInputError(
      `item ${item.id}: base image ${item.base} is ${meta.width}×${meta.height}; the long side must be ≤ ${MAX_BASE_LONG_SIDE} px (pass --fit to downscale)`,
    );
  }
  const fitted = await cachedFile(path.join(ctx.stateDir, 'fitted-rgba8', `${sha256}.png`), () =>
    toRgba8Png(sharp(bytes).resize({ width: MAX_BASE_LONG_SIDE, height: MAX_BASE_LONG_SIDE, fit: 'inside', kernel: 'lanczos3' })),
  );
  return { field: 'base', ...fitted };
}

async function prepareCutout(id: string, field: string, cutout: string, ctx: PrepareContext): Promise<PreparedInput> {
  if (!ctx.edges) {
    throw new BatchError(
      'HED_WEIGHTS_REQUIRED',
      `item ${id}: ${field} is a cut-out, which needs HED weights to become an edge element; pass --weights <checkpoint> (or set BACKDROP_HED_WEIGHTS)`,
      { userError: true },
    );
  }
  const bytes = await readInputFile(cutout);
  const key = sha256Hex(bytes, ctx.edges.cacheKey);
  const edges = ctx.edges;
  const edge = await cachedFile(path.join(ctx.stateDir, 'edges', `${key}.png`), async () => {
    try {
      return await edges.edgeElement(bytes);
    } catch (err) {
      const e = err as { code?: string; message?: string; userError?: boolean };
      throw new BatchError(e.code ?? 'HED_FAILED', `item ${id}: ${field}: making the edge element of ${cutout} failed: ${e.message ?? String(err)}`, {
        userError: e.userError === true,
        cause: err,
      });
    }
  });
  return { field, ...edge };
}

/**
 * A file derived from content-addressed input: read (and hashed) when it is already there, otherwise
 * made, written atomically and hashed from the bytes just made (not read back).
 */
async function cachedFile(file: string, make: () => Promise<Buffer>): Promise<{ file: string; sha256: string }> {
  const existing = await readFile(file).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (existing) return { file, sha256: sha256Hex(existing) };
  const bytes = await make();
  await mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, bytes);
  return { file, sha256: sha256Hex(bytes) };
}
