import { access, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { sha256Hex } from '../cache/content-hash.js';
import { writeFileAtomic } from '../output/atomic-write.js';

/** Long side of a thumbnail, px (shown at half that on the page, sharp on high-density screens). */
const THUMB_SIDE = 240;
/** Long side of the preview a cut-out or edge-element thumbnail opens (results open their own file). */
const PREVIEW_SIDE = 1024;

/** Settings baked into the cache key: changing them makes new thumbnails. */
const THUMB_VERSION = `webp-q62-${THUMB_SIDE}`;
const PREVIEW_VERSION = `webp-q80-${PREVIEW_SIDE}`;

/**
 * Small WebP thumbnails for the contact sheet, kept under `<out>/.backdrop/thumbs/` and named by the
 * content hash of their source (and the thumbnail settings), so a rebuild makes only the missing ones.
 * Names are 20 hex digits (80 bits of SHA-256): the page refers to them as `.backdrop/thumbs/<name>.webp`.
 */
export class Thumbnailer {
  readonly dir: string;

  constructor(out: string) {
    this.dir = path.join(out, '.backdrop', 'thumbs');
  }

  /**
   * The thumbnail of an image file (made when missing). `sha256` is the file's hash when known (the
   * journal records it for results), which saves reading the file when the thumbnail already exists.
   * Returns undefined when the file is missing or not an image.
   */
  async thumb(file: string, sha256?: string): Promise<string | undefined> {
    return this.derived(file, sha256, THUMB_VERSION, (img) =>
      img.resize({ width: THUMB_SIDE, height: THUMB_SIDE, fit: 'inside', withoutEnlargement: true }).webp({ quality: 62, alphaQuality: 80, effort: 3 }),
    );
  }

  /** A larger preview (for inputs that live outside the output folder), like {@link thumb}. */
  async preview(file: string, sha256?: string): Promise<string | undefined> {
    return this.derived(file, sha256, PREVIEW_VERSION, (img) =>
      img.resize({ width: PREVIEW_SIDE, height: PREVIEW_SIDE, fit: 'inside', withoutEnlargement: true }).webp({ quality: 80, alphaQuality: 90, effort: 3 }),
    );
  }

  private async derived(file: string, sha256: string | undefined, version: string, make: (img: sharp.Sharp) => sharp.Sharp): Promise<string | undefined> {
    let bytes: Buffer | undefined;
    if (sha256 === undefined) {
      bytes = await readFile(file).catch(() => undefined);
      if (!bytes) return undefined;
      sha256 = sha256Hex(bytes);
    }
    const name = sha256Hex(sha256, version).slice(0, 20);
    const target = path.join(this.dir, `${name}.webp`);
    if (
      await access(target).then(
        () => true,
        () => false,
      )
    )
      return name;
    bytes ??= await readFile(file).catch(() => undefined);
    if (!bytes) return undefined;
    let webp: Buffer;
    try {
      webp = await make(sharp(bytes, { failOn: 'none' }).rotate()).toBuffer();
    } catch {
      return undefined; // not an image: the page shows the item without it
    }
    await mkdir(this.dir, { recursive: true });
    await writeFileAtomic(target, webp);
    return name;
  }
}
