import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EdgeError } from '../../src/errors.js';
import { loadCheckpoint, parseCheckpoint } from '../../src/checkpoint/load-checkpoint.js';
import { writeSafetensors } from '../../src/checkpoint/write-safetensors.js';
import { TINY_FP16_LEGACY, TINY_FP32_ZIP } from './checkpoint-paths.js';

/** Deterministic PRNG (mulberry32) so a failure can be replayed. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALLOWED = new Set(['HED_CHECKPOINT_CORRUPT', 'HED_CHECKPOINT_UNSAFE']);

/** Parses and returns 'ok' or the EdgeError code; anything else (RangeError, TypeError…) fails the test. */
function outcome(bytes: Uint8Array, label: string): string {
  try {
    parseCheckpoint(bytes, label);
    return 'ok';
  } catch (e) {
    if (!(e instanceof EdgeError) || !ALLOWED.has(e.code)) {
      throw new Error(`${label}: expected an EdgeError, got ${String(e)}`, { cause: e });
    }
    expect(e.userError).toBe(true);
    expect(e.message).toContain(label);
    return e.code;
  }
}

const tinySafetensors = writeSafetensors(parseCheckpoint(readFileSync(TINY_FP32_ZIP)), 'F16');
const files: [string, Uint8Array][] = [
  ['zip', readFileSync(TINY_FP32_ZIP)],
  ['legacy', readFileSync(TINY_FP16_LEGACY)],
  ['safetensors', tinySafetensors],
];

describe('damaged checkpoints give EdgeErrors only', () => {
  for (const [kind, original] of files) {
    it(`${kind}: every truncation length gives HED_CHECKPOINT_CORRUPT`, () => {
      const step = Math.max(1, Math.floor(original.length / 400));
      for (let n = 0; n < original.length; n += step) {
        expect(outcome(original.subarray(0, n), `${kind} cut at ${n}`), `cut at ${n}`).toBe('HED_CHECKPOINT_CORRUPT');
      }
      // the last bytes matter too (zip end record, last storage)
      for (let n = original.length - 64; n < original.length; n++) {
        expect(outcome(original.subarray(0, n), `${kind} cut at ${n}`), `cut at ${n}`).toBe('HED_CHECKPOINT_CORRUPT');
      }
    });

    it(`${kind}: random byte flips never escape as raw errors`, () => {
      const random = rng(kind.length * 7919);
      const counts: Record<string, number> = {};
      for (let trial = 0; trial < 1500; trial++) {
        const damaged = Uint8Array.from(original);
        const flips = 1 + Math.floor(random() * 3);
        // bias towards the metadata (pickle / header / directory) where parsing decisions happen
        for (let f = 0; f < flips; f++) {
          const region = random() < 0.7 ? Math.min(original.length, 4096) : original.length;
          const at = random() < 0.15 ? original.length - 1 - Math.floor(random() * 200) : Math.floor(random() * region);
          damaged[at] ^= 1 << Math.floor(random() * 8);
        }
        const o = outcome(damaged, `${kind} trial ${trial}`);
        counts[o] = (counts[o] ?? 0) + 1;
      }
      // most damage is detected (zip: CRC-32 covers the data too)
      expect(counts.HED_CHECKPOINT_CORRUPT).toBeGreaterThan(kind === 'zip' ? 1000 : 100);
    });
  }

  it('zip: a flipped bit in the weight data fails the CRC-32 check', () => {
    const damaged = Uint8Array.from(files[0][1]);
    damaged[20000] ^= 0x10; // inside block 3's weights
    expect(() => parseCheckpoint(damaged, 'flipped.pth')).toThrow(/flipped\.pth.*CRC-32/);
  });
});

describe('recognisable non-checkpoints', () => {
  const tmp = mkdtemp(path.join(os.tmpdir(), 'backdrop-ckpt-'));
  afterAll(async () => rm(await tmp, { recursive: true, force: true }));

  it('names the file and says what it is instead', async () => {
    const dir = await tmp;
    const cases: [string, string | Uint8Array, RegExp][] = [
      ['empty.pth', '', /empty/],
      ['lfs.pth', 'version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 29444293\n', /Git LFS pointer/],
      ['page.pth', '<!DOCTYPE html><html><body>Rate limited</body></html>', /HTML/],
      ['random.pth', Uint8Array.from({ length: 5000 }, (_, i) => (i * 7 + 13) & 0xff), /unrecognised format/],
      ['other.zip', new Uint8Array([0x50, 0x4b, 0x05, 0x06, ...new Array(18).fill(0)]), /unrecognised format/],
    ];
    for (const [name, content, why] of cases) {
      const file = path.join(dir, name);
      await writeFile(file, content);
      const err = await loadCheckpoint(file).catch((e: unknown) => e);
      expect(err, name).toBeInstanceOf(EdgeError);
      expect((err as EdgeError).code, name).toBe('HED_CHECKPOINT_CORRUPT');
      expect((err as EdgeError).message, name).toContain(file);
      expect((err as EdgeError).message, name).toMatch(why);
    }
  });

  it('a missing file is HED_WEIGHTS_NOT_FOUND naming the path', async () => {
    const file = path.join(await tmp, 'nope.pth');
    await expect(loadCheckpoint(file)).rejects.toMatchObject({ code: 'HED_WEIGHTS_NOT_FOUND', message: expect.stringContaining(file) });
  });

  it('a deflated zip entry that inflates past its stated size is stopped at that size', async () => {
    const { writeZip } = await import('./torch-checkpoint-writer.js');
    // 64 MiB of zeros deflate to ~64 KiB; the directory claims 1000 bytes.
    const zip = Uint8Array.from(writeZip([['archive/data.pkl', new Uint8Array(64 << 20)]], true));
    const view = new DataView(zip.buffer);
    const cd = zip.length - 22 - 46 - 'archive/data.pkl'.length;
    view.setUint32(22, 1000, true); // local header: uncompressed size
    view.setUint32(cd + 24, 1000, true); // central directory: uncompressed size
    expect(() => parseCheckpoint(zip, 'bomb.pth')).toThrow(/bomb\.pth.*inflates to more than the 1000 bytes/);
  });

  it('a zip that is not a torch.save file', async () => {
    const { writeZip } = await import('./torch-checkpoint-writer.js');
    expect(() => parseCheckpoint(writeZip([['readme.txt', Buffer.from('hello')]], false), 'x.zip')).toThrow(/data\.pkl/);
  });
});
