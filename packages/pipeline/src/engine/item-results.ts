import type { ResultsLog } from '../output/results-file.js';
import type { BatchSummary, ItemResult } from './batch-events.js';

/**
 * The results of a run's items, by id, in manifest order; and the images written. Each item counts
 * once (a later result of the same id replaces the earlier one), and each result is appended to
 * `results.jsonl` as it comes.
 */
export class ItemResults {
  private readonly byId = new Map<string, { line: number; result: ItemResult }>();
  /** Submits of earlier runs not to count as attempts (made at a service that has since forgotten them). */
  private readonly uncounted = new Map<string, number>();
  images = 0;

  constructor(
    private readonly emit: (e: { type: 'item-done'; result: ItemResult }) => void,
    private readonly log?: ResultsLog,
  ) {}

  /** The item's `n` earlier submits do not count in its `attempts` (the service they went to is gone). */
  uncount(id: string, n: number): void {
    this.uncounted.set(id, n);
  }

  /** Records an item's result and reports it. */
  finish(line: number, result: ItemResult): void {
    const less = this.uncounted.get(result.id) ?? 0;
    const r = less > 0 ? { ...result, attempts: Math.max(0, result.attempts - less) } : result;
    this.byId.set(r.id, { line, result: r });
    this.log?.append(r);
    this.emit({ type: 'item-done', result: r });
  }

  /** Every result, in manifest order. */
  all(): ItemResult[] {
    return [...this.byId.values()].sort((a, b) => a.line - b.line).map((r) => r.result);
  }

  /** Totals of the run: every item of the input once. */
  summary(wallMs: number, resultsFile: string): BatchSummary {
    const all = this.all();
    return {
      total: all.length,
      succeeded: all.filter((r) => r.status === 'succeeded').length,
      failed: all.filter((r) => r.status === 'failed').length,
      interrupted: all.filter((r) => r.status === 'interrupted').length,
      resumed: all.filter((r) => r.resumed).length,
      images: this.images,
      missingImages: all.reduce((sum, r) => sum + (r.missing?.length ?? 0), 0),
      possibleDuplicates: all.filter((r) => r.possibleDuplicate).length,
      wallMs,
      resultsFile,
    };
  }
}
