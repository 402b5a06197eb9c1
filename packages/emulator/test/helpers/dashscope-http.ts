/** Plain fetch helpers for talking to the emulator the way a client would (no client library). */
import type { Emulator } from '../../src/index.js';

export const SUBMIT_PATH = '/services/aigc/background-generation/generation/';
export const MODEL = 'wanx-background-generation-v2';

export interface JsonReply {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export async function call(
  emulator: Emulator,
  method: string,
  path: string,
  options: { key?: string | null; body?: unknown; headers?: Record<string, string> } = {},
): Promise<JsonReply> {
  const headers: Record<string, string> = { ...options.headers };
  const key = options.key === undefined ? 'test-key' : options.key;
  if (key !== null) headers.Authorization = `Bearer ${key}`;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(emulator.baseUrl + path, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

export function submit(emulator: Emulator, body: unknown, options: { key?: string | null; headers?: Record<string, string>; async?: boolean } = {}): Promise<JsonReply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.async !== false) headers['X-DashScope-Async'] = 'enable';
  return call(emulator, 'POST', SUBMIT_PATH, { key: options.key, body, headers });
}

export function query(emulator: Emulator, taskId: string, key?: string): Promise<JsonReply> {
  return call(emulator, 'GET', `/tasks/${taskId}`, { key });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until the task reaches a final status (or one of `statuses`), every `everyMs`. */
export async function waitForStatus(
  emulator: Emulator,
  taskId: string,
  statuses: string[] = ['SUCCEEDED', 'FAILED', 'CANCELED', 'UNKNOWN'],
  { key, everyMs = 60, timeoutMs = 30_000 }: { key?: string; everyMs?: number; timeoutMs?: number } = {},
): Promise<JsonReply> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reply = await query(emulator, taskId, key);
    if (statuses.includes(reply.body?.output?.task_status)) return reply;
    if (Date.now() > deadline) throw new Error(`task ${taskId} still ${reply.body?.output?.task_status} after ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}

export async function download(url: string): Promise<{ status: number; bytes: Buffer; contentType: string | null }> {
  const response = await fetch(url);
  return { status: response.status, bytes: Buffer.from(await response.arrayBuffer()), contentType: response.headers.get('content-type') };
}

/** Sorted keys of an object, for shape comparisons with recordings. */
export function keysOf(value: object): string[] {
  return Object.keys(value).sort();
}
