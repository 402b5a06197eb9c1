/**
 * The emulator draws its titles with the shared layer renderer: re-rendering a task's own `text_results`
 * layers (fetched over HTTP, with the task's own title as the override) onto its plain image reproduces
 * the result image — ≥ 99 % of pixels within 2 levels of the decoded result.
 * Results are PNG (as the service's are), so the comparison is direct.
 */
import { layersFromWire, renderTextLayers } from '@backdrop/layers';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../src/index.js';
import { MODEL, download, submit, waitForStatus } from './helpers/dashscope-http.js';
import { type InputServer, startInputServer } from './helpers/input-server.js';
import { makeSubject } from './helpers/test-images.js';

let inputs: InputServer;
let emulator: Emulator;

beforeAll(async () => {
  inputs = await startInputServer();
  inputs.put('/subject.png', await makeSubject(640, 480));
  emulator = await startEmulator({ taskMs: 10, pendingMs: 0, seed: 11 });
});
afterAll(async () => {
  await emulator?.close();
  await inputs?.close();
});

async function rgb(bytes: Buffer): Promise<Buffer> {
  return sharp(bytes).removeAlpha().raw().toBuffer();
}

describe('retitling an emulator result with its own title', () => {
  it('reproduces the result image (≥ 99 % of pixels within 2 levels), for every variant', async () => {
    const title = '分享好时光';
    const subTitle = '只为不一样的你';
    const submitted = await submit(emulator, {
      model: MODEL,
      input: { base_image_url: inputs.url('/subject.png'), ref_prompt: '木桌上，窗边阳光', title, sub_title: subTitle },
      parameters: { n: 2 },
    });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(200);
    const reply = await waitForStatus(emulator, submitted.body.output.task_id);
    const output = reply.body.output;
    expect(output.task_status).toBe('SUCCEEDED');
    for (let i = 0; i < 2; i++) {
      const resultFile = await download(output.results[i].url);
      const result = await rgb(resultFile.bytes);
      const plainBytes = (await download(output.text_results.urls[i].url)).bytes;
      const params = output.text_results.params.find((p: { sample_idx: number }) => p.sample_idx === i);
      const rendered = await renderTextLayers(plainBytes, layersFromWire(params.layers), { title, subTitle });
      const raw = await rgb(rendered);
      expect(resultFile.contentType).toBe('image/png');
      const again = raw;
      const plain = await rgb(plainBytes);
      expect(again.length).toBe(result.length);
      const share = (a: Buffer, levels: number): number => {
        let n = 0;
        for (let p = 0; p < result.length; p += 3) {
          if (Math.max(Math.abs(result[p] - a[p]), Math.abs(result[p + 1] - a[p + 1]), Math.abs(result[p + 2] - a[p + 2])) <= levels) n++;
        }
        return n / (result.length / 3);
      };
      let titled = 0;
      for (let p = 0; p < result.length; p += 3) {
        if (Math.abs(plain[p] - raw[p]) + Math.abs(plain[p + 1] - raw[p + 1]) + Math.abs(plain[p + 2] - raw[p + 2]) > 30) titled++;
      }
      const within = share(again, 2);
      console.log(
        `variant ${i} (${resultFile.contentType}): ${(100 * within).toFixed(2)} % of pixels within 2 levels; ` +
          `raw re-render vs result: ${(100 * share(raw, 2)).toFixed(2)} % within 2, ${(100 * share(raw, 8)).toFixed(2)} % within 8; ${titled} pixels changed by the title`,
      );
      expect(within).toBeGreaterThanOrEqual(0.99);
      expect(share(raw, 8)).toBeGreaterThanOrEqual(0.99);
      // A different title does not reproduce it: the comparison sees the text.
      if (i === 0) {
        const other = await rgb(await renderTextLayers(plainBytes, layersFromWire(params.layers), { title: '山川湖海风' }));
        expect(share(other, 2)).toBeLessThan(0.995);
      }
      // Not trivially equal: the title changed a real part of the image.
      expect(titled).toBeGreaterThan(2000);
    }
  });
});
