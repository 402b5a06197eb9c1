/**
 * Every recorded body of the real service (copied from ../shared/dashscope-recorded) goes through
 * the wire mappers; every field must come out typed.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { errorFromResponse, ArrearsError, AuthenticationError, InvalidParameterError, UnsupportedOperationError } from '../src/errors.js';
import { fromWireRequest, parseSubmitResult, parseTask, parseTaskList, parseUploadPolicy, toWireRequest } from '../src/wire.js';
import type { TextLayer, TextMaskLayer } from '../src/types.js';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'recorded');
const body = (name: string): unknown => JSON.parse(readFileSync(path.join(dir, name), 'utf8'));

describe('recorded replies through the wire mappers', () => {
  it('submit reply', () => {
    const r = parseSubmitResult(body('background-generation-nosse.response.body.txt'));
    expect(r).toEqual({ taskId: 'b2e98d78-c79b-431c-b2d7-c7bcd54465da', taskStatus: 'PENDING', requestId: 'a010df33-effc-9e32-aaa0-e55fffa40ef5' });
  });

  it('recorded submit body round-trips camelCase ⇄ snake_case exactly', () => {
    const wire = body('background-generation-nosse.request.body.json');
    const request = fromWireRequest(wire);
    expect(request).toEqual({
      model: 'wanx-background-generation-v2',
      baseImageUrl: expect.stringMatching(/hailuo_2236873898_2\.png$/),
      refImageUrl: expect.stringMatching(/d1faf4f26c8c4ea798d043a8bf3784bb_2\.png$/),
      refPrompt: '远处有朝阳升起',
      title: '分享好时光',
      negRefPrompt: '低质量的，模糊的，错误的',
      subTitle: '只为不一样的你',
      parameters: { n: 2, noiseLevel: 300, refPromptWeight: 0.5 },
    });
    expect(toWireRequest(request)).toEqual(wire);
  });

  it('every request field maps to its exact snake_case name', () => {
    const wire = toWireRequest({
      baseImageUrl: 'https://a/b.png',
      refImageUrl: 'https://a/r.jpg',
      refPrompt: 'p',
      negRefPrompt: 'n',
      referenceEdge: { foregroundEdge: ['f'], foregroundEdgePrompt: ['fp'], backgroundEdge: ['b'], backgroundEdgePrompt: ['bp'] },
      title: 't',
      subTitle: 's',
      parameters: { n: 4, noiseLevel: 350, refPromptWeight: 0.3, sceneType: 'GENERAL', modelVersion: 'v3' },
    });
    expect(wire).toEqual({
      model: 'wanx-background-generation-v2',
      input: {
        base_image_url: 'https://a/b.png',
        ref_image_url: 'https://a/r.jpg',
        ref_prompt: 'p',
        neg_ref_prompt: 'n',
        reference_edge: { foreground_edge: ['f'], foreground_edge_prompt: ['fp'], background_edge: ['b'], background_edge_prompt: ['bp'] },
        title: 't',
        sub_title: 's',
      },
      parameters: { n: 4, noise_level: 350, ref_prompt_weight: 0.3, scene_type: 'GENERAL', model_version: 'v3' },
    });
    // Unset fields are left out entirely, not sent as null.
    expect(toWireRequest({ baseImageUrl: 'https://a/b.png', refPrompt: 'p' })).toEqual({
      model: 'wanx-background-generation-v2',
      input: { base_image_url: 'https://a/b.png', ref_prompt: 'p' },
    });
  });

  it('succeeded task: times, results, text layers (title, sub-title, masks with gradients and shadows), metrics, usage', () => {
    const task = parseTask(body('get-task-background-generation-success-nosse.response.body.txt'));
    expect(task.taskId).toBe('b2e98d78-c79b-431c-b2d7-c7bcd54465da');
    expect(task.taskStatus).toBe('SUCCEEDED');
    expect(task.requestId).toBe('8b22164d-c784-9a31-bda3-3c26259d4213');
    expect(task.submitTime).toBe('2024-03-04 10:08:57.333');
    expect(task.scheduledTime).toBe('2024-03-04 10:08:57.363');
    expect(task.endTime).toBe('2024-03-04 10:09:07.727');
    expect(task.results).toHaveLength(2);
    expect(task.results![0].url).toMatch(/^https:\/\/dashscope-result-bj\..*100905_0_.*\.png$/);
    expect(task.taskMetrics).toEqual({ TOTAL: 2, SUCCEEDED: 2, FAILED: 0 });
    expect(task.usage).toEqual({ imageCount: 2 });
    expect(task.code).toBeUndefined();

    const text = task.textResults!;
    expect(text.urls.map((u) => u.url)).toEqual([expect.stringMatching(/100901_0_.*\.png$/), expect.stringMatching(/100901_1_.*\.png$/)]);
    expect(text.params.map((p) => p.sampleIdx)).toEqual([0, 1]);
    const layers = text.params[0].layers;
    expect(layers.map((l) => [l.type, l.idx])).toEqual([
      ['text_mask', 0],
      ['text', 1],
      ['text_mask', 2],
      ['text', 3],
    ]);

    const plate = layers[0] as TextMaskLayer;
    expect(plate).toEqual({
      type: 'text_mask',
      idx: 0,
      color: '#521b08',
      opacity: 0.8,
      top: 0,
      left: 0,
      width: 1024,
      height: 257,
      radius: 0,
      gradient: {
        type: 'linear',
        gradientUnits: 'pixels',
        coords: { x1: 0, y1: 257, x2: 0, y2: 0 },
        colorStops: [
          { offset: 0, color: '#521b0800' },
          { offset: 1, color: '#521b08ff' },
        ],
      },
    });
    const title = layers[1] as TextLayer;
    expect(title).toEqual({
      type: 'text',
      subType: 'Title',
      content: '分享好时光',
      idx: 1,
      fontFamily: '站酷文艺体',
      fontSize: 67,
      fontWeight: 'Regular',
      fontColor: '#e6baa7',
      direction: 'horizontal',
      alignment: 'center',
      lineHeight: 1,
      opacity: 1,
      fontItalic: false,
      fontLineThrough: false,
      fontUnderLine: false,
      top: 25,
      left: 319,
      width: 385,
      height: 77,
      textShadow: '1px 0px #80808080',
      textStroke: '1px #fffffff0',
    });
    const subPlate = layers[2] as TextMaskLayer;
    expect(subPlate.boxShadow).toBe('2px 1px #80808080');
    expect(subPlate.radius).toBe(37);
    const sub = layers[3] as TextLayer;
    expect(sub.subType).toBe('SubTitle');
    expect(sub.content).toBe('只为不一样的你');
    expect(sub.textShadow).toBe(0);
    expect(sub.textStroke).toBeUndefined();
    // Every layer's geometry is numeric.
    for (const p of text.params) for (const l of p.layers) for (const k of ['top', 'left', 'width', 'height', 'idx'] as const) expect(typeof l[k]).toBe('number');
    expect(task.raw).toEqual(body('get-task-background-generation-success-nosse.response.body.txt'));
  });

  it('running task: times and metrics, no results yet', () => {
    const task = parseTask(body('get-task-running-nosse.response.body.txt'));
    expect(task).toMatchObject({
      taskId: '9e2b6ef6-285d-4efa-8651-4dbda7d571fa',
      taskStatus: 'RUNNING',
      submitTime: '2024-03-01 17:38:24.817',
      scheduledTime: '2024-03-01 17:38:24.831',
      taskMetrics: { TOTAL: 4, SUCCEEDED: 0, FAILED: 0 },
    });
    expect(task.results).toBeUndefined();
    expect(task.endTime).toBeUndefined();
  });

  it('unknown task', () => {
    expect(parseTask(body('get-task-unknown-nosse.response.body.txt'))).toMatchObject({ taskId: '1111', taskStatus: 'UNKNOWN', requestId: '85c25460-6440-91a7-b14e-2978fe60bd0f' });
  });

  it('task list is top-level with typed items', () => {
    const list = parseTaskList(body('list-task-nosse.response.body.txt'));
    expect(list).toMatchObject({ total: 1, totalPage: 1, pageNo: 1, pageSize: 10, requestId: 'fcb29ae5-a352-9e7b-901c-e53525376cde' });
    expect(list.data[0]).toMatchObject({
      taskId: '6075262c-b56d-4968-9abf-2a9784a90f3e',
      status: 'SUCCEEDED',
      modelName: 'text-embedding-async-v2',
      requestId: 'db5ce040-4548-9919-9a75-3385ee152335',
      gmtCreate: 1709260684485,
      startTime: 1709260684527,
      endTime: 1709260685184,
    });
    expect(list.data[0].raw.api_key_id).toBe('42677');
  });

  it('upload policy is read from data', () => {
    const p = parseUploadPolicy(body('get-upload-policy-nosse.response.body.txt'));
    expect(p).toEqual({
      policy: expect.stringMatching(/^eyJ/),
      signature: 'n3dNX/aD3+WAly0QgzsURfiIk00=',
      uploadDir: 'dashscope-instant/52afe077fb4825c6d74411758cb1ab98/2025-07-12/b744f4f8-1a9c-9c6b-950d-0d327e331f2f',
      uploadHost: 'https://dashscope-file-mgr.oss-cn-beijing.aliyuncs.com',
      expireInSeconds: 300,
      maxFileSizeMb: 1024,
      capacityLimitMb: 999999999,
      ossAccessKeyId: 'accessKeyId',
      xOssObjectAcl: 'private',
      xOssForbidOverwrite: 'true',
      requestId: 'b744f4f8-1a9c-9c6b-950d-0d327e331f2f',
    });
  });

  it('recorded error bodies map to their classes', () => {
    const err = (name: string, status: number) => {
      const b = body(name) as { code: string; message: string; request_id: string };
      return errorFromResponse(status, b.code, b.message, b.request_id, 'submit');
    };
    const auth = err('auth-error-nosse.response.body.txt', 401);
    expect(auth).toBeInstanceOf(AuthenticationError);
    expect(auth).toMatchObject({ code: 'InvalidApiKey', status: 401, requestId: 'a1c0561c-1dfe-98a6-a62f-983577b8bc5e', userError: true });
    expect(auth.message).toContain('DASHSCOPE_API_KEY');
    const param = err('parameter-error-nosse.response.body.txt', 400);
    expect(param).toBeInstanceOf(InvalidParameterError);
    expect(param).toMatchObject({ code: 'InvalidParameter', status: 400, requestId: 'a5898c04-d210-901b-965f-e4bd90478805' });
    const cancel = err('cancel-completed-task-nosse.response.body.txt', 400);
    expect(cancel).toBeInstanceOf(UnsupportedOperationError);
    expect(cancel.code).toBe('UnsupportedOperation');
    expect(errorFromResponse(400, 'Arrearage', 'Access denied, please make sure your account is in good standing.', 'r', 'submit')).toBeInstanceOf(ArrearsError);
  });

  it("the seed's spellings (text_result, fontItalic) are read too", () => {
    const task = parseTask({
      request_id: 'r',
      output: {
        task_id: 't',
        task_status: 'SUCCEEDED',
        results: [{ url: 'https://x/1.jpg' }],
        text_result: {
          urls: [{ url: 'https://x/c.jpg' }],
          params: [
            {
              sample_idx: 1,
              layers: [
                { type: 'text', sub_type: 'Title', content: '标题', idx: 1, fontItalic: true, top: 1, left: 2, width: 3, height: 4, text_shadow: 'None', text_stroke: null },
                { type: 'text_mask', idx: 0, top: 0, left: 0, width: 10, height: 10, gradient: null },
              ],
            },
          ],
        },
      },
    });
    const [text, mask] = task.textResults!.params[0].layers as [TextLayer, TextMaskLayer];
    expect(text.fontItalic).toBe(true);
    expect(text.textShadow).toBe('None');
    expect(text.textStroke).toBeNull();
    expect(mask.gradient).toBeNull();
  });

  it('a failed task carries its code and message; a malformed reply names the bad field', () => {
    const failed = parseTask({ request_id: 'r', output: { task_id: 't', task_status: 'FAILED', code: 'InternalError.Algo', message: 'boom' } });
    expect(failed).toMatchObject({ taskStatus: 'FAILED', code: 'InternalError.Algo', message: 'boom' });
    expect(() => parseTask({ output: { task_status: 'RUNNING' } })).toThrow(/body\.output\.task_id should be a string/);
    expect(() => parseTask({ output: { task_id: 't', task_status: 'SUCCEEDED', results: [{ url: 3 }] } })).toThrow(/results\[0\]\.url/);
  });
});
