/**
 * What makes one variant's set differ from the others: camera height (where the horizon falls behind the
 * subject), floor tone and gloss, light side and strength, the backdrop element behind the subject, and a
 * hue turn.
 * Deterministic in (seed, index); the first variants take distinct camera heights, floors and backdrops.
 */
import { SeededRandom, deriveSeed } from '../random.js';

/** A backdrop shape on the wall behind the subject. */
export type BackdropElement = 'arch' | 'disc' | 'panels' | 'window' | 'plain';

/** One variant's look. */
export interface VariantLook {
  /** Hue rotation of the palette, degrees (0 for the first variant). */
  hueShift: number;
  /** Horizon height above the subject's base, as a share of the subject's height (low camera ≈ 0.2, high ≈ 0.8). */
  horizonRise: number;
  /** Floor tone: mixed towards white (> 0) or black (< 0), −0.5…0.6. */
  floorTone: number;
  /** −1 light from the left, +1 from the right. */
  lightSide: -1 | 1;
  /** Opacity of the light/shade, 0–1. */
  lightStrength: number;
  backdrop: BackdropElement;
  /** Horizontal offset of the backdrop element from the subject's centre, share of the image width. */
  backdropOffset: number;
  /** Opacity of the subject's reflection on a glossy floor at its base; 0 = matte floor. */
  glossFloor: number;
}

const BACKDROPS: BackdropElement[] = ['arch', 'disc', 'panels', 'window', 'plain'];
const HORIZONS = [0.55, 0.2, 0.85, 0.4];
const FLOORS = [0.25, -0.35, 0.55, -0.1];

/** The look of variant `index` of a task seeded with `seed`. */
export function variantLook(seed: number, index: number): VariantLook {
  const rng = new SeededRandom(deriveSeed(seed, 'variant', index));
  const first = new SeededRandom(deriveSeed(seed, 'variant-set', 0)).int(0, 999);
  const slot = (list: readonly number[]): number => list[(first + index) % list.length];
  return {
    hueShift: index === 0 ? 0 : index * 40 + rng.between(-10, 10),
    horizonRise: slot(HORIZONS) + rng.between(-0.05, 0.05),
    floorTone: slot(FLOORS) + rng.between(-0.05, 0.05),
    lightSide: (first + index) % 2 === 0 ? -1 : 1,
    lightStrength: rng.between(0.22, 0.38),
    backdrop: BACKDROPS[(first + index) % BACKDROPS.length],
    backdropOffset: rng.between(-0.12, 0.12),
    glossFloor: (first + index) % 3 === 1 ? rng.between(0.22, 0.32) : 0,
  };
}
