/** The bundled CJK font (Noto Sans Hans, OFL) used to draw titles. */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** Weights the emulator draws with. */
export type FontWeight = 'Regular' | 'Medium';

let fontDir: string | undefined;

function locateFontDir(): string {
  if (fontDir) return fontDir;
  const require = createRequire(import.meta.url);
  // The package exports only its JS entry (dist/…); the OTF files sit in fonts/ next to dist/.
  let dir = path.dirname(require.resolve('@embedpdf/fonts-sc'));
  for (let i = 0; i < 4 && !existsSync(path.join(dir, 'fonts', 'NotoSansHans-Regular.otf')); i++) dir = path.dirname(dir);
  const candidate = path.join(dir, 'fonts');
  if (!existsSync(path.join(candidate, 'NotoSansHans-Regular.otf'))) {
    throw new Error('The bundled font @embedpdf/fonts-sc is missing its OTF files; reinstall dependencies (pnpm install).');
  }
  fontDir = candidate;
  return candidate;
}

/** Path of the OTF file for a weight. */
export function fontFile(weight: FontWeight): string {
  return path.join(locateFontDir(), `NotoSansHans-${weight}.otf`);
}

/** Pango font description for a weight and pixel size (rendered at 72 dpi, so points = pixels). */
export function fontDescription(weight: FontWeight, sizePx: number): string {
  return `Noto Sans Hans${weight === 'Medium' ? ' Medium' : ''} ${Math.max(1, Math.round(sizePx))}`;
}
