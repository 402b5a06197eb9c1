/**
 * `backdrop edge --weights <crafted checkpoint>` for every class of hostile checkpoint (huge declared shapes,
 * zero strides, thousands of aliasing tensors, zip bombs, deep/memo/DUP pickle bombs, huge integers and names,
 * huge safetensors headers): the built CLI in a child process must end with exit 2 and one
 * `backdrop: [HED_CHECKPOINT_*]` line, within a generous time bound and with a peak RSS under 1 GB.
 * A watchdog kills the child above 1.5 GB so a regression cannot take the machine down.
 * Needs `pnpm build` first.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostileCheckpoints } from '../packages/edge/test/checkpoint/hostile-checkpoints.js';
import { cleanEnv, cliMain, cliUnavailableReason, repoRoot } from './fixtures/cli/cli-harness.js';

const skip = cliUnavailableReason();
if (skip) console.log(`skipping hostile checkpoint CLI tests: ${skip}`);

const ONE_GB_KB = 1024 * 1024;
const KILL_ABOVE_KB = 1.5 * ONE_GB_KB;
const TIME_BOUND_MS = 60_000;
const input = path.join(repoRoot, 'test', 'fixtures', 'hed', 'inputs', 'logo.png');

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  /** Peak RSS in KB as the child saw it at exit (process.resourceUsage), or the watchdog's last reading. */
  maxRssKb: number;
  killedForMemory: boolean;
  ms: number;
}

let tmp: string;
let hook: string;
const cases = skip ? [] : hostileCheckpoints().map(({ name, what }) => ({ name, what }));

beforeAll(async () => {
  if (skip) return;
  tmp = await mkdtemp(path.join(os.tmpdir(), 'backdrop-hostile-'));
  for (const c of hostileCheckpoints()) await writeFile(path.join(tmp, c.name), c.make());
  // Loaded into the CLI process with --import: reports its own peak RSS when it exits.
  hook = path.join(tmp, 'rss-hook.mjs');
  await writeFile(hook, "import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => writeFileSync(process.env.RSS_OUT, String(process.resourceUsage().maxRSS)));\n");
}, 300_000);

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

async function rssOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const m = /VmRSS:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) : 0;
}

function runEdge(weights: string): Promise<Run> {
  const rssOut = `${weights}.rss`;
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', hook, cliMain, 'edge', input, '--out', path.join(tmp, 'out'), '--weights', weights], {
    env: cleanEnv({ RSS_OUT: rssOut, BACKDROP_TF_BACKEND: 'cpu' }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    if (stderr.length < 1_000_000) stderr += d;
  });
  let watched = 0;
  let killedForMemory = false;
  const watchdog = setInterval(() => {
    void rssOf(child.pid!).then((kb) => {
      watched = Math.max(watched, kb);
      if (kb > KILL_ABOVE_KB && !killedForMemory) {
        killedForMemory = true;
        child.kill('SIGKILL');
      }
    });
  }, 50);
  const timer = setTimeout(() => child.kill('SIGKILL'), TIME_BOUND_MS);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearInterval(watchdog);
      clearTimeout(timer);
      void readFile(rssOut, 'utf8').then(Number, () => watched).then((atExit) => {
        resolve({ code, signal, stderr, maxRssKb: Math.max(atExit, watched), killedForMemory, ms: Date.now() - started });
      });
    });
  });
}

describe.skipIf(skip)('backdrop edge refuses hostile checkpoints in bounded time and memory', () => {
  it.each(cases)('$name: $what', async ({ name }) => {
    const r = await runEdge(path.join(tmp, name));
    console.log(`${name}: exit ${r.code ?? r.signal} in ${(r.ms / 1000).toFixed(1)} s, peak RSS ${(r.maxRssKb / 1024).toFixed(0)} MB`);
    expect(r.killedForMemory, `peak RSS ${r.maxRssKb} KB`).toBe(false);
    expect(r.signal, 'killed after the time bound').toBeNull();
    expect(r.stderr.length, 'one short error line').toBeLessThan(2000);
    expect(r.stderr.trim()).toMatch(/^backdrop: \[HED_CHECKPOINT_[A-Z]+\] /m);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.code).toBe(2);
    expect(r.maxRssKb).toBeLessThan(ONE_GB_KB);
  });
});
