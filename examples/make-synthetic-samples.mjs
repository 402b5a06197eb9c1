// Re-creates the synthetic samples in this folder (reference backgrounds and decoration cut-outs)
// from SVG with sharp: `node examples/make-synthetic-samples.mjs` after `pnpm install`.
// The photo cut-outs (cutouts/*.png, deco/cat.png) are copied from ../shared/hed-golden/inputs.
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
// A stylised peach-blossom sprig and a leafy branch, drawn as RGBA cut-outs (transparent background).
const petal = (cx, cy, r, a) => `<ellipse cx="${cx}" cy="${cy - r}" rx="${r * 0.55}" ry="${r}" transform="rotate(${a} ${cx} ${cy})" fill="#f6a5c0" stroke="#d9708f" stroke-width="2"/>`;
const flower = (cx, cy, r) => [0, 72, 144, 216, 288].map((a) => petal(cx, cy, r, a)).join('') + `<circle cx="${cx}" cy="${cy}" r="${r * 0.3}" fill="#f7d26b" stroke="#c9962e" stroke-width="2"/>`;
const peach = `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="400">
<path d="M30 370 C 120 300, 200 260, 370 60" stroke="#6b4630" stroke-width="10" fill="none" stroke-linecap="round"/>
<path d="M180 270 C 230 250, 260 250, 300 230" stroke="#6b4630" stroke-width="6" fill="none" stroke-linecap="round"/>
${flower(120, 300, 34)}${flower(230, 200, 40)}${flower(330, 110, 30)}${flower(300, 232, 24)}
</svg>`;
const leaf = (x, y, a, s) => `<g transform="translate(${x} ${y}) rotate(${a}) scale(${s})"><path d="M0 0 C 30 -40, 90 -40, 120 0 C 90 40, 30 40, 0 0 Z" fill="#5fa84a" stroke="#2f6b25" stroke-width="3"/><path d="M0 0 L 118 0" stroke="#2f6b25" stroke-width="2"/></g>`;
const leaves = `<svg xmlns="http://www.w3.org/2000/svg" width="480" height="360">
<path d="M20 340 C 140 260, 260 200, 460 40" stroke="#5b3d26" stroke-width="9" fill="none" stroke-linecap="round"/>
${leaf(80, 290, -70, 0.8)}${leaf(90, 295, 20, 0.9)}${leaf(190, 220, -80, 0.9)}${leaf(200, 222, 10, 1)}${leaf(300, 150, -75, 0.85)}${leaf(310, 150, 5, 0.9)}${leaf(400, 80, -50, 0.8)}
</svg>`;
(async () => {
  await sharp(Buffer.from(desert)).jpeg({ quality: 85 }).toFile(ex + 'refs/desert.jpg');
  await sharp(Buffer.from(garden)).jpeg({ quality: 85 }).toFile(ex + 'refs/garden-table.jpg');
  await sharp(Buffer.from(peach)).ensureAlpha().png({ compressionLevel: 9 }).toFile(ex + 'deco/peach.png');
  await sharp(Buffer.from(leaves)).ensureAlpha().png({ compressionLevel: 9 }).toFile(ex + 'deco/leaves.png');
})();
