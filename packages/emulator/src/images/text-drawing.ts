/** Draws a title layout (mask, title, pill, sub-title) onto an image with the bundled CJK font. */
import sharp from 'sharp';
import { escapeXml } from '../xml-escape.js';
import type { RawImage } from './background.js';
import { type FontWeight, fontDescription, fontFile } from './fonts.js';
import { rgbToHex } from './palette.js';
import type { Box, TitleLayout, TitleStyle } from './text-layout.js';

/** Renders `text` as an RGBA PNG in one colour (alpha 0–1). */
async function renderText(text: string, weight: FontWeight, sizePx: number, colour: string, alpha = 1): Promise<{ png: Buffer; width: number; height: number }> {
  const alphaAttr = alpha < 1 ? ` alpha="${Math.round(alpha * 100)}%"` : '';
  const { data, info } = await sharp({
    text: {
      text: `<span foreground="${colour}"${alphaAttr}>${escapeXml(text)}</span>`,
      font: fontDescription(weight, sizePx),
      fontfile: fontFile(weight),
      rgba: true,
      dpi: 72,
    },
  })
    .png()
    .toBuffer({ resolveWithObject: true });
  return { png: data, width: info.width, height: info.height };
}

/** An overlay placed at (left, top), cropped to the canvas so libvips accepts it. */
async function placed(png: Buffer, width: number, height: number, left: number, top: number, canvas: { width: number; height: number }): Promise<sharp.OverlayOptions | undefined> {
  const x0 = Math.max(0, left);
  const y0 = Math.max(0, top);
  const x1 = Math.min(canvas.width, left + width);
  const y1 = Math.min(canvas.height, top + height);
  if (x1 <= x0 || y1 <= y0) return undefined;
  if (x0 === left && y0 === top && x1 - x0 === width && y1 - y0 === height) return { input: png, left, top };
  const cropped = await sharp(png)
    .extract({ left: x0 - left, top: y0 - top, width: x1 - x0, height: y1 - y0 })
    .png()
    .toBuffer();
  return { input: cropped, left: x0, top: y0 };
}

function parseShadowOffset(shadow: string): [number, number] {
  const m = /^(-?\d+)px\s+(-?\d+)px/.exec(shadow);
  return m ? [Number(m[1]), Number(m[2])] : [0, 0];
}

async function centredText(
  content: string,
  weight: FontWeight,
  sizePx: number,
  colour: string,
  box: Box,
  canvas: { width: number; height: number },
  decorations: { shadow?: string; stroke?: string } = {},
): Promise<sharp.OverlayOptions[]> {
  const text = await renderText(content, weight, sizePx, colour);
  const left = box.left + Math.round((box.width - text.width) / 2);
  const top = box.top + Math.round((box.height - text.height) / 2);
  const overlays: (sharp.OverlayOptions | undefined)[] = [];
  if (decorations.shadow) {
    const [dx, dy] = parseShadowOffset(decorations.shadow);
    if (dx !== 0 || dy !== 0) {
      const shade = await renderText(content, weight, sizePx, '#808080', 0.5);
      overlays.push(await placed(shade.png, shade.width, shade.height, left + dx, top + dy, canvas));
    }
  }
  const stroke = decorations.stroke ? /^(\d+)px\s+#([0-9a-f]{6})([0-9a-f]{2})?$/i.exec(decorations.stroke) : null;
  if (stroke && Number(stroke[1]) > 0) {
    // An outline: the text in the stroke colour, shifted by the stroke width in eight directions.
    const width = Number(stroke[1]);
    const alpha = stroke[3] ? parseInt(stroke[3], 16) / 255 : 1;
    const outline = await renderText(content, weight, sizePx, `#${stroke[2]}`, alpha);
    for (const [dx, dy] of [[-1, -1], [0, -1], [1, -1], [-1, 0], [1, 0], [-1, 1], [0, 1], [1, 1]]) {
      overlays.push(await placed(outline.png, outline.width, outline.height, left + dx * width, top + dy * width, canvas));
    }
  }
  overlays.push(await placed(text.png, text.width, text.height, left, top, canvas));
  return overlays.filter((o): o is sharp.OverlayOptions => o !== undefined);
}

function maskSvg(layout: TitleLayout, colour: string): Buffer {
  const { width, height } = layout.mask;
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
      `<defs><linearGradient id="m" x1="0" y1="1" x2="0" y2="0"><stop offset="0" stop-color="${colour}" stop-opacity="0"/>` +
      `<stop offset="1" stop-color="${colour}" stop-opacity="1"/></linearGradient></defs>` +
      `<rect width="${width}" height="${height}" fill="url(#m)" opacity="0.8"/></svg>`,
  );
}

function pillSvg(box: Box & { radius: number }, colour: string, shadow: string): { svg: Buffer; pad: number } {
  const [dx, dy] = parseShadowOffset(shadow);
  const pad = Math.max(Math.abs(dx), Math.abs(dy));
  const r = Math.min(box.radius, box.height / 2, box.width / 2);
  const shade = pad > 0 ? `<rect x="${pad + dx}" y="${pad + dy}" width="${box.width}" height="${box.height}" rx="${r}" fill="#808080" fill-opacity="0.5"/>` : '';
  return {
    svg: Buffer.from(
      `<svg xmlns="http://www.w3.org/2000/svg" width="${box.width + 2 * pad}" height="${box.height + 2 * pad}">${shade}` +
        `<rect x="${pad}" y="${pad}" width="${box.width}" height="${box.height}" rx="${r}" fill="${colour}"/></svg>`,
    ),
    pad,
  };
}

/** Draws the layout onto `image` (raw RGB) and returns raw RGB of the same size. */
export async function drawTitle(image: RawImage, layout: TitleLayout, style: TitleStyle): Promise<RawImage> {
  const canvas = { width: image.width, height: image.height };
  const overlays: sharp.OverlayOptions[] = [{ input: maskSvg(layout, rgbToHex(style.maskColour)), left: 0, top: 0 }];
  overlays.push(
    ...(await centredText(layout.title.content, 'Regular', layout.title.fontSize, rgbToHex(style.titleColour), layout.title, canvas, {
      shadow: style.titleShadow,
      stroke: style.titleStroke,
    })),
  );
  if (layout.pill && layout.subTitle) {
    const { svg, pad } = pillSvg(layout.pill, rgbToHex(style.pillColour), style.pillShadow);
    const pillPng = await sharp(svg).png().toBuffer({ resolveWithObject: true });
    const pill = await placed(pillPng.data, pillPng.info.width, pillPng.info.height, layout.pill.left - pad, layout.pill.top - pad, canvas);
    if (pill) overlays.push(pill);
    overlays.push(
      ...(await centredText(layout.subTitle.content, 'Medium', layout.subTitle.fontSize, rgbToHex(style.subTitleColour), layout.subTitle, canvas)),
    );
  }
  const data = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels } })
    .composite(overlays)
    .removeAlpha()
    .raw()
    .toBuffer();
  return { data, width: image.width, height: image.height, channels: 3 };
}
