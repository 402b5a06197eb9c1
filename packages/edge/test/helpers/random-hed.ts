/**
 * Deterministic random HED inputs for the network tests: a ControlNetHED-shaped state dict with any
 * channel layout, and RGB images.
 */
import type { StateDict } from '../../src/checkpoint/state-dict.js';
import type { ImageU8 } from '../../src/image/image-buffer.js';

/** Deterministic pseudo-random numbers in [-1, 1). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  };
}

/** A random RGB image (3 channels, 0..255). */
export function randomImage(width: number, height: number, seed: number): ImageU8 {
  const rnd = random(seed);
  return { data: Uint8Array.from({ length: width * height * 3 }, () => Math.floor((rnd() + 1) * 127.99)), width, height, channels: 3 };
}

const CONVS_PER_BLOCK = [2, 2, 3, 3, 3];

/** A random ControlNetHED state dict with `channels` per block (He-like scales so activations stay finite). */
export function randomStateDict(channels: number[], seed: number): StateDict {
  const rnd = random(seed);
  const sd: StateDict = new Map();
  const fill = (shape: number[], scale: number) => ({ shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rnd() * scale) });
  sd.set('norm', fill([1, 3, 1, 1], 60));
  let inC = 3;
  channels.forEach((c, b) => {
    for (let i = 0; i < CONVS_PER_BLOCK[b]; i++) {
      const cin = i === 0 ? inC : c;
      sd.set(`block${b + 1}.convs.${i}.weight`, fill([c, cin, 3, 3], 1 / Math.sqrt(cin * 9)));
      sd.set(`block${b + 1}.convs.${i}.bias`, fill([c], 0.1));
    }
    sd.set(`block${b + 1}.projection.weight`, fill([1, c, 1, 1], 1 / Math.sqrt(c)));
    sd.set(`block${b + 1}.projection.bias`, fill([1], 0.1));
    inC = c;
  });
  return sd;
}
