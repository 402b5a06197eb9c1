import type { BatchEvent, BatchSummary } from '@backdrop/pipeline';

/** Where progress goes; `process.stderr` fits. */
export interface ProgressStream {
  write(chunk: string): boolean;
  isTTY?: boolean;
  columns?: number;
}

/**
 * Shows a batch's progress. On a TTY: one live bar (done / failed / running / queued, images per
 * minute, ETA), redrawn at most 5 times a second. Elsewhere: one log line per finished item.
 */
export class BatchProgress {
  private done = 0;
  private failed = 0;
  private images = 0;
  private readonly running = new Set<string>();
  private readonly started = Date.now();
  private lastDraw = 0;
  private timer: NodeJS.Timeout | undefined;
  private drawn = false;

  constructor(
    private readonly stream: ProgressStream,
    private readonly total: number,
  ) {
    if (stream.isTTY) this.timer = setInterval(() => this.draw(true), 1000).unref();
  }

  /** Feeds one engine event. */
  onEvent(e: BatchEvent): void {
    switch (e.type) {
      case 'stage':
        if (e.stage === 'running') this.running.add(e.id);
        else this.running.delete(e.id);
        break;
      case 'retry':
        this.note(`retry ${e.id} (attempt ${e.attempt}): [${e.code}] ${e.message}`);
        break;
      case 'warning':
        this.note(`warning: [${e.code}] ${e.message}`);
        break;
      case 'item-done': {
        this.running.delete(e.result.id);
        const r = e.result;
        if (r.status === 'succeeded') {
          this.done++;
          if (!r.resumed) {
            this.images += r.files.filter((f) => f.startsWith('result-')).length;
          }
        } else if (r.status === 'failed') this.failed++;
        if (!this.stream.isTTY) {
          const n = this.done + this.failed;
          const what = r.status === 'succeeded' ? (r.resumed ? 'already done' : `${r.files.length} file${r.files.length === 1 ? '' : 's'}`) : `${r.status}${r.error ? ` [${r.error.code}] ${r.error.message}` : ''}`;
          this.stream.write(`[${n}/${this.total}] ${r.id}: ${what}${r.taskId ? ` (task ${r.taskId})` : ''}\n`);
        } else if (r.status === 'failed') {
          this.note(`failed ${r.id}: [${r.error?.code}] ${r.error?.message}`);
        }
        break;
      }
      case 'start':
      case 'submitted':
      case 'summary':
        break;
    }
    this.draw(false);
  }

  /** Prints a message line above the bar. */
  note(message: string): void {
    this.clear();
    this.stream.write(`${message}\n`);
    this.draw(true);
  }

  /** Stops the bar and prints the summary. */
  end(summary: BatchSummary | undefined): void {
    if (this.timer) clearInterval(this.timer);
    this.clear();
    if (!summary) return;
    const secs = summary.wallMs / 1000;
    const parts = [`${summary.succeeded} succeeded`, `${summary.failed} failed`];
    if (summary.interrupted) parts.push(`${summary.interrupted} interrupted`);
    if (summary.resumed) parts.push(`${summary.resumed} already done earlier`);
    this.stream.write(`batch: ${summary.total} items: ${parts.join(', ')}; ${summary.images} images in ${formatDuration(secs)}.\n`);
    if (summary.possibleDuplicates) this.stream.write(`batch: ${summary.possibleDuplicates} item(s) may have been charged twice (see "possibleDuplicate" in results.jsonl).\n`);
    this.stream.write(`batch: results: ${summary.resultsFile}\n`);
  }

  private line(): string {
    const finished = this.done + this.failed;
    const queued = Math.max(0, this.total - finished - this.running.size);
    const mins = (Date.now() - this.started) / 60000;
    const rate = mins > 0 ? this.images / mins : 0;
    const perItem = finished > 0 ? (Date.now() - this.started) / finished : 0;
    const eta = finished > 0 && finished < this.total ? ` · ETA ${formatDuration(((this.total - finished) * perItem) / 1000)}` : '';
    const width = 16;
    const filled = this.total > 0 ? Math.round((finished / this.total) * width) : 0;
    const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
    return `${bar} ${finished}/${this.total} ${this.done} done · ${this.failed} failed · ${this.running.size} running · ${queued} queued · ${rate.toFixed(1)} img/min${eta}`;
  }

  private draw(force: boolean): void {
    if (!this.stream.isTTY) return;
    const now = Date.now();
    if (!force && now - this.lastDraw < 200) return;
    this.lastDraw = now;
    const cols = this.stream.columns ?? 100;
    this.stream.write(`\r${this.line().slice(0, cols - 1)}\x1b[K`);
    this.drawn = true;
  }

  private clear(): void {
    if (this.stream.isTTY && this.drawn) this.stream.write('\r\x1b[K');
  }
}

function formatDuration(secs: number): string {
  if (secs < 60) return `${secs.toFixed(1)} s`;
  const m = Math.floor(secs / 60);
  const s = Math.round(secs % 60);
  if (m < 60) return `${m}m${String(s).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
