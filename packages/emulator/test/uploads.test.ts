/**
 * Temporary uploads: policy → multipart POST to upload_host (checked like OSS) → oss://key usable in a
 * submit with the resolve header, bound to the API key and model, expiring after 48 h × timeScale.
 */
import { describe, expect, it } from 'vitest';
import type { Emulator } from '../src/index.js';
import { MODEL, call, sleep, submit, waitForStatus } from './helpers/dashscope-http.js';
import { emulatorPerTest } from './helpers/suite-setup.js';
import { makeSubject } from './helpers/test-images.js';

const start = emulatorPerTest();

interface Policy {
  policy: string;
  signature: string;
  upload_dir: string;
  upload_host: string;
  oss_access_key_id: string;
  x_oss_object_acl: string;
  x_oss_forbid_overwrite: string;
  max_file_size_mb: number;
}

async function getPolicy(em: Emulator, key = 'test-key', model = MODEL): Promise<Policy> {
  const reply = await call(em, 'GET', `/uploads?action=getPolicy&model=${model}`, { key });
  expect(reply.status).toBe(200);
  return reply.body.data as Policy;
}

async function upload(policy: Policy, name: string, bytes: Buffer, change: Record<string, string | null> = {}): Promise<{ status: number; text: string; ossUrl: string }> {
  const key = `${policy.upload_dir}/${name}`;
  const fields: Record<string, string | null> = {
    OSSAccessKeyId: policy.oss_access_key_id,
    Signature: policy.signature,
    policy: policy.policy,
    key,
    'x-oss-object-acl': policy.x_oss_object_acl,
    'x-oss-forbid-overwrite': policy.x_oss_forbid_overwrite,
    success_action_status: '200',
    'x-oss-content-type': 'image/png',
    ...change,
  };
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) if (v !== null) form.append(k, v);
  form.append('file', new Blob([new Uint8Array(bytes)], { type: 'image/png' }), name);
  const response = await fetch(policy.upload_host, { method: 'POST', body: form });
  return { status: response.status, text: await response.text(), ossUrl: `oss://${fields.key ?? key}` };
}

const ossHeaders = { 'X-DashScope-OssResourceResolve': 'enable' };
const body = (baseUrl: string) => ({ model: MODEL, input: { base_image_url: baseUrl, ref_prompt: 'a shelf' } });

describe('uploads', () => {
  it('upload → oss:// URL works in a submit with the resolve header; result is generated from it', async () => {
    const emulator = await start({ taskMs: 10, pendingMs: 0 });
    const policy = await getPolicy(emulator);
    const uploaded = await upload(policy, 'subject.png', await makeSubject(40, 30));
    expect(uploaded.status).toBe(200);
    const reply = await submit(emulator, body(uploaded.ossUrl), { headers: ossHeaders });
    expect(reply.status).toBe(200);
    const done = await waitForStatus(emulator, reply.body.output.task_id);
    expect(done.body.output.task_status).toBe('SUCCEEDED');
  });

  it('the same policy can upload several files; a second upload to the same key → 409 FileAlreadyExists', async () => {
    const emulator = await start();
    const policy = await getPolicy(emulator);
    const png = await makeSubject(8, 8);
    expect((await upload(policy, 'a.png', png)).status).toBe(200);
    expect((await upload(policy, 'b.png', png)).status).toBe(200);
    const again = await upload(policy, 'a.png', png);
    expect(again.status).toBe(409);
    expect(again.text).toContain('<Code>FileAlreadyExists</Code>');
  });

  it('success_action_status absent → 204 like OSS', async () => {
    const emulator = await start();
    const policy = await getPolicy(emulator);
    expect((await upload(policy, 'c.png', await makeSubject(8, 8), { success_action_status: null })).status).toBe(204);
  });

  it.each([
    ['a wrong signature', { Signature: 'AAAA' }, 403, 'SignatureDoesNotMatch'],
    ['a key outside upload_dir', { key: 'elsewhere/file.png' }, 403, 'AccessDenied'],
    ['no policy field', { policy: null }, 403, 'AccessDenied'],
    ['a different object ACL', { 'x-oss-object-acl': 'public-read' }, 403, 'AccessDenied'],
    ['a wrong access key id', { OSSAccessKeyId: 'nope' }, 403, 'InvalidAccessKeyId'],
  ])('%s → %i %s', async (_label, change, status, code) => {
    const emulator = await start();
    const policy = await getPolicy(emulator);
    const reply = await upload(policy, 'd.png', await makeSubject(8, 8), change);
    expect(reply.status).toBe(status);
    expect(reply.text).toContain(`<Code>${code}</Code>`);
  });

  it('files over max_file_size_mb → 400 EntityTooLarge', async () => {
    const emulator = await start({ maxUploadMb: 0.01 }); // 10 KiB
    const policy = await getPolicy(emulator);
    expect(policy.max_file_size_mb).toBe(0.01);
    const reply = await upload(policy, 'big.bin', Buffer.alloc(11 * 1024, 7));
    expect(reply.status).toBe(400);
    expect(reply.text).toContain('<Code>EntityTooLarge</Code>');
  });

  it('an expired policy (after 300 s) → 403', async () => {
    const emulator = await start();
    const policy = await getPolicy(emulator);
    emulator.advanceClock(301_000);
    const reply = await upload(policy, 'late.png', await makeSubject(8, 8));
    expect(reply.status).toBe(403);
    expect(reply.text).toContain('Policy expired');
  });

  it('an uploaded file is readable only with the same API key and model', async () => {
    const emulator = await start({ submitQps: 100 });
    const png = await makeSubject(16, 16);
    const mine = await upload(await getPolicy(emulator, 'owner'), 's.png', png);
    const otherModel = await upload(await getPolicy(emulator, 'owner', 'qwen-vl-plus'), 's.png', png);
    const stranger = await submit(emulator, body(mine.ossUrl), { key: 'stranger', headers: ossHeaders });
    expect(stranger.status).toBe(400);
    expect(stranger.body.message).toContain('Failed to download multimodal content');
    const wrongModel = await submit(emulator, body(otherModel.ossUrl), { key: 'owner', headers: ossHeaders });
    expect(wrongModel.status).toBe(400);
    expect((await submit(emulator, body(mine.ossUrl), { key: 'owner', headers: ossHeaders })).status).toBe(200);
  });

  it('uploaded files expire after 48 h × timeScale', async () => {
    const emulator = await start({ timeScale: 5e-6, submitQps: 100 }); // 48 h → 864 ms
    const uploaded = await upload(await getPolicy(emulator), 's.png', await makeSubject(16, 16));
    await sleep(1000);
    const reply = await submit(emulator, body(uploaded.ossUrl), { headers: ossHeaders });
    expect(reply.status).toBe(400);
    expect(reply.body.message).toContain('Failed to download multimodal content');
  });

  it('getPolicy needs action=getPolicy and a model', async () => {
    const emulator = await start();
    expect((await call(emulator, 'GET', '/uploads?action=other&model=x')).status).toBe(400);
    expect((await call(emulator, 'GET', '/uploads?action=getPolicy')).status).toBe(400);
    expect((await call(emulator, 'GET', '/uploads?action=getPolicy&model=x', { key: null })).status).toBe(401);
  });
});

describe('upload memory cap (maxUploadMemoryMb)', () => {
  it('past the cap the oldest file is dropped (its oss:// URL fails like an expired one), newer ones stay; a warning is logged', async () => {
    const subject = await makeSubject(40, 30);
    const mb = subject.length / (1024 * 1024);
    const warnings: string[] = [];
    // Room for two files and a half: the third upload must push the first out.
    const emulator = await start({ taskMs: 10, pendingMs: 0, submitQps: 100, maxUploadMb: mb * 1.01, maxUploadMemoryMb: mb * 2.5, logger: { warn: (m) => warnings.push(m) } });
    const policy = await getPolicy(emulator);
    const first = await upload(policy, 'a.png', subject);
    const second = await upload(policy, 'b.png', subject);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(warnings).toEqual([]);
    const third = await upload(policy, 'c.png', subject);
    expect(third.status).toBe(200);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/upload memory over \d+ bytes; dropped the 1 oldest file/);
    const lost = await submit(emulator, body(first.ossUrl), { headers: ossHeaders });
    expect(lost.status).toBe(400);
    expect(lost.body.message).toContain('Failed to download multimodal content');
    for (const kept of [second, third]) expect((await submit(emulator, body(kept.ossUrl), { headers: ossHeaders })).status).toBe(200);
  });

  it('expired files make room before any live one is dropped', async () => {
    const subject = await makeSubject(40, 30);
    const mb = subject.length / (1024 * 1024);
    const warnings: string[] = [];
    const emulator = await start({
      taskMs: 10,
      pendingMs: 0,
      submitQps: 100,
      timeScale: 1e-4,
      maxUploadMb: mb * 1.01,
      maxUploadMemoryMb: mb * 2.5,
      logger: { warn: (m) => warnings.push(m) },
    });
    const policy = await getPolicy(emulator);
    await upload(policy, 'old.png', subject);
    emulator.advanceClock(48 * 3600_000 * 1e-4 + 1); // old.png expires
    const policy2 = await getPolicy(emulator);
    const b = await upload(policy2, 'b.png', subject);
    const c = await upload(policy2, 'c.png', subject);
    expect([b.status, c.status]).toEqual([200, 200]);
    expect(warnings).toEqual([]); // nothing live was dropped early
    for (const kept of [b, c]) expect((await submit(emulator, body(kept.ossUrl), { headers: ossHeaders })).status).toBe(200);
    // Now only live files are left: the next upload pushes out the oldest of them.
    const d = await upload(policy2, 'd.png', subject);
    expect(d.status).toBe(200);
    expect(warnings).toHaveLength(1);
    expect((await submit(emulator, body(b.ossUrl), { headers: ossHeaders })).status).toBe(400);
    for (const kept of [c, d]) expect((await submit(emulator, body(kept.ossUrl), { headers: ossHeaders })).status).toBe(200);
  });

  it('maxUploadMemoryMb below maxUploadMb is refused at start', async () => {
    await expect(start({ maxUploadMb: 8, maxUploadMemoryMb: 4 })).rejects.toThrow(/maxUploadMemoryMb must be a number ≥ maxUploadMb/);
  });
});
