/** Pixel comparisons between decoded images (raw buffers). */

export interface Pixels {
  data: Buffer;
  width: number;
  height: number;
}

/** Channel count of raw pixels. */
function channelsOf(p: Pixels): number {
  return p.data.length / (p.width * p.height);
}

/**
 * Pixels of an RGBA image that are opaque and at least `margin` px away from any non-opaque pixel
 * (JPEG blocks straddling the subject's outline mix in the background; those are left out).
 */
export function deepOpaquePixels(rgba: Pixels, margin: number): number[] {
  const { width, height, data } = rgba;
  const out: number[] = [];
  for (let y = margin; y < height - margin; y++) {
    for (let x = margin; x < width - margin; x++) {
      let solid = true;
      for (let dy = -margin; dy <= margin && solid; dy++) {
        for (let dx = -margin; dx <= margin; dx++) {
          if (data[((y + dy) * width + x + dx) * 4 + 3] !== 255) {
            solid = false;
            break;
          }
        }
      }
      if (solid) out.push(y * width + x);
    }
  }
  return out;
}

/** Largest and mean absolute RGB difference over the given pixel indices. */
export function rgbDifference(a: Pixels, b: Pixels, pixels: number[]): { max: number; mean: number } {
  const ca = channelsOf(a);
  const cb = channelsOf(b);
  let max = 0;
  let sum = 0;
  for (const p of pixels) {
    for (let c = 0; c < 3; c++) {
      const d = Math.abs(a.data[p * ca + c] - b.data[p * cb + c]);
      sum += d;
      if (d > max) max = d;
    }
  }
  return { max, mean: pixels.length ? sum / (pixels.length * 3) : 0 };
}

/** Indices of every pixel inside a box. */
export function boxPixels(image: Pixels, box: { top: number; left: number; width: number; height: number }): number[] {
  const out: number[] = [];
  for (let y = box.top; y < Math.min(image.height, box.top + box.height); y++) {
    for (let x = box.left; x < Math.min(image.width, box.left + box.width); x++) out.push(y * image.width + x);
  }
  return out;
}

/** Indices of pixels fully transparent in the RGBA subject (pure background in the result). */
export function transparentPixels(rgba: Pixels): number[] {
  const out: number[] = [];
  for (let p = 0; p < rgba.width * rgba.height; p++) if (rgba.data[p * 4 + 3] === 0) out.push(p);
  return out;
}
