/** What the contact sheet shows, assembled from a run's output folder (see `contact-sheet.ts`). */

/** A price per image as the user gave it: `0.08 CNY` → amount 0.08, currency `CNY`. */
export interface ImagePrice {
  amount: number;
  /** Shown as given (may be empty). */
  currency: string;
}

/** An input image shown on the page: thumbnail and the larger preview it opens (names under `.backdrop/thumbs/`). */
export interface InputThumb {
  thumb: string;
  preview: string;
}

/** What the sheet knows of an item's definition (persisted in `<out>/.backdrop/report/inputs.jsonl`). */
export interface ItemInputs {
  id: string;
  prompt?: string;
  negativePrompt?: string;
  title?: string;
  subtitle?: string;
  /** Request parameters as shown, e.g. `{ n: 2, scene_type: 'GENERAL' }`. */
  params: Record<string, string | number>;
  cutout?: InputThumb;
  ref?: InputThumb;
  edges: { side: 'foreground' | 'background'; prompt?: string; image?: InputThumb }[];
}

/** When things happened to an item (epoch ms), from the engine's events or its journal. */
export interface ItemTimeline {
  /** Fingerprint of the API key the item's task ran on. */
  lane?: string;
  submittedAt?: number;
  finalAt?: number;
  doneAt?: number;
}

/** One item of the sheet. */
export interface ReportItem {
  id: string;
  status: 'succeeded' | 'failed' | 'interrupted';
  taskId?: string;
  attempts: number;
  resumed: boolean;
  error?: { code: string; message: string };
  inputs?: ItemInputs;
  /** `result-<i>` files with their thumbnail names. */
  results: { file: string; thumb?: string }[];
  /** `plain-<i>` files (the results without the title). */
  plain: string[];
  /** `usage.image_count` of the task output (what the service bills). */
  billed: number;
  timeline: ItemTimeline;
  /** Durations, ms: waited at the service, ran there, download, whole item. */
  durations: { queued?: number; ran?: number; download?: number; total?: number };
}

/** A run of `backdrop batch` (persisted in `<out>/.backdrop/report/runs.jsonl`). */
export interface RunRecord {
  startedAt: number;
  wallMs?: number;
  lanes: string[];
}

/** Per-key figures of the latest run. */
export interface LaneFigures {
  lane: string;
  tasks: number;
  images: number;
  /** Images per minute over the run's wall time. */
  imagesPerMinute: number;
}

/** The figures at the top of the sheet. */
export interface ReportTotals {
  items: number;
  succeeded: number;
  failed: number;
  interrupted: number;
  resumed: number;
  /** Result images on disk. */
  images: number;
  /** Sum of `usage.image_count` over the items' task outputs. */
  billed: number;
  /** The same without the items done in earlier runs. */
  billedThisRun: number;
  /** `billed × price`, when a price is given. */
  cost?: { amount: number; currency: string };
  wallMs?: number;
  lanes: LaneFigures[];
}

/** Sums the items; per-key throughput counts tasks that ended within the latest run. */
export function reportTotals(items: ReportItem[], run: RunRecord | undefined, price: ImagePrice | undefined): ReportTotals {
  const billed = items.reduce((s, i) => s + i.billed, 0);
  const lanes = new Map<string, LaneFigures>();
  for (const l of run?.lanes ?? []) lanes.set(l, { lane: l, tasks: 0, images: 0, imagesPerMinute: 0 });
  for (const i of items) {
    const lane = i.timeline.lane;
    if (!lane || i.resumed || i.timeline.finalAt === undefined) continue;
    if (run && i.timeline.finalAt < run.startedAt) continue;
    const f = lanes.get(lane) ?? { lane, tasks: 0, images: 0, imagesPerMinute: 0 };
    f.tasks++;
    f.images += i.results.length;
    lanes.set(lane, f);
  }
  const wallMs = run?.wallMs;
  for (const f of lanes.values()) f.imagesPerMinute = wallMs && wallMs > 0 ? f.images / (wallMs / 60000) : 0;
  return {
    items: items.length,
    succeeded: items.filter((i) => i.status === 'succeeded').length,
    failed: items.filter((i) => i.status === 'failed').length,
    interrupted: items.filter((i) => i.status === 'interrupted').length,
    resumed: items.filter((i) => i.resumed).length,
    images: items.reduce((s, i) => s + i.results.length, 0),
    billed,
    billedThisRun: items.reduce((s, i) => s + (i.resumed ? 0 : i.billed), 0),
    ...(price ? { cost: { amount: billed * price.amount, currency: price.currency } } : {}),
    ...(wallMs !== undefined ? { wallMs } : {}),
    lanes: [...lanes.values()],
  };
}
