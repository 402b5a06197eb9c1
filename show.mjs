import { renderTextLayers } from './packages/layers/dist/index.js';
import sharp from 'sharp'; import fs from 'node:fs';
const plain = await sharp({ create: { width: 600, height: 400, channels: 3, background: '#d8c8b0' } }).png().toBuffer();
const t = (o) => ({ type: 'text', idx: 5, content: '分享好时光', fontSize: 40, fontFamily: '站酷文艺体', fontColor: '#aa2200', left: 20, top: 20, width: 300, height: 60, lineHeight: 1, ...o });
const layers = [
  { type: 'text_mask', idx: 0, color: '#335577', opacity: 0.9, left: 10, top: 10, width: 330, height: 80, radius: 20, boxShadow: '4px 4px 6px #00000080', gradient: { type: 'linear', gradientUnits: 'pixels', coords: { x1: 0, y1: 0, x2: 330, y2: 0 }, colorStops: [{ offset: 0, color: '#335577ff' }, { offset: 1, color: '#33557700' }] } },
  t({ idx: 1, fontColor: '#ffffff', textStroke: '2px #000000ff', textShadow: '3px 3px #ff000080', fontItalic: true, fontUnderLine: true }),
  t({ idx: 2, top: 120, content: '长标题也要放得下才行啊', fontLineThrough: true, fontWeight: 'bold', alignment: 'left' }),
  t({ idx: 3, left: 400, top: 20, width: 100, height: 360, direction: 'vertical', content: '竖排文字\n第二列', lineHeight: 1.3, fontSize: 44, textStroke: '1px #ffffffff' }),
  t({ idx: 4, top: 220, content: 'Hello 世界', opacity: 0.5, alignment: 'right', fontSize: 48 }),
];
fs.writeFileSync('/tmp/show.png', await renderTextLayers(plain, layers));
fs.writeFileSync('/tmp/show.svg', await renderTextLayers(plain, layers, {}, { format: 'svg' }));
const { loadImage, createCanvas } = await import('@napi-rs/canvas');
