/**
 * Downloaded result files are named by the content type received (the service's results are PNG), the
 * URL's extension only when the reply names no image type. Real HTTP: a node:http server on 127.0.0.1.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadFiles } from '../src/stages/download.js';

let server: Server;
let origin: string;
const replies: Record<string, string> = { '/a.jpg': 'image/png', '/b': 'image/jpeg', '/c.webp': 'application/octet-stream', '/d': 'application/octet-stream' };

beforeAll(async () => {
  server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': replies[req.url ?? ''] ?? 'text/plain' });
    res.end(Buffer.from('bytes'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('download file names', () => {
  it('follow the content type, then the URL extension, else png', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'backdrop-download-names-'));
    const files = await downloadFiles(
      dir,
      ['/a.jpg', '/b', '/c.webp', '/d'].map((p, i) => ({ url: origin + p, stem: `result-${i}` })),
      { attempts: 1 },
    );
    expect(files.map((f) => f.name)).toEqual(['result-0.png', 'result-1.jpg', 'result-2.webp', 'result-3.png']);
    expect(readdirSync(dir).sort()).toEqual(['result-0.png', 'result-1.jpg', 'result-2.webp', 'result-3.png']);
  });
});
