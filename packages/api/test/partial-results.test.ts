/**
 * A SUCCEEDED task with fewer images than asked (`task_metrics.FAILED > 0`): entries with `code`/`message`
 * instead of `url` parse into typed failures, the good images stay usable — against the emulator's
 * `partialRate` fault and against an independent stand-in replying in the service's shape.
 */
import { describe, expect, it } from 'vitest';
import { DashScope } from '../src/client.js';
import { MISSING_RESULT_CODE } from '../src/wire.js';
import type { TaskResult } from '../src/types.js';
import { emulatorsClosedAfterEach } from './helpers/emulators.js';
import { cutoutPng, imageSize } from './helpers/png.js';
import { startScriptedServer } from './helpers/raw-server.js';

const start = emulatorsClosedAfterEach({ taskMs: 30, pendingMs: 0 });
let n = 0;
const keyFor = () => `sk-partial-${process.pid}-${++n}`;

describe('partial results', () => {
  it('emulator partialRate: SUCCEEDED with FAILED > 0; missing entries are typed failures, the others download as images', async () => {
    const emulator = await start({ seed: 5, faults: { partialRate: 1 } });
    const client = new DashScope({ apiKey: keyFor(), baseUrl: emulator.baseUrl });
    const result = await client.backgroundGeneration.generate({ baseImageUrl: cutoutPng(40, 30), refPrompt: 'on a desk', parameters: { n: 4 } }, { pollIntervalMs: 20 });
    const task = result.task;
    expect(task.taskStatus).toBe('SUCCEEDED');
    expect(task.results).toHaveLength(4);
    const failed = task.results!.filter((r): r is Extract<TaskResult, { code: string }> => r.url === undefined);
    const images = task.results!.filter((r) => r.url !== undefined);
    expect(failed.length).toBeGreaterThanOrEqual(1);
    expect(images.length).toBeGreaterThanOrEqual(1);
    expect(task.taskMetrics).toEqual({ TOTAL: 4, SUCCEEDED: images.length, FAILED: failed.length });
    expect(task.usage?.imageCount).toBe(images.length);
    for (const f of failed) expect(f).toEqual({ code: 'DataInspectionFailed', message: 'Output data may contain inappropriate content.' });
    for (const image of images) {
      const response = await fetch(image.url);
      expect(response.status).toBe(200);
      expect(imageSize(new Uint8Array(await response.arrayBuffer()))).toMatchObject({ width: 40, height: 30 });
    }
    expect(emulator.stats().total.faults).toEqual({ partialResult: 1 });
  });

  it('the same seed gives the same missing positions; n = 1 is never partial', async () => {
    const positions = async (): Promise<number[]> => {
      const emulator = await start({ seed: 11, faults: { partialRate: 1 } });
      const client = new DashScope({ apiKey: keyFor(), baseUrl: emulator.baseUrl });
      const { task } = await client.backgroundGeneration.generate({ baseImageUrl: cutoutPng(24, 24), refPrompt: 'x', parameters: { n: 4 } }, { pollIntervalMs: 20 });
      const single = await client.backgroundGeneration.generate({ baseImageUrl: cutoutPng(24, 24), refPrompt: 'x', parameters: { n: 1 } }, { pollIntervalMs: 20 });
      expect(single.task.results?.map((r) => typeof r.url)).toEqual(['string']);
      return task.results!.flatMap((r, i) => (r.url === undefined ? [i] : []));
    };
    const first = await positions();
    expect(first.length).toBeGreaterThan(0);
    expect(first.length).toBeLessThan(4);
    expect(await positions()).toEqual(first);
  });

  it('an independent stand-in: url / code+message / empty url / neither, in results and text_results.urls', async () => {
    const body = {
      request_id: 'r-1',
      output: {
        task_id: 't-1',
        task_status: 'SUCCEEDED',
        results: [{ url: 'https://example.test/0.png' }, { code: 'InternalError.Timeout', message: 'An internal timeout error has occured.' }, { url: '' }, {}],
        text_results: { urls: [{ url: 'https://example.test/p0.png' }, { code: 'DataInspectionFailed', message: 'Output data may contain inappropriate content.' }], params: [] },
        task_metrics: { TOTAL: 4, SUCCEEDED: 1, FAILED: 3 },
      },
      usage: { image_count: 1 },
    };
    const server = await startScriptedServer(() => ({ body }));
    try {
      const client = new DashScope({ apiKey: keyFor(), baseUrl: server.baseUrl, maxRetries: 0 });
      const task = await client.tasks.get('t-1');
      expect(task.results).toEqual([
        { url: 'https://example.test/0.png' },
        { code: 'InternalError.Timeout', message: 'An internal timeout error has occured.' },
        { code: MISSING_RESULT_CODE, message: expect.stringContaining('without an image URL') },
        { code: MISSING_RESULT_CODE, message: expect.stringContaining('without an image URL') },
      ]);
      expect(task.textResults?.urls).toEqual([{ url: 'https://example.test/p0.png' }, { code: 'DataInspectionFailed', message: 'Output data may contain inappropriate content.' }]);
      expect(task.taskMetrics?.FAILED).toBe(3);
    } finally {
      await server.close();
    }
  });
});
