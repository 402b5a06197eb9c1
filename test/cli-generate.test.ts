/**
 * End-to-end: `backdrop generate` as a child process against a `backdrop emulator` child process
 * (real HTTP over sockets, real uploads, real result images decoded with sharp).
 */
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, cliUnavailableReason, examplesDir, runCli, sharp, spawnCli, startCliEmulator, type CliEmulator } from './fixtures/cli/cli-harness.js';

const skipReason = cliUnavailableReason();
if (skipReason) console.warn(`skipping CLI generate tests: ${skipReason}`);

/** A key that must never appear in any output or file. */
const API_KEY = `sk-clitest-${Math.random().toString(36).slice(2)}-SECRET`;
const cup = path.join(examplesDir, 'cutouts', 'cup.png');
const badge = path.join(examplesDir, 'cutouts', 'lotion.png');
const refImage = path.join(examplesDir, 'refs', 'desert.jpg');

let emulator: CliEmulator;
let tmp: string;

function service(): string[] {
  return ['--base-url', emulator.baseUrl, '--api-key', API_KEY];
}

/** Every file under `dir`, recursively. */
async function allFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await allFiles(p)));
    else out.push(p);
  }
  return out;
}

async function expectNoKeyIn(dir: string, ...texts: string[]): Promise<void> {
  for (const t of texts) expect(t.includes(API_KEY)).toBe(false);
  for (const file of await allFiles(dir)) {
    const bytes = await readFile(file);
    expect(bytes.includes(Buffer.from(API_KEY)), `${file} contains the API key`).toBe(false);
  }
}

describe.skipIf(skipReason !== undefined)('backdrop generate (e2e)', () => {
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'backdrop-cli-generate-'));
    emulator = await startCliEmulator(['--api-key', API_KEY, '--task-ms', '200-400', '--seed', '7']);
  });

  afterAll(async () => {
    if (emulator) {
      const stopped = await emulator.stop();
      expect(stopped.code).toBe(0);
    }
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('uploads, waits, downloads results the size of the base image, and records task.json without the key', async () => {
    const out = path.join(tmp, 'plain-run');
    const r = await runCli(['generate', '--base', cup, '--ref', refImage, '--prompt', 'on a wooden table', '-n', '2', '--out', out, ...service()]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/submitted task \S+/);
    const names = (await readdir(out)).sort();
    expect(names.filter((n) => !/\.tmp-/.test(n))).toEqual(names);
    const results = names.filter((n) => /^result-\d\.(png|jpg)$/.test(n));
    expect(results).toHaveLength(2);
    expect(names.some((n) => n.startsWith('plain-'))).toBe(false);
    const base = await sharp(cup).metadata();
    for (const name of results) {
      const { data, info } = await sharp(path.join(out, name)).raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height]).toEqual([base.width, base.height]);
      // A real picture, not a blank: more than one distinct colour.
      const colours = new Set<number>();
      for (let i = 0; i < data.length; i += info.channels * 97) colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
      expect(colours.size).toBeGreaterThan(10);
    }
    const record = JSON.parse(await readFile(path.join(out, 'task.json'), 'utf8'));
    expect(record.taskStatus).toBe('SUCCEEDED');
    expect(record.taskId).toMatch(/\S/);
    expect(record.requestIds.submit).toMatch(/\S/);
    expect(record.request.input.base_image_url).toMatch(/^oss:\/\//);
    expect(record.request.input.ref_image_url).toMatch(/^oss:\/\//);
    expect(record.request.parameters.n).toBe(2);
    expect(record.files.map((f: { name: string }) => f.name).sort()).toEqual(results);
    expect(record.response.output.task_status).toBe('SUCCEEDED');
    expect(record.account).toMatch(/^key_[0-9a-f]{8}$/);
    expect(r.stdout).toContain(path.join(out, results[0]));
    await expectNoKeyIn(out, r.stdout, r.stderr);
  });

  it('writes plain-<i> images (without the text) when a title is requested', async () => {
    const out = path.join(tmp, 'titled');
    const r = await runCli(['generate', '--base', badge, '--prompt', 'studio backdrop', '--title', '限时特惠', '--subtitle', '全场满减', '--out', out, ...service()]);
    expect(r.code, r.stderr).toBe(0);
    const names = await readdir(out);
    const result = names.find((n) => /^result-0\.(png|jpg)$/.test(n));
    const plain = names.find((n) => /^plain-0\.(png|jpg)$/.test(n));
    expect(result).toBeDefined();
    expect(plain).toBeDefined();
    const a = await sharp(path.join(out, result!)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const b = await sharp(path.join(out, plain!)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    expect([a.info.width, a.info.height]).toEqual([500, 500]);
    expect([b.info.width, b.info.height]).toEqual([500, 500]);
    // The titled image differs from the plain one (the title is drawn on it).
    let differing = 0;
    for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) differing++;
    expect(differing).toBeGreaterThan(100);
    const record = JSON.parse(await readFile(path.join(out, 'task.json'), 'utf8'));
    expect(record.request.input.title).toBe('限时特惠');
    expect(record.files.filter((f: { kind: string }) => f.kind === 'plain')).toHaveLength(1);
    await expectNoKeyIn(out, r.stdout, r.stderr);
  });

  it('keeps an earlier run unless --overwrite, which replaces it and removes its leftover files', async () => {
    const out = path.join(tmp, 'again');
    const first = await runCli(['generate', '--base', cup, '--prompt', 'x', '-n', '2', '--out', out, '--json', ...service()]);
    expect(first.code, first.stderr).toBe(0);
    const firstId = JSON.parse(first.stdout).taskId;
    const refused = await runCli(['generate', '--base', cup, '--prompt', 'y', '--out', out, ...service()]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^backdrop: \[OUTPUT_NOT_EMPTY\] .*--overwrite/);
    expect(JSON.parse(await readFile(path.join(out, 'task.json'), 'utf8')).taskId).toBe(firstId);
    const replaced = await runCli(['generate', '--base', cup, '--prompt', 'y', '--out', out, '--overwrite', '--json', ...service()]);
    expect(replaced.code, replaced.stderr).toBe(0);
    const second = JSON.parse(replaced.stdout);
    expect(second.taskId).not.toBe(firstId);
    const names = (await readdir(out)).filter((n) => n !== '.backdrop').sort(); // .backdrop: the run's lock and working files
    expect(names).toEqual([second.files[0].name, 'task.json'].sort());
    expect(JSON.parse(await readFile(path.join(out, 'task.json'), 'utf8')).taskId).toBe(second.taskId);
  });

  it('sends edge elements in order with their prompts; a prompt count that does not match is exit 2', async () => {
    const peach = path.join(examplesDir, 'deco', 'peach.png');
    const leaves = path.join(examplesDir, 'deco', 'leaves.png');
    const out = path.join(tmp, 'edges');
    const r = await runCli([
      'generate',
      '--base',
      cup,
      '--prompt',
      'spring',
      '--fg-edge',
      peach,
      '--fg-edge-prompt',
      '粉色桃花',
      '--bg-edge',
      leaves,
      '--bg-edge',
      peach,
      '--bg-edge-prompt',
      '',
      '--bg-edge-prompt',
      'blossom',
      '--out',
      out,
      ...service(),
    ]);
    expect(r.code, r.stderr).toBe(0);
    const record = JSON.parse(await readFile(path.join(out, 'task.json'), 'utf8'));
    const edge = record.request.input.reference_edge;
    expect(edge.foreground_edge).toHaveLength(1);
    expect(edge.foreground_edge_prompt).toEqual(['粉色桃花']);
    expect(edge.background_edge).toHaveLength(2);
    expect(edge.background_edge_prompt).toEqual(['', 'blossom']);
    for (const url of [...edge.foreground_edge, ...edge.background_edge]) expect(url).toMatch(/^oss:\/\//);
    // The same file is uploaded once and used twice.
    expect(edge.background_edge[1]).toBe(edge.foreground_edge[0]);
    expect(edge.background_edge[0]).not.toBe(edge.foreground_edge[0]);

    const mismatch = await runCli([
      'generate',
      '--base',
      cup,
      '--prompt',
      'x',
      '--bg-edge',
      leaves,
      '--bg-edge',
      peach,
      '--bg-edge-prompt',
      'one',
      '--out',
      path.join(tmp, 'edges-bad'),
      ...service(),
    ]);
    expect(mismatch.code).toBe(2);
    expect(mismatch.stderr).toMatch(/^backdrop: \[InvalidParameter\] --bg-edge-prompt was given 1 time\(s\) for 2 --bg-edge/);
  });

  it('a base over 2048 px is refused with a hint, and --fit downscales it before upload', async () => {
    const big = path.join(tmp, 'big-cup.png');
    await sharp(cup).resize(2400, 1600).png().toFile(big);
    const refused = await runCli(['generate', '--base', big, '--prompt', 'x', '--out', path.join(tmp, 'big'), ...service()]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^backdrop: \[InvalidParameter\] --base \(base\): .*2400×1600.*--fit/);
    const out = path.join(tmp, 'fit');
    const r = await runCli(['generate', '--base', big, '--prompt', 'x', '--fit', '--out', out, '--json', ...service()]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('--fit:');
    const { files } = JSON.parse(r.stdout);
    const meta = await sharp(files[0].path).metadata();
    expect([meta.width, meta.height]).toEqual([2048, 1365]);
  });

  it('--hed makes edge elements from decoration cut-outs (tiny demo weights) and sends those', async () => {
    const peach = path.join(examplesDir, 'deco', 'peach.png');
    const weights = path.join(examplesDir, 'weights', 'hed-demo-tiny.pth');
    const out = path.join(tmp, 'hed');
    // A fresh output folder, so the edge-element cache (in <out>/.backdrop) is empty and HED really runs;
    // a temp folder of its own, to show nothing is made (or trusted) there.
    const ownTmp = path.join(tmp, 'hed-tmp');
    await mkdir(ownTmp);
    const r = await runCli(
      ['generate', '--base', cup, '--prompt', 'spring', '--fg-edge', peach, '--fg-edge-prompt', '粉色桃花', '--hed', '--weights', weights, '--out', out, ...service()],
      { env: cleanEnv({ TMPDIR: ownTmp }) },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('making 1 edge element with HED');
    expect(r.stderr).toMatch(/HED: using .*hed-demo-tiny\.pth .*NOT the real ControlNetHED weights/);
    const record = JSON.parse(await readFile(path.join(out, 'task.json'), 'utf8'));
    const upload = record.uploads.find((u: { field: string }) => u.field === 'foreground[0].edge');
    expect(upload.path.startsWith(path.join(out, '.backdrop', 'edges'))).toBe(true);
    expect(await readdir(ownTmp)).toEqual([]);
    expect(record.request.input.reference_edge.foreground_edge).toEqual([upload.url]);
    expect(record.request.input.reference_edge.foreground_edge_prompt).toEqual(['粉色桃花']);
    // The edge element: same size as the cut-out, its alpha kept, an edge map (not the cut-out's colours) in RGB.
    const edge = await sharp(upload.path).raw().toBuffer({ resolveWithObject: true });
    const source = await sharp(peach).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    expect([edge.info.width, edge.info.height, edge.info.channels]).toEqual([source.info.width, source.info.height, 4]);
    let alphaDiffs = 0;
    let greyish = 0;
    let opaque = 0;
    for (let i = 0; i < edge.data.length; i += 4) {
      if (edge.data[i + 3] !== source.data[i + 3]) alphaDiffs++;
      if (source.data[i + 3] === 255) {
        opaque++;
        if (edge.data[i] === edge.data[i + 1] && edge.data[i + 1] === edge.data[i + 2]) greyish++;
      }
    }
    expect(alphaDiffs).toBe(0);
    expect(greyish).toBe(opaque);
  });

  it('--json prints exactly one JSON object on stdout', async () => {
    const out = path.join(tmp, 'json');
    const r = await runCli(['generate', '--base', cup, '--prompt', 'garden', '--scene-type', 'PARTY', '--out', out, '--json', ...service()]);
    expect(r.code, r.stderr).toBe(0);
    // Warnings go to stderr, never into the JSON on stdout.
    expect(r.stderr).toMatch(/^backdrop: warning: --scene-type \(parameters\.scene_type\): "PARTY"/m);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const outcome = JSON.parse(lines[0]);
    expect(outcome.ok).toBe(true);
    expect(outcome.task.status).toBe('SUCCEEDED');
    expect(outcome.files).toHaveLength(1);
    expect(outcome.files[0].path).toBe(path.join(out, outcome.files[0].name));
    expect(outcome.taskJson).toBe(path.join(out, 'task.json'));
    await expectNoKeyIn(out, r.stdout, r.stderr);
  });

  it('lists every validation problem with its field path, exits 2, and writes nothing', async () => {
    const out = path.join(tmp, 'invalid');
    const r = await runCli([
      'generate',
      '--base',
      cup,
      '--prompt',
      'x',
      '--title',
      'a title far longer than eight',
      '-n',
      '9',
      '--noise-level',
      '5000',
      '--out',
      out,
      ...service(),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^backdrop: \[InvalidParameter\]/);
    expect(r.stderr).toContain('input.title');
    expect(r.stderr).toContain('parameters.n');
    expect(r.stderr).toContain('parameters.noise_level');
    expect(r.stderr).toContain('--title');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
    expect(await allFiles(out)).toEqual([]);
  });

  it('--json on a validation error still prints one JSON object and exits 2', async () => {
    const out = path.join(tmp, 'invalid-json');
    const r = await runCli(['generate', '--base', cup, '--prompt', 'x', '-n', '0', '--out', out, '--json', ...service()]);
    expect(r.code).toBe(2);
    const outcome = JSON.parse(r.stdout);
    expect(outcome.ok).toBe(false);
    expect(outcome.error.code).toBe('InvalidParameter');
    expect(outcome.error.message).toContain('parameters.n');
  });

  it('a missing base file: one line, exit 2, no stack trace', async () => {
    const out = path.join(tmp, 'missing');
    const r = await runCli(['generate', '--base', path.join(tmp, 'nope.png'), '--prompt', 'x', '--out', out, ...service()]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^backdrop: \[\w+\] .*nope\.png/);
    expect(r.stderr).toContain('--base');
    expect(await allFiles(out)).toEqual([]);
  });

  it('a wrong API key: [InvalidApiKey], exit 1, and the key is not printed', async () => {
    const wrong = 'sk-wrong-key-0123456789';
    const out = path.join(tmp, 'auth');
    const r = await runCli(['generate', '--base', cup, '--prompt', 'x', '--out', out, '--base-url', emulator.baseUrl, '--api-key', wrong]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^backdrop: \[InvalidApiKey\]/m);
    expect(r.stderr).not.toContain(wrong);
    expect(r.stdout).not.toContain(wrong);
    for (const file of await allFiles(out)) expect((await readFile(file, 'utf8')).includes(wrong)).toBe(false);
  });

  it('no API key anywhere: a user error naming DASHSCOPE_API_KEY', async () => {
    const r = await runCli(['generate', '--base', cup, '--prompt', 'x', '--out', path.join(tmp, 'nokey'), '--base-url', emulator.baseUrl]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^backdrop: \[MISSING_API_KEY\] .*DASHSCOPE_API_KEY/);
  });

  it('takes the key and base URL from DASHSCOPE_API_KEY / DASHSCOPE_HTTP_BASE_URL', async () => {
    const out = path.join(tmp, 'env');
    const r = await runCli(['generate', '--base', cup, '--prompt', 'x', '--out', out, '--json'], {
      env: cleanEnv({ DASHSCOPE_API_KEY: API_KEY, DASHSCOPE_HTTP_BASE_URL: emulator.baseUrl }),
    });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).ok).toBe(true);
    await expectNoKeyIn(out, r.stdout, r.stderr);
  });

  it('--emulator runs the whole job in process with no key configured', async () => {
    const out = path.join(tmp, 'in-process');
    const r = await runCli(['generate', '--emulator', '--base', cup, '--prompt', 'garden', '-n', '2', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const names = await readdir(out);
    expect(names.filter((n) => /^result-\d\.(png|jpg)$/.test(n))).toHaveLength(2);
  });

  it('Ctrl-C while the task runs: says the task id, does not cancel it, exits 130; status --download fetches it later', async () => {
    const slow = await startCliEmulator(['--api-key', API_KEY, '--task-ms', '25000']);
    try {
      const out = path.join(tmp, 'interrupted');
      const proc = spawnCli(['generate', '--base', cup, '--prompt', 'x', '--out', out, '--base-url', slow.baseUrl, '--api-key', API_KEY]);
      const [, taskId] = await proc.waitFor(/submitted task (\S+)/);
      await proc.waitFor(/RUNNING/);
      proc.child.kill('SIGINT');
      const r = await proc.exited;
      expect(r.code).toBe(130);
      expect(r.stderr).toMatch(new RegExp(`\\[INTERRUPTED\\] .*${taskId}.*RUNNING.*backdrop status ${taskId}`));
      const record = JSON.parse(await readFile(path.join(out, 'task.json'), 'utf8'));
      expect(record.taskId).toBe(taskId);
      expect(record.state).toBe('interrupted');
      const status = await runCli(['status', taskId, '--json', '--base-url', slow.baseUrl, '--api-key', API_KEY]);
      expect(JSON.parse(status.stdout).status).toBe('RUNNING');
      expect((await readdir(out)).filter((n) => n !== '.backdrop').sort()).toEqual(['task.json']);

      // Later: `status --download` into the same folder fetches the images and completes task.json.
      const early = await runCli(['status', taskId, '--download', out, '--base-url', slow.baseUrl, '--api-key', API_KEY]);
      expect(early.code).toBe(1);
      expect(early.stderr).toMatch(/\[NOTHING_TO_DOWNLOAD\] .*RUNNING: nothing to download yet/);
      let final = '';
      for (let i = 0; i < 90 && final !== 'SUCCEEDED'; i++) {
        await new Promise((r) => setTimeout(r, 1000));
        final = JSON.parse((await runCli(['status', taskId, '--json', '--base-url', slow.baseUrl, '--api-key', API_KEY])).stdout).status;
      }
      expect(final).toBe('SUCCEEDED');
      const late = await runCli(['status', taskId, '--download', out, '--json', '--base-url', slow.baseUrl, '--api-key', API_KEY]);
      expect(late.code, late.stderr).toBe(0);
      const fetched = JSON.parse(late.stdout);
      expect(fetched).toMatchObject({ status: 'SUCCEEDED', updatedTaskJson: true });
      expect(fetched.files).toHaveLength(1);
      const names = (await readdir(out)).filter((n) => n !== '.backdrop').sort();
      expect(names).toEqual([fetched.files[0].name, 'task.json'].sort());
      const completed = JSON.parse(await readFile(path.join(out, 'task.json'), 'utf8'));
      expect(completed).toMatchObject({ taskId, state: 'SUCCEEDED', taskStatus: 'SUCCEEDED' });
      expect(completed.files[0].name).toBe(fetched.files[0].name);
      expect(completed.error).toBeUndefined();
      const { info } = await sharp(path.join(out, fetched.files[0].name)).toBuffer({ resolveWithObject: true });
      expect([info.width, info.height]).toEqual([600, 400]);
      await expectNoKeyIn(out, early.stdout, early.stderr, late.stdout, late.stderr);
    } finally {
      await slow.stop();
    }
  });
});
