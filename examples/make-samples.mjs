// Re-creates the sample cut-outs (cutouts/*.png) and decorations (deco/*.png) from Microsoft's Fluent
// Emoji (MIT), as packaged on npm by @iconify-json/fluent-emoji@1.2.7. The package is ~100 MB, so it is not
// a dependency of the workspace (the PNGs are committed); fetch it once into a scratch folder and point
// the script at it: `npm install --prefix /tmp/emoji @iconify-json/fluent-emoji@1.2.7 &&
// FLUENT_EMOJI_DIR=/tmp/emoji/node_modules/@iconify-json/fluent-emoji node examples/make-samples.mjs`. Each drawing is rendered large with sharp (librsvg), cropped to its
// opaque extent, scaled to fit a share of the canvas and centred on a transparent canvas. Then the alpha is
// made exact: only the drawing's largest connected shape (alpha ≥ 128) is kept (no loose specks, steam,
// swooshes or faint glows), enclosed gaps are filled, and partial alpha is left only on the outline.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const require = createRequire(import.meta.url);
const iconsFile = process.env.FLUENT_EMOJI_DIR
  ? `${process.env.FLUENT_EMOJI_DIR}/icons.json`
  : (() => {
      try {
        return require.resolve('@iconify-json/fluent-emoji/icons.json');
      } catch {
        console.error('make-samples: @iconify-json/fluent-emoji is not installed; see the comment at the top of this script (FLUENT_EMOJI_DIR)');
        process.exit(2);
      }
    })();
const iconSet = JSON.parse(readFileSync(iconsFile, 'utf8'));
const here = fileURLToPath(new URL('./', import.meta.url));

/**
 * What is made: file, Fluent Emoji name, canvas size, share of the canvas the drawing may fill, and where
 * its centre goes (share of width and height; default the middle). Decorations become edge elements, which
 * the service takes at the subject's size: each is drawn on a canvas of its product's size, off to the
 * side, where it should appear next to that product (a blossom in front of the cup's corner, leaves behind
 * the sneaker, a cat behind the plant).
 */
const SAMPLES = [
  { file: 'cutouts/cup.png', icon: 'teacup-without-handle', width: 600, height: 400, fill: 0.68 },
  { file: 'cutouts/sneaker.png', icon: 'running-shoe', width: 720, height: 540, fill: 0.66 },
  { file: 'cutouts/lotion.png', icon: 'lotion-bottle', width: 500, height: 500, fill: 0.7 },
  { file: 'cutouts/plant.png', icon: 'potted-plant', width: 540, height: 600, fill: 0.72 },
  { file: 'deco/peach.png', icon: 'cherry-blossom', width: 600, height: 400, fill: 0.3, at: [0.14, 0.76] },
  { file: 'deco/leaves.png', icon: 'herb', width: 720, height: 540, fill: 0.5, at: [0.8, 0.4] },
  { file: 'deco/cat.png', icon: 'cat-face', width: 540, height: 600, fill: 0.26, at: [0.18, 0.7] },
];

function iconSvg(name, side) {
  const icon = iconSet.icons[name];
  if (!icon) throw new Error(`no icon ${name} in @iconify-json/fluent-emoji`);
  const w = icon.width ?? iconSet.width ?? 16;
  const h = icon.height ?? iconSet.height ?? 16;
  return Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="${icon.left ?? 0} ${icon.top ?? 0} ${w} ${h}" width="${side}" height="${side}">${icon.body}</svg>`);
}

/** Labels 8-connected regions of `inside(i)`; returns the label array and each label's size. */
function components(width, height, inside) {
  const label = new Int32Array(width * height).fill(-1);
  const sizes = [];
  const stack = [];
  for (let start = 0; start < width * height; start++) {
    if (label[start] !== -1 || !inside(start)) continue;
    const id = sizes.length;
    let size = 0;
    label[start] = id;
    stack.push(start);
    while (stack.length > 0) {
      const p = stack.pop();
      size++;
      const x = p % width;
      const y = (p - x) / width;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          const ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
          const q = ny * width + nx;
          if (label[q] === -1 && inside(q)) {
            label[q] = id;
            stack.push(q);
          }
        }
      }
    }
    sizes.push(size);
  }
  return { label, sizes };
}

/** Keeps the largest shape, fills its enclosed gaps, and makes its alpha 255 everywhere but the outline. */
function exactAlpha(data, width, height) {
  const n = width * height;
  const alpha = (i) => data[i * 4 + 3];
  const shapes = components(width, height, (i) => alpha(i) >= 128); // faint glows and shadows are not the product
  const largest = shapes.sizes.indexOf(Math.max(...shapes.sizes));
  const kept = (i) => shapes.label[i] === largest;
  // Outside = not kept and reachable from the border without crossing the kept shape.
  const outside = new Uint8Array(n);
  const stack = [];
  for (let i = 0; i < n; i++) {
    const x = i % width;
    const y = (i - x) / width;
    if ((x === 0 || y === 0 || x === width - 1 || y === height - 1) && !kept(i)) {
      outside[i] = 1;
      stack.push(i);
    }
  }
  while (stack.length > 0) {
    const p = stack.pop();
    const x = p % width;
    const y = (p - x) / width;
    for (const [nx, ny] of [
      [x - 1, y],
      [x + 1, y],
      [x, y - 1],
      [x, y + 1],
    ]) {
      if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
      const q = ny * width + nx;
      if (!outside[q] && !kept(q)) {
        outside[q] = 1;
        stack.push(q);
      }
    }
  }
  const nearOutside = (i) => {
    const x = i % width;
    const y = (i - x) / width;
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const nx = x + dx;
        const ny = y + dy;
        if (nx >= 0 && ny >= 0 && nx < width && ny < height && outside[ny * width + nx]) return true;
      }
    }
    return false;
  };
  const out = Buffer.from(data);
  for (let i = 0; i < n; i++) {
    if (outside[i]) {
      out.fill(0, i * 4, i * 4 + 4);
    } else if (!nearOutside(i)) {
      out[i * 4 + 3] = 255; // inside the outline: opaque (RGB from sharp is not premultiplied)
    } else if (!kept(i)) {
      out.fill(0, i * 4, i * 4 + 4); // faint fringe or a gap that touches the outside diagonally
    }
  }
  return out;
}

async function makeSample({ file, icon, width, height, fill, at = [0.5, 0.5] }) {
  // Cleaned once at the large size (so steam or glow do not count in the crop), once more after scaling.
  const SIDE = 1024;
  const rendered = await sharp(iconSvg(icon, SIDE)).ensureAlpha().raw().toBuffer();
  const big = await sharp(exactAlpha(rendered, SIDE, SIDE), { raw: { width: SIDE, height: SIDE, channels: 4 } })
    .png()
    .toBuffer();
  const trimmed = await sharp(big)
    .trim({ background: { r: 0, g: 0, b: 0, alpha: 0 }, threshold: 0 })
    .png()
    .toBuffer();
  const fitted = await sharp(trimmed)
    .resize(Math.round(width * fill), Math.round(height * fill), { fit: 'inside', kernel: 'lanczos3' })
    .png()
    .toBuffer({ resolveWithObject: true });
  const left = Math.max(0, Math.min(width - fitted.info.width, Math.floor(width * at[0] - fitted.info.width / 2)));
  const top = Math.max(0, Math.min(height - fitted.info.height, Math.floor(height * at[1] - fitted.info.height / 2)));
  const { data, info } = await sharp({ create: { width, height, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
    .composite([{ input: fitted.data, left, top }])
    .raw()
    .toBuffer({ resolveWithObject: true });
  const clean = exactAlpha(data, info.width, info.height);
  await sharp(clean, { raw: { width, height, channels: 4 } })
    .png({ compressionLevel: 9 })
    .toFile(here + file);
  console.log(`${file}: ${icon}, ${width}×${height}, drawing ${fitted.info.width}×${fitted.info.height}`);
}

for (const sample of SAMPLES) await makeSample(sample);
