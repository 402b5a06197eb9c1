/** A small multipart/form-data parser for the upload host (whole body in memory, size-capped by the caller). */

/** One file part of a form. */
export interface FormFile {
  /** The form field name (`file` for OSS uploads). */
  name: string;
  filename: string;
  contentType?: string;
  bytes: Buffer;
}

/** A parsed form: text fields in order, and file parts. */
export interface ParsedForm {
  fields: Map<string, string>;
  files: FormFile[];
}

/** Thrown for a body that is not valid multipart/form-data. */
export class MultipartFormError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MultipartFormError';
  }
}

/** The boundary parameter of a `multipart/form-data` content type, or undefined. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  if (!contentType || !/^multipart\/form-data/i.test(contentType)) return undefined;
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  return m ? (m[1] ?? m[2]).trim() : undefined;
}

function headerParam(header: string, name: string): string | undefined {
  const m = new RegExp(`(?:^|[;\\s])${name}=(?:"([^"]*)"|([^;\\s]+))`, 'i').exec(header);
  return m ? (m[1] ?? m[2]) : undefined;
}

/** Parses a multipart/form-data body. */
export function parseMultipartForm(body: Buffer, boundary: string): ParsedForm {
  const delimiter = Buffer.from(`--${boundary}`);
  const fields = new Map<string, string>();
  const files: FormFile[] = [];
  let position = body.indexOf(delimiter);
  if (position < 0) throw new MultipartFormError('The body has no multipart boundary line.');
  for (;;) {
    position += delimiter.length;
    if (body.subarray(position, position + 2).toString() === '--') break; // closing delimiter
    if (body.subarray(position, position + 2).toString() === '\r\n') position += 2;
    const headerEnd = body.indexOf('\r\n\r\n', position);
    if (headerEnd < 0) throw new MultipartFormError('A form part has no header end.');
    const headers = body.subarray(position, headerEnd).toString('utf8');
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headerEnd + 4);
    if (next < 0) throw new MultipartFormError('A form part is not terminated by the boundary.');
    const content = body.subarray(headerEnd + 4, next);
    const disposition = /content-disposition:([^\r\n]*)/i.exec(headers)?.[1] ?? '';
    const name = headerParam(disposition, 'name');
    if (!name) throw new MultipartFormError('A form part has no name.');
    const filename = headerParam(disposition, 'filename');
    if (filename !== undefined) {
      const contentType = /content-type:\s*([^\r\n]*)/i.exec(headers)?.[1]?.trim();
      files.push({ name, filename, contentType, bytes: Buffer.from(content) });
    } else {
      fields.set(name, content.toString('utf8'));
    }
    position = next + 2;
  }
  return { fields, files };
}
