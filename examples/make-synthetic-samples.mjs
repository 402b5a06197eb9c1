// Re-creates the synthetic reference backgrounds in this folder (refs/*.jpg) from SVG with sharp:
// `node examples/make-synthetic-samples.mjs` after `pnpm install`. The cut-outs and decorations come from
// `make-samples.mjs`.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
const require = createRequire(new URL('../packages/pipeline/package.json', import.meta.url));
const sharp = require('sharp');

const ex = fileURLToPath(new URL('./', import.meta.url));
const desert = `<svg xmlns="http://www.w3.org/2000/svg" width="768" height="512">
<defs>
<linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#f7c98b"/><stop offset="0.55" stop-color="#fbe3b8"/><stop offset="1" stop-color="#fff2d9"/></linearGradient>
<radialGradient id="sun" cx="0.72" cy="0.3" r="0.18"><stop offset="0" stop-color="#fff8e0"/><stop offset="0.4" stop-color="#ffe7a8" stop-opacity="0.9"/><stop offset="1" stop-color="#ffe7a8" stop-opacity="0"/></radialGradient>
<linearGradient id="dune1" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#e2a566"/><stop offset="1" stop-color="#c07a3f"/></linearGradient>
<linearGradient id="dune2" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#d48c4e"/><stop offset="1" stop-color="#9c5b2c"/></linearGradient>
<linearGradient id="dune3" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#edb87a"/><stop offset="1" stop-color="#cf8f55"/></linearGradient>
</defs>
<rect width="768" height="512" fill="url(#sky)"/>
<rect width="768" height="512" fill="url(#sun)"/>
<path d="M0 300 C 120 250, 220 270, 330 300 S 560 240, 768 290 L768 512 L0 512 Z" fill="url(#dune1)"/>
<path d="M0 360 C 150 330, 260 400, 420 370 S 650 330, 768 360 L768 512 L0 512 Z" fill="url(#dune2)"/>
<path d="M0 430 C 200 400, 380 460, 560 430 S 700 420, 768 430 L768 512 L0 512 Z" fill="url(#dune3)"/>
</svg>`;
const garden = `<svg xmlns="http://www.w3.org/2000/svg" width="768" height="512">
<defs>
<linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#9fd3f0"/><stop offset="1" stop-color="#e6f4fb"/></linearGradient>
<linearGradient id="hill1" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#8cc26b"/><stop offset="1" stop-color="#5e9a45"/></linearGradient>
<linearGradient id="hill2" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#6fae55"/><stop offset="1" stop-color="#3f7d34"/></linearGradient>
<linearGradient id="table" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#c89a6a"/><stop offset="1" stop-color="#8d6239"/></linearGradient>
</defs>
<rect width="768" height="512" fill="url(#sky)"/>
<ellipse cx="180" cy="110" rx="90" ry="26" fill="#ffffff" opacity="0.8"/>
<ellipse cx="560" cy="80" rx="120" ry="30" fill="#ffffff" opacity="0.7"/>
<path d="M0 290 C 160 220, 300 250, 420 280 S 650 230, 768 260 L768 512 L0 512 Z" fill="url(#hill1)"/>
<path d="M0 340 C 200 300, 360 330, 520 320 S 700 300, 768 320 L768 512 L0 512 Z" fill="url(#hill2)"/>
<rect y="400" width="768" height="112" fill="url(#table)"/>
<rect y="400" width="768" height="6" fill="#e3bd90"/>
</svg>`;
(async () => {
  await sharp(Buffer.from(desert))
    .jpeg({ quality: 85 })
    .toFile(ex + 'refs/desert.jpg');
  await sharp(Buffer.from(garden))
    .jpeg({ quality: 85 })
    .toFile(ex + 'refs/garden-table.jpg');
})();
