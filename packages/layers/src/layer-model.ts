/**
 * The layer model of `output.text_results.params[].layers` (camelCase, as `@backdrop/api` parses it; the
 * api's `TextLayer` / `TextMaskLayer` are assignable to these types). Only the fields the renderer reads
 * are listed; every one of them is optional except the box and, for texts, the content.
 */

/** A Fabric.js-like gradient; coordinates in pixels relative to the layer box's top-left corner. */
export interface LayerGradient {
  /** `linear` (the only type the service sends). */
  type: string;
  gradientUnits?: string;
  coords: { x1: number; y1: number; x2: number; y2: number };
  colorStops: { offset: number; color: string }[];
}

/** A title or sub-title. */
export interface TextLayerModel {
  type: 'text';
  /** `Title` or `SubTitle`. */
  subType?: string;
  content: string;
  idx: number;
  fontFamily?: string;
  fontSize?: number;
  /** `Regular`, `Medium`, `bold`, `normal`, `light`, or a CSS number. */
  fontWeight?: string;
  fontColor?: string;
  /** `horizontal` (or `horizon`) or `vertical`. */
  direction?: string;
  /** `left`, `center` / `middle`, `right`. */
  alignment?: string;
  lineHeight?: number;
  opacity?: number;
  fontItalic?: boolean;
  fontLineThrough?: boolean;
  fontUnderLine?: boolean;
  top: number;
  left: number;
  width: number;
  height: number;
  /** `"dx dy [blur] #rrggbb[aa]"`; `0`, `None` or null for none. */
  textShadow?: string | number | null;
  /** `"width #rrggbb[aa]"`; `0`, `None` or null for none. */
  textStroke?: string | number | null;
}

/** A background plate under the texts. */
export interface MaskLayerModel {
  type: 'text_mask';
  idx: number;
  color?: string;
  opacity?: number;
  top: number;
  left: number;
  width: number;
  height: number;
  radius?: number;
  gradient?: LayerGradient | null;
  /** `"dx dy [blur] #rrggbb[aa]"`; `0`, `None` or null for none. */
  boxShadow?: string | number | null;
}

/** One layer; other types are ignored by the renderer. */
export type LayerModel = TextLayerModel | MaskLayerModel | { type: string; idx?: number };

/** New strings for the title and sub-title layers. */
export interface TextOverrides {
  title?: string;
  subTitle?: string;
}

/** An axis-aligned rectangle in image pixels. */
export interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}
