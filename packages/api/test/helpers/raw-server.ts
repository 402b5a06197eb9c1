/**
 * Small real servers for behaviours the emulator cannot produce on demand: scripted HTTP replies
 * (Retry-After, 5xx, echoing headers), a TCP server that resets after reading a whole request, and
 * a port where nothing listens.
 */
import http from 'node:http';
import net from 'node:net';

/** A request as the server saw it. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A scripted reply: status, headers, body (object → JSON). `hang` never answers. */
export interface ScriptedReply {
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  hang?: boolean;
  /** Destroy the socket after reading the request, without replying. */
  reset?: boolean;
  /** Answer only after this many milliseconds. */
  delayMs?: number;
}

export interface ScriptedServer {
  /** `http://127.0.0.1:port/api/v1`. */
  baseUrl: string;
  origin: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

/** Starts an HTTP server answering each request with `reply(request, index)`. */
export async function startScriptedServer(reply: (req: SeenRequest, index: number) => ScriptedReply): Promise<ScriptedServer> {
  const requests: SeenRequest[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const seen: SeenRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(seen);
      const r = reply(seen, requests.length - 1);
      if (r.hang) return;
      if (r.reset) {
        req.socket.resetAndDestroy();
        return;
      }
      const body = r.body === undefined ? '' : typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
      const answer = (): void => {
        res.writeHead(r.status ?? 200, { 'content-type': 'application/json', ...r.headers });
        res.end(body);
      };
      if (r.delayMs) setTimeout(answer, r.delayMs);
      else answer();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    baseUrl: `http://127.0.0.1:${port}/api/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * A TCP server that reads one complete HTTP request (headers + Content-Length body) and then
 * resets the connection without answering: the request certainly arrived.
 */
export async function startResetAfterRequestServer(): Promise<{ baseUrl: string; requestsSeen: () => number; close(): Promise<void> }> {
  let seen = 0;
  const server = net.createServer((socket) => {
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      const headerEnd = buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const head = buffer.subarray(0, headerEnd).toString('latin1');
      const length = Number(/content-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
      if (buffer.length >= headerEnd + 4 + length) {
        seen++;
        socket.resetAndDestroy();
      }
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/api/v1`,
    requestsSeen: () => seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A port on 127.0.0.1 where nothing listens (bound, then released). */
export async function refusedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A logger that records every line. */
export function recordingLogger(): {
  lines: string[];
  debug(m: string, ...r: unknown[]): void;
  info(m: string, ...r: unknown[]): void;
  warn(m: string, ...r: unknown[]): void;
  error(m: string, ...r: unknown[]): void;
} {
  const lines: string[] = [];
  const rec =
    (level: string) =>
    (m: string, ...rest: unknown[]) =>
      void lines.push(`${level} ${m} ${rest.map((x) => JSON.stringify(x)).join(' ')}`);
  return { lines, debug: rec('debug'), info: rec('info'), warn: rec('warn'), error: rec('error') };
}
