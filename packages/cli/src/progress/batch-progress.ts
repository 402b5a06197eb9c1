import type { BatchEvent, BatchSummary } from '@backdrop/pipeline';
import { formatDuration, progressLine } from './progress-line.js';

/** Where progress goes; `process.stderr` fits. */
export interface ProgressStream {
  write(chunk: string): boolean;
  isTTY?: boolean;
  columns?: number;
}

/**
 * Shows a batch's progress. On a TTY: one live bar (done / failed / at the service: running and
 * queued there, as the service reports them; images per minute, ETA), redrawn at most 5 times a
 * second. Elsewhere: one log line per finished item.
 */
export class BatchProgress {
  private done = 0;
  private failed = 0;
  private images = 0;
  /** Items whose task the service reports RUNNING. */
  private readonly running = new Set<string>();
  /** Items whose task the service holds PENDING (submitted, queued at the service). */
  private readonly pending = new Set<string>();
  private readonly started = Date.now();
  private lastDraw = 0;
  private timer: NodeJS.Timeout | undefined;
  private drawn = false;

  /** Tasks the service can run at once (keys × running tasks per key), once the run's keys are known. */
  private slots = Number.POSITIVE_INFINITY;

  constructor(
    private readonly stream: ProgressStream,
    private readonly total: number,
    private readonly options: { maxRunningPerKey?: number } = {},
  ) {
    if (stream.isTTY) this.timer = setInterval(() => this.draw(true), 1000).unref();
  }

  /** Feeds one engine event. */
  onEvent(e: BatchEvent): void {
    switch (e.type) {
      case 'start':
        if (this.options.maxRunningPerKey) this.slots = this.options.maxRunningPerKey * Math.max(1, e.lanes.length);
        break;
      case 'stage':
        this.running.delete(e.id);
        this.pending.delete(e.id);
        if (e.stage === 'running') {
          this.running.add(e.id);
          // The service runs no more than its slots: a task last seen RUNNING beyond them has ended
          // (its final status is not polled yet) — oldest first.
          for (const id of this.running) {
            if (this.running.size <= this.slots) break;
            this.running.delete(id);
          }
        } else if (e.stage === 'queued') this.pending.add(e.id);
        break;
      case 'submitted':
        this.running.delete(e.id);
        this.pending.add(e.id);
        break;
      case 'note':
        this.note(e.message);
        break;
      case 'summary':
        break; // shown by end()
      case 'task-status':
      case 'task-final':
        break; // one-item runs (generate) show these; the batch bar shows stages
      case 'retry':
        this.note(`retry ${e.id} (attempt ${e.attempt}): [${e.code}] ${e.message}`);
        break;
      case 'warning':
        this.note(`warning: [${e.code}] ${e.message}`);
        break;
      case 'item-done': {
        this.running.delete(e.result.id);
        this.pending.delete(e.result.id);
        const r = e.result;
        if (r.status === 'succeeded') {
          this.done++;
          if (!r.resumed) {
            this.images += r.files.filter((f) => f.startsWith('result-')).length;
          }
        } else if (r.status === 'failed') this.failed++;
        // Interrupted items are not listed one by one: the summary counts them, results.jsonl lists them.
        if (r.status === 'interrupted') break;
        if (!this.stream.isTTY) {
          const n = this.done + this.failed;
          const what =
            r.status === 'succeeded'
              ? r.resumed
                ? 'already done'
                : `${r.files.length} file${r.files.length === 1 ? '' : 's'}`
              : `${r.status}${r.error ? ` [${r.error.code}] ${r.error.message}` : ''}`;
          this.stream.write(`[${n}/${this.total}] ${r.id}: ${what}${r.taskId ? ` (task ${r.taskId})` : ''}\n`);
        } else if (r.status === 'failed') {
          this.note(`failed ${r.id}: [${r.error?.code}] ${r.error?.message}`);
        }
        break;
      }
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
    // Every item once: `succeeded` includes those done in an earlier run (said in brackets, not added).
    const parts = [`${summary.succeeded} succeeded${summary.resumed ? ` (${summary.resumed} of them done in an earlier run)` : ''}`, `${summary.failed} failed`];
    if (summary.interrupted) parts.push(`${summary.interrupted} interrupted`);
    this.stream.write(`batch: ${summary.total} items: ${parts.join(', ')}; ${summary.images} images in ${formatDuration(secs)}.\n`);
    if (summary.possibleDuplicates) this.stream.write(`batch: ${summary.possibleDuplicates} item(s) may have been charged twice (see "possibleDuplicate" in results.jsonl).\n`);
    this.stream.write(`batch: results: ${summary.resultsFile}\n`);
  }

  private line(cols: number): string {
    const finished = this.done + this.failed;
    const elapsed = Date.now() - this.started;
    const mins = elapsed / 60000;
    const perItem = finished > 0 ? elapsed / finished : 0;
    return progressLine(
      {
        total: this.total,
        done: this.done,
        failed: this.failed,
        running: this.running.size,
        pending: this.pending.size,
        imagesPerMinute: mins > 0 ? this.images / mins : 0,
        ...(finished > 0 && finished < this.total ? { etaSeconds: ((this.total - finished) * perItem) / 1000 } : {}),
      },
      cols,
    );
  }

  private draw(force: boolean): void {
    if (!this.stream.isTTY) return;
    const now = Date.now();
    if (!force && now - this.lastDraw < 200) return;
    this.lastDraw = now;
    // A terminal that reports no width (0 or absent, e.g. just after start under some emulators) gets 80.
    const cols = this.stream.columns && this.stream.columns > 0 ? this.stream.columns : 80;
    this.stream.write(`\r${this.line(cols)}\x1b[K`);
    this.drawn = true;
  }

  private clear(): void {
    if (this.stream.isTTY && this.drawn) this.stream.write('\r\x1b[K');
  }
}
