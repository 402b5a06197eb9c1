/** The journal on real files: durable appends, folding into item records, torn lines from a kill. */
import { appendFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Journal } from '../src/journal/journal.js';
import { tmpDir } from './helpers/batch-fixtures.js';

describe('journal', () => {
  it('folds the stages of an item and survives reopening', () => {
    const dir = tmpDir('journal');
    const j = Journal.open(dir);
    j.append({ e: 'submit-started', id: 'a', attempt: 1, lane: 'key_1', spec: 's1', t: 1000 });
    expect(j.record('a')?.unsettledSubmit).toMatchObject({ attempt: 1, startedAt: 1000 });
    j.append({ e: 'submit-done', id: 'a', attempt: 1, taskId: 't1', requestId: 'r1', t: 1010 });
    j.close();
    const k = Journal.open(dir);
    const r = k.record('a')!;
    expect(r.unsettledSubmit).toBeUndefined();
    expect(r.task).toMatchObject({ taskId: 't1', lane: 'key_1', submittedAt: 1000 });
    k.append({ e: 'task-final', id: 'a', taskId: 't1', status: 'SUCCEEDED', results: ['http://x/0.png'], plain: [], t: 3000 });
    k.append({ e: 'download-done', id: 'a', taskId: 't1', files: [{ name: 'result-0.png', size: 3, sha256: 'abc' }], t: 3100 });
    k.append({ e: 'item-done', id: 'a', status: 'succeeded', taskId: 't1', t: 3200 });
    const done = k.record('a')!;
    expect(done.task).toBeUndefined();
    expect(done.files).toHaveLength(1);
    expect(done.done?.status).toBe('succeeded');
    expect(done.taskIds).toEqual(['t1']);
    k.close();
  });

  it('keeps a submit that may have created a task unsettled until it is reconciled', () => {
    const j = Journal.open(tmpDir('journal-unsettled'));
    j.append({ e: 'submit-started', id: 'b', attempt: 1, lane: 'key_1', spec: 's', t: 1 });
    j.append({ e: 'submit-failed', id: 'b', attempt: 1, code: 'Connection', message: 'socket hang up', mayHaveCreatedTask: true, t: 2 });
    expect(j.record('b')?.unsettledSubmit).toBeDefined();
    j.append({ e: 'reconciled', id: 'b', attempt: 1, taskId: 'found', how: 'test', t: 3 });
    expect(j.record('b')?.unsettledSubmit).toBeUndefined();
    expect(j.record('b')?.task?.taskId).toBe('found');
    j.append({ e: 'submit-started', id: 'c', attempt: 1, lane: 'key_1', spec: 's', t: 1 });
    j.append({ e: 'submit-failed', id: 'c', attempt: 1, code: 'Throttling.AllocationQuota', message: 'busy', mayHaveCreatedTask: false, t: 2 });
    expect(j.record('c')?.unsettledSubmit).toBeUndefined();
    j.close();
  });

  it('ignores a torn last line and appends the next entry on a fresh line', () => {
    const dir = tmpDir('journal-torn');
    const j = Journal.open(dir);
    j.append({ e: 'submit-started', id: 'a', attempt: 1, lane: 'key_1', spec: 's', t: 1 });
    j.close();
    appendFileSync(path.join(dir, 'journal.jsonl'), '{"e":"submit-done","id":"a","att');
    const k = Journal.open(dir);
    expect(k.record('a')?.unsettledSubmit).toBeDefined();
    k.append({ e: 'item-done', id: 'a', status: 'failed', code: 'X', message: 'y', t: 2 });
    k.close();
    const lines = readFileSync(path.join(dir, 'journal.jsonl'), 'utf8').trim().split('\n');
    expect(JSON.parse(lines[lines.length - 1])).toMatchObject({ e: 'item-done', id: 'a' });
    expect(Journal.open(dir).record('a')?.done?.status).toBe('failed');
  });

  it('forgets earlier outcomes when the item was redefined', () => {
    const j = Journal.open(tmpDir('journal-spec'));
    j.append({ e: 'submit-started', id: 'a', attempt: 1, lane: 'k', spec: 'old', t: 1 });
    j.append({ e: 'submit-done', id: 'a', attempt: 1, taskId: 't1', t: 2 });
    j.append({ e: 'task-final', id: 'a', taskId: 't1', status: 'SUCCEEDED', results: [], plain: [], t: 3 });
    j.append({ e: 'item-done', id: 'a', status: 'succeeded', t: 4 });
    j.append({ e: 'submit-started', id: 'a', attempt: 2, lane: 'k', spec: 'new', t: 5 });
    const r = j.record('a')!;
    expect(r.final).toBeUndefined();
    expect(r.done).toBeUndefined();
    expect(r.attempts).toBe(2);
    j.close();
  });
});
