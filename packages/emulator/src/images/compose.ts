/**
 * One task's images: for each of the `n` variants, the set (wall, floor, horizon, backdrop, light, the
 * subject's contact shadow, the "emulator" mark) → background edge elements → the subject (base RGBA, so
 * its opaque pixels stay exact) → foreground edge elements; with a title, the text drawn on top in the band
 * the subject covers least. Results are PNG, like the service's; so are the untitled `text_results.urls`.
 */
import sharp from 'sharp';
import { SeededRandom, deriveSeed } from '../random.js';
import { type RawImage, prepareReference, referencePalette, renderBackground, workSize } from './background.js';
import { edgeLayer } from './edge-layers.js';
import { type Rgb, contrastingColour, elementTint, promptPalette } from './palette.js';
import { variantLook } from './stage-look.js';
import { emptiestBand, measureSubject } from './subject-footprint.js';
import { emulatorWatermark } from './watermark.js';
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
  /** `n` PNGs: with the title drawn when one was requested. */
  results: Buffer[];
  /** With a title: the `n` images without text (PNG), for `text_results.urls`. */
  plain?: Buffer[];
  /** With a title: wire `text_results.params`. */
  textParams?: Record<string, unknown>[];
}

/** PNG settings of results and plain images: lossless, quick to write. */
const RESULT_PNG = { compressionLevel: 4, adaptiveFiltering: false } as const;

/** Height of the band a title may take, as a share of the image height. */
const TITLE_BAND_SHARE = 0.3;

function toRaw(image: RawImage): sharp.Sharp {
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels } });
}

async function averageColour(image: RawImage, box: { top: number; height: number }): Promise<Rgb> {
  const stats = await toRaw(image).extract({ left: 0, top: box.top, width: image.width, height: box.height }).stats();
  return [0, 1, 2].map((c) => Math.round(stats.channels[c].mean)) as Rgb;
}

async function titleStyle(image: RawImage, layout: TitleLayout, seed: number, index: number): Promise<TitleStyle> {
  const rng = new SeededRandom(deriveSeed(seed, 'title', index));
  const maskColour = await averageColour(image, { top: layout.mask.top, height: layout.mask.height });
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
  const subjectRgba = await sharp(input.base).ensureAlpha().raw().toBuffer();
  const subject: sharp.OverlayOptions = { input: subjectRgba, raw: { width, height, channels: 4 } };
  const small = workSize(width, height);
  const footprint = await measureSubject(subjectRgba, width, height, small.width, small.height);
  const watermark = await emulatorWatermark(width, height);
  // With a reference image and no prompt, the set takes its colours from the reference.
  const refColours = ref && input.refPrompt === undefined ? await referencePalette(ref) : undefined;
  const band = emptiestBand(footprint, small.height * TITLE_BAND_SHARE);
  const scale = height / small.height;
  const titleBand = { top: Math.round(band.top * scale), left: 0, width, height: Math.round(band.height * scale) };
  const layout = input.title ? layoutTitle(width, height, input.title, input.subTitle, titleBand) : undefined;

  const results: Buffer[] = [];
  const plain: Buffer[] = [];
  const textParams: Record<string, unknown>[] = [];
  for (let i = 0; i < input.n; i++) {
    const look = variantLook(input.seed, i);
    const background = await renderBackground({
      width,
      height,
      ref,
      palette: refColours ?? promptPalette(input.refPrompt ?? `ref:${input.seed}`, look.hueShift),
      hasPrompt: input.refPrompt !== undefined,
      refPromptWeight: input.refPromptWeight,
      noiseLevel: input.noiseLevel,
      look,
      subject: footprint,
    });
    const composed: RawImage = {
      data: await toRaw(background)
        .composite([...(watermark ? [watermark] : []), ...backgroundLayers, subject, ...foregroundLayers])
        .removeAlpha()
        .raw()
        .toBuffer(),
      width,
      height,
      channels: 3,
    };
    if (!layout) {
      results.push(await toRaw(composed).png(RESULT_PNG).toBuffer());
      continue;
    }
    plain.push(await toRaw(composed).png(RESULT_PNG).toBuffer());
    const style = await titleStyle(composed, layout, input.seed, i);
    const titled = drawTitle(composed, layout, style);
    results.push(await toRaw(titled).png(RESULT_PNG).toBuffer());
    textParams.push(textResultParams(i, layout, style));
  }
  return layout ? { results, plain, textParams } : { results };
}
