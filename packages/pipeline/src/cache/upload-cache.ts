import { appendFileSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** One remembered upload: content hash → `oss://` URL for one account and model. */
interface UploadRecord {
  lane: string;
  model: string;
  sha256: string;
  url: string;
  /** Epoch ms when the service deletes the file. */
  expiresAt: number;
}

/**
 * Remembers which content is already uploaded, per account (key fingerprint) and model, in
 * `<out>/.backdrop/uploads.jsonl`, so the same cut-out, reference or edge element is uploaded once and
 * reused while its 48 h life lasts (with a margin), across runs too.
 */
export class UploadCache {
  private readonly file: string;
  private readonly map = new Map<string, UploadRecord>();
  /** Records read from disk (uploaded by an earlier run), as opposed to put by this run. */
  private readonly fromEarlierRuns = new Set<UploadRecord>();
  /** `lane\0model` pairs whose earlier-run uploads proved gone at the service. */
  private readonly distrusted = new Set<string>();

  constructor(
    stateDir: string,
    /** A cached URL is reused only while it has at least this long to live (default 2 h). */
    private readonly marginMs = 2 * 3600_000,
  ) {
    this.file = path.join(stateDir, 'uploads.jsonl');
    let text = '';
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      /* first run */
    }
    for (const line of text.split('\n')) {
      try {
        const r = JSON.parse(line) as UploadRecord;
        if (typeof r.url === 'string' && typeof r.sha256 === 'string') {
          this.map.set(key(r.lane, r.model, r.sha256), r);
          this.fromEarlierRuns.add(r);
        }
      } catch {
        /* blank or torn line */
      }
    }
  }

  /** A still-valid URL for this content, if one is known. */
  get(lane: string, model: string, sha256: string, now = Date.now()): string | undefined {
    const r = this.map.get(key(lane, model, sha256));
    if (!r || r.expiresAt - now <= this.marginMs) return undefined;
    if (this.fromEarlierRuns.has(r) && this.distrusted.has(`${lane}\0${model}`)) return undefined;
    return r.url;
  }

  /**
   * Stops reusing uploads of earlier runs for this account and model (this run's own stay in use):
   * called when the service could not fetch one of them, since the others are then likely gone too
   * (another service instance, or the files were removed). Returns false when already called.
   */
  distrustEarlierRuns(lane: string, model: string): boolean {
    const k = `${lane}\0${model}`;
    if (this.distrusted.has(k)) return false;
    this.distrusted.add(k);
    return true;
  }

  /**
   * Forgets uploads the service no longer has (persisted: later runs upload that content again).
   * Only the records that still hold `url` are dropped, so a newer upload of the same content survives.
   */
  forget(lane: string, model: string, sha256: string, url: string): void {
    const r = this.map.get(key(lane, model, sha256));
    if (!r || r.url !== url) return;
    this.put(lane, model, sha256, url, 0);
  }

  /** Remembers an upload. */
  put(lane: string, model: string, sha256: string, url: string, expiresAt: number): void {
    const r: UploadRecord = { lane, model, sha256, url, expiresAt };
    this.map.set(key(lane, model, sha256), r);
    appendFileSync(this.file, JSON.stringify(r) + '\n');
  }
}

function key(lane: string, model: string, sha256: string): string {
  return `${lane}\0${model}\0${sha256}`;
}
