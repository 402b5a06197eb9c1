/** Synthetic test images made with sharp: a subject cut-out, a reference photo, an edge element. */
import sharp from 'sharp';

/**
 * An RGBA PNG subject: transparent background, an opaque ellipse in the middle painted with smooth
 * gradients and waves (neighbouring pixels differ, so exact-copy checks mean something, while staying
 * friendly to JPEG), and a soft semi-transparent rim.
 */
export async function makeSubject(width: number, height: number): Promise<Buffer> {
  const data = Buffer.alloc(width * height * 4);
  const cx = width / 2;
  const cy = height / 2;
  const rx = width * 0.3;
  const ry = height * 0.35;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const d = Math.hypot((x - cx) / rx, (y - cy) / ry);
      const i = (y * width + x) * 4;
      data[i] = Math.round(30 + (200 * x) / width);
      data[i + 1] = Math.round(40 + (180 * y) / height);
      data[i + 2] = Math.round(128 + 90 * Math.sin(x / 9) * Math.cos(y / 11));
      data[i + 3] = d <= 1 ? 255 : d <= 1.15 ? Math.round(((1.15 - d) / 0.15) * 200) : 0;
    }
  }
  return sharp(data, { raw: { width, height, channels: 4 } })
    .png()
    .toBuffer();
}

/** Raw RGBA pixels of a PNG. */
export async function rgbaPixels(png: Buffer): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** Raw RGB pixels of any image. */
export async function rgbPixels(image: Buffer): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(image).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** A JPEG "photo": a two-colour diagonal gradient with stripes. */
export async function makeReference(width: number, height: number): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#2060c0"/><stop offset="1" stop-color="#e0a030"/></linearGradient></defs>
    <rect width="${width}" height="${height}" fill="url(#g)"/>
    <rect x="0" y="${Math.round(height * 0.6)}" width="${width}" height="${Math.round(height * 0.1)}" fill="#206020"/></svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 90 }).toBuffer();
}

/**
 * An HED-like edge element: black RGB with white strokes (a centred ring of `ringFraction` × the short
 * side, and a vertical line at x = `lineX`), fully opaque alpha.
 */
export async function makeEdgeElement(width: number, height: number, ringFraction = 0.3, lineX = -100): Promise<Buffer> {
  const data = Buffer.alloc(width * height * 4);
  const cx = width / 2;
  const cy = height / 2;
  const r = Math.min(width, height) * ringFraction;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const ring = Math.abs(Math.hypot(x - cx, y - cy) - r) < 3 || Math.abs(x - lineX) < 3 ? 255 : 0;
      data[i] = data[i + 1] = data[i + 2] = ring;
      data[i + 3] = 255;
    }
  }
  return sharp(data, { raw: { width, height, channels: 4 } })
    .png()
    .toBuffer();
}

/** An RGB PNG (no alpha) — not a valid base image. */
export async function makeOpaquePng(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: '#808080' } })
    .png()
    .toBuffer();
}
