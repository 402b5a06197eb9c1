/**
 * Installable outside this repository: every workspace package is packed with `pnpm pack` (which
 * rewrites `workspace:*` to real versions), the tarballs are installed together into an empty
 * project under the system temp folder (npm, the public registry for third-party dependencies),
 * and there each package's main entry imports, `npx backdrop --help` prints its usage, and
 * `backdrop generate --emulator` makes a real image end to end. Install scripts are not run, so a
 * native add-on that cannot download here (tfjs-node, optional) cannot break the install; edge
 * then falls back to its wasm backend as it does anywhere tfjs-node is missing.
 * Skipped, with the reason, when the CLI is not built or the registry cannot be reached.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, cliUnavailableReason, examplesDir, repoRoot } from './fixtures/cli/cli-harness.js';

const run = promisify(execFile);
const PNPM = 'pnpm@10.34.9';
const PACKAGES = ['api', 'edge', 'emulator', 'layers', 'pipeline', 'cluster', 'cli'] as const;

/** The registry npm would use here, or the reason it cannot be reached. */
async function registryUnreachableReason(): Promise<string | undefined> {
  let registry = 'https://registry.npmjs.org/';
  try {
    registry = (await run('npm', ['config', 'get', 'registry'], { timeout: 30_000 })).stdout.trim() || registry;
    const res = await fetch(new URL('yargs', registry.endsWith('/') ? registry : `${registry}/`), {
      method: 'HEAD',
      signal: AbortSignal.timeout(10_000),
    });
    return res.ok ? undefined : `npm registry ${registry} answered ${res.status}`;
  } catch (err) {
    return `npm registry ${registry} is unreachable (${(err as Error).message})`;
  }
}

const skipReason = cliUnavailableReason() ?? (await registryUnreachableReason());
if (skipReason) console.log(`packages-install: skipped: ${skipReason}`);

describe.skipIf(skipReason !== undefined)('packed packages installed outside the workspace', () => {
  let tmp: string;
  let project: string;
  const env = cleanEnv({ npm_config_update_notifier: 'false' });
  /** Runs a command in the outside project; rejects (with its output) on a non-zero exit. */
  const inProject = (cmd: string, args: string[], timeout = 60_000) => run(cmd, args, { cwd: project, env, timeout, maxBuffer: 16 * 1024 * 1024 });

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'backdrop-install-'));
    const tarballs = path.join(tmp, 'tarballs');
    project = path.join(tmp, 'project');
    await mkdir(tarballs);
    await mkdir(project);
    await Promise.all(
      PACKAGES.map((name) => run('npx', ['--yes', PNPM, 'pack', '--pack-destination', tarballs], { cwd: path.join(repoRoot, 'packages', name), env, timeout: 120_000 })),
    );
    const files = (await readdir(tarballs)).filter((f) => f.endsWith('.tgz')).sort();
    expect(files).toEqual(PACKAGES.map((name) => `backdrop-${name}-0.1.0.tgz`).sort());
    await writeFile(path.join(project, 'package.json'), JSON.stringify({ name: 'outside-project', private: true, type: 'module' }));
    await inProject(
      'npm',
      ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error', ...files.map((f) => path.join(tarballs, f))],
      600_000,
    );
  }, 900_000);

  afterAll(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('lies outside the workspace and holds no link back into it', async () => {
    expect(path.relative(repoRoot, project).startsWith('..')).toBe(true);
    const manifest = JSON.parse(await readFile(path.join(project, 'node_modules', '@backdrop', 'cli', 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    for (const [dep, range] of Object.entries(manifest.dependencies)) expect(range, dep).not.toMatch(/^workspace:/);
  });

  it("imports { DashScope } from '@backdrop/api'", async () => {
    const { stdout } = await inProject('node', ['-e', "import('@backdrop/api').then((m) => console.log(typeof m.DashScope, m.DEFAULT_BASE_URL))"]);
    expect(stdout).toMatch(/^function https:\/\/dashscope/);
  });

  it.each([
    ['@backdrop/edge', 'loadHed'],
    ['@backdrop/emulator', 'startEmulator'],
    ['@backdrop/layers', 'renderTextLayers'],
    ['@backdrop/pipeline', 'runBatch'],
    ['@backdrop/cluster', 'startWorker'],
  ])("imports %s's main entry (%s)", async (pkg, name) => {
    const { stdout } = await inProject('node', ['-e', `import('${pkg}').then((m) => console.log(typeof m.${name}))`]);
    expect(stdout.trim()).toBe('function');
  });

  it('runs `npx backdrop --help`', async () => {
    const { stdout } = await inProject('npx', ['--no-install', 'backdrop', '--help']);
    expect(stdout).toMatch(/^backdrop <command> \[options\]/);
    for (const command of ['generate', 'batch', 'status', 'cancel', 'edge', 'emulator', 'report', 'retitle', 'enqueue', 'worker', 'queue'])
      expect(stdout).toContain(`backdrop ${command}`);
  });

  it('makes an image with `backdrop generate --emulator` (fonts, sharp and HED-free path installed)', async () => {
    const out = path.join(project, 'out');
    await inProject(
      'npx',
      ['--no-install', 'backdrop', 'generate', '--emulator', '--base', path.join(examplesDir, 'cutouts', 'cup.png'), '--prompt', 'sunny garden', '--out', out],
      120_000,
    );
    const png = await readFile(path.join(out, 'result-0.png'));
    expect([...png.subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    expect(png.length).toBeGreaterThan(1000);
    const record = JSON.parse(await readFile(path.join(out, 'task.json'), 'utf8')) as Record<string, unknown>;
    expect(JSON.stringify(record)).toContain('SUCCEEDED');
  });
});
