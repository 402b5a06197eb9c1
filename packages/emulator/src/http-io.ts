/** Reading request bodies and writing replies (JSON for the API, XML for the object store). */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { escapeXml } from './xml-escape.js';

/** A reply a route produces; the server writes it (or drops the connection instead, for faults). */
export interface Reply {
  status: number;
  /** JSON body. */
  json?: unknown;
  /** Raw body (with `contentType`). */
  body?: Buffer | string;
  contentType?: string;
  headers?: Record<string, string>;
}

/** A body that was cut off at `limit` bytes (the rest was read and discarded). */
export interface LimitedBody {
  bytes: Buffer;
  tooLarge: boolean;
}

/** Reads the whole body, keeping at most `limit` bytes (the rest is drained so the reply can be read). */
export function readBody(req: IncomingMessage, limit: number): Promise<LimitedBody> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve({ bytes: tooLarge ? Buffer.alloc(0) : Buffer.concat(chunks), tooLarge }));
    req.on('error', reject);
  });
}

/** Writes a reply. */
export function writeReply(res: ServerResponse, reply: Reply, requestId: string): void {
  const headers: Record<string, string | number> = { 'X-Request-ID': requestId, ...reply.headers };
  let body: Buffer | string | undefined = reply.body;
  if (reply.json !== undefined) {
    body = JSON.stringify(reply.json);
    headers['Content-Type'] = 'application/json;charset=UTF-8';
  } else if (reply.contentType) {
    headers['Content-Type'] = reply.contentType;
  }
  if (body !== undefined) headers['Content-Length'] = Buffer.byteLength(body);
  else headers['Content-Length'] = 0;
  res.writeHead(reply.status, headers);
  res.end(body);
}

/** The service's JSON error reply. */
export function errorReply(status: number, code: string, message: string, requestId: string, headers?: Record<string, string>): Reply {
  return { status, json: { code, message, request_id: requestId }, headers };
}

/** An OSS-style XML error reply. */
export function xmlErrorReply(status: number, code: string, message: string, requestId: string): Reply {
  return {
    status,
    contentType: 'application/xml',
    body:
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error>\n  <Code>${escapeXml(code)}</Code>\n  <Message>${escapeXml(message)}</Message>\n` +
      `  <RequestId>${requestId}</RequestId>\n  <HostId>dashscope-emulator</HostId>\n</Error>\n`,
    headers: { 'x-oss-request-id': requestId },
  };
}
