/**
 * Seeded randomness. Every random choice the emulator makes (run times, faults, colours) comes from here,
 * so a run with the same seed and the same sequence of requests behaves the same.
 */
import { createHash } from 'node:crypto';

/** A 32-bit seed derived from a base seed and labels (e.g. `deriveSeed(seed, 'task-failure', 7)`). */
export function deriveSeed(seed: number, ...labels: (string | number)[]): number {
  const hash = createHash('sha256').update(String(seed));
  for (const label of labels) hash.update('\u0000').update(String(label));
  return hash.digest().readUInt32LE(0);
}

/** A number in [0, 1) fixed by the seed and labels: one independent draw per (stream, index). */
export function seededUnit(seed: number, ...labels: (string | number)[]): number {
  return deriveSeed(seed, ...labels) / 0x1_0000_0000;
}

/** Small, fast seeded generator (mulberry32) for sequences of draws. */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Next number in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x1_0000_0000;
  }

  /** A number in [min, max). */
  between(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** An integer in [min, max] (both included). */
  int(min: number, max: number): number {
    return Math.floor(this.between(min, max + 1));
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    return items[Math.min(items.length - 1, Math.floor(this.next() * items.length))];
  }
}
