/**
 * Fonts for the layers. The service names 阿里巴巴普惠体, 站酷文艺体 and 钉钉进步体, which are not on npm;
 * the bundled fallback is Noto Sans Hans (OFL, from `@embedpdf/fonts-sc`; Light, Regular, Medium, Bold).
 * A font folder (`fontDir`, default env `BACKDROP_FONT_DIR`) maps families to the user's own files:
 *  - `<family>.<ext>` or `<family>-<anything>.<ext>` (ext: ttf, otf, ttc, woff, woff2) is registered under
 *    `<family>`; several weights of a family each get their own file (the file's own weight is used);
 *  - or `fonts.json`: `{ "<family>": "file.ttf" | ["Regular.ttf", "Bold.ttf"] }`, paths relative to the folder.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { GlobalFonts } from '@napi-rs/canvas';
import { LayersError } from './errors.js';

/** Family name of the bundled fallback font. */
export const FALLBACK_FAMILY = 'Noto Sans Hans';

/** Font files that can be registered, as `fonts.json` lists them. */
const FONT_EXTENSIONS = /\.(ttf|otf|ttc|woff2?)$/i;
const BUNDLED_WEIGHTS = ['Light', 'DemiLight', 'Regular', 'Medium', 'Bold'] as const;

let bundledDir: string | undefined;
const registeredDirs = new Map<string, Set<string>>();

/** Folder of the bundled OTF files. */
function bundledFontDir(): string {
  if (bundledDir) return bundledDir;
  const require = createRequire(import.meta.url);
  // The package exports only its JS entry (dist/…); the OTF files sit in fonts/ next to dist/.
  let dir = path.dirname(require.resolve('@embedpdf/fonts-sc'));
  for (let i = 0; i < 4 && !existsSync(path.join(dir, 'fonts', 'NotoSansHans-Regular.otf')); i++) dir = path.dirname(dir);
  const candidate = path.join(dir, 'fonts');
  if (!existsSync(path.join(candidate, 'NotoSansHans-Regular.otf'))) {
    throw new LayersError('LAYERS_FONT_DIR', 'The bundled font @embedpdf/fonts-sc is missing its OTF files; reinstall dependencies (pnpm install).', {
      userError: false,
    });
  }
  bundledDir = candidate;
  return candidate;
}

/** Path of a bundled weight's file (`Regular`, `Medium`, …). */
export function bundledFontFile(weight: (typeof BUNDLED_WEIGHTS)[number]): string {
  return path.join(bundledFontDir(), `NotoSansHans-${weight}.otf`);
}

let bundledRegistered = false;

function registerBundled(): void {
  if (bundledRegistered) return;
  for (const weight of BUNDLED_WEIGHTS) GlobalFonts.registerFromPath(bundledFontFile(weight), FALLBACK_FAMILY);
  bundledRegistered = true;
}

function readFontMap(dir: string): Map<string, string[]> {
  const families = new Map<string, string[]>();
  const add = (family: string, file: string): void => {
    const list = families.get(family) ?? [];
    list.push(path.resolve(dir, file));
    families.set(family, list);
  };
  const mapFile = path.join(dir, 'fonts.json');
  if (existsSync(mapFile)) {
    let map: unknown;
    try {
      map = JSON.parse(readFileSync(mapFile, 'utf8'));
    } catch (err) {
      throw new LayersError('LAYERS_FONT_MAP', `${mapFile} is not valid JSON; write {"<family>": "<file>" or ["<file>", …]}.`, { cause: err });
    }
    if (typeof map !== 'object' || map === null || Array.isArray(map)) {
      throw new LayersError('LAYERS_FONT_MAP', `${mapFile} must be an object {"<family>": "<file>" or ["<file>", …]}.`);
    }
    for (const [family, files] of Object.entries(map)) {
      const list = Array.isArray(files) ? files : [files];
      for (const file of list) {
        if (typeof file !== 'string' || !existsSync(path.resolve(dir, file))) {
          throw new LayersError('LAYERS_FONT_MAP', `${mapFile}: the file ${JSON.stringify(file)} for ${family} does not exist (paths are relative to ${dir}).`);
        }
        add(family, file);
      }
    }
  }
  for (const name of readdirSync(dir)) {
    if (!FONT_EXTENSIONS.test(name)) continue;
    const stem = name.replace(FONT_EXTENSIONS, '');
    const dash = stem.lastIndexOf('-');
    add(dash > 0 ? stem.slice(0, dash) : stem, name);
    if (dash > 0) add(stem, name);
  }
  return families;
}

function registerDir(dir: string): Set<string> {
  const absolute = path.resolve(dir);
  const known = registeredDirs.get(absolute);
  if (known) return known;
  let isDir = false;
  try {
    isDir = readdirSync(absolute) !== undefined;
  } catch {
    isDir = false;
  }
  if (!isDir)
    throw new LayersError('LAYERS_FONT_DIR', `The font folder ${absolute} does not exist or cannot be read; pass an existing folder with --font-dir / BACKDROP_FONT_DIR.`);
  const families = new Set<string>();
  for (const [family, files] of readFontMap(absolute)) {
    for (const file of files) if (GlobalFonts.registerFromPath(file, family)) families.add(family);
  }
  registeredDirs.set(absolute, families);
  return families;
}

/** The font folder in effect: the option, else `BACKDROP_FONT_DIR`, else none. */
export function effectiveFontDir(fontDir: string | undefined): string | undefined {
  const dir = fontDir ?? process.env.BACKDROP_FONT_DIR;
  return dir && dir.trim() !== '' ? dir : undefined;
}

/**
 * Registers the bundled font and the folder's fonts (once per process) and returns the families the
 * folder provides.
 */
export function prepareFonts(fontDir: string | undefined): ReadonlySet<string> {
  registerBundled();
  const dir = effectiveFontDir(fontDir);
  return dir ? registerDir(dir) : new Set();
}

/** CSS font-family list: the layer's family first, then the bundled fallback. */
export function fontFamilies(family: string | undefined): string[] {
  const list = family && family.trim() !== '' && family !== FALLBACK_FAMILY ? [family.trim()] : [];
  return [...list, FALLBACK_FAMILY];
}

/** CSS weight number for the service's weight names. */
export function cssFontWeight(weight: string | undefined): number {
  if (!weight) return 400;
  if (/^\d+$/.test(weight)) return Math.min(900, Math.max(100, Number(weight)));
  switch (weight.toLowerCase()) {
    case 'thin':
      return 100;
    case 'light':
      return 300;
    case 'medium':
      return 500;
    case 'semibold':
      return 600;
    case 'bold':
      return 700;
    case 'heavy':
    case 'black':
      return 900;
    default:
      return 400;
  }
}
