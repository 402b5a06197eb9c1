/**
 * Where the subject stands: its bounding box and per-row coverage, measured on its alpha at a small size
 * (the work size of the background). Used to put the horizon behind it, its contact shadow under its base,
 * and the title in the emptiest band.
 */
import sharp from 'sharp';

/** The subject's alpha at a small size, and what was measured on it. */
export interface SubjectFootprint {
  /** Size the alpha was measured at. */
  width: number;
  height: number;
  /** Alpha, `width`×`height`, one byte a pixel. */
  alpha: Buffer;
  /** The subject itself at this size, RGBA (for its reflection). */
  rgba: Buffer;
  /** Bounding box of pixels with alpha ≥ 32 (the whole image when there are none). */
  box: { left: number; top: number; right: number; bottom: number };
  /** Share of each row covered by the subject (0–1), top to bottom. */
  rowCoverage: number[];
}

/** Measures the subject (raw RGBA at full size) at `width`×`height`. */
export async function measureSubject(rgba: Buffer, fullWidth: number, fullHeight: number, width: number, height: number): Promise<SubjectFootprint> {
  const small = await sharp(rgba, { raw: { width: fullWidth, height: fullHeight, channels: 4 } })
    .resize(width, height, { fit: 'fill' })
    .raw()
    .toBuffer();
  const alpha = await sharp(small, { raw: { width, height, channels: 4 } })
    .extractChannel(3)
    .raw()
    .toBuffer();
  const box = { left: width, top: height, right: -1, bottom: -1 };
  const rowCoverage: number[] = [];
  for (let y = 0; y < height; y++) {
    let sum = 0;
    for (let x = 0; x < width; x++) {
      const a = alpha[y * width + x];
      sum += a;
      if (a >= 32) {
        if (x < box.left) box.left = x;
        if (x > box.right) box.right = x;
        if (y < box.top) box.top = y;
        if (y > box.bottom) box.bottom = y;
      }
    }
    rowCoverage.push(sum / 255 / width);
  }
  if (box.right < 0) return { width, height, alpha, rgba: small, box: { left: 0, top: 0, right: width - 1, bottom: height - 1 }, rowCoverage };
  return { width, height, alpha, rgba: small, box, rowCoverage };
}

/**
 * The horizontal band of `bandHeight` rows (in footprint pixels) the subject covers least; on a tie the
 * one nearest the top. Returned in footprint pixels.
 */
export function emptiestBand(footprint: SubjectFootprint, bandHeight: number): { top: number; height: number } {
  const rows = footprint.rowCoverage;
  const h = Math.max(1, Math.min(rows.length, Math.round(bandHeight)));
  let sum = 0;
  for (let y = 0; y < h; y++) sum += rows[y];
  let best = { top: 0, sum };
  for (let top = 1; top + h <= rows.length; top++) {
    sum += rows[top + h - 1] - rows[top - 1];
    if (sum < best.sum - 1e-9) best = { top, sum };
  }
  return { top: best.top, height: h };
}
