import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { BatchEvent, BatchSummary, ItemResult } from '../engine/batch-events.js';
import type { BatchItem } from '../item.js';
import type { BatchSource } from '../manifest/batch-source.js';
import { writeFileAtomic } from '../output/atomic-write.js';
import { contactSheetHtml } from './contact-sheet-html.js';
import { itemInputs } from './item-inputs.js';
import { readJournalFacts } from './journal-facts.js';
import { reportItem } from './report-item.js';
import { reportTotals, type ImagePrice, type ItemInputs, type ItemTimeline, type ReportItem, type ReportTotals, type RunRecord } from './report-model.js';
import { Thumbnailer } from './thumbnails.js';

/** Options of the contact sheet. */
export interface ContactSheetOptions {
  /** Price per billed image; the sheet then shows the cost. */
  price?: ImagePrice;
  /** `cacheKey` of the HED edge maker the run uses: edge elements are shown as HED made them. */
  edgeCacheKey?: string;
  /** Items per page of the sheet (default 40). */
  pageSize?: number;
  /** Least time between two writes while items finish, ms (default 2000; grows with the time a write takes). */
  debounceMs?: number;
}

/** What a write of the sheet produced. */
export interface ContactSheetWritten {
  /** `<out>/index.html` */
  file: string;
  bytes: number;
  totals: ReportTotals;
}

const reportDir = (out: string): string => path.join(out, '.backdrop', 'report');

/**
 * The run's contact sheet, `<out>/index.html`, kept up to date while a batch runs: feed it the items
 * as the engine reads them ({@link observe}) and the engine's events ({@link onEvent}); it is rewritten
 * (atomically) at most every `debounceMs` while items finish, and always by {@link close}.
 * What it learns of item definitions is kept in `<out>/.backdrop/report/` so that
 * {@link buildContactSheet} can rebuild the same page later.
 */
export class ContactSheet {
  readonly out: string;
  readonly file: string;
  private readonly thumbs: Thumbnailer;
  private readonly definitions = new Map<string, BatchItem>();
  /** Manifest line of each item: the sheet lists items in manifest order, whatever order they finish in. */
  private readonly order = new Map<string, number>();
  private readonly inputs = new Map<string, ItemInputs>();
  private readonly items = new Map<string, ReportItem>();
  private readonly timelines = new Map<string, ItemTimeline>();
  private readonly pending = new Set<Promise<void>>();
  private run: RunRecord | undefined;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<unknown> = Promise.resolve();
  private lastWriteMs = 0;
  private failure: unknown;
  private closing = false;

  constructor(
    out: string,
    private readonly options: ContactSheetOptions = {},
  ) {
    this.out = path.resolve(out);
    this.file = path.join(this.out, 'index.html');
    this.thumbs = new Thumbnailer(this.out);
  }

  /** A source that yields what `source` yields and tells the sheet each item's definition. */
  observe(source: BatchSource): BatchSource {
    const { definitions, order } = this;
    return {
      label: source.label,
      async *entries() {
        for await (const entry of source.entries()) {
          if (entry.item) definitions.set(entry.item.id, entry.item);
          // The engine names an entry that is no item by its first problem's id, else its line.
          const id = entry.item?.id ?? entry.problems[0]?.id ?? String(entry.line);
          if (!order.has(id)) order.set(id, entry.line);
          yield entry;
        }
      },
    };
  }

  /** Feeds one event of `runBatch`. */
  onEvent(e: BatchEvent): void {
    const now = Date.now();
    switch (e.type) {
      case 'start':
        this.run = { startedAt: now, lanes: e.lanes };
        break;
      case 'submitted':
        this.timeline(e.id).lane = e.lane;
        this.timeline(e.id).submittedAt = now;
        break;
      case 'item-done': {
        const tl = this.timeline(e.result.id);
        tl.doneAt = now;
        if (e.result.status !== 'interrupted' && e.result.taskId) tl.finalAt ??= now;
        this.track(this.addResult(e.result));
        break;
      }
      case 'summary':
        if (this.run) this.run.wallMs = e.summary.wallMs;
        break;
      case 'retry':
      case 'stage':
      case 'warning':
      case 'note':
      case 'task-status':
      case 'task-final':
        break;
    }
  }

  /** Items billed so far (sum of `usage.image_count`). */
  get billed(): number {
    let n = 0;
    for (const i of this.items.values()) n += i.billed;
    return n;
  }

  /** Waits for pending work, records the run, and writes the sheet one last time. */
  async close(summary?: BatchSummary): Promise<ContactSheetWritten> {
    this.closing = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (summary && this.run) this.run.wallMs = summary.wallMs;
    while (this.pending.size > 0) await Promise.all([...this.pending]);
    if (this.run) {
      await mkdir(reportDir(this.out), { recursive: true });
      await appendFile(path.join(reportDir(this.out), 'runs.jsonl'), JSON.stringify(this.run) + '\n');
    }
    await this.writing.catch(() => {});
    return this.write();
  }

  /** The first error of a background write, if any (the run goes on without the sheet). */
  get error(): unknown {
    return this.failure;
  }

  private timeline(id: string): ItemTimeline {
    let t = this.timelines.get(id);
    if (!t) this.timelines.set(id, (t = {}));
    return t;
  }

  private track(p: Promise<void>): void {
    const q = p
      .catch((err) => {
        this.failure ??= err;
      })
      .finally(() => this.pending.delete(q));
    this.pending.add(q);
  }

  private async addResult(result: ItemResult): Promise<void> {
    const def = this.definitions.get(result.id);
    let inputs = this.inputs.get(result.id);
    if (def && !inputs) {
      inputs = await itemInputs(def, this.thumbs, this.out, this.options.edgeCacheKey);
      this.inputs.set(result.id, inputs);
      this.definitions.delete(result.id);
      await mkdir(reportDir(this.out), { recursive: true });
      await appendFile(path.join(reportDir(this.out), 'inputs.jsonl'), JSON.stringify(inputs) + '\n');
    }
    this.items.set(result.id, await reportItem(this.out, result, inputs, this.timeline(result.id), this.thumbs));
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.closing) return;
    const wait = Math.max(this.options.debounceMs ?? 2000, this.lastWriteMs * 5);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.writing = this.writing
        .then(() => this.write())
        .catch((err) => {
          this.failure ??= err;
        });
    }, wait);
    this.timer.unref();
  }

  private async write(): Promise<ContactSheetWritten> {
    const started = Date.now();
    const items = [...this.items.values()].sort((a, b) => (this.order.get(a.id) ?? Infinity) - (this.order.get(b.id) ?? Infinity));
    const written = await writeSheet(this.out, items, this.run, this.options);
    this.lastWriteMs = Date.now() - started;
    return written;
  }
}

async function writeSheet(out: string, items: ReportItem[], run: RunRecord | undefined, options: Pick<ContactSheetOptions, 'price' | 'pageSize'>): Promise<ContactSheetWritten> {
  const { price, pageSize } = options;
  const totals = reportTotals(items, run, price);
  const html = contactSheetHtml({ title: path.basename(out), generatedAt: new Date(), items, totals, ...(price ? { price } : {}), ...(pageSize ? { pageSize } : {}) });
  await writeFileAtomic(path.join(out, 'index.html'), html);
  return { file: path.join(out, 'index.html'), bytes: Buffer.byteLength(html), totals };
}

/**
 * Rebuilds `<out>/index.html` from what the output folder holds: `results.jsonl` (or the journal's
 * outcomes when a run stopped before writing it), each item's `task.json`, the journal's timings and the
 * definitions the sheet recorded during the run. Missing thumbnails are made; existing ones are reused.
 */
export async function buildContactSheet(out: string, options: Pick<ContactSheetOptions, 'price' | 'pageSize'> = {}): Promise<ContactSheetWritten> {
  const dir = path.resolve(out);
  const thumbs = new Thumbnailer(dir);
  const journal = await readJournalFacts(dir);
  const inputs = new Map<string, ItemInputs>();
  for (const x of await readJsonLines<ItemInputs>(path.join(reportDir(dir), 'inputs.jsonl'))) if (typeof x.id === 'string') inputs.set(x.id, x);
  const runs = await readJsonLines<RunRecord>(path.join(reportDir(dir), 'runs.jsonl'));
  const results = new Map<string, ItemResult>();
  for (const r of await readJsonLines<ResultLine>(path.join(dir, 'results.jsonl'))) {
    if (typeof r.id !== 'string') continue;
    results.set(r.id, {
      id: r.id,
      status: r.status,
      ...(r.taskId ? { taskId: r.taskId } : {}),
      files: (r.files ?? []).map((f) => f.slice(f.indexOf('/') + 1)),
      ...(r.errorCode ? { error: { code: r.errorCode, message: r.errorMessage ?? '' } } : {}),
      attempts: r.attempts ?? 0,
      resumed: r.resumed === true,
      ...(r.usage?.image_count !== undefined ? { usage: { imageCount: r.usage.image_count } } : {}),
    });
  }
  // Items the journal finished that results.jsonl does not list (a run killed before writing it).
  for (const [id, f] of journal) {
    if (results.has(id) || !f.done) continue;
    results.set(id, {
      id,
      status: f.done.status,
      ...(f.done.taskId ? { taskId: f.done.taskId } : {}),
      files: f.done.status === 'succeeded' ? (f.files ?? []) : [],
      ...(f.done.code ? { error: { code: f.done.code, message: f.done.message ?? '' } } : {}),
      attempts: f.attempts,
      resumed: false,
    });
  }
  const items: ReportItem[] = [];
  const queue = [...results.values()];
  const workers = Array.from({ length: 4 }, async () => {
    for (let r = queue.shift(); r; r = queue.shift()) {
      const item = await reportItem(dir, r, inputs.get(r.id), journal.get(r.id)?.timeline ?? {}, thumbs);
      items.push(item);
    }
  });
  await Promise.all(workers);
  const order = new Map([...results.keys()].map((id, i) => [id, i]));
  items.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
  return writeSheet(dir, items, runs.at(-1), options);
}

interface ResultLine {
  id: string;
  status: ItemResult['status'];
  taskId?: string | null;
  files?: string[];
  errorCode?: string | null;
  errorMessage?: string | null;
  attempts?: number;
  resumed?: boolean;
  usage?: { image_count?: number };
}

async function readJsonLines<T>(file: string): Promise<T[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return [];
  }
  const out: T[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const v = JSON.parse(line) as T;
      if (v && typeof v === 'object') out.push(v);
    } catch {
      /* torn line */
    }
  }
  return out;
}
