import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HED_WEIGHTS_FILE, resolveWeights } from '../../src/checkpoint/resolve-weights.js';
import { TINY_FP16_LEGACY, TINY_FP32_ZIP } from './checkpoint-paths.js';

const TINY_ZIP = readFileSync(TINY_FP32_ZIP);
const TINY_LEGACY = readFileSync(TINY_FP16_LEGACY);
const HF_PATH = '/lllyasviel/Annotators/resolve/main/ControlNetHED.pth';

type Mode = 'ok' | 'redirect' | 'chunked' | 'drop' | 'stall' | '404' | 'html' | 'huge-length' | 'endless';

/** A stand-in for huggingface.co on a real socket; `mode` decides how it answers. */
class FakeHub {
  server!: Server;
  mode: Mode = 'ok';
  requests: string[] = [];

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      this.requests.push(req.url ?? '');
      if (req.url === '/cdn/blob' || (req.url === HF_PATH && this.mode === 'ok')) {
        res.writeHead(200, { 'content-length': TINY_ZIP.length, 'content-type': 'application/octet-stream' });
        // several writes so progress is reported more than once
        for (let at = 0; at < TINY_ZIP.length; at += 16384) res.write(TINY_ZIP.subarray(at, at + 16384));
        res.end();
        return;
      }
      if (req.url !== HF_PATH) return void res.writeHead(404).end('no such file');
      switch (this.mode) {
        case 'redirect':
          res.writeHead(302, { location: '/cdn/blob' }).end();
          break;
        case 'chunked':
          res.writeHead(200);
          res.end(TINY_ZIP);
          break;
        case 'drop':
          res.writeHead(200, { 'content-length': TINY_ZIP.length });
          res.write(TINY_ZIP.subarray(0, 30000), () => setTimeout(() => res.socket?.destroy(), 20));
          break;
        case 'stall':
          res.writeHead(200, { 'content-length': TINY_ZIP.length });
          res.write(TINY_ZIP.subarray(0, 1000)); // …and nothing more
          break;
        case '404':
          res.writeHead(404, { 'content-type': 'text/plain' }).end('Entry not found');
          break;
        case 'huge-length':
          res.writeHead(200, { 'content-length': 4 * 1024 ** 3 });
          res.write(TINY_ZIP.subarray(0, 1000));
          break;
        case 'endless': {
          // no Content-Length, zeros until the client hangs up
          res.writeHead(200);
          const zeros = Buffer.alloc(1024 * 1024);
          const pump = (): void => {
            while (!res.destroyed && res.write(zeros));
            if (!res.destroyed) res.once('drain', pump);
          };
          res.on('close', () => res.destroy());
          pump();
          break;
        }
        case 'html':
          res.writeHead(200, { 'content-type': 'text/html' }).end('<!DOCTYPE html><html><body>Please log in</body></html>');
          break;
        default:
          res.writeHead(500).end();
      }
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const hub = new FakeHub();
let home: string;
let env: NodeJS.ProcessEnv;
const cacheDirOf = (h: string) => path.join(h, '.cache', 'backdrop');

beforeAll(() => hub.start());
afterAll(() => hub.stop());
beforeEach(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'backdrop-weights-'));
  env = { HOME: home, HF_ENDPOINT: hub.endpoint };
  hub.mode = 'ok';
  hub.requests = [];
});
afterEach(() => rm(home, { recursive: true, force: true }));

async function cacheListing(): Promise<string[]> {
  return readdir(cacheDirOf(home)).catch(() => []);
}

describe('resolveWeights order: explicit > env > cache > download', () => {
  beforeEach(async () => {
    await mkdir(cacheDirOf(home), { recursive: true });
    await writeFile(path.join(cacheDirOf(home), HED_WEIGHTS_FILE), TINY_LEGACY);
    await writeFile(path.join(home, 'env.pth'), TINY_ZIP);
    await writeFile(path.join(home, 'explicit.pth'), Buffer.concat([TINY_ZIP, Buffer.from('x')]));
  });

  it('an explicit path wins over everything', async () => {
    const r = await resolveWeights({ weights: path.join(home, 'explicit.pth'), env: { ...env, BACKDROP_HED_WEIGHTS: path.join(home, 'env.pth') } });
    expect(r.source).toBe('explicit');
    expect(r.path).toBe(path.join(home, 'explicit.pth'));
    expect(r.bytes.length).toBe(TINY_ZIP.length + 1);
  });

  it('explicit bytes are returned as they are', async () => {
    const r = await resolveWeights({ weights: TINY_LEGACY, env });
    expect(r).toEqual({ source: 'explicit', bytes: TINY_LEGACY });
  });

  it('BACKDROP_HED_WEIGHTS wins over the cache', async () => {
    const r = await resolveWeights({ env: { ...env, BACKDROP_HED_WEIGHTS: path.join(home, 'env.pth') } });
    expect(r.source).toBe('env');
    expect(Buffer.from(r.bytes).equals(TINY_ZIP)).toBe(true);
  });

  it('the cache (~/.cache/backdrop) wins over a download', async () => {
    const r = await resolveWeights({ env });
    expect(r).toMatchObject({ source: 'cache', path: path.join(cacheDirOf(home), HED_WEIGHTS_FILE) });
    expect(Buffer.from(r.bytes).equals(TINY_LEGACY)).toBe(true);
    expect(hub.requests).toEqual([]);
  });

  it('XDG_CACHE_HOME takes precedence over HOME for the cache', async () => {
    const xdg = path.join(home, 'xdg');
    await mkdir(path.join(xdg, 'backdrop'), { recursive: true });
    await writeFile(path.join(xdg, 'backdrop', HED_WEIGHTS_FILE), TINY_ZIP);
    const r = await resolveWeights({ env: { ...env, XDG_CACHE_HOME: xdg } });
    expect(r).toMatchObject({ source: 'cache', path: path.join(xdg, 'backdrop', HED_WEIGHTS_FILE) });
    expect(Buffer.from(r.bytes).equals(TINY_ZIP)).toBe(true);
  });

  it('a missing explicit file is HED_WEIGHTS_NOT_FOUND naming it (no fallback to the cache)', async () => {
    const missing = path.join(home, 'missing.pth');
    await expect(resolveWeights({ weights: missing, env })).rejects.toMatchObject({
      code: 'HED_WEIGHTS_NOT_FOUND',
      userError: true,
      message: expect.stringContaining(missing),
    });
    await expect(resolveWeights({ env: { ...env, BACKDROP_HED_WEIGHTS: missing } })).rejects.toMatchObject({
      code: 'HED_WEIGHTS_NOT_FOUND',
      message: expect.stringMatching(/missing\.pth \(from BACKDROP_HED_WEIGHTS\)/),
    });
  });
});

describe('resolveWeights download from the Hugging Face endpoint', () => {
  const cachePath = () => path.join(cacheDirOf(home), HED_WEIGHTS_FILE);

  it('downloads with progress, verifies, and renames atomically into the cache', async () => {
    const progress: { receivedBytes: number; totalBytes?: number }[] = [];
    const r = await resolveWeights({ env, onProgress: (p) => progress.push({ ...p }) });
    expect(r.source).toBe('download');
    expect(r.path).toBe(cachePath());
    expect(Buffer.from(r.bytes).equals(TINY_ZIP)).toBe(true);
    expect(hub.requests).toEqual([HF_PATH]);
    expect((await readFile(cachePath())).equals(TINY_ZIP)).toBe(true);
    expect(await cacheListing()).toEqual([HED_WEIGHTS_FILE]); // no temp file left
    expect(progress.length).toBeGreaterThan(2);
    expect(progress.at(-1)).toEqual({ receivedBytes: TINY_ZIP.length, totalBytes: TINY_ZIP.length });
    for (let i = 1; i < progress.length; i++) expect(progress[i].receivedBytes).toBeGreaterThanOrEqual(progress[i - 1].receivedBytes);
    // next time: from the cache, no request
    const again = await resolveWeights({ env });
    expect(again.source).toBe('cache');
    expect(hub.requests).toHaveLength(1);
  });

  it('follows the CDN redirect and accepts a response without Content-Length', async () => {
    hub.mode = 'redirect';
    expect((await resolveWeights({ env })).source).toBe('download');
    expect(hub.requests).toEqual([HF_PATH, '/cdn/blob']);
    await rm(cachePath());
    hub.mode = 'chunked';
    const progress: { receivedBytes: number; totalBytes?: number }[] = [];
    await resolveWeights({ env, onProgress: (p) => progress.push(p) });
    expect(progress.at(-1)).toEqual({ receivedBytes: TINY_ZIP.length, totalBytes: undefined });
  });

  it('a connection dropped mid-transfer leaves no file behind', async () => {
    hub.mode = 'drop';
    const err = await resolveWeights({ env }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'HED_WEIGHTS_UNAVAILABLE', userError: true });
    expect((err as Error).message).toContain(cachePath());
    expect(await cacheListing()).toEqual([]);
  });

  it('a stalled transfer is abandoned after stallTimeoutMs, leaving no file', async () => {
    hub.mode = 'stall';
    const err = await resolveWeights({ env, stallTimeoutMs: 300 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'HED_WEIGHTS_UNAVAILABLE', message: expect.stringContaining('no data for 0.3 s') });
    expect(await cacheListing()).toEqual([]);
  });

  it('a Content-Length over the checkpoint cap is refused before anything is read', async () => {
    hub.mode = 'huge-length';
    const err = await resolveWeights({ env, stallTimeoutMs: 20_000 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'HED_WEIGHTS_UNAVAILABLE', message: expect.stringMatching(/4294967296 bytes or more, more than the \d+ a checkpoint may have/) });
    expect(await cacheListing()).toEqual([]);
  });

  it('an endless body without Content-Length is abandoned at the cap, leaving no file', async () => {
    hub.mode = 'endless';
    const err = await resolveWeights({ env }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'HED_WEIGHTS_UNAVAILABLE', message: expect.stringMatching(/bytes or more, more than the \d+ a checkpoint may have/) });
    expect(await cacheListing()).toEqual([]);
  }, 120_000);

  it('HTTP 404: the message says where to put the file and where to get it', async () => {
    hub.mode = '404';
    const err = (await resolveWeights({ env }).catch((e: unknown) => e)) as Error & { code: string };
    expect(err.code).toBe('HED_WEIGHTS_UNAVAILABLE');
    expect(err.message).toContain('HTTP 404');
    expect(err.message).toContain(`save it as ${cachePath()}`);
    expect(err.message).toContain('BACKDROP_HED_WEIGHTS=/path/to/ControlNetHED.pth');
    expect(err.message).toContain('--weights');
    expect(err.message).toContain(`${hub.endpoint}${HF_PATH}`);
    expect(await cacheListing()).toEqual([]);
  });

  it('a download that is not a HED checkpoint (an HTML page) is not cached', async () => {
    hub.mode = 'html';
    const err = (await resolveWeights({ env }).catch((e: unknown) => e)) as Error & { code: string };
    expect(err.code).toBe('HED_WEIGHTS_UNAVAILABLE');
    expect(err.message).toMatch(/HTML/);
    expect(await cacheListing()).toEqual([]);
  });

  it('offline (connection refused) names the cache path', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const err = (await resolveWeights({ env: { ...env, HF_ENDPOINT: `http://127.0.0.1:${port}/` } }).catch((e: unknown) => e)) as Error & { code: string };
    expect(err.code).toBe('HED_WEIGHTS_UNAVAILABLE');
    expect(err.message).toContain('ECONNREFUSED');
    expect(err.message).toContain(cachePath());
    expect(err.message).toContain(`http://127.0.0.1:${port}${HF_PATH}`);
  });

  it('download: false or HF_HUB_OFFLINE=1 never touches the network', async () => {
    await expect(resolveWeights({ env, download: false })).rejects.toMatchObject({
      code: 'HED_WEIGHTS_UNAVAILABLE',
      message: expect.stringContaining('downloading is disabled'),
    });
    await expect(resolveWeights({ env: { ...env, HF_HUB_OFFLINE: '1' } })).rejects.toMatchObject({
      code: 'HED_WEIGHTS_UNAVAILABLE',
      message: expect.stringContaining(cachePath()),
    });
    expect(hub.requests).toEqual([]);
  });

  it('cacheDir overrides the default cache location', async () => {
    const dir = path.join(home, 'custom');
    const r = await resolveWeights({ env, cacheDir: dir });
    expect(r.path).toBe(path.join(dir, HED_WEIGHTS_FILE));
    expect(await readdir(dir)).toEqual([HED_WEIGHTS_FILE]);
  });
});
