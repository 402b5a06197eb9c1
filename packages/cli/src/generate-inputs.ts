/**
 * `backdrop generate`'s flags → one batch item, and the pre-flight check of that item: every local
 * file exists and is the right kind of image, and the request passes the service's rules — all
 * problems at once, named by flag and field path, before anything is uploaded.
 */
import { validateBackgroundGenerationRequest } from '@backdrop/api';
import { type InputProblem, isRemoteReference, type BatchItem, type ElementSpec, validateBatchInput, prepareItem, type EdgeMaker } from '@backdrop/pipeline';
import { CliUsageError } from './cli-errors.js';
import { stringList } from './option-parsers.js';
import { requestFieldsFrom, resolveLocal } from './request-fields.js';
import type { RequestFlagArgs } from './request-options.js';

/** The request flags of `backdrop generate`, as yargs parses them. */
export interface GenerateRequestArgs extends RequestFlagArgs {
  base: string;
  fgEdge?: string | string[];
  fgEdgePrompt?: string | string[];
  bgEdge?: string | string[];
  bgEdgePrompt?: string | string[];
}

/** Item and manifest field names → the flag a user typed. */
const FLAG_BY_FIELD: [RegExp, string][] = [
  [/^base$|base_image_url/, '--base'],
  [/^ref$|ref_image_url/, '--ref'],
  [/neg_ref_prompt/, '--negative-prompt'],
  [/ref_prompt_weight/, '--ref-prompt-weight'],
  [/ref_prompt/, '--prompt'],
  [/^foreground\[|foreground_edge_prompt/, '--fg-edge-prompt'],
  [/foreground_edge/, '--fg-edge'],
  [/^background\[|background_edge_prompt/, '--bg-edge-prompt'],
  [/background_edge/, '--bg-edge'],
  [/sub_title/, '--subtitle'],
  [/title/, '--title'],
  [/noise_level/, '--noise-level'],
  [/scene_type/, '--scene-type'],
  [/model_version/, '--model-version'],
  [/(^|\.)n$/, '-n'],
  [/reference_edge/, '--fg-edge/--bg-edge'],
];

/** The flag behind a field path, e.g. `input.sub_title` → `--subtitle`. */
export function flagForField(field: string | undefined): string | undefined {
  if (!field) return undefined;
  const element = /^(foreground|background)\[(\d+)\]\.(edge|cutout)$/.exec(field);
  if (element) return `${element[1] === 'foreground' ? '--fg-edge' : '--bg-edge'} #${Number(element[2]) + 1}`;
  return FLAG_BY_FIELD.find(([re]) => re.test(field))?.[1];
}

function elements(option: string, edges: string[], prompts: string[], asCutouts: boolean): ElementSpec[] {
  if (prompts.length > 0 && prompts.length !== edges.length) {
    throw new CliUsageError(
      'InvalidParameter',
      `--${option}-prompt was given ${prompts.length} time(s) for ${edges.length} --${option}; give one per element ` + `(in the same order, "" for none) or none at all.`,
    );
  }
  return edges.map((file, i) => {
    if (asCutouts && isRemoteReference(file)) {
      throw new CliUsageError('InvalidParameter', `--${option} ${file}: with --hed, elements are cut-outs made into edge elements here, so give local files.`);
    }
    const spec: ElementSpec = asCutouts ? { cutout: resolveLocal(file) } : { edge: resolveLocal(file) };
    return prompts.length > 0 ? { ...spec, prompt: prompts[i] } : spec;
  });
}

function checkFinite(flag: string, value: number | undefined): void {
  if (value !== undefined && !Number.isFinite(value)) throw new CliUsageError('InvalidParameter', `${flag} must be a number.`);
}

/**
 * Builds the item `generate` submits (paths made absolute, URLs kept). With `hed`, the element files
 * are cut-outs to be made into edge elements first.
 */
export function itemFromArgs(args: GenerateRequestArgs, options: { hed?: boolean } = {}): BatchItem {
  const asCutouts = options.hed === true;
  const item: BatchItem = { id: 'generate', base: resolveLocal(args.base), ...requestFieldsFrom(args) };
  const fg = elements('fg-edge', stringList(args.fgEdge), stringList(args.fgEdgePrompt), asCutouts);
  const bg = elements('bg-edge', stringList(args.bgEdge), stringList(args.bgEdgePrompt), asCutouts);
  if (stringList(args.fgEdgePrompt).length > 0 && fg.length === 0) {
    throw new CliUsageError('InvalidParameter', '--fg-edge-prompt needs --fg-edge (the element it describes).');
  }
  if (stringList(args.bgEdgePrompt).length > 0 && bg.length === 0) {
    throw new CliUsageError('InvalidParameter', '--bg-edge-prompt needs --bg-edge (the element it describes).');
  }
  if (fg.length > 0) item.foreground = fg;
  if (bg.length > 0) item.background = bg;
  checkFinite('-n', item.n);
  checkFinite('--noise-level', item.noiseLevel);
  checkFinite('--ref-prompt-weight', item.refPromptWeight);
  return item;
}

/** `  --title (input.title): message` */
function formatProblem(p: InputProblem): string {
  const flag = p.code === 'reference_required' ? '--ref or --prompt' : flagForField(p.field);
  const where = flag && p.field ? `${flag} (${p.field})` : (flag ?? p.field ?? 'request');
  return `  ${where}: ${p.message}`;
}

/** The invalid request: every problem, one per line, each with its flag and field path. */
class GenerateInputError extends CliUsageError {
  constructor(readonly problems: InputProblem[]) {
    super(
      'InvalidParameter',
      problems.length === 1
        ? `${formatProblem(problems[0]).trim()}. Nothing was uploaded or submitted.`
        : `${problems.length} problems with the request; nothing was uploaded or submitted:\n` + problems.map(formatProblem).join('\n'),
    );
    this.name = 'GenerateInputError';
  }
}

/**
 * Checks the item without uploading anything; throws `GenerateInputError` listing every problem.
 * With `fit`, a base image over 2048 px is allowed (it is downscaled before upload).
 * Returns the warnings (e.g. a prompt past 70 words) as printable lines.
 */
export async function checkGenerateInputs(item: BatchItem, options: { fit?: boolean } = {}): Promise<string[]> {
  const report = await validateBatchInput(
    {
      label: 'generate',
      entries: async function* () {
        yield { line: 1, item, problems: [] };
      },
    },
    { validateRequest: validateBackgroundGenerationRequest, concurrency: 4, fit: options.fit === true },
  );
  if (report.problems.length > 0) throw new GenerateInputError(report.problems);
  return report.warnings.map((w) => `warning: ${formatProblem(w).trim()}`);
}

/**
 * Runs the pipeline's prepare stage where `generate` needs it: `fit` downscales a local base image over
 * 2048 px (Lanczos), and `edges` turns cut-out elements into HED edge elements — both cached by
 * content hash in the run's own state folder (`<out>/.backdrop`, under the output folder's lock), never
 * in a shared, predictable temp folder another user could plant files in. Returns the item with those
 * files swapped in.
 */
export async function prepareLocalInputs(item: BatchItem, options: { fit: boolean; edges?: EdgeMaker; stateDir: string }): Promise<BatchItem> {
  const prepared = await prepareItem(item, {
    stateDir: options.stateDir,
    fit: options.fit,
    ...(options.edges ? { edges: options.edges } : {}),
  });
  const fileOf = (field: string): string | undefined => {
    const input = prepared.inputs.find((i) => i.field === field);
    return input && 'file' in input ? input.file : undefined;
  };
  const swapped: BatchItem = { ...item, base: fileOf('base') ?? item.base };
  for (const side of ['foreground', 'background'] as const) {
    const list = item[side];
    if (!list) continue;
    swapped[side] = list.map((el, i) => {
      const file = fileOf(`${side}[${i}]`);
      const prompt = el.prompt !== undefined ? { prompt: el.prompt } : {};
      return 'cutout' in el && file ? { edge: file, ...prompt } : el;
    });
  }
  return swapped;
}
