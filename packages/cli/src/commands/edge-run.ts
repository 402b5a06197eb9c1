/**
 * What `backdrop edge` does once its arguments are parsed (`edge.ts`): checks the inputs and the output
 * folder, loads HED (one network on a thread of its own, or a worker pool), writes
 * `<dir>/<input name>.png` for each input atomically, and reports progress on stderr and the written
 * paths on stdout.
 */
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ArgumentsCamelCase } from 'yargs';
import { createHedPool, loadHed, planHedWorkers, type BackendInfo, type EdgeMode, type WeightsInfo } from '@backdrop/edge';
import { writeFileAtomic } from '@backdrop/pipeline';
import { CliError, CliUsageError } from '../cli-errors.js';
import { describeHedWeights } from '../hed-weights-note.js';
import { parseIntegerIn, stringList } from '../option-parsers.js';
import { checkOutputFolder } from '../output-folder.js';
import type { EdgeArgs } from './edge.js';

/** What both a single Hed and a pool offer this command. */
interface EdgeRunner {
  backend: BackendInfo;
  weights: WeightsInfo;
  /** Inputs to keep in flight: one per pool worker; 2 for a network on its own thread. */
  parallelism: number;
  edgeElement(input: string, options: { mode: EdgeMode; detectResolution: number; imageResolution: number; onWarning: (m: string) => void }): Promise<Buffer>;
  close(): Promise<void>;
}

/** A line of progress on stderr: rewritten in place on a TTY, one line per file elsewhere. */
class EdgeProgress {
  private readonly tty = Boolean(process.stderr.isTTY);
  private done = 0;
  private failed = 0;
  private readonly started = Date.now();
  constructor(private readonly total: number) {}

  private clearLine(): void {
    if (this.tty) process.stderr.write('\r\x1b[K');
  }

  private drawLive(current: string): void {
    if (!this.tty) return;
    const secs = (Date.now() - this.started) / 1000;
    const rate = secs > 0 ? (this.done / secs) * 60 : 0;
    process.stderr.write(`\redge ${this.done + this.failed}/${this.total} (${this.failed} failed, ${rate.toFixed(1)}/min) ${current}\x1b[K`);
  }

  note(message: string): void {
    this.clearLine();
    process.stderr.write(`${message}\n`);
  }

  /** An input is being processed (TTY: shown on the live line). */
  starting(input: string): void {
    this.drawLive(path.basename(input));
  }

  finished(input: string, output: string, ms: number): void {
    this.done++;
    if (!this.tty) process.stderr.write(`[${this.done + this.failed}/${this.total}] ${input} → ${output} (${(ms / 1000).toFixed(1)} s)\n`);
    this.drawLive(path.basename(input));
  }

  /** Reports a failed input; with a single input the error itself is the command's one error line. */
  fail(input: string, err: unknown): void {
    this.failed++;
    if (this.total === 1) return;
    const e = err as { code?: unknown; message?: unknown };
    const code = typeof e?.code === 'string' ? `[${e.code}] ` : '';
    this.note(`backdrop: ${code}${input}: ${typeof e?.message === 'string' ? e.message : String(err)}`);
    this.drawLive('');
  }

  /** Clears the live line and, for several inputs, prints a summary. */
  end(outDir: string): void {
    this.clearLine();
    if (this.total < 2 && !this.tty) return;
    const secs = (Date.now() - this.started) / 1000;
    process.stderr.write(
      `edge: ${this.done} written to ${outDir}, ${this.failed} failed, in ${secs.toFixed(1)} s (${((this.done / Math.max(secs, 1e-3)) * 60).toFixed(1)} per minute)\n`,
    );
  }
}

function describeBackendLine(b: BackendInfo, workers: number): string {
  return workers > 1 ? `${b.summary} × ${workers} workers` : b.summary;
}

/** Output path for each input; two inputs with the same name would overwrite each other. */
function outputPaths(inputs: string[], outDir: string): string[] {
  const seen = new Map<string, string>();
  return inputs.map((input) => {
    const name = `${path.parse(input).name}.png`;
    const other = seen.get(name);
    if (other !== undefined) {
      throw new CliUsageError('EDGE_OUTPUT_CONFLICT', `${other} and ${input} would both be written to ${path.join(outDir, name)}; rename one of them.`);
    }
    seen.set(name, input);
    return path.join(outDir, name);
  });
}

async function checkInputs(inputs: string[]): Promise<void> {
  for (const input of inputs) {
    const s = await stat(input).catch(() => undefined);
    if (!s) throw new CliUsageError('IMAGE_NOT_FOUND', `Input file not found: ${input}. Check the path.`);
    if (!s.isFile()) throw new CliUsageError('IMAGE_NOT_FOUND', `Input is not a file: ${input}. Give image files (PNG with alpha, JPEG, WebP).`);
  }
}

async function openRunner(args: ArgumentsCamelCase<EdgeArgs>, workers: number, onProgress: (text: string) => void): Promise<EdgeRunner> {
  const common = {
    weights: args.weights,
    backend: args.backend,
    onProgress: (p: { receivedBytes: number; totalBytes?: number }) =>
      onProgress(`downloading ControlNetHED.pth ${(p.receivedBytes / 1e6).toFixed(1)}${p.totalBytes ? ` / ${(p.totalBytes / 1e6).toFixed(1)}` : ''} MB`),
  };
  if (workers > 1) return createHedPool({ ...common, size: workers });
  return loadHed(common);
}

/** Runs `fn` over `items` with at most `limit` calls in flight. */
async function forEachLimited<T>(items: T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  });
  await Promise.all(lanes);
}

/** Makes the edge element of every input of `backdrop edge` and writes it into `--out`. */
export async function makeEdgeElements(args: ArgumentsCamelCase<EdgeArgs>): Promise<void> {
  const inputs = stringList(args.input);
  if (inputs.length === 0) throw new CliUsageError('INVALID_OPTION', 'Name at least one input image.');
  const detectResolution = parseIntegerIn('detect-resolution', args.detectResolution, 64, 4096);
  const imageResolution = parseIntegerIn('image-resolution', args.imageResolution, 64, 4096);
  const concurrency = args.concurrency === undefined ? (await planHedWorkers({ backend: args.backend })).workers : parseIntegerIn('concurrency', args.concurrency, 1, 256);
  await checkInputs(inputs);
  await checkOutputFolder(args.out);
  const outDir = path.resolve(args.out);
  const outputs = outputPaths(inputs, outDir);
  const workers = Math.min(concurrency, inputs.length);
  const progress = new EdgeProgress(inputs.length);
  let lastDownloadNote = 0;
  const runner = await openRunner(args, workers, (text) => {
    if (Date.now() - lastDownloadNote < 1000) return;
    lastDownloadNote = Date.now();
    progress.note(text);
  });
  progress.note(describeHedWeights(runner.weights));
  progress.note(describeBackendLine(runner.backend, workers));
  // Created only once the weights and backend have loaded: a load failure leaves nothing behind.
  await mkdir(outDir, { recursive: true });

  const failures: unknown[] = [];
  try {
    // As many in flight as keep the network(s) busy: the steps around the network of one input run while
    // the network works on another.
    await forEachLimited(inputs, runner.parallelism, async (input, i) => {
      const started = Date.now();
      progress.starting(input);
      try {
        const png = await runner.edgeElement(input, {
          mode: args.mode,
          detectResolution,
          imageResolution,
          onWarning: (m) => progress.note(`warning: ${m}`),
        });
        await writeFileAtomic(outputs[i], png);
        // Written paths go to stdout for scripts; on a terminal the progress line says it all.
        if (!process.stdout.isTTY) process.stdout.write(`${outputs[i]}\n`);
        progress.finished(input, outputs[i], Date.now() - started);
      } catch (err) {
        failures.push(err);
        progress.fail(input, err);
      }
    });
  } finally {
    progress.end(outDir);
    await runner.close();
  }
  if (failures.length === 0) return;
  if (inputs.length === 1) throw failures[0];
  const allUser = failures.every((f) => (f as { userError?: unknown }).userError === true);
  const message = `${failures.length} of ${inputs.length} inputs failed (see the lines above); the others were written.`;
  throw allUser ? new CliUsageError('EDGE_INPUTS_FAILED', message) : new CliError('EDGE_INPUTS_FAILED', message);
}
