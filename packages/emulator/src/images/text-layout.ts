/**
 * Title layout and the `text_results.params` the service returns with it: a translucent gradient mask at
 * the top, the title centred, and a rounded pill with the sub-title. Proportions follow the recorded reply
 * (1024 px wide: title 67 px, box 385×77 at top 25; pill 233×50 at top 118; mask height 257).
 */
import { type Rgb, rgbToHex } from './palette.js';

/** A box in output pixels. */
export interface Box {
  top: number;
  left: number;
  width: number;
  height: number;
}

/** Where everything goes on one image. */
export interface TitleLayout {
  width: number;
  height: number;
  mask: Box;
  title: Box & { fontSize: number; content: string };
  pill?: Box & { radius: number };
  subTitle?: Box & { fontSize: number; content: string };
  /** Which edge of the mask is opaque: `top` (title at the top of its band) or `bottom`. */
  maskOpaqueEdge: 'top' | 'bottom';
}

/** Colours and decorations of one variant's title. */
export interface TitleStyle {
  maskColour: Rgb;
  titleColour: Rgb;
  pillColour: Rgb;
  subTitleColour: Rgb;
  fontFamily: string;
  /** e.g. `1px 0px #80808080`. */
  titleShadow: string;
  /** Outline of the title, e.g. `1px #fffffff0` (width and colour with alpha). */
  titleStroke: string;
  /** e.g. `2px 1px #80808080`. */
  pillShadow: string;
}

/** Font names the service reports. */
export const SERVICE_FONT_FAMILIES = ['阿里巴巴普惠体', '站酷文艺体', '钉钉进步体'] as const;

/** Width of `text` in em: CJK and other wide characters 1 em, narrow ones about 0.55 em. */
export function textWidthEm(text: string): number {
  let em = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    em += code >= 0x1100 && !(code >= 0xff61 && code <= 0xffdc) ? 1 : /[A-Z0-9MW]/.test(ch) ? 0.65 : 0.55;
  }
  return em;
}

function clampBox(box: Box, width: number, height: number): Box {
  const w = Math.max(1, Math.min(width, box.width));
  const h = Math.max(1, Math.min(height, box.height));
  return {
    width: w,
    height: h,
    left: Math.max(0, Math.min(width - w, box.left)),
    top: Math.max(0, Math.min(height - h, box.top)),
  };
}

/**
 * Lays out a title (and optional sub-title) on a `width`×`height` image, inside `band` (default: the whole
 * image). The title block sits at the top of a band in the upper half of the image and at the bottom of a
 * band in the lower half; the mask fades away from that edge.
 */
export function layoutTitle(width: number, height: number, title: string, subTitle?: string, band?: Box): TitleLayout {
  const area = band ? clampBox(band, width, height) : { top: 0, left: 0, width, height };
  const atBottom = area.top + area.height / 2 > height / 2 && band !== undefined;
  const bw = area.width;
  const bh = area.height;
  const titleEm = textWidthEm(title) + 0.75;
  const titleFont = Math.max(6, Math.min(Math.round(width * 0.0655), Math.floor((bw * 0.9) / titleEm), Math.round(bh * 0.2)));
  const titleBox = clampBox(
    {
      width: Math.round(titleEm * titleFont),
      height: Math.round(titleFont * 1.15),
      left: Math.floor((bw - Math.round(titleEm * titleFont)) / 2),
      top: Math.round(titleFont * 0.375),
    },
    bw,
    bh,
  );
  let bottom = titleBox.top + titleBox.height;
  let pill: TitleLayout['pill'];
  let sub: TitleLayout['subTitle'];
  if (subTitle) {
    const subEm = textWidthEm(subTitle) + 1.6;
    const subFont = Math.max(5, Math.min(Math.round(titleFont * 0.4), Math.floor((bw * 0.9) / subEm)));
    const pillWidth = Math.round(subEm * subFont);
    const box = clampBox(
      {
        width: pillWidth,
        height: Math.round(subFont * 1.85),
        left: Math.floor((bw - pillWidth) / 2),
        top: bottom + Math.round(titleFont * 0.24),
      },
      bw,
      bh,
    );
    pill = { ...box, radius: Math.round(box.height * 0.74) };
    sub = { ...box, fontSize: subFont, content: subTitle };
    bottom = box.top + box.height;
  }
  const maskHeight = Math.max(1, Math.min(bh, Math.round(bottom * 1.53)));
  // Boxes so far are relative to the band's top-left with the block at its top. At the bottom of a band
  // the mask ends at the band's bottom edge and the block is mirrored inside it (same margin below).
  const dy = area.top + (atBottom ? bh - maskHeight : 0);
  const shift = atBottom ? maskHeight - titleBox.top - bottom : 0;
  const move = <T extends Box>(b: T): T => ({ ...b, left: b.left + area.left, top: b.top + dy + shift });
  const mask: Box = { top: dy, left: area.left, width: bw, height: maskHeight };
  return {
    width,
    height,
    mask,
    title: { ...move(titleBox), fontSize: titleFont, content: title },
    pill: pill && move(pill),
    subTitle: sub && move(sub),
    maskOpaqueEdge: atBottom ? 'bottom' : 'top',
  };
}

/** The wire `text_results.params[i]` for one variant (snake_case, as the service sends it). */
export function textResultParams(sampleIdx: number, layout: TitleLayout, style: TitleStyle): Record<string, unknown> {
  const mask = rgbToHex(style.maskColour);
  const titleColour = rgbToHex(style.titleColour);
  const pillColour = rgbToHex(style.pillColour);
  const layers: Record<string, unknown>[] = [
    {
      type: 'text_mask',
      idx: 0,
      color: mask,
      opacity: 0.8,
      ...layout.mask,
      radius: 0,
      gradient: {
        type: 'linear',
        gradient_units: 'pixels',
        coords: layout.maskOpaqueEdge === 'bottom' ? { x1: 0, y1: 0, x2: 0, y2: layout.mask.height } : { x1: 0, y1: layout.mask.height, x2: 0, y2: 0 },
        color_stops: [
          { offset: 0, color: `${mask}00` },
          { offset: 1, color: `${mask}ff` },
        ],
      },
    },
    {
      type: 'text',
      sub_type: 'Title',
      content: layout.title.content,
      idx: 1,
      font_size: layout.title.fontSize,
      font_family: style.fontFamily,
      direction: 'horizontal',
      alignment: 'center',
      font_color: titleColour,
      opacity: 1,
      font_weight: 'Regular',
      font_italic: false,
      font_line_through: false,
      font_under_line: false,
      top: layout.title.top,
      left: layout.title.left,
      width: layout.title.width,
      height: layout.title.height,
      line_height: 1,
      text_shadow: style.titleShadow,
      text_stroke: style.titleStroke,
    },
  ];
  if (layout.pill && layout.subTitle) {
    const { radius, ...pillBox } = layout.pill;
    layers.push(
      {
        type: 'text_mask',
        idx: 2,
        color: pillColour,
        opacity: 1,
        ...pillBox,
        radius,
        gradient: {
          type: 'linear',
          gradient_units: 'pixels',
          coords: { x1: 0, y1: 0, x2: 0, y2: pillBox.height },
          color_stops: [
            { offset: 0, color: `${pillColour}ff` },
            { offset: 1, color: `${pillColour}ff` },
          ],
        },
        box_shadow: style.pillShadow,
      },
      {
        type: 'text',
        sub_type: 'SubTitle',
        content: layout.subTitle.content,
        idx: 3,
        font_size: layout.subTitle.fontSize,
        font_family: SERVICE_FONT_FAMILIES[0],
        direction: 'horizontal',
        alignment: 'center',
        font_color: rgbToHex(style.subTitleColour),
        opacity: 1,
        font_weight: 'Medium',
        font_italic: false,
        font_line_through: false,
        font_under_line: false,
        top: layout.subTitle.top,
        left: layout.subTitle.left,
        width: layout.subTitle.width,
        height: layout.subTitle.height,
        line_height: 1,
        text_shadow: 0,
      },
    );
  }
  return { sample_idx: sampleIdx, layers };
}
