/**
 * One task's images: for each of the `n` variants, background → background edge elements → the subject
 * (base RGBA, so its opaque pixels stay exact) → foreground edge elements; with a title, the text drawn on
 * top. Results are JPEG (quality 95, 4:4:4); the untitled images for `text_results.urls` are PNG.
 */
import sharp from 'sharp';
import { SeededRandom, deriveSeed } from '../random.js';
import { type RawImage, type VariantLook, prepareReference, renderBackground } from './background.js';
import { edgeLayer } from './edge-layers.js';
import { type Rgb, contrastingColour, elementTint, promptPalette } from './palette.js';
import { drawTitle } from './text-drawing.js';
import { SERVICE_FONT_FAMILIES, type TitleLayout, type TitleStyle, layoutTitle, textResultParams } from './text-layout.js';

/** Everything needed to generate one task's images (inputs already downloaded and checked). */
export interface GenerationInput {
  /** RGBA PNG bytes of the subject. */
  base: Buffer;
  width: number;
  height: number;
  ref?: Buffer;
  refPrompt?: string;
  refPromptWeight: number;
  noiseLevel: number;
  foregroundEdges: { bytes: Buffer; prompt: string }[];
  backgroundEdges: { bytes: Buffer; prompt: string }[];
  title?: string;
  subTitle?: string;
  n: number;
  /** Seed for this task's variant looks and title styles. */
  seed: number;
}

/** One task's output. */
export interface GeneratedImages {
  /** `n` JPEGs: with the title drawn when one was requested. */
  results: Buffer[];
  /** With a title: the `n` images without text (PNG), for `text_results.urls`. */
  plain?: Buffer[];
  /** With a title: wire `text_results.params`. */
  textParams?: Record<string, unknown>[];
}

/** JPEG settings of results: high quality, no chroma subsampling. */
export const RESULT_JPEG = { quality: 95, chromaSubsampling: '4:4:4' } as const;

function variantLook(seed: number, index: number): VariantLook {
  const rng = new SeededRandom(deriveSeed(seed, 'variant', index));
  return {
    angleDeg: index * 97 + rng.between(0, 60),
    hueShift: index === 0 ? 0 : index * 40 + rng.between(-10, 10),
    lightStrength: rng.between(0.18, 0.35),
  };
}

function toRaw(image: RawImage): sharp.Sharp {
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels } });
}

async function averageColour(image: RawImage, box: { top: number; height: number }): Promise<Rgb> {
  const stats = await toRaw(image).extract({ left: 0, top: box.top, width: image.width, height: box.height }).stats();
  return [0, 1, 2].map((c) => Math.round(stats.channels[c].mean)) as Rgb;
}

async function titleStyle(image: RawImage, layout: TitleLayout, seed: number, index: number): Promise<TitleStyle> {
  const rng = new SeededRandom(deriveSeed(seed, 'title', index));
  const maskColour = await averageColour(image, { top: 0, height: layout.mask.height });
  const titleColour = contrastingColour(maskColour);
  const shadow = (): string => `${rng.int(0, 2)}px ${rng.int(0, 2)}px #80808080`;
  return {
    maskColour,
    titleColour,
    pillColour: titleColour,
    subTitleColour: contrastingColour(titleColour),
    fontFamily: rng.pick(SERVICE_FONT_FAMILIES),
    titleShadow: shadow(),
    titleStroke: '1px #fffffff0',
    pillShadow: shadow(),
  };
}

/** Generates all variants. Work runs in libvips threads; the JS parts yield to the event loop. */
export async function generateImages(input: GenerationInput): Promise<GeneratedImages> {
  const { width, height } = input;
  const basePalette = promptPalette(input.refPrompt ?? `ref:${input.seed}`);
  const fallbackTint = contrastingColour(basePalette[1]);
  const side = async (edges: GenerationInput['foregroundEdges']): Promise<sharp.OverlayOptions[]> => {
    const layer = await edgeLayer(
      edges.map((e) => ({ bytes: e.bytes, tint: elementTint(e.prompt, fallbackTint) })),
      width,
      height,
    );
    return layer ? [{ input: layer.data, raw: { width, height, channels: 4 } }] : [];
  };
  const backgroundLayers = await side(input.backgroundEdges);
  const foregroundLayers = await side(input.foregroundEdges);
  // Decoded once for all variants.
  const ref = input.ref ? await prepareReference(input.ref, width, height) : undefined;
  const subject: sharp.OverlayOptions = {
    input: await sharp(input.base).ensureAlpha().raw().toBuffer(),
    raw: { width, height, channels: 4 },
  };
  const layout = input.title ? layoutTitle(width, height, input.title, input.subTitle) : undefined;

  const results: Buffer[] = [];
  const plain: Buffer[] = [];
  const textParams: Record<string, unknown>[] = [];
  for (let i = 0; i < input.n; i++) {
    const look = variantLook(input.seed, i);
    const background = await renderBackground({
      width,
      height,
      ref,
      palette: promptPalette(input.refPrompt ?? `ref:${input.seed}`, look.hueShift),
      hasPrompt: input.refPrompt !== undefined,
      refPromptWeight: input.refPromptWeight,
      noiseLevel: input.noiseLevel,
      look,
    });
    const composed: RawImage = {
      data: await toRaw(background)
        .composite([...backgroundLayers, subject, ...foregroundLayers])
        .removeAlpha()
        .raw()
        .toBuffer(),
      width,
      height,
      channels: 3,
    };
    if (!layout) {
      results.push(await toRaw(composed).jpeg(RESULT_JPEG).toBuffer());
      continue;
    }
    plain.push(await toRaw(composed).png({ compressionLevel: 3 }).toBuffer());
    const style = await titleStyle(composed, layout, input.seed, i);
    const titled = await drawTitle(composed, layout, style);
    results.push(await toRaw(titled).jpeg(RESULT_JPEG).toBuffer());
    textParams.push(textResultParams(i, layout, style));
  }
  return layout ? { results, plain, textParams } : { results };
}
