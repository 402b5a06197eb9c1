/**
 * camelCase ⇄ snake_case: the request body as the service expects it, and every reply parsed into
 * the typed shapes of types.ts. Parsing is strict about what the client relies on (a task needs
 * `task_id` and `task_status`) and tolerant elsewhere: optional fields may be absent, layer keys may
 * come in any order, and the seed's spellings (`text_result`, `fontItalic`) are read as well as the
 * service's real ones (`text_results`, `font_italic`).
 */
import { UnexpectedResponseError, type DashScopeOperation } from './errors.js';
import {
  BACKGROUND_GENERATION_MODEL,
  type BackgroundGenerationRequest,
  type GenerationParameters,
  type ModelVersion,
  type ReferenceEdge,
  type SubmitResult,
  type Task,
  type TaskList,
  type TaskListItem,
  type TaskMetrics,
  type TaskResult,
  type TaskStatus,
  type TextLayer,
  type TextMaskGradient,
  type TextMaskLayer,
  type TextResultLayer,
  type TextResultParams,
  type TextResults,
  type UploadPolicy,
} from './types.js';

type Json = Record<string, unknown>;

/** `code` of a result entry that has neither a `url` nor a `code` of its own. */
export const MISSING_RESULT_CODE = 'ResultMissing';

/** `input.reference_edge` on the wire. */
export interface WireReferenceEdge {
  foreground_edge?: string[];
  foreground_edge_prompt?: string[];
  background_edge?: string[];
  background_edge_prompt?: string[];
}

/** The submit body on the wire. */
export interface WireBackgroundGenerationRequest {
  model: string;
  input: {
    base_image_url: string;
    ref_image_url?: string;
    ref_prompt?: string;
    neg_ref_prompt?: string;
    reference_edge?: WireReferenceEdge;
    title?: string;
    sub_title?: string;
  };
  parameters?: {
    n?: number;
    noise_level?: number;
    ref_prompt_weight?: number;
    scene_type?: string;
    model_version?: string;
  };
}

/** Copies the defined entries of `pairs` into a new object. */
function defined<T extends object>(pairs: T): T {
  return Object.fromEntries(Object.entries(pairs).filter(([, v]) => v !== undefined)) as T;
}

/** The submit body for a request (only the fields that are set; `model` defaults to this model). */
export function toWireRequest(request: BackgroundGenerationRequest): WireBackgroundGenerationRequest {
  const edge = request.referenceEdge;
  const wireEdge = edge
    ? defined<WireReferenceEdge>({
        foreground_edge: edge.foregroundEdge,
        foreground_edge_prompt: edge.foregroundEdgePrompt,
        background_edge: edge.backgroundEdge,
        background_edge_prompt: edge.backgroundEdgePrompt,
      })
    : undefined;
  const p = request.parameters;
  const parameters = p ? defined({ n: p.n, noise_level: p.noiseLevel, ref_prompt_weight: p.refPromptWeight, scene_type: p.sceneType, model_version: p.modelVersion }) : undefined;
  return defined({
    model: request.model ?? BACKGROUND_GENERATION_MODEL,
    input: defined({
      base_image_url: request.baseImageUrl,
      ref_image_url: request.refImageUrl,
      ref_prompt: request.refPrompt,
      neg_ref_prompt: request.negRefPrompt,
      reference_edge: wireEdge && Object.keys(wireEdge).length > 0 ? wireEdge : undefined,
      title: request.title,
      sub_title: request.subTitle,
    }),
    parameters: parameters && Object.keys(parameters).length > 0 ? parameters : undefined,
  });
}

/** The camelCase request for a submit body (e.g. to read a journaled or recorded submit). */
export function fromWireRequest(body: unknown): BackgroundGenerationRequest {
  const r = new Reader(body, 'body', 'submit', 'The submit request body');
  const input = r.object('input');
  const edge = input.optionalObject('reference_edge');
  const params = r.optionalObject('parameters');
  const referenceEdge: ReferenceEdge | undefined = edge
    ? defined({
        foregroundEdge: edge.optionalStringArray('foreground_edge'),
        foregroundEdgePrompt: edge.optionalStringArray('foreground_edge_prompt'),
        backgroundEdge: edge.optionalStringArray('background_edge'),
        backgroundEdgePrompt: edge.optionalStringArray('background_edge_prompt'),
      })
    : undefined;
  const parameters: GenerationParameters | undefined = params
    ? defined({
        n: params.optionalNumber('n'),
        noiseLevel: params.optionalNumber('noise_level'),
        refPromptWeight: params.optionalNumber('ref_prompt_weight'),
        sceneType: params.optionalString('scene_type'),
        modelVersion: params.optionalString('model_version') as ModelVersion | undefined,
      })
    : undefined;
  return defined({
    model: r.optionalString('model'),
    baseImageUrl: input.string('base_image_url'),
    refImageUrl: input.optionalString('ref_image_url'),
    refPrompt: input.optionalString('ref_prompt'),
    negRefPrompt: input.optionalString('neg_ref_prompt'),
    referenceEdge,
    title: input.optionalString('title'),
    subTitle: input.optionalString('sub_title'),
    parameters,
  });
}

/** Reads the reply to a submit. */
export function parseSubmitResult(body: unknown): SubmitResult {
  const r = new Reader(body, 'body', 'submit');
  const output = r.object('output');
  return { taskId: output.string('task_id'), taskStatus: output.string('task_status') as TaskStatus, requestId: r.optionalString('request_id') ?? '' };
}

/** Reads the reply to `GET /tasks/{id}` (and to a cancel, when it carries a task). */
export function parseTask(body: unknown, operation: DashScopeOperation = 'tasks.get'): Task {
  const r = new Reader(body, 'body', operation);
  const o = r.object('output');
  const results = o.optionalArray('results')?.map((u) => u.object().resultEntry());
  const textResultsReader = o.optionalObject('text_results') ?? o.optionalObject('text_result');
  const metrics = o.optionalObject('task_metrics');
  const usage = r.optionalObject('usage');
  const task: Task = defined({
    taskId: o.string('task_id'),
    taskStatus: o.string('task_status') as TaskStatus,
    requestId: r.optionalString('request_id') ?? '',
    submitTime: o.optionalString('submit_time'),
    scheduledTime: o.optionalString('scheduled_time'),
    endTime: o.optionalString('end_time'),
    results,
    textResults: textResultsReader ? parseTextResults(textResultsReader) : undefined,
    taskMetrics: metrics ? parseTaskMetrics(metrics) : undefined,
    usage: usage ? defined({ imageCount: usage.optionalNumber('image_count') }) : undefined,
    code: o.optionalString('code'),
    message: o.optionalString('message'),
    raw: body,
  });
  return task;
}

function parseTaskMetrics(m: Reader): TaskMetrics {
  return { TOTAL: m.optionalNumber('TOTAL') ?? 0, SUCCEEDED: m.optionalNumber('SUCCEEDED') ?? 0, FAILED: m.optionalNumber('FAILED') ?? 0 };
}

function parseTextResults(t: Reader): TextResults {
  return {
    urls: t.optionalArray('urls')?.map((u) => u.object().resultEntry()) ?? [],
    params: t.optionalArray('params')?.map((p) => parseTextParams(p.object())) ?? [],
  };
}

function parseTextParams(p: Reader): TextResultParams {
  return { sampleIdx: p.number('sample_idx'), layers: p.optionalArray('layers')?.map((l) => parseLayer(l.object())) ?? [] };
}

/** Shadow/stroke values: a CSS-like string, `0`, or null/`None` for none. */
function shadowValue(r: Reader, key: string): string | number | null | undefined {
  const v = r.value(key);
  if (v === undefined || v === null || typeof v === 'string' || typeof v === 'number') return v;
  throw r.fail(key, 'a string, number or null');
}

function parseLayer(l: Reader): TextResultLayer {
  const type = l.string('type');
  if (type === 'text') {
    const layer: TextLayer = defined({
      type: 'text' as const,
      subType: l.optionalString('sub_type'),
      content: l.optionalString('content') ?? '',
      idx: l.number('idx'),
      fontFamily: l.optionalString('font_family'),
      fontSize: l.optionalNumber('font_size'),
      fontWeight: l.optionalString('font_weight'),
      fontColor: l.optionalString('font_color'),
      direction: l.optionalString('direction'),
      alignment: l.optionalString('alignment'),
      lineHeight: l.optionalNumber('line_height'),
      opacity: l.optionalNumber('opacity'),
      fontItalic: l.optionalBoolean('font_italic') ?? l.optionalBoolean('fontItalic'),
      fontLineThrough: l.optionalBoolean('font_line_through'),
      fontUnderLine: l.optionalBoolean('font_under_line'),
      top: l.number('top'),
      left: l.number('left'),
      width: l.number('width'),
      height: l.number('height'),
      textShadow: shadowValue(l, 'text_shadow'),
      textStroke: shadowValue(l, 'text_stroke'),
    });
    return layer;
  }
  if (type === 'text_mask') {
    const g = l.value('gradient');
    const layer: TextMaskLayer = defined({
      type: 'text_mask' as const,
      idx: l.number('idx'),
      color: l.optionalString('color'),
      opacity: l.optionalNumber('opacity'),
      top: l.number('top'),
      left: l.number('left'),
      width: l.number('width'),
      height: l.number('height'),
      radius: l.optionalNumber('radius'),
      gradient: g === null ? null : g === undefined ? undefined : parseGradient(l.object('gradient')),
      boxShadow: shadowValue(l, 'box_shadow'),
    });
    return layer;
  }
  // A layer type this client does not know: keep every field, keys in camelCase.
  return camelCaseKeys(l.raw) as unknown as TextResultLayer;
}

function parseGradient(g: Reader): TextMaskGradient {
  const c = g.object('coords');
  return defined({
    type: g.optionalString('type') ?? 'linear',
    gradientUnits: g.optionalString('gradient_units'),
    coords: { x1: c.number('x1'), y1: c.number('y1'), x2: c.number('x2'), y2: c.number('y2') },
    colorStops:
      g.optionalArray('color_stops')?.map((s) => {
        const stop = s.object();
        return { offset: stop.number('offset'), color: stop.string('color') };
      }) ?? [],
  });
}

/** Reads the reply to `GET /tasks` (top level, not under `output`). */
export function parseTaskList(body: unknown): TaskList {
  const r = new Reader(body, 'body', 'tasks.list');
  const data = r.optionalArray('data') ?? [];
  return {
    total: r.optionalNumber('total') ?? data.length,
    totalPage: r.optionalNumber('total_page') ?? 1,
    pageNo: r.optionalNumber('page_no') ?? 1,
    pageSize: r.optionalNumber('page_size') ?? data.length,
    requestId: r.optionalString('request_id') ?? '',
    data: data.map((entry): TaskListItem => {
      const item = entry.object();
      return defined({
        taskId: item.string('task_id'),
        status: item.string('status') as TaskStatus,
        modelName: item.optionalString('model_name'),
        requestId: item.optionalString('request_id'),
        apiKeyId: idString(item.value('api_key_id')),
        gmtCreate: epochMs(item.value('gmt_create')),
        startTime: item.optionalNumber('start_time'),
        endTime: item.optionalNumber('end_time'),
        raw: item.raw,
      });
    }),
  };
}

/** Reads the reply to `GET /uploads?action=getPolicy` (fields under `data`). */
export function parseUploadPolicy(body: unknown): UploadPolicy {
  const r = new Reader(body, 'body', 'files.policy');
  const d = r.object('data');
  return defined({
    policy: d.string('policy'),
    signature: d.string('signature'),
    uploadDir: d.string('upload_dir'),
    uploadHost: d.string('upload_host'),
    expireInSeconds: d.number('expire_in_seconds'),
    maxFileSizeMb: d.number('max_file_size_mb'),
    capacityLimitMb: d.optionalNumber('capacity_limit_mb'),
    ossAccessKeyId: d.string('oss_access_key_id'),
    xOssObjectAcl: d.optionalString('x_oss_object_acl') ?? 'private',
    xOssForbidOverwrite: d.optionalString('x_oss_forbid_overwrite') ?? 'true',
    requestId: r.optionalString('request_id'),
  });
}

/** An id sent as a string or a number (`api_key_id`), as a string; undefined otherwise. */
function idString(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/**
 * Epoch milliseconds sent as a number or a string of digits (as recorded: `1709260684485`); anything else
 * (absent, a zoned date string) is undefined — the time is then unknown, never guessed from a zone.
 */
function epochMs(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^\d{10,16}$/.test(value)) return Number(value);
  return undefined;
}

function camelCaseKeys(value: Json): Json {
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), v]));
}

/** Typed access to a JSON value, failing with the JSON path of whatever is missing or mistyped. */
class Reader {
  constructor(
    private readonly node: unknown,
    private readonly path: string,
    private readonly operation: DashScopeOperation,
    /** What is being read, for messages. */
    private readonly subject: string = `DashScope ${operation} reply`,
  ) {}

  /** The underlying object (after `object()`). */
  get raw(): Json {
    return this.node as Json;
  }

  fail(key: string | undefined, expected: string): UnexpectedResponseError {
    const where = key === undefined ? this.path : `${this.path}.${key}`;
    return new UnexpectedResponseError(
      'UnexpectedResponse',
      `${this.subject} is not in the expected shape: ${where} should be ${expected}. If this is a service reply, the service may have changed: report it with the request id.`,
      { operation: this.operation },
    );
  }

  value(key: string): unknown {
    return (this.node as Json)[key];
  }

  /** This node as an object reader; with a key, that child. */
  object(key?: string): Reader {
    const v = key === undefined ? this.node : this.value(key);
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw this.fail(key, 'an object');
    return key === undefined ? this : new Reader(v, `${this.path}.${key}`, this.operation, this.subject);
  }

  optionalObject(key: string): Reader | undefined {
    const v = this.value(key);
    return v === undefined || v === null ? undefined : this.object(key);
  }

  optionalArray(key: string): Reader[] | undefined {
    const v = this.value(key);
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) throw this.fail(key, 'an array');
    return v.map((item, i) => new Reader(item, `${this.path}.${key}[${i}]`, this.operation, this.subject));
  }

  string(key: string): string {
    const v = this.value(key);
    if (typeof v !== 'string') throw this.fail(key, 'a string');
    return v;
  }

  optionalString(key: string): string | undefined {
    const v = this.value(key);
    return v === undefined || v === null ? undefined : this.string(key);
  }

  optionalStringArray(key: string): string[] | undefined {
    return this.optionalArray(key)?.map((item) => {
      if (typeof item.node !== 'string') throw item.fail(undefined, 'a string');
      return item.node;
    });
  }

  number(key: string): number {
    const v = this.value(key);
    if (typeof v !== 'number' || !Number.isFinite(v)) throw this.fail(key, 'a number');
    return v;
  }

  optionalNumber(key: string): number | undefined {
    const v = this.value(key);
    return v === undefined || v === null ? undefined : this.number(key);
  }

  optionalBoolean(key: string): boolean | undefined {
    const v = this.value(key);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') throw this.fail(key, 'a boolean');
    return v;
  }

  /**
   * An entry of `results` / `text_results.urls`: `{url}`, or — for an image the service failed to make in a
   * partly successful task — `{code, message}` (the official Python SDK keeps such entries too, `url` empty).
   */
  resultEntry(): TaskResult {
    const url = this.optionalString('url');
    if (url !== undefined && url !== '') return { url };
    return {
      code: this.optionalString('code') ?? MISSING_RESULT_CODE,
      message: this.optionalString('message') ?? 'The service returned this result without an image URL or an error code.',
    };
  }
}
