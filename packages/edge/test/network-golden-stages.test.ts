/**
 * The tfjs network with the full-size golden checkpoint on the reference's own resized input
 * (`1-resized.png`) against the reference's five float32 projections (`2-projections.f32`).
 * Needs ../shared (the 29 MB checkpoint and the stage files); skipped with a reason without it.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend.js';
import { loadCheckpoint } from '../src/checkpoint/load-checkpoint.js';
import { HedNetwork } from '../src/hed/network.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const golden = path.resolve(repoRoot, '..', 'shared', 'hed-golden');
const stages = path.join(golden, 'expected', 'full', 'coffee.stages');
const checkpoint = path.join(golden, 'weights', 'hed-random-seed1-fp16.pth');
const present = existsSync(stages) && existsSync(checkpoint);
if (!present) console.log(`network-golden-stages: skipped — ${golden} (../shared) is not present`);

describe('HED network vs the reference projections (full/coffee)', () => {
  it.skipIf(!present)('reproduces p1..p5 to ~1e-6 relative error', async () => {
    const backend = await initBackend();
    const { data, info } = await sharp(path.join(stages, '1-resized.png')).raw().toBuffer({ resolveWithObject: true });
    expect(info.channels).toBe(3);
    const net = HedNetwork.fromStateDict(await loadCheckpoint(checkpoint));
    try {
      const got = await net.project({ data: new Uint8Array(data), width: info.width, height: info.height, channels: 3 });
      const meta = JSON.parse(await readFile(path.join(stages, '2-projections.json'), 'utf8')) as { projections: [number, number][] };
      const raw = await readFile(path.join(stages, '2-projections.f32'));
      const all = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
      let offset = 0;
      const rows: string[] = [];
      meta.projections.forEach(([h, w], i) => {
        const want = all.subarray(offset, offset + h * w);
        offset += h * w;
        expect([got[i].height, got[i].width]).toEqual([h, w]);
        let scale = 0;
        for (const v of want) scale = Math.max(scale, Math.abs(v));
        let worst = 0;
        for (let j = 0; j < want.length; j++) worst = Math.max(worst, Math.abs(got[i].data[j] - want[j]));
        rows.push(`p${i + 1} ${w}×${h}: max |diff| ${worst.toExponential(2)}, relative to max |p| ${(worst / scale).toExponential(2)}`);
        expect(worst / scale, `p${i + 1}`).toBeLessThan(1e-5);
      });
      expect(offset).toBe(all.length);
      console.log(`network-golden-stages (${backend.name}):\n  ${rows.join('\n  ')}`);
    } finally {
      net.dispose();
    }
  });
});
