/**
 * The subject's shadow on the floor, from its own alpha: the silhouette squashed flat, blurred and laid
 * under its base (a tight dark contact shadow and a wider, softer one thrown away from the light). Drawn at
 * the background's work size, behind the subject, so the subject's own pixels are never touched.
 */
import sharp from 'sharp';
import type { SubjectFootprint } from './subject-footprint.js';

async function squashedShadow(
  footprint: SubjectFootprint,
  widthScale: number,
  heightShare: number,
  blurShare: number,
  opacity: number,
  shiftX: number,
): Promise<sharp.OverlayOptions | undefined> {
  const { box, width, height } = footprint;
  const bw = box.right - box.left + 1;
  const bh = box.bottom - box.top + 1;
  const sigma = Math.max(0.6, bh * blurShare);
  const pad = Math.ceil(sigma * 3);
  // An overlay may not be larger than the image it is laid on.
  const w = Math.min(width - 2 * pad, Math.max(2, Math.round(bw * widthScale)));
  const h = Math.min(height - 2 * pad, Math.max(2, Math.round(bh * heightShare)));
  if (w < 2 || h < 2) return undefined;
  const silhouette = await sharp(footprint.alpha, { raw: { width, height, channels: 1 } })
    .extract({ left: box.left, top: box.top, width: bw, height: bh })
    .resize(w, h, { fit: 'fill' })
    .extend({ top: pad, bottom: pad, left: pad, right: pad, background: '#000000' })
    .blur(sigma)
    .linear(opacity, 0)
    .extractChannel(0)
    .raw()
    .toBuffer();
  const sw = w + 2 * pad;
  const sh = h + 2 * pad;
  const layer = await sharp({ create: { width: sw, height: sh, channels: 3, background: { r: 12, g: 10, b: 8 } } })
    .joinChannel(silhouette, { raw: { width: sw, height: sh, channels: 1 } })
    .png()
    .toBuffer();
  return {
    input: layer,
    left: Math.round((box.left + box.right) / 2 - sw / 2 + shiftX * bw),
    top: Math.round(box.bottom - h * 0.5 - pad),
  };
}

/** Shadow overlays for a background at the footprint's size; `lightSide` −1 = light from the left. */
export async function contactShadows(footprint: SubjectFootprint, lightSide: -1 | 1): Promise<sharp.OverlayOptions[]> {
  const layers = [await squashedShadow(footprint, 1.25, 0.16, 0.05, 0.35, -lightSide * 0.12), await squashedShadow(footprint, 0.95, 0.06, 0.012, 0.7, -lightSide * 0.02)];
  return layers.filter((layer): layer is sharp.OverlayOptions => layer !== undefined);
}
