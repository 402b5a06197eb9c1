/**
 * The small "emulator" mark in the bottom-right corner of every result, so an emulator image is never
 * mistaken for the service's. Drawn into the set, behind the subject: it never covers the subject's pixels.
 */
import sharp from 'sharp';

/** The mark as an overlay for a `width`×`height` image (undefined when the image is too small for it). */
export async function emulatorWatermark(width: number, height: number): Promise<sharp.OverlayOptions | undefined> {
  const size = Math.max(9, Math.round(Math.min(width, height) * 0.028));
  const w = Math.round(size * 5.2);
  const h = Math.round(size * 1.5);
  if (w + 4 > width || h + 4 > height) return undefined;
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">` +
    `<text x="${w - 1}" y="${Math.round(size * 1.1)}" text-anchor="end" font-family="DejaVu Sans, Liberation Sans, sans-serif" ` +
    `font-size="${size}" fill="#ffffff" fill-opacity="0.55" stroke="#000000" stroke-opacity="0.25" stroke-width="${Math.max(0.5, size / 14)}">emulator</text></svg>`;
  const margin = Math.round(size * 0.6);
  return { input: await sharp(Buffer.from(svg)).png().toBuffer(), left: Math.max(0, width - w - margin), top: Math.max(0, height - h - Math.round(margin / 2)) };
}
