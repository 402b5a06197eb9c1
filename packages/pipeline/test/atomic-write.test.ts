/**
 * The atomic writer never writes through a symbolic link: a linked folder is refused (OUTPUT_SYMLINK,
 * a user error), a link at the file's name is replaced, not followed. Real files in a temp folder.
 */
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OutputSymlinkError, writeFileAtomic } from '../src/output/atomic-write.js';

let tmp: string;
beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'backdrop-atomic-'));
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('writes the whole file and leaves no temporary file', async () => {
    const file = path.join(tmp, 'a.json');
    await writeFileAtomic(file, '{"a":1}\n');
    await writeFileAtomic(file, '{"a":2}\n');
    expect(await readFile(file, 'utf8')).toBe('{"a":2}\n');
    expect(await readdir(tmp)).toEqual(['a.json']);
  });

  it('refuses a folder that is a symbolic link and writes nothing where it points', async () => {
    const target = path.join(tmp, 'elsewhere');
    const out = path.join(tmp, 'out');
    await mkdir(target);
    await mkdir(out);
    await symlink(target, path.join(out, 'item'));
    const err = await writeFileAtomic(path.join(out, 'item', 'result-0.png'), 'x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OutputSymlinkError);
    expect(err).toMatchObject({ code: 'OUTPUT_SYMLINK', userError: true });
    expect(await readdir(target)).toEqual([]);
  });

  it('replaces a link at the file name instead of writing through it', async () => {
    const victim = path.join(tmp, 'victim.txt');
    await writeFile(victim, 'keep me');
    const file = path.join(tmp, 'results.jsonl');
    await symlink(victim, file);
    await writeFileAtomic(file, 'new\n');
    expect(await readFile(victim, 'utf8')).toBe('keep me');
    expect((await lstat(file)).isSymbolicLink()).toBe(false);
    expect(await readFile(file, 'utf8')).toBe('new\n');
  });
});
