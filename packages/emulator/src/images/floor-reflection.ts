/**
 * A glossy floor's reflection of the subject: its lower part mirrored below its base, faint, fading with
 * distance and softened. Drawn at the background's work size, behind the subject and under its contact
 * shadow, so the subject's own pixels are never touched.
 */
import sharp from 'sharp';
import type { SubjectFootprint } from './subject-footprint.js';

/** The reflection overlay (undefined when there is no floor below the subject's base to show it on). */
export async function floorReflection(footprint: SubjectFootprint, strength: number): Promise<sharp.OverlayOptions | undefined> {
  const { box, width, height } = footprint;
  const bw = box.right - box.left + 1;
  const room = height - 1 - box.bottom;
  const depth = Math.min(room, Math.round((box.bottom - box.top + 1) * 0.35));
  if (depth < 3 || bw < 3) return undefined;
  const mirrored = await sharp(footprint.rgba, { raw: { width, height, channels: 4 } })
    .extract({ left: box.left, top: box.bottom - depth + 1, width: bw, height: depth })
    .flip()
    .raw()
    .toBuffer();
  // Fade: alpha × a vertical ramp from `strength` at the base to 0 at `depth`.
  const ramp = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${bw}" height="${depth}"><defs><linearGradient id="f" x1="0" y1="0" x2="0" y2="1">` +
      `<stop offset="0" stop-color="#fff" stop-opacity="${strength}"/><stop offset="1" stop-color="#fff" stop-opacity="0"/></linearGradient></defs>` +
      `<rect width="${bw}" height="${depth}" fill="url(#f)"/></svg>`,
  );
  const faded = await sharp(mirrored, { raw: { width: bw, height: depth, channels: 4 } })
    .composite([{ input: ramp, blend: 'dest-in' }])
    .blur(Math.max(0.5, depth * 0.03))
    .png()
    .toBuffer();
  return { input: faded, left: box.left, top: box.bottom + 1 };
}
