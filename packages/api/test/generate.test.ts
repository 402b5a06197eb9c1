/** `backgroundGeneration.generate` end to end against the emulator: upload, submit, wait, result. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startEmulator, type Emulator } from '@backdrop/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DashScope } from '../src/client.js';
import { RequestValidationError, TaskFailedError } from '../src/errors.js';
import type { SubmitResult, TaskStatus, UploadedFile } from '../src/types.js';
import { cutoutPng, encodePalettePngWithTransparency, encodeRgbaPng, encodeRgbPng, imageSize } from './helpers/png.js';
import { readPngFacts } from '../src/image-checks.js';
import { apiKeyFingerprint } from '../src/api-key.js';

let emulator: Emulator;
let dir: string;
beforeAll(async () => {
  emulator = await startEmulator({ taskMs: 300 });
  dir = await mkdtemp(path.join(os.tmpdir(), 'backdrop-api-generate-'));
});
afterAll(async () => {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});
let n = 0;
const newClient = () => new DashScope({ apiKey: `sk-generate-${process.pid}-${++n}`, baseUrl: emulator.baseUrl });
/** An edge element: white strokes on transparency, the size of the base. */
const edgeElement = (w: number, h: number, column: number) => encodeRgbaPng(w, h, (x) => (Math.abs(x - column) < 2 ? [255, 255, 255, 255] : [0, 0, 0, 0]));

describe('generate', () => {
  it('uploads local inputs (path, bytes), submits with OSS resolution, waits, and returns typed results', async () => {
    const client = newClient();
    const basePath = path.join(dir, 'mug.png');
    await writeFile(basePath, cutoutPng(80, 60));
    const already = await client.files.upload(edgeElement(80, 60, 10));
    const events: string[] = [];
    const uploaded: UploadedFile[] = [];
    let submitted: SubmitResult | undefined;
    const result = await client.backgroundGeneration.generate(
      {
        baseImageUrl: basePath,
        refPrompt: 'on a wooden table by a sunny window',
        title: '新品上市',
        subTitle: '限时优惠',
        referenceEdge: { foregroundEdge: [edgeElement(80, 60, 40)], foregroundEdgePrompt: ['花'], backgroundEdge: [already.url], backgroundEdgePrompt: [''] },
        parameters: { n: 2, noiseLevel: 300, sceneType: 'GENERAL', modelVersion: 'v3' },
      },
      {
        pollIntervalMs: 50,
        onUploaded: (file) => uploaded.push(file),
        onSubmitted: (s) => {
          submitted = s;
          events.push('submitted');
        },
        onStatus: (t) => events.push(t.taskStatus),
      },
    );
    expect(result.uploads).toHaveLength(2); // the path and the bytes; the oss:// URL is used as is
    expect(uploaded).toEqual(result.uploads);
    expect(result.uploads.every((u) => u.url.startsWith('oss://'))).toBe(true);
    expect(submitted).toEqual(result.submit);
    expect(result.taskId).toBe(submitted!.taskId);
    expect(events[0]).toBe('submitted');
    expect(events.at(-1)).toBe('SUCCEEDED');
    expect(result.task.taskStatus).toBe('SUCCEEDED');
    expect(result.results).toHaveLength(2);
    expect(result.imageCount).toBe(2);
    expect(result.textResults?.params.map((p) => p.sampleIdx).sort()).toEqual([0, 1]);
    const texts = result.textResults!.params[0].layers.filter((l) => l.type === 'text');
    expect(texts.map((l) => (l.type === 'text' ? [l.subType, l.content] : []))).toEqual([
      ['Title', '新品上市'],
      ['SubTitle', '限时优惠'],
    ]);
    // "noise_level without a reference image" is returned as a warning, not an error.
    expect(result.warnings.map((w) => w.code)).toEqual(['ignored']);
    for (const { url } of [...result.results, ...result.textResults!.urls]) {
      const res = await fetch(url!);
      expect(res.status).toBe(200);
      expect(imageSize(new Uint8Array(await res.arrayBuffer()))).toMatchObject({ width: 80, height: 60 });
    }
  });

  it('checks local files as the service will, all problems at once, before any upload', async () => {
    const apiKey = `sk-generate-files-${process.pid}`;
    const client = new DashScope({ apiKey, baseUrl: emulator.baseUrl });
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
    const missing = path.join(dir, 'missing.png');
    const cases: [Parameters<DashScope['backgroundGeneration']['generate']>[0], string[]][] = [
      [{ baseImageUrl: jpeg, refPrompt: 'x' }, ['input.base_image_url:not_png']],
      [{ baseImageUrl: encodeRgbPng(10, 10), refPrompt: 'x' }, ['input.base_image_url:no_alpha']],
      [{ baseImageUrl: encodeRgbaPng(2049, 2, () => [0, 0, 0, 0]), refPrompt: 'x' }, ['input.base_image_url:too_large']],
      // transparency, but not 8-bit RGBA: refused before upload (backdrop's pipeline converts such bases first)
      [{ baseImageUrl: encodePalettePngWithTransparency(3, 3), refPrompt: 'x' }, ['input.base_image_url:not_rgba8']],
      // a JPEG cannot carry the alpha an edge element needs
      [{ baseImageUrl: cutoutPng(), refPrompt: 'x', referenceEdge: { foregroundEdge: [jpeg] } }, ['input.reference_edge.foreground_edge[0]:no_alpha']],
      [
        { baseImageUrl: missing, refPrompt: 'x', referenceEdge: { foregroundEdge: [cutoutPng(), encodeRgbPng(4, 4)] } },
        ['input.base_image_url:unreadable', 'input.reference_edge.foreground_edge[1]:no_alpha'],
      ],
    ];
    for (const [request, expected] of cases) {
      const err = await client.backgroundGeneration.generate(request).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RequestValidationError);
      expect((err as RequestValidationError).issues.map((i) => `${i.path}:${i.code}`)).toEqual(expected);
    }
    expect(emulator.stats().keys[apiKeyFingerprint(apiKey)]).toBeUndefined(); // nothing reached the service
    expect(readPngFacts(encodePalettePngWithTransparency(3, 3))).toMatchObject({ width: 3, height: 3, hasAlpha: true, colorType: 3, bitDepth: 8 });
    expect(readPngFacts(encodeRgbPng(5, 7))).toMatchObject({ width: 5, height: 7, hasAlpha: false, colorType: 2, bitDepth: 8, transparentColor: null });
  });

  it('a failed task rejects with TaskFailedError after the submit callback', async () => {
    const failing = await startEmulator({
      taskMs: 100,
      faults: { taskFailureRate: 1, taskFailureCode: 'InvalidParameter.DataInspection', taskFailureMessage: 'Input data may contain inappropriate content.' },
    });
    try {
      const client = new DashScope({ apiKey: 'sk-generate-fail', baseUrl: failing.baseUrl });
      let taskId: string | undefined;
      const err = await client.backgroundGeneration
        .generate({ baseImageUrl: cutoutPng(), refPrompt: 'x' }, { pollIntervalMs: 50, onSubmitted: (s) => (taskId = s.taskId) })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TaskFailedError);
      expect(err).toMatchObject({ taskId, taskCode: 'InvalidParameter.DataInspection' });
    } finally {
      await failing.close();
    }
  });

  it('abort while the task is still PENDING cancels it on the service', async () => {
    const queue = await startEmulator({ taskMs: 3000, concurrencyPolicy: 'queue' });
    try {
      const client = new DashScope({ apiKey: 'sk-generate-abort', baseUrl: queue.baseUrl });
      const blocker = await client.backgroundGeneration.submit({ baseImageUrl: (await client.files.upload(cutoutPng())).url, refPrompt: 'first' });
      const controller = new AbortController();
      let taskId = '';
      const statuses: TaskStatus[] = [];
      const pending = client.backgroundGeneration.generate(
        { baseImageUrl: cutoutPng(), refPrompt: 'second' },
        {
          signal: controller.signal,
          pollIntervalMs: 50,
          onSubmitted: (s) => (taskId = s.taskId),
          onStatus: (t) => {
            statuses.push(t.taskStatus);
            if (t.taskStatus === 'PENDING') controller.abort(new Error('stop'));
          },
        },
      );
      await expect(pending).rejects.toThrow('stop');
      expect(statuses).toEqual(['PENDING']);
      expect((await client.tasks.get(taskId)).taskStatus).toBe('CANCELED');
      expect(['PENDING', 'RUNNING']).toContain((await client.tasks.get(blocker.taskId)).taskStatus);
    } finally {
      await queue.close();
    }
  });
});
