import type { BatchSummary, ItemResult } from './batch-events.js';

/** The results of a run's items, by id, in manifest order; and the images written. */
export class ItemResults {
  private readonly byId = new Map<string, { line: number; result: ItemResult }>();
  images = 0;

  constructor(private readonly emit: (e: { type: 'item-done'; result: ItemResult }) => void) {}

  /** Records an item's result and reports it. */
  finish(line: number, result: ItemResult): void {
    this.byId.set(result.id, { line, result });
    this.emit({ type: 'item-done', result });
  }

  /** Every result, in manifest order. */
  all(): ItemResult[] {
    return [...this.byId.values()].sort((a, b) => a.line - b.line).map((r) => r.result);
  }

  /** Totals of the run. */
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
