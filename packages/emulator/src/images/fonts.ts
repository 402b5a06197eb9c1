/** The bundled CJK font (Noto Sans Hans, OFL), located by the shared layer renderer. */
import { bundledFontFile } from '@backdrop/layers';

/** Weights the emulator draws with. */
export type FontWeight = 'Regular' | 'Medium';

/** Path of the OTF file for a weight. */
export function fontFile(weight: FontWeight): string {
  return bundledFontFile(weight);
}

/** Pango font description for a weight and pixel size (rendered at 72 dpi, so points = pixels). */
export function fontDescription(weight: FontWeight, sizePx: number): string {
  return `Noto Sans Hans${weight === 'Medium' ? ' Medium' : ''} ${Math.max(1, Math.round(sizePx))}`;
}
