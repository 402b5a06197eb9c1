/** Result images served at their URLs until they expire (24 h × timeScale), then answered like OSS. */
import { randomUUID } from 'node:crypto';
import { formatServiceDate } from './clock.js';

interface StoredResult {
  bytes: Buffer;
  contentType: string;
  expiresAt: number;
}

/** What a GET of a result path finds. */
export type ResultLookup = { bytes: Buffer; contentType: string } | 'expired' | undefined;

/** Path prefix of result URLs. */
export const RESULT_PATH_PREFIX = '/dashscope-result/';

const MAX_TOMBSTONES = 100_000;

/**
 * In-memory result images; bytes are dropped on expiry, a tombstone remembers the path. When the bytes
 * held pass `maxBytes`, the oldest images are dropped early (their URLs then answer "expired").
 */
export class ResultStore {
  private readonly results = new Map<string, StoredResult>();
  private readonly tombstones = new Set<string>();
  private held = 0;

  constructor(
    private readonly maxBytes = Number.POSITIVE_INFINITY,
    private readonly onEvict: (count: number) => void = () => undefined,
  ) {}

  private bury(path: string, result: StoredResult): void {
    this.results.delete(path);
    this.held -= result.bytes.length;
    this.tombstones.add(path);
    if (this.tombstones.size > MAX_TOMBSTONES) {
      const oldest = this.tombstones.values().next().value;
      if (oldest !== undefined) this.tombstones.delete(oldest);
    }
  }

  /** Stores an image and returns its URL path, e.g. `/dashscope-result/20240304/<task>/0_<uuid>.png`. */
  put(taskId: string, name: string, bytes: Buffer, contentType: string, now: number, expiresAt: number): string {
    const path = `${RESULT_PATH_PREFIX}${formatServiceDate(now)}/${taskId}/${name}_${randomUUID()}.${contentType === 'image/png' ? 'png' : 'jpg'}`;
    this.results.set(path, { bytes, contentType, expiresAt });
    this.held += bytes.length;
    let evicted = 0;
    for (const [oldPath, old] of this.results) {
      if (this.held <= this.maxBytes || oldPath === path) break;
      this.bury(oldPath, old);
      evicted++;
    }
    if (evicted > 0) this.onEvict(evicted);
    return path;
  }

  get(path: string, now: number): ResultLookup {
    const result = this.results.get(path);
    if (result && result.expiresAt > now) return { bytes: result.bytes, contentType: result.contentType };
    if (result || this.tombstones.has(path)) return 'expired';
    return undefined;
  }

  /** Drops expired images, keeping a bounded set of tombstones so their URLs answer "expired". */
  sweep(now: number): void {
    for (const [path, result] of this.results) if (result.expiresAt <= now) this.bury(path, result);
  }
}
