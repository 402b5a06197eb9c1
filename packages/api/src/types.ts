/**
 * Request, task and result types of wanx-background-generation-v2, in camelCase.
 * The wire (snake_case) shapes live in `wire.ts`; `wire.ts` maps between the two.
 * Field docs follow the service documentation (see ../shared/seed).
 */

/** The model this client speaks to. */
export const BACKGROUND_GENERATION_MODEL = 'wanx-background-generation-v2' as const;

/** Scene presets documented by the service (general, home, beauty). Other strings are sent as-is, with a warning. */
export type SceneType = 'GENERAL' | 'ROOM' | 'COSMETIC' | (string & {});

/** `v2` is faster, `v3` is better and slower (recommended). */
export type ModelVersion = 'v2' | 'v3';

/** Edge-guide elements: RGBA PNGs made with the HED soft-edge recipe; layered bottom to top. */
export interface ReferenceEdge {
  /** Elements drawn in front of the subject (may occlude it). */
  foregroundEdge?: string[];
  /** One prompt per foreground element ('' = none); same length as `foregroundEdge` when given. */
  foregroundEdgePrompt?: string[];
  /** Elements drawn behind the subject. */
  backgroundEdge?: string[];
  /** One prompt per background element ('' = none); same length as `backgroundEdge` when given. */
  backgroundEdgePrompt?: string[];
}

/** Generation parameters (`parameters` on the wire). */
export interface GenerationParameters {
  /** Number of images, 1–4 (service default 1). */
  n?: number;
  /** Integer 0–999 (default 300); only used with a reference image. */
  noiseLevel?: number;
  /** Text weight 0–1 (default 0.5); only used with both a reference image and a reference prompt. */
  refPromptWeight?: number;
  /** Scene preset, e.g. `GENERAL`. */
  sceneType?: SceneType;
  /** `v2` or `v3`. */
  modelVersion?: ModelVersion;
}

/**
 * A background-generation request. URLs may be `http(s)://` or `oss://` (from `files.upload`).
 * `generate()` also accepts local file paths or Buffers where a URL is expected and uploads them.
 */
export interface BackgroundGenerationRequest {
  /** Model name; defaults to `wanx-background-generation-v2`. */
  model?: string;
  /** Subject on a transparent background: RGBA PNG, long side ≤ 2048 px. Required. */
  baseImageUrl: string;
  /** Reference (guide) image. At least one of `refImageUrl` / `refPrompt` is required. */
  refImageUrl?: string;
  /** Reference prompt (Chinese or English; words past 70 are ignored by the service). */
  refPrompt?: string;
  /** Negative prompt (`neg_ref_prompt`); usually best left out. */
  negRefPrompt?: string;
  /** Edge-guide elements. */
  referenceEdge?: ReferenceEdge;
  /** Title drawn on the image, 1–8 characters. */
  title?: string;
  /** Sub-title, 1–10 characters; only with a title. */
  subTitle?: string;
  /** Generation parameters. */
  parameters?: GenerationParameters;
}

/** Task statuses. `PENDING`, `RUNNING`, `SUSPENDED` are not final. */
export type TaskStatus = 'PENDING' | 'RUNNING' | 'SUSPENDED' | 'SUCCEEDED' | 'FAILED' | 'CANCELED' | 'UNKNOWN';

/** Statuses after which a task never changes. */
export const FINAL_TASK_STATUSES: readonly TaskStatus[] = ['SUCCEEDED', 'FAILED', 'CANCELED', 'UNKNOWN'];

/** Reply to a submit. */
export interface SubmitResult {
  taskId: string;
  taskStatus: TaskStatus;
  requestId: string;
}

/** A linear gradient in the Fabric.js-like shape the service uses. */
export interface TextMaskGradient {
  type: string;
  gradientUnits?: string;
  coords: { x1: number; y1: number; x2: number; y2: number };
  colorStops: { offset: number; color: string }[];
}

/** A text layer of `text_results.params[].layers`. */
export interface TextLayer {
  type: 'text';
  /** `Title` or `SubTitle`. */
  subType?: string;
  content: string;
  idx: number;
  fontFamily?: string;
  fontSize?: number;
  fontWeight?: string;
  fontColor?: string;
  direction?: string;
  alignment?: string;
  lineHeight?: number;
  opacity?: number;
  fontItalic?: boolean;
  fontLineThrough?: boolean;
  fontUnderLine?: boolean;
  top: number;
  left: number;
  width: number;
  height: number;
  /** e.g. `"2px 2px #80808080"`; the service sends `0` or `None` for no shadow. */
  textShadow?: string | number | null;
  /** e.g. `"1px #fffffff0"`. */
  textStroke?: string | number | null;
}

/** A mask (background plate) layer of `text_results.params[].layers`. */
export interface TextMaskLayer {
  type: 'text_mask';
  idx: number;
  color?: string;
  opacity?: number;
  top: number;
  left: number;
  width: number;
  height: number;
  radius?: number;
  gradient?: TextMaskGradient | null;
  boxShadow?: string | number | null;
}

/** Any layer; unknown layer types are kept with their raw fields. */
export type TextResultLayer = TextLayer | TextMaskLayer;

/** Text parameters of one output image. */
export interface TextResultParams {
  sampleIdx: number;
  layers: TextResultLayer[];
}

/** An image the service made: one entry of `output.results` or `text_results.urls`. */
export interface TaskResultImage {
  url: string;
  code?: undefined;
  message?: undefined;
}

/**
 * An image the service did not make, in a task that SUCCEEDED with fewer images than asked
 * (`task_metrics.FAILED > 0`): the entry carries the service's `code` and `message` instead of a `url`.
 * An entry with neither a `url` nor a `code` reads as code `ResultMissing`.
 */
export interface TaskResultFailure {
  url?: undefined;
  code: string;
  message: string;
}

/** One entry of `output.results` / `text_results.urls`: test `url` to tell an image from a failure. */
export type TaskResult = TaskResultImage | TaskResultFailure;

/** `output.text_results`: present only when a title was requested. */
export interface TextResults {
  /** The generated images without text (entries without `url` are images the service failed to make). */
  urls: TaskResult[];
  params: TextResultParams[];
}

/** `output.task_metrics`. */
export interface TaskMetrics {
  TOTAL: number;
  SUCCEEDED: number;
  FAILED: number;
}

/** A task as returned by `GET /tasks/{id}`. */
export interface Task {
  taskId: string;
  taskStatus: TaskStatus;
  requestId: string;
  /** Service-local times as sent ("YYYY-MM-DD hh:mm:ss.SSS"), when present. */
  submitTime?: string;
  scheduledTime?: string;
  endTime?: string;
  /**
   * Result images (with the title drawn when one was requested), in the order of the request's images. In a
   * partly successful task some entries are `TaskResultFailure`s (no `url`, the service's `code`/`message`).
   */
  results?: TaskResult[];
  textResults?: TextResults;
  taskMetrics?: TaskMetrics;
  usage?: { imageCount?: number };
  /** For FAILED tasks. */
  code?: string;
  message?: string;
  /** The raw JSON body, for journals and debugging. */
  raw: unknown;
}

/** One entry of `GET /tasks` (list). */
export interface TaskListItem {
  taskId: string;
  status: TaskStatus;
  modelName?: string;
  requestId?: string;
  /**
   * The id of the API key that created the task (`api_key_id`, e.g. `"42677"`: an id the console shows, not
   * derived from the key itself).
   */
  apiKeyId?: string;
  /** When the task was created, ms since the epoch (zone-free). Absent when the entry had none in that form. */
  gmtCreate?: number;
  startTime?: number;
  endTime?: number;
  /** Every other field as sent. */
  raw: Record<string, unknown>;
}

/** Reply of `GET /tasks` (list). */
export interface TaskList {
  total: number;
  totalPage: number;
  pageNo: number;
  pageSize: number;
  data: TaskListItem[];
  requestId: string;
}

/** Filter of `tasks.list`. Times are Date or `YYYYMMDDhhmmss`. */
export interface TaskListFilter {
  pageNo?: number;
  pageSize?: number;
  startTime?: Date | string;
  endTime?: Date | string;
  modelName?: string;
  status?: TaskStatus;
  /** Only tasks created with this API key id (`api_key_id`, as listed entries carry it). */
  apiKeyId?: string;
}

/** Filter of `tasks.listCreatedBetween`: the list filter without times and paging. */
export type TaskWindowFilter = Omit<TaskListFilter, 'startTime' | 'endTime' | 'pageNo' | 'pageSize'>;

/** Reply of `tasks.listCreatedBetween`. */
export interface TasksCreatedBetween {
  /**
   * Tasks whose `gmtCreate` lies in [from, to], newest first, and those listed without a usable
   * `gmt_create` (they cannot be ruled out). The list reply carries no result count or size: fetch a task
   * (`tasks.get`) for its `task_metrics.TOTAL` and results.
   */
  tasks: TaskListItem[];
  /** False when more pages existed than were read (`maxPages`): a task may be missing — do not conclude "none". */
  complete: boolean;
  /** The `start_time`/`end_time` sent (YYYYMMDDhhmmss, written in UTC+8). */
  startTime: string;
  endTime: string;
}

/** Minimal logger; `console` fits. The client never passes the API key to it. */
export interface Logger {
  debug(message: string, ...rest: unknown[]): void;
  info(message: string, ...rest: unknown[]): void;
  warn(message: string, ...rest: unknown[]): void;
  error(message: string, ...rest: unknown[]): void;
}

/** One problem or warning found by request validation. */
export interface ValidationIssue {
  /** Field path in wire terms, e.g. `input.reference_edge.foreground_edge_prompt`. */
  path: string;
  /** Stable code, e.g. `required`, `out_of_range`, `length_mismatch`. */
  code: string;
  message: string;
}

/** Result of `validateBackgroundGenerationRequest`. */
export interface ValidationReport {
  errors: ValidationIssue[];
  warnings: ValidationIssue[];
}

/** A temporary-upload policy (`GET /uploads?action=getPolicy`, reply under `data`). */
export interface UploadPolicy {
  policy: string;
  signature: string;
  /** Folder for this policy's files; an object key is `uploadDir + "/" + fileName`. */
  uploadDir: string;
  /** Where the multipart form is POSTed. */
  uploadHost: string;
  expireInSeconds: number;
  maxFileSizeMb: number;
  capacityLimitMb?: number;
  ossAccessKeyId: string;
  xOssObjectAcl: string;
  xOssForbidOverwrite: string;
  requestId?: string;
}

/** A file uploaded with `files.upload`. */
export interface UploadedFile {
  /** `oss://` + object key: pass it where a URL is expected. Valid for 48 h, for the model it was uploaded for. */
  url: string;
  /** The object key (`upload_dir/file name`). */
  key: string;
  /** When the service deletes the file (48 h after upload). */
  expiresAt: Date;
  /** Model the upload is bound to. */
  model: string;
  /** Size in bytes. */
  bytes: number;
  /** SHA-256 of the content, hex. */
  sha256: string;
  /** MIME type sent as `x-oss-content-type`. */
  contentType: string;
}
