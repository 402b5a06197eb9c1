/** `files.upload` against the emulator: policy, OSS form POST, oss:// URLs, caching, limits. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startEmulator, type Emulator } from '@backdrop/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyFingerprint } from '../src/api-key.js';
import { DashScope } from '../src/client.js';
import { FileTooLargeError, InputFileError, UploadError } from '../src/errors.js';
import { UPLOAD_LIFETIME_MS } from '../src/resources/files.js';
import { cutoutPng } from './helpers/png.js';
import { startScriptedServer } from './helpers/raw-server.js';

let emulator: Emulator;
let dir: string;
beforeAll(async () => {
  emulator = await startEmulator({ taskMs: 200, maxUploadMb: 1 });
  dir = await mkdtemp(path.join(os.tmpdir(), 'backdrop-api-upload-'));
});
afterAll(async () => {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

/** A policy reply (the recorded shape) whose upload host is the scripted server's `/oss`. */
const policyReply = (origin: string) => ({
  status: 200,
  body: {
    data: {
      policy: 'P',
      signature: 'S',
      upload_dir: 'd',
      upload_host: `${origin}/oss`,
      expire_in_seconds: 300,
      max_file_size_mb: 10,
      oss_access_key_id: 'AK',
      x_oss_object_acl: 'private',
      x_oss_forbid_overwrite: 'true',
    },
  },
});

let n = 0;
const newClient = () => {
  const apiKey = `sk-upload-${process.pid}-${++n}`;
  return { apiKey, client: new DashScope({ apiKey, baseUrl: emulator.baseUrl }) };
};

describe('files.upload', () => {
  it('uploads bytes and returns an oss:// URL the service accepts, valid 48 h', async () => {
    const { client } = newClient();
    const png = cutoutPng();
    const before = Date.now();
    const up = await client.files.upload(png);
    expect(up.url).toBe(`oss://${up.key}`);
    expect(up.key).toMatch(/^dashscope-instant\/.+\/[0-9a-f]{32}\.png$/);
    expect(up).toMatchObject({ model: 'wanx-background-generation-v2', bytes: png.length, contentType: 'image/png' });
    expect(up.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(up.key.endsWith(`${up.sha256.slice(0, 32)}.png`)).toBe(true);
    expect(up.expiresAt.getTime()).toBeGreaterThanOrEqual(before + UPLOAD_LIFETIME_MS - 1000);
    expect(up.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + UPLOAD_LIFETIME_MS);
    // The emulator resolves it in a submit (it 400s for unknown or foreign oss:// keys).
    const submit = await client.backgroundGeneration.submit({ baseImageUrl: up.url, refPrompt: 'a wooden table' });
    expect(submit.taskStatus).toBe('PENDING');
    expect((await client.tasks.wait(submit.taskId, { pollIntervalMs: 50 })).taskStatus).toBe('SUCCEEDED');
  });

  it('reuses one policy for several files, and the same bytes are not uploaded twice', async () => {
    const { apiKey, client } = newClient();
    const a = await client.files.upload(cutoutPng(32, 32, [1, 2, 3]));
    const b = await client.files.upload(cutoutPng(40, 30, [4, 5, 6]));
    const again = await client.files.upload(cutoutPng(32, 32, [1, 2, 3]));
    expect(a.url).not.toBe(b.url);
    expect(again).toBe(a);
    expect(path.posix.dirname(a.key)).toBe(path.posix.dirname(b.key)); // same policy, same upload dir
    expect(emulator.stats().keys[apiKeyFingerprint(apiKey)].requests).toBe(1); // one policy call in all
  });

  it('concurrent uploads share a single policy request', async () => {
    const { apiKey, client } = newClient();
    const files = await Promise.all([1, 2, 3, 4, 5].map((i) => client.files.upload(cutoutPng(16 + i, 16, [i, i, i]))));
    expect(new Set(files.map((f) => f.url)).size).toBe(5);
    expect(emulator.stats().keys[apiKeyFingerprint(apiKey)].requests).toBe(1);
  });

  it('uploads from a path and a file:// URL; the extension comes from the content', async () => {
    const { client } = newClient();
    const file = path.join(dir, 'cup.PNG');
    await writeFile(file, cutoutPng(20, 20, [9, 9, 9]));
    const fromPath = await client.files.upload(file);
    expect(fromPath.key).toMatch(/\.png$/);
    const second = new DashScope({ apiKey: 'sk-upload-fileurl', baseUrl: emulator.baseUrl });
    const fromUrl = await second.files.upload(pathToFileURL(file).href);
    expect(fromUrl.sha256).toBe(fromPath.sha256);
  });

  it('a missing file is an InputFileError naming the path; nothing is sent', async () => {
    const { apiKey, client } = newClient();
    const missing = path.join(dir, 'nope.png');
    const err = await client.files.upload(missing).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputFileError);
    expect(err).toMatchObject({ code: 'InputFile', userError: true });
    expect((err as Error).message).toContain(missing);
    expect(emulator.stats().keys[apiKeyFingerprint(apiKey)]).toBeUndefined();
  });

  it('a file over the policy max_file_size_mb is refused before the upload', async () => {
    const { client } = newClient();
    const big = Buffer.concat([cutoutPng(8, 8), Buffer.alloc(1024 * 1024 + 10)]);
    const err = await client.files.upload(big).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FileTooLargeError);
    expect(err).toMatchObject({ code: 'FileTooLarge', userError: true });
    expect((err as Error).message).toMatch(/at most 1 MB/);
  });

  it('sends the form fields in order with the file last, and no DashScope credentials to the upload host', async () => {
    const server = await startScriptedServer((req) => {
      if (req.url.startsWith('/api/v1/uploads')) {
        return {
          status: 200,
          body: {
            request_id: 'p',
            data: {
              policy: 'POLICY',
              signature: 'SIG',
              upload_dir: 'dir/x',
              upload_host: `${origin}/oss`,
              expire_in_seconds: 300,
              max_file_size_mb: 10,
              capacity_limit_mb: 100,
              oss_access_key_id: 'AK',
              x_oss_object_acl: 'private',
              x_oss_forbid_overwrite: 'true',
            },
          },
        };
      }
      return { status: 200, body: '' };
    });
    const origin = server.origin;
    try {
      const client = new DashScope({ apiKey: 'sk-form-check', baseUrl: server.baseUrl, workspace: 'ws_1' });
      const up = await client.files.upload(cutoutPng(4, 4));
      const [policy, post] = server.requests;
      expect(policy.method).toBe('GET');
      expect(new URL(policy.url, origin).searchParams.get('action')).toBe('getPolicy');
      expect(new URL(policy.url, origin).searchParams.get('model')).toBe('wanx-background-generation-v2');
      expect(policy.headers.authorization).toBe('Bearer sk-form-check');
      expect(post.url).toBe('/oss');
      expect(post.headers.authorization).toBeUndefined();
      expect(post.headers['x-dashscope-workspace']).toBeUndefined();
      expect(post.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
      const names = [...post.body.matchAll(/; name="([^"]+)"/g)].map((m) => m[1]);
      expect(names).toEqual(['OSSAccessKeyId', 'Signature', 'policy', 'key', 'x-oss-object-acl', 'x-oss-forbid-overwrite', 'success_action_status', 'x-oss-content-type', 'file']);
      const field = (name: string) => new RegExp(`name="${name}"\\r\\n\\r\\n([^\\r]*)\\r\\n`).exec(post.body)?.[1];
      expect([field('OSSAccessKeyId'), field('Signature'), field('policy'), field('key'), field('success_action_status'), field('x-oss-content-type')]).toEqual([
        'AK',
        'SIG',
        'POLICY',
        up.key,
        '200',
        'image/png',
      ]);
      expect(up.key).toMatch(/^dir\/x\/[0-9a-f]{32}\.png$/);
    } finally {
      await server.close();
    }
  });

  it('an OSS refusal is an UploadError with the OSS code and request id, not retried', async () => {
    const server = await startScriptedServer((req) =>
      req.url.startsWith('/api/v1/uploads')
        ? policyReply(server.origin)
        : {
            status: 400,
            headers: { 'content-type': 'application/xml' },
            body: '<?xml version="1.0"?><Error><Code>EntityTooLarge</Code><Message>Your proposed upload exceeds the maximum allowed size.</Message><RequestId>oss-rid-7</RequestId></Error>',
          },
    );
    try {
      const client = new DashScope({ apiKey: 'sk-oss-refusal', baseUrl: server.baseUrl });
      const err = await client.files.upload(cutoutPng(3, 3)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UploadError);
      expect(err).toMatchObject({ code: 'EntityTooLarge', status: 400, requestId: 'oss-rid-7', retryable: false, operation: 'files.upload' });
      expect((err as Error).message).toContain('exceeds the maximum allowed size');
      expect(server.requests.filter((r) => r.url === '/oss')).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it('concurrent uploads of the same bytes make one POST', async () => {
    const server = await startScriptedServer((req) => (req.url.startsWith('/api/v1/uploads') ? policyReply(server.origin) : { status: 200, body: '' }));
    try {
      const client = new DashScope({ apiKey: 'sk-same-bytes', baseUrl: server.baseUrl });
      const png = cutoutPng(7, 7);
      const files = await Promise.all([client.files.upload(png), client.files.upload(Buffer.from(png)), client.files.upload(png)]);
      expect(new Set(files.map((f) => f.url)).size).toBe(1);
      expect(server.requests.filter((r) => r.url === '/oss')).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it('one caller aborting a shared upload leaves it running for the others; a lone caller aborting stops at once', async () => {
    const server = await startScriptedServer((req) => (req.url.startsWith('/api/v1/uploads') ? policyReply(server.origin) : { status: 200, body: '', delayMs: 1500 }));
    try {
      const client = new DashScope({ apiKey: 'sk-shared-abort', baseUrl: server.baseUrl });
      const png = cutoutPng(9, 9);
      const quitter = new AbortController();
      const first = client.files.upload(png, { signal: quitter.signal });
      const second = client.files.upload(png, { signal: new AbortController().signal });
      setTimeout(() => quitter.abort(new Error('first gave up')), 100);
      await expect(first).rejects.toThrow('first gave up');
      expect((await second).url).toMatch(/^oss:\/\/d\/[0-9a-f]{32}\.png$/);
      expect(server.requests.filter((r) => r.url === '/oss')).toHaveLength(1);

      const lone = new AbortController();
      const started = Date.now();
      const upload = client.files.upload(cutoutPng(10, 10), { signal: lone.signal });
      setTimeout(() => lone.abort(new Error('stop')), 100);
      await expect(upload).rejects.toThrow('stop');
      expect(Date.now() - started).toBeLessThan(1000); // the upload itself would take 1.5 s
    } finally {
      await server.close();
    }
  });

  it('a 409 FileAlreadyExists for our content-named key counts as uploaded; a 403 fetches a fresh policy once', async () => {
    let policies = 0;
    let posts = 0;
    const server = await startScriptedServer((req) => {
      if (req.url.startsWith('/api/v1/uploads')) {
        policies++;
        return {
          status: 200,
          body: {
            data: {
              policy: `P${policies}`,
              signature: 'S',
              upload_dir: `d${policies}`,
              upload_host: `${server.origin}/oss`,
              expire_in_seconds: 300,
              max_file_size_mb: 10,
              oss_access_key_id: 'AK',
              x_oss_object_acl: 'private',
              x_oss_forbid_overwrite: 'true',
            },
          },
        };
      }
      posts++;
      if (posts === 1) return { status: 409, headers: { 'content-type': 'application/xml' }, body: '<Error><Code>FileAlreadyExists</Code><Message>exists</Message></Error>' };
      if (posts === 2)
        return {
          status: 403,
          headers: { 'content-type': 'application/xml' },
          body: '<Error><Code>AccessDenied</Code><Message>Invalid according to Policy: Policy expired.</Message><RequestId>oss-1</RequestId></Error>',
        };
      return { status: 200, body: '' };
    });
    try {
      const client = new DashScope({ apiKey: 'sk-oss-cases', baseUrl: server.baseUrl });
      const first = await client.files.upload(cutoutPng(5, 5));
      expect(first.key.startsWith('d1/')).toBe(true);
      const second = await client.files.upload(cutoutPng(6, 6));
      expect(second.key.startsWith('d2/')).toBe(true);
      expect(policies).toBe(2);
      expect(posts).toBe(3);
    } finally {
      await server.close();
    }
  });
});
