/**
 * The lifecycle module with a generator the test controls: a task stays RUNNING until its images are
 * ready even when its run time is over, and a generator failure ends the task FAILED.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Clock } from '../src/clock.js';
import { FaultInjector } from '../src/faults.js';
import type { GeneratedImages, GenerationInput } from '../src/images/compose.js';
import { type ImageGenerator, TaskLifecycle } from '../src/lifecycle.js';
import { resolveOptions } from '../src/options.js';
import { ResultStore } from '../src/result-store.js';
import { StatsRecorder } from '../src/stats.js';
import { sleep } from './helpers/dashscope-http.js';

const input: GenerationInput = {
  base: Buffer.alloc(0),
  width: 4,
  height: 4,
  refPromptWeight: 0.5,
  noiseLevel: 300,
  foregroundEdges: [],
  backgroundEdges: [],
  n: 1,
  seed: 0,
};

let lifecycle: TaskLifecycle | undefined;
afterEach(() => lifecycle?.close());

function makeLifecycle(generate: ImageGenerator, taskMs = 10): { lifecycle: TaskLifecycle; results: ResultStore } {
  const config = resolveOptions({ taskMs, pendingMs: 0 });
  const clock = new Clock();
  const results = new ResultStore();
  lifecycle = new TaskLifecycle(config, clock, new StatsRecorder(() => clock.now()), new FaultInjector(config.faults, 1), results, generate);
  return { lifecycle, results };
}

describe('TaskLifecycle', () => {
  it('stays RUNNING past its run time until the images are ready, then SUCCEEDED with them stored', async () => {
    let release!: (images: GeneratedImages) => void;
    const { lifecycle, results } = makeLifecycle(() => new Promise((resolve) => (release = resolve)));
    const task = lifecycle.create('key_1', 'req-1', 'wanx-background-generation-v2', input.n, input);
    await sleep(150); // run time (10 ms) long over
    expect(task.status).toBe('RUNNING');
    release({ results: [Buffer.from('png-bytes')] });
    await sleep(20);
    expect(task.status).toBe('SUCCEEDED');
    expect(task.outputs!.results).toHaveLength(1);
    const stored = results.get(task.outputs!.results[0], Date.now());
    expect(stored).toEqual({ bytes: Buffer.from('png-bytes'), contentType: 'image/png' });
    expect(task.input).toBeUndefined(); // inputs are dropped once the task has run
  });

  it('a generator failure ends the task FAILED with InternalError.Algo and frees the slot', async () => {
    const { lifecycle } = makeLifecycle(async () => {
      throw new Error('libvips exploded');
    });
    const first = lifecycle.create('key_1', 'req-1', 'm', input.n, input);
    const second = lifecycle.create('key_1', 'req-2', 'm', input.n, input);
    await sleep(150);
    expect(first.status).toBe('FAILED');
    expect(first.failure).toMatchObject({ code: 'InternalError.Algo' });
    expect(first.failure!.message).toContain('libvips exploded');
    expect(second.status).toBe('FAILED'); // it got the slot afterwards
    expect(lifecycle.unfinished('key_1')).toBe(0);
  });

  it('a task that will fail (fault) is not generated at all', async () => {
    const config = resolveOptions({ taskMs: 10, pendingMs: 0, faults: { taskFailureRate: 1 } });
    const clock = new Clock();
    let calls = 0;
    lifecycle = new TaskLifecycle(config, clock, new StatsRecorder(() => clock.now()), new FaultInjector(config.faults, 1), new ResultStore(), async () => {
      calls++;
      return { results: [] };
    });
    const task = lifecycle.create('key_1', 'req', 'm', input.n, input);
    await sleep(100);
    expect(task.status).toBe('FAILED');
    expect(calls).toBe(0);
  });
});
