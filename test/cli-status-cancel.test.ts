/**
 * End-to-end: `backdrop status`, `backdrop cancel` and `backdrop emulator` as child processes, with
 * tasks created by `backdrop generate` against a `backdrop emulator` whose tasks run long enough to
 * catch them PENDING and RUNNING.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliUnavailableReason, examplesDir, runCli, spawnCli, startCliEmulator, type CliEmulator } from './fixtures/cli/cli-harness.js';

const skipReason = cliUnavailableReason();
if (skipReason) console.warn(`skipping CLI status/cancel tests: ${skipReason}`);

const API_KEY = `sk-clitest-${Math.random().toString(36).slice(2)}-SECRET`;
const cup = path.join(examplesDir, 'cutouts', 'cup.png');
let tmp: string;

describe.skipIf(skipReason !== undefined)('backdrop emulator (e2e)', () => {
  it('prints the listening line first, binds 127.0.0.1, and exits 0 on SIGTERM and on SIGINT', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const proc = spawnCli(['emulator', '--port', '0']);
      const [line] = await proc.waitFor(/^.*\n/, 'stdout');
      expect(line).toMatch(/^listening on http:\/\/127\.0\.0\.1:\d+\/api\/v1\n$/);
      const baseUrl = line.trim().replace('listening on ', '');
      // It answers like DashScope: an unknown task is UNKNOWN.
      const reply = await fetch(`${baseUrl}/tasks/no-such-task`, { headers: { authorization: 'Bearer emulator' } });
      expect(reply.status).toBe(200);
      expect(((await reply.json()) as { output: { task_status: string } }).output.task_status).toBe('UNKNOWN');
      proc.child.kill(signal);
      const r = await proc.exited;
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('rejects a bad option value with exit 2', async () => {
    const r = await runCli(['emulator', '--task-ms', 'soon']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^backdrop: \[INVALID_OPTION\] --task-ms/);
  });
});

describe.skipIf(skipReason !== undefined)('backdrop status / cancel (e2e)', () => {
  let emulator: CliEmulator;
  const service = (): string[] => ['--base-url', emulator.baseUrl, '--api-key', API_KEY];

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'backdrop-cli-status-'));
    emulator = await startCliEmulator(['--api-key', API_KEY, '--task-ms', '30000', '--concurrency-policy', 'queue']);
  });

  afterAll(async () => {
    if (emulator) expect((await emulator.stop()).code).toBe(0);
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('shows a PENDING task, cancels it, refuses to cancel a RUNNING one, and reports the finished one', async () => {
    const first = spawnCli(['generate', '--base', cup, '--prompt', 'first', '--out', path.join(tmp, 'a'), ...service()]);
    const [, runningId] = await first.waitFor(/submitted task (\S+)/);
    await first.waitFor(/RUNNING/);
    // Two more while it runs: both stay PENDING behind it (the account runs one task at a time).
    const second = spawnCli(['generate', '--base', cup, '--prompt', 'second', '--out', path.join(tmp, 'b'), ...service()]);
    const third = spawnCli(['generate', '--base', cup, '--prompt', 'third', '--out', path.join(tmp, 'c'), ...service()]);
    const [, pendingId] = await second.waitFor(/submitted task (\S+)/);

    // Ctrl-C on a generate whose task is still queued cancels that task and says so.
    const [, thirdId] = await third.waitFor(/submitted task (\S+)/);
    await third.waitFor(/PENDING/);
    third.child.kill('SIGINT');
    const thirdDone = await third.exited;
    expect(thirdDone.code).toBe(130);
    expect(thirdDone.stderr).toMatch(new RegExp(`\\[INTERRUPTED\\] .*${thirdId} was still PENDING, so it was cancelled`));
    const thirdRecord = JSON.parse(await readFile(path.join(tmp, 'c', 'task.json'), 'utf8'));
    expect(thirdRecord).toMatchObject({ taskId: thirdId, taskStatus: 'CANCELED', state: 'interrupted' });

    const pending = await runCli(['status', pendingId, ...service()]);
    expect(pending.code, pending.stderr).toBe(0);
    expect(pending.stdout).toContain(`task ${pendingId}`);
    expect(pending.stdout).toMatch(/status\s+PENDING/);

    const cancel = await runCli(['cancel', pendingId, ...service()]);
    expect(cancel.code, cancel.stderr).toBe(0);
    expect(cancel.stdout).toMatch(new RegExp(`task ${pendingId} canceled`));
    const secondDone = await second.exited;
    expect(secondDone.code).toBe(1);
    expect(secondDone.stderr).toMatch(/\[TaskCanceled\]/);

    const refused = await runCli(['cancel', runningId, ...service()]);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(/^backdrop: \[UnsupportedOperation\] .*only PENDING tasks can be.*RUNNING/);
    expect(refused.stderr).toContain(`backdrop status ${runningId}`);

    const firstDone = await first.exited;
    expect(firstDone.code, firstDone.stderr).toBe(0);
    const done = await runCli(['status', runningId, ...service()]);
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(/status\s+SUCCEEDED/);
    expect(done.stdout).toMatch(/result 0\s+http:\/\/127\.0\.0\.1/);
    const asJson = await runCli(['status', runningId, '--json', ...service()]);
    const summary = JSON.parse(asJson.stdout);
    expect(summary).toMatchObject({ taskId: runningId, status: 'SUCCEEDED' });
    expect(summary.results).toHaveLength(1);
    expect(summary.submitTime).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);

    const canceled = await runCli(['status', pendingId, '--json', ...service()]);
    expect(JSON.parse(canceled.stdout).status).toBe('CANCELED');
    const thirdStatus = await runCli(['status', thirdId, '--json', ...service()]);
    expect(JSON.parse(thirdStatus.stdout).status).toBe('CANCELED');
    for (const r of [pending, cancel, refused, done, asJson, canceled]) {
      expect(r.stdout + r.stderr).not.toContain(API_KEY);
    }
  });

  it('explains UNKNOWN and rejects a malformed id', async () => {
    const unknown = await runCli(['status', 'b2e98d78-0000-0000-0000-000000000000', ...service()]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^backdrop: \[TASK_NOT_FOUND\]/);
    expect(unknown.stdout).toMatch(/UNKNOWN — no such task or expired after 24 h/);
    const bad = await runCli(['status', 'not/an id', ...service()]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^backdrop: \[INVALID_TASK_ID\]/);
  });

  it('a task that fails: generate exits 1 with the code, status shows code and message', async () => {
    const failing = await startCliEmulator(['--api-key', API_KEY, '--task-ms', '100', '--fail-rate', '1']);
    try {
      const out = path.join(tmp, 'failed');
      const r = await runCli(['generate', '--base', cup, '--prompt', 'x', '--out', out, '--base-url', failing.baseUrl, '--api-key', API_KEY]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^backdrop: \[TaskFailed\] .*InternalError\.Algo/m);
      const record = JSON.parse(await readFile(path.join(out, 'task.json'), 'utf8'));
      expect(record.state).toBe('FAILED');
      expect(record.error.code).toBe('TaskFailed');
      const status = await runCli(['status', record.taskId, '--base-url', failing.baseUrl, '--api-key', API_KEY]);
      expect(status.stdout).toMatch(/status\s+FAILED/);
      expect(status.stdout).toMatch(/code\s+InternalError\.Algo/);
      expect(status.stdout).toMatch(/message\s+\S/);
      const asJson = await runCli([
        'generate',
        '--base',
        cup,
        '--prompt',
        'x',
        '--out',
        path.join(tmp, 'failed-json'),
        '--json',
        '--base-url',
        failing.baseUrl,
        '--api-key',
        API_KEY,
      ]);
      expect(asJson.code).toBe(1);
      const outcome = JSON.parse(asJson.stdout);
      expect(outcome).toMatchObject({ ok: false, exitCode: 1, error: { code: 'TaskFailed' } });
      expect(outcome.taskId).toMatch(/\S/);
    } finally {
      await failing.stop();
    }
  });
});
