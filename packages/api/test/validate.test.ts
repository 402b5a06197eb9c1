/** Every request rule: one test each, then all problems at once, then the throw from submit/generate. */
import { describe, expect, it } from 'vitest';
import { DashScope } from '../src/client.js';
import { RequestValidationError } from '../src/errors.js';
import type { BackgroundGenerationRequest } from '../src/types.js';
import { characterCount, promptWordCount, validateBackgroundGenerationRequest as validate } from '../src/validate.js';
import { startScriptedServer } from './helpers/raw-server.js';

const ok: BackgroundGenerationRequest = { baseImageUrl: 'https://x/base.png', refPrompt: 'a wooden table' };
const codes = (r: ReturnType<typeof validate>, kind: 'errors' | 'warnings' = 'errors') => r[kind].map((i) => `${i.path}:${i.code}`);

describe('validateBackgroundGenerationRequest', () => {
  it('accepts a minimal valid request with no warnings', () => {
    expect(validate(ok)).toEqual({ errors: [], warnings: [] });
    expect(validate({ baseImageUrl: 'oss://dir/a.png', refImageUrl: 'https://x/r.jpg', parameters: { n: 4, noiseLevel: 0, modelVersion: 'v3', sceneType: 'GENERAL' } })).toEqual({
      errors: [],
      warnings: [],
    });
  });

  it('base image is required', () => {
    expect(codes(validate({ refPrompt: 'x' }))).toEqual(['input.base_image_url:required']);
    expect(codes(validate({ ...ok, baseImageUrl: '' }))).toEqual(['input.base_image_url:required']);
    expect(codes(validate({ ...ok, baseImageUrl: 42 }))).toEqual(['input.base_image_url:type']);
  });

  it('needs a reference image or a reference prompt', () => {
    expect(codes(validate({ baseImageUrl: 'https://x/b.png' }))).toEqual(['input.ref_image_url:reference_required']);
    expect(codes(validate({ baseImageUrl: 'https://x/b.png', refPrompt: '   ' }))).toEqual(['input.ref_image_url:reference_required']);
    expect(validate({ baseImageUrl: 'https://x/b.png', refImageUrl: 'https://x/r.png' }).errors).toEqual([]);
  });

  it('n is an integer 1–4', () => {
    for (const n of [1, 4]) expect(validate({ ...ok, parameters: { n } }).errors).toEqual([]);
    expect(codes(validate({ ...ok, parameters: { n: 0 } }))).toEqual(['parameters.n:out_of_range']);
    expect(codes(validate({ ...ok, parameters: { n: 5 } }))).toEqual(['parameters.n:out_of_range']);
    expect(codes(validate({ ...ok, parameters: { n: 1.5 } }))).toEqual(['parameters.n:not_integer']);
  });

  it('noise_level is an integer 0–999', () => {
    const withRef = { ...ok, refImageUrl: 'https://x/r.png' };
    for (const noiseLevel of [0, 999]) expect(validate({ ...withRef, parameters: { noiseLevel } }).errors).toEqual([]);
    expect(codes(validate({ ...withRef, parameters: { noiseLevel: 1000 } }))).toEqual(['parameters.noise_level:out_of_range']);
    expect(codes(validate({ ...withRef, parameters: { noiseLevel: -1 } }))).toEqual(['parameters.noise_level:out_of_range']);
    expect(codes(validate({ ...withRef, parameters: { noiseLevel: 300.5 } }))).toEqual(['parameters.noise_level:not_integer']);
  });

  it('ref_prompt_weight is 0–1', () => {
    const both = { ...ok, refImageUrl: 'https://x/r.png' };
    for (const refPromptWeight of [0, 0.5, 1]) expect(validate({ ...both, parameters: { refPromptWeight } }).errors).toEqual([]);
    expect(codes(validate({ ...both, parameters: { refPromptWeight: 1.01 } }))).toEqual(['parameters.ref_prompt_weight:out_of_range']);
    expect(codes(validate({ ...both, parameters: { refPromptWeight: -0.1 } }))).toEqual(['parameters.ref_prompt_weight:out_of_range']);
    expect(codes(validate({ ...both, parameters: { refPromptWeight: Number.NaN } }))).toEqual(['parameters.ref_prompt_weight:type']);
  });

  it('title is 1–8 Unicode characters (not UTF-16 units)', () => {
    expect(validate({ ...ok, title: '分享好时光' }).errors).toEqual([]);
    expect(validate({ ...ok, title: '😀😀😀😀😀😀😀😀' }).errors).toEqual([]); // 8 characters, 16 UTF-16 units
    expect(characterCount('😀😀😀😀😀😀😀😀')).toBe(8);
    expect(codes(validate({ ...ok, title: '123456789' }))).toEqual(['input.title:length']);
    expect(codes(validate({ ...ok, title: '' }))).toEqual(['input.title:length']);
  });

  it('sub-title is 1–10 characters and only with a title', () => {
    expect(validate({ ...ok, title: '标题', subTitle: '只为不一样的你😀😀😀' }).errors).toEqual([]); // 10 characters
    expect(codes(validate({ ...ok, title: '标题', subTitle: '12345678901' }))).toEqual(['input.sub_title:length']);
    expect(codes(validate({ ...ok, subTitle: '副标题' }))).toEqual(['input.sub_title:requires_title']);
  });

  it('at most 10 edge elements in total', () => {
    const urls = (n: number) => Array.from({ length: n }, (_, i) => `https://x/e${i}.png`);
    expect(validate({ ...ok, referenceEdge: { foregroundEdge: urls(6), backgroundEdge: urls(4) } }).errors).toEqual([]);
    expect(codes(validate({ ...ok, referenceEdge: { foregroundEdge: urls(6), backgroundEdge: urls(5) } }))).toEqual(['input.reference_edge:too_many_elements']);
  });

  it('each prompt list is exactly as long as its element list', () => {
    expect(validate({ ...ok, referenceEdge: { foregroundEdge: ['https://x/1.png', 'https://x/2.png'], foregroundEdgePrompt: ['粉色桃花', ''] } }).errors).toEqual([]);
    expect(codes(validate({ ...ok, referenceEdge: { foregroundEdge: ['https://x/1.png', 'https://x/2.png'], foregroundEdgePrompt: ['粉色桃花'] } }))).toEqual([
      'input.reference_edge.foreground_edge_prompt:length_mismatch',
    ]);
    expect(codes(validate({ ...ok, referenceEdge: { backgroundEdgePrompt: ['树叶'] } }))).toEqual(['input.reference_edge.background_edge_prompt:length_mismatch']);
  });

  it('model_version is v2 or v3', () => {
    expect(validate({ ...ok, parameters: { modelVersion: 'v2' } }).errors).toEqual([]);
    expect(codes(validate({ ...ok, parameters: { modelVersion: 'v4' as 'v3' } }))).toEqual(['parameters.model_version:invalid_value']);
  });

  it('warns (does not fail) on a ref prompt over 70 words', () => {
    const long = Array.from({ length: 71 }, (_, i) => `word${i}`).join(' ');
    const r = validate({ ...ok, refPrompt: long });
    expect(r.errors).toEqual([]);
    expect(codes(r, 'warnings')).toEqual(['input.ref_prompt:too_long']);
    expect(validate({ ...ok, refPrompt: long.split(' ').slice(0, 70).join(' ') }).warnings).toEqual([]);
    expect(promptWordCount('在沙漠的地面上, distant plants')).toBe(9); // 7 Han characters + 2 words
  });

  it('warns on an unknown scene type', () => {
    const r = validate({ ...ok, parameters: { sceneType: 'SPACESHIP' } });
    expect(r.errors).toEqual([]);
    expect(codes(r, 'warnings')).toEqual(['parameters.scene_type:unknown_scene_type']);
  });

  it('warns on parameters the service ignores in that combination', () => {
    expect(codes(validate({ ...ok, parameters: { noiseLevel: 300 } }), 'warnings')).toEqual(['parameters.noise_level:ignored']);
    expect(codes(validate({ ...ok, parameters: { refPromptWeight: 0.3 } }), 'warnings')).toEqual(['parameters.ref_prompt_weight:ignored']);
    expect(codes(validate({ baseImageUrl: 'https://x/b.png', refImageUrl: 'https://x/r.png', parameters: { refPromptWeight: 0.3 } }), 'warnings')).toEqual([
      'parameters.ref_prompt_weight:ignored',
    ]);
  });

  it('local files validate by default; requireUrls (as submit does) refuses them', () => {
    const local = { baseImageUrl: './cup.png', refPrompt: 'x', referenceEdge: { foregroundEdge: [new Uint8Array([1])] } };
    expect(validate(local).errors).toEqual([]);
    expect(codes(validate(local, { requireUrls: true }))).toEqual(['input.base_image_url:not_a_url', 'input.reference_edge.foreground_edge[0]:not_a_url']);
  });

  it('reports every problem at once, with paths', () => {
    const r = validate({
      refPrompt: 7,
      subTitle: '12345678901',
      referenceEdge: { foregroundEdge: Array(8).fill('https://x/f.png'), foregroundEdgePrompt: ['a'], backgroundEdge: Array(3).fill('https://x/b.png') },
      parameters: { n: 9, noiseLevel: 1000, refPromptWeight: 2, modelVersion: 'v1', sceneType: 'MOON' },
    });
    expect(codes(r)).toEqual([
      'input.base_image_url:required',
      'input.ref_prompt:type',
      'input.ref_image_url:reference_required',
      'input.sub_title:length',
      'input.sub_title:requires_title',
      'input.reference_edge.foreground_edge_prompt:length_mismatch',
      'input.reference_edge:too_many_elements',
      'parameters.n:out_of_range',
      'parameters.noise_level:out_of_range',
      'parameters.ref_prompt_weight:out_of_range',
      'parameters.model_version:invalid_value',
    ]);
    expect(codes(r, 'warnings')).toEqual(['parameters.noise_level:ignored', 'parameters.ref_prompt_weight:ignored', 'parameters.scene_type:unknown_scene_type']);
    for (const issue of [...r.errors, ...r.warnings]) expect(issue.message.length).toBeGreaterThan(5);
  });

  it('never throws on garbage', () => {
    expect(codes(validate(null))).toEqual(['input:type']);
    expect(codes(validate('x'))).toEqual(['input:type']);
    expect(codes(validate({ ...ok, referenceEdge: 'x', parameters: [] }))).toEqual(['input.reference_edge:type', 'parameters:type']);
  });
});

describe('submit and generate refuse invalid requests before any network call', () => {
  it('throws RequestValidationError with all issues; the server sees nothing', async () => {
    const server = await startScriptedServer(() => ({ status: 500 }));
    try {
      const client = new DashScope({ apiKey: 'sk-validate', baseUrl: server.baseUrl });
      const bad = { baseImageUrl: '', title: '123456789', parameters: { n: 0 } } as BackgroundGenerationRequest;
      const err = await client.backgroundGeneration.submit(bad).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RequestValidationError);
      expect(err).toMatchObject({ code: 'RequestValidation', userError: true, mayHaveCreatedTask: false });
      expect((err as RequestValidationError).issues.map((i) => i.path)).toEqual(['input.base_image_url', 'input.ref_image_url', 'input.title', 'parameters.n']);
      expect((err as Error).message).toContain('input.title');
      const err2 = await client.backgroundGeneration.generate({ baseImageUrl: '/no/such/file.png' }).catch((e: unknown) => e);
      expect(err2).toBeInstanceOf(RequestValidationError);
      const err3 = await client.backgroundGeneration.submit({ baseImageUrl: '/local/file.png', refPrompt: 'x' }).catch((e: unknown) => e);
      expect((err3 as RequestValidationError).issues.map((i) => i.code)).toEqual(['not_a_url']);
      expect(server.requests).toHaveLength(0);
    } finally {
      await server.close();
    }
  });
});
