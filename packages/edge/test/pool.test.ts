/**
 * The worker pool, through the built package (`npx tsc -b packages/edge` first: the worker entry must be
 * real JavaScript): results equal the in-process network's, errors inside workers come back as EdgeErrors
 * with their codes, a bad checkpoint fails pool creation, and a crashed worker fails its job and is replaced.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.resolve(here, '..', 'dist');
const fixtures = path.resolve(here, '..', '..', '..', 'test', 'fixtures', 'hed');
const weights = path.join(fixtures, 'weights', 'hed-tiny-seed2-fp32.pth');
const inputs = ['coffee-small', 'coffee-palette', 'logo', 'element-cat-on-canvas'].map((n) => path.join(fixtures, 'inputs', `${n}.png`));

type Edge = typeof import('../src/index.js');
type PoolModule = typeof import('../src/pool/hed-pool.js');

let edge: Edge;
let poolModule: PoolModule;
let tmp: string;

beforeAll(async () => {
  edge = (await import(pathToFileURL(path.join(dist, 'index.js')).href)) as Edge;
  poolModule = (await import(pathToFileURL(path.join(dist, 'pool', 'hed-pool.js')).href)) as PoolModule;
  tmp = await mkdtemp(path.join(os.tmpdir(), 'backdrop-pool-'));
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function pixels(png: Uint8Array): Promise<Uint8Array> {
  return (await edge.decodeRgba(png)).data;
}

describe('createHedPool', () => {
  it('gives the same pixels as the in-process network, on every worker, for paths and bytes', async () => {
    const hed = await edge.loadHed({ weights, download: false });
    const pool = await edge.createHedPool({ weights, size: 2, download: false });
    try {
      expect(pool.size).toBe(2);
      expect(pool.weights.channels).toEqual([4, 8, 8, 16, 16]);
      expect(pool.weights.nonStandard).toBe(true);
      const { readFile } = await import('node:fs/promises');
      const jobs = [...inputs, ...inputs].map((p, i) => (i % 2 === 0 ? pool.edgeElement(p) : readFile(p).then((b) => pool.edgeElement(b))));
      const results = await Promise.all(jobs);
      for (let i = 0; i < results.length; i++) {
        const want = await pixels(await hed.edgeElement(inputs[i % inputs.length]));
        expect(Buffer.compare(Buffer.from(await pixels(results[i])), Buffer.from(want)), inputs[i % inputs.length]).toBe(0);
      }
    } finally {
      hed.dispose();
      await pool.close();
    }
  });

  it('returns worker errors as EdgeErrors with their codes and keeps working', async () => {
    const pool = await edge.createHedPool({ weights, size: 1, download: false });
    const text = path.join(tmp, 'not-an-image.png');
    await writeFile(text, 'hello, I am text');
    const warnings: string[] = [];
    try {
      await expect(pool.edgeElement(path.join(tmp, 'missing.png'))).rejects.toMatchObject({ name: 'EdgeError', code: 'IMAGE_NOT_FOUND', userError: true });
      await expect(pool.edgeElement(text)).rejects.toMatchObject({ code: 'IMAGE_UNREADABLE', userError: true });
      await expect(pool.edgeElement(inputs[0], { mode: 'bogus' as never })).rejects.toMatchObject({ code: 'HED_OPTION_INVALID' });
      // An opaque JPEG-like input (no alpha) works, with a warning that reaches the caller.
      const sharp = (await import('sharp')).default;
      const opaque = await sharp(inputs[0]).removeAlpha().png().toBuffer();
      const png = await pool.edgeElement(opaque, { onWarning: (w) => warnings.push(w) });
      const out = await edge.decodeRgba(png);
      expect(out.data.filter((_, i) => i % 4 === 3).every((a) => a === 255)).toBe(true);
      expect(warnings.join('\n')).toMatch(/no alpha channel/);
    } finally {
      // A job still running and two close() calls at once: both wait for it, then the pool stops.
      const last = pool.edgeElement(inputs[0]);
      await Promise.all([pool.close(), pool.close()]);
      expect((await edge.decodeRgba(await last)).width).toBe(150);
    }
    await expect(pool.edgeElement(inputs[0])).rejects.toMatchObject({ code: 'HED_POOL_CLOSED' });
  });

  it('fails to start with the checkpoint error for a corrupt checkpoint', async () => {
    const { readFile } = await import('node:fs/promises');
    const bytes = await readFile(weights);
    const corrupt = path.join(tmp, 'corrupt.pth');
    await writeFile(corrupt, bytes.subarray(0, bytes.length >> 1));
    await expect(edge.createHedPool({ weights: corrupt, size: 2, download: false })).rejects.toMatchObject({
      code: 'HED_CHECKPOINT_CORRUPT',
      userError: true,
    });
  });

  it('fails the job of a crashed worker clearly and replaces the worker', async () => {
    // A wrapper around the real worker entry that exits when it is given the input "/crash-me".
    const wrapper = path.join(tmp, 'crashing-worker.mjs');
    await writeFile(
      wrapper,
      `import { parentPort } from 'node:worker_threads';\n` +
        `parentPort.on('message', (job) => { if (job.input === '/crash-me') process.exit(3); });\n` +
        `await import(${JSON.stringify(pathToFileURL(path.join(dist, 'pool', 'pool-worker.js')).href)});\n`,
    );
    const pool = await poolModule.startHedPool({ weights, size: 1, download: false }, pathToFileURL(wrapper));
    try {
      // Two crashes in a row: the replacement of a replacement must also take the next job.
      const crashed = pool.edgeElement('/crash-me');
      const crashedAgain = pool.edgeElement('/crash-me');
      const after = pool.edgeElement(inputs[0]);
      await expect(crashed).rejects.toMatchObject({ code: 'HED_WORKER_CRASHED' });
      await expect(crashed).rejects.toThrow(/crash-me.*crashed/);
      await expect(crashedAgain).rejects.toMatchObject({ code: 'HED_WORKER_CRASHED' });
      expect((await edge.decodeRgba(await after)).width).toBe(150);
    } finally {
      await pool.close();
    }
  });
});
