/** A tiny HTTP server that serves test images by path, as the "internet" the emulator downloads from. */
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface InputServer {
  /** URL of a served path. */
  url(path: string): string;
  /** Serves `bytes` at `path`. */
  put(path: string, bytes: Buffer, contentType?: string): string;
  close(): Promise<void>;
}

export async function startInputServer(): Promise<InputServer> {
  const files = new Map<string, { bytes: Buffer; contentType: string }>();
  const server: Server = createServer((req, res) => {
    const file = files.get(req.url ?? '');
    if (!file) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': file.contentType, 'Content-Length': file.bytes.length });
    res.end(file.bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: (path) => origin + path,
    put(path, bytes, contentType = 'application/octet-stream') {
      files.set(path, { bytes, contentType });
      return origin + path;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
