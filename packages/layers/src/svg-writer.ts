/**
 * The editable SVG: the plain image embedded as a data URI, each mask a `<rect>` (rounded corners,
 * gradient, drop-shadow filter, opacity), each text a `<text>` naming its font family, then the bundled
 * fallback, common desktop CJK fonts and `sans-serif`; positions and fitted sizes are the ones the PNG uses.
 * `fontFaces` (CSS) embeds the fallback font's subset, so the SVG shows the same glyphs in any browser.
 */
import { type Colour, type Shadow, blurReach, hexRgb, parseColour, round } from './css-values.js';
import type { MaskLayerModel, Rect } from './layer-model.js';
import { cornerRadius, gradientLine, gradientStops } from './canvas-painter.js';
import type { TextPlacement } from './text-placement.js';

/** CJK families common on desktops, tried after the layer's family and the bundled one. */
const SYSTEM_CJK_FAMILIES = ['Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei'];

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function paint(attr: 'fill' | 'stroke', c: Colour): string {
  return ` ${attr}="${hexRgb(c)}"${c.a < 1 ? ` ${attr}-opacity="${round(c.a, 4)}"` : ''}`;
}

/** A drop-shadow filter; its region (user space) is the layer box grown to hold the shadow. */
function shadowFilter(id: string, s: Shadow, box: Rect): string {
  const reach = blurReach(s.blur);
  const left = Math.min(box.left, box.left + s.dx - reach);
  const top = Math.min(box.top, box.top + s.dy - reach);
  const right = Math.max(box.left + box.width, box.left + box.width + s.dx + reach);
  const bottom = Math.max(box.top + box.height, box.top + box.height + s.dy + reach);
  return (
    `<filter id="${id}" filterUnits="userSpaceOnUse" x="${round(left)}" y="${round(top)}" width="${round(right - left)}" height="${round(bottom - top)}" color-interpolation-filters="sRGB">` +
    `<feGaussianBlur in="SourceAlpha" stdDeviation="${round(s.blur / 2)}"/>` +
    `<feOffset dx="${round(s.dx)}" dy="${round(s.dy)}" result="offset"/>` +
    `<feFlood flood-color="${hexRgb(s.colour)}" flood-opacity="${round(s.colour.a, 4)}"/>` +
    `<feComposite in2="offset" operator="in"/>` +
    `<feMerge><feMergeNode/><feMergeNode in="SourceGraphic"/></feMerge></filter>`
  );
}

/** One drawable: a mask layer or a placed text. */
export type SvgItem = { kind: 'mask'; mask: MaskLayerModel; shadow?: Shadow } | { kind: 'text'; text: TextPlacement };

/** Writes the SVG document. */
export function writeSvg(width: number, height: number, image: { mime: string; bytes: Buffer }, items: SvgItem[], fontFaces = ''): string {
  const defs: string[] = fontFaces ? [`<style>${fontFaces}</style>`] : [];
  const body: string[] = [];
  items.forEach((item, i) => {
    if (item.kind === 'mask') {
      const m = item.mask;
      const stops = gradientStops(m);
      let fill: string;
      if (stops) {
        const line = gradientLine(m);
        defs.push(
          `<linearGradient id="gradient-${i}" gradientUnits="userSpaceOnUse" x1="${round(line.x1)}" y1="${round(line.y1)}" x2="${round(line.x2)}" y2="${round(line.y2)}">` +
            stops.map((s) => `<stop offset="${round(s.offset, 4)}" stop-color="${hexRgb(s.colour)}" stop-opacity="${round(s.colour.a, 4)}"/>`).join('') +
            `</linearGradient>`,
        );
        fill = ` fill="url(#gradient-${i})"`;
      } else {
        const colour = parseColour(m.color);
        if (!colour) return;
        fill = paint('fill', colour);
      }
      if (item.shadow) defs.push(shadowFilter(`shadow-${i}`, item.shadow, m));
      const r = round(cornerRadius(m));
      body.push(
        `<rect id="layer-${m.idx}" data-layer="text_mask" x="${m.left}" y="${m.top}" width="${m.width}" height="${m.height}"` +
          (r > 0 ? ` rx="${r}" ry="${r}"` : '') +
          fill +
          (m.opacity !== undefined && m.opacity < 1 ? ` opacity="${round(m.opacity, 4)}"` : '') +
          (item.shadow ? ` filter="url(#shadow-${i})"` : '') +
          `/>`,
      );
      return;
    }
    const t = item.text;
    if (t.shadow) defs.push(shadowFilter(`shadow-${i}`, t.shadow, t.box));
    const family = [...t.families, ...SYSTEM_CJK_FAMILIES]
      .map((f) => `'${f}'`)
      .concat('sans-serif')
      .join(', ');
    // Horizontal decorations are text-decoration (they follow the text when it is edited); vertical ones bars.
    const decoration = t.vertical ? '' : [t.layer.fontUnderLine ? 'underline' : '', t.layer.fontLineThrough ? 'line-through' : ''].filter(Boolean).join(' ');
    // The outline is a <use> copy of the text, stroked, beneath it: the text stays one editable element and
    // the fill covers the stroke's inner half in every renderer (paint-order is not supported everywhere).
    const stroke = t.stroke ? `${paint('stroke', t.stroke.colour)} stroke-width="${round(t.stroke.width * 2)}" stroke-linejoin="round"` : '';
    const outline = t.stroke ? `<use xlink:href="#text-${i}" href="#text-${i}" data-role="outline"${stroke}/>` : '';
    const spans = t.runs.map((r) => `<tspan x="${round(r.x)}" y="${round(r.y)}">${esc(r.text)}</tspan>`).join('');
    const bars = (t.vertical ? t.decorations : [])
      .map((d) => {
        const rect = `<rect x="${round(d.left)}" y="${round(d.top)}" width="${round(d.width)}" height="${round(d.height)}"${paint('fill', t.colour)}`;
        return (stroke ? `${rect}${stroke}/>` : '') + `${rect}/>`;
      })
      .join('');
    body.push(
      `<g id="layer-${t.layer.idx}" data-layer="text"${t.layer.subType ? ` data-sub-type="${esc(t.layer.subType)}"` : ''}` +
        (t.opacity < 1 ? ` opacity="${round(t.opacity, 4)}"` : '') +
        (t.shadow ? ` filter="url(#shadow-${i})"` : '') +
        `>` +
        outline +
        `<text id="text-${i}" xml:space="preserve" font-family="${esc(family)}" font-size="${round(t.fontSize)}" font-weight="${t.weight}"` +
        (t.italic ? ` font-style="italic"` : '') +
        ` text-anchor="${t.anchor}"${decoration ? ` text-decoration="${decoration}"` : ''}${paint('fill', t.colour)}>${spans}</text>${bars}</g>`,
    );
  });
  const uri = `data:${image.mime};base64,${image.bytes.toString('base64')}`;
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">\n` +
    (defs.length ? `<defs>${defs.join('')}</defs>\n` : '') +
    `<image id="plain" x="0" y="0" width="${width}" height="${height}" xlink:href="${uri}"/>\n` +
    body.join('\n') +
    `\n</svg>\n`
  );
}
