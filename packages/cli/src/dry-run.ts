/**
 * `--dry-run` of `generate` and `batch`: every check and the prepare stage (HED edge elements made and
 * cached, large bases downscaled with --fit) run as for real; then, instead of uploading and submitting,
 * what would be sent is described — per item its inputs (local files as they would be uploaded) and the
 * request's parameters — with the number of images that would be billed (the sum of `n`). Nothing
 * reaches the service: no upload, no task.
 */
import { toWireRequest, type WireBackgroundGenerationRequest } from '@backdrop/api';
import { buildRequest, prepareItem, type BatchItem, type EdgeMaker } from '@backdrop/pipeline';

/** What one item would send. */
export interface DryRunItem {
  id: string;
  /** Per request field (`base`, `ref`, `foreground[0]`, …): the local file that would be uploaded, or the URL used as is. */
  inputs: Record<string, string>;
  /** The request as it would go on the wire, each uploaded file shown by its local path. */
  request: WireBackgroundGenerationRequest;
  /** Images this item would be billed for (`n`, default 1). */
  images: number;
}

/** Prepares `item` (checks, HED, --fit) and describes the request it would send. */
export async function dryRunItem(item: BatchItem, options: { stateDir: string; fit: boolean; edges?: EdgeMaker }): Promise<DryRunItem> {
  const prepared = await prepareItem(item, { stateDir: options.stateDir, fit: options.fit, ...(options.edges ? { edges: options.edges } : {}) });
  const inputs: Record<string, string> = {};
  for (const input of prepared.inputs) inputs[input.field] = 'file' in input ? input.file : input.url;
  const request = toWireRequest(buildRequest(item, inputs));
  return { id: item.id, inputs, request, images: item.n ?? 1 };
}

/** One line per item and a total, for the terminal. */
export function formatDryRun(items: DryRunItem[]): string {
  const lines = items.map((i) => `${i.id}: ${JSON.stringify({ inputs: i.inputs, parameters: i.request.parameters ?? {}, input: i.request.input })}`);
  const images = items.reduce((sum, i) => sum + i.images, 0);
  lines.push(
    `dry run: ${items.length} item${items.length === 1 ? '' : 's'} checked; ${images} image${images === 1 ? '' : 's'} would be billed. Nothing was uploaded or submitted.`,
  );
  return lines.join('\n') + '\n';
}
