import { createHash } from 'node:crypto';

/**
 * A batch item: one product image and everything its background-generation request needs.
 * Paths are absolute (the manifest reader resolves them against the manifest's folder);
 * `http(s)://` and `oss://` URLs pass through unchanged.
 */

/** An edge-guide element: a cut-out (turned into an edge element by HED) or a ready edge element. */
export type ElementSpec = { cutout: string; prompt?: string } | { edge: string; prompt?: string };

/** One item of a batch. */
export interface BatchItem {
  /** Unique within the batch; safe as a folder name (`[A-Za-z0-9][A-Za-z0-9._-]*`). */
  id: string;
  /** Subject on a transparent background: RGBA PNG (path or URL). */
  base: string;
  /** Reference prompt (`ref_prompt`). */
  prompt?: string;
  /** Negative prompt (`neg_ref_prompt`). */
  negativePrompt?: string;
  /** Reference image (path or URL). */
  ref?: string;
  /** Elements in front of the subject. */
  foreground?: ElementSpec[];
  /** Elements behind the subject. */
  background?: ElementSpec[];
  /** Title drawn on the image (1–8 characters). */
  title?: string;
  /** Sub-title (1–10 characters; only with a title). */
  subtitle?: string;
  /** Images per item, 1–4. */
  n?: number;
  noiseLevel?: number;
  refPromptWeight?: number;
  sceneType?: string;
  modelVersion?: 'v2' | 'v3';
}

/** Hash of an item's definition: the journal redoes an item whose definition changed. */
export function itemSpecHash(item: BatchItem): string {
  return createHash('sha256').update(JSON.stringify(item)).digest('hex');
}

/** Options every item gets unless its manifest line says otherwise (the CLI's flags). */
export type ItemDefaults = Omit<Partial<BatchItem>, 'id' | 'base'>;

/** True for `http://`, `https://` and `oss://` references, which are used as they are. */
export function isRemoteReference(ref: string): boolean {
  return /^(https?|oss):\/\//i.test(ref);
}

/** Every local file an item reads (base, ref, elements), in a stable order. */
export function localFilesOf(item: BatchItem): { field: string; path: string; role: 'base' | 'ref' | 'cutout' | 'edge' }[] {
  const out: { field: string; path: string; role: 'base' | 'ref' | 'cutout' | 'edge' }[] = [];
  if (!isRemoteReference(item.base)) out.push({ field: 'base', path: item.base, role: 'base' });
  if (item.ref !== undefined && !isRemoteReference(item.ref)) out.push({ field: 'ref', path: item.ref, role: 'ref' });
  for (const side of ['foreground', 'background'] as const) {
    (item[side] ?? []).forEach((el, i) => {
      const [role, p] = 'cutout' in el ? (['cutout', el.cutout] as const) : (['edge', el.edge] as const);
      if (!isRemoteReference(p)) out.push({ field: `${side}[${i}].${role}`, path: p, role });
    });
  }
  return out;
}
