import type { IncomingMessage, ServerResponse } from 'node:http';

/** Refused with 413 above this; large enough for a 100 MB EMG upload in base64 inside JSON. */
export const MAX_BODY_BYTES = 150 * 1024 * 1024;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Hands the whole body to done, or an HttpError 413 above maxBytes. A callback, not a promise:
 * a request answered at once (a whole-response hit) then needs no microtask at all.
 */
export function readBody(req: IncomingMessage, done: (err: Error | null, body?: Buffer) => void, maxBytes = MAX_BODY_BYTES): void {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) return done(new HttpError(413, `request body larger than ${maxBytes} bytes`));
  const parts: Buffer[] = [];
  let size = 0;
  let settled = false;
  // done is called once, whatever the stream does after the first outcome (an error after a 413, say).
  const settle = (err: Error | null, body?: Buffer) => {
    if (settled) return;
    settled = true;
    done(err, body);
  };
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > maxBytes) {
      req.removeAllListeners('data');
      req.resume();
      settle(new HttpError(413, `request body larger than ${maxBytes} bytes`));
    } else parts.push(chunk);
  });
  req.on('end', () => settle(null, parts.length === 1 ? parts[0] : Buffer.concat(parts)));
  req.on('error', settle);
}

export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

export function sendText(res: ServerResponse, status: number, body: string | Buffer, type: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}
