import { type IncomingMessage, type OutgoingHttpHeader, type OutgoingHttpHeaders, ServerResponse } from 'node:http';

/**
 * Cross-origin access to /graphql for browser apps on other origins (CORS_ORIGINS).
 *
 * Tokens travel in the Authorization header, never in cookies, so credentials are not allowed
 * and `*` is safe to send as it is: a page on another origin gets nothing a script there could
 * not fetch with the same token. With a list, the allowed origin is echoed and `Vary: Origin`
 * keeps a shared cache from handing one origin's answer (with its allow header) to another.
 */
export interface Cors {
  /** The CORS headers an actual request's response needs, as a flat list (name, value, …); shared, never changed. */
  headersFor(req: IncomingMessage): readonly string[];
  /** Answers an OPTIONS request: a preflight gets 204 and what it may send, or 403 from an origin not allowed. */
  preflight(req: IncomingMessage, res: ServerResponse): void;
}

/** Methods and request headers a cross-origin app may use: bearer tokens, JSON bodies, Apollo's headers, forced refreshes, conditional requests. */
const ALLOW_METHODS = 'GET, POST, OPTIONS';
const ALLOW_HEADERS = [
  'authorization',
  'content-type',
  'accept',
  'cache-control',
  'if-none-match',
  'apollo-require-preflight',
  'x-apollo-operation-name',
  'apollographql-client-name',
  'apollographql-client-version',
].join(', ');
/** Response headers a script may read besides the safelisted ones (Cache-Control and Content-Type are safelisted already). */
const EXPOSE_HEADERS = 'x-cache, age, etag';
/** Seconds a browser may remember a preflight's answer. */
const PREFLIGHT_MAX_AGE_SECONDS = 600;

export function createCors(origins: string[] | '*'): Cors {
  const any = origins === '*';
  const allowed = new Set(any ? [] : origins);
  /** The Access-Control-Allow-Origin value for this request, or undefined when it gets none. */
  const allowOrigin = (origin: string | undefined): string | undefined => {
    if (any) return '*';
    return origin !== undefined && allowed.has(origin) ? origin : undefined;
  };
  // One list per allowed origin (and one for the rest), built once: the lists are few and shared.
  const refused: readonly string[] = any ? [] : ['vary', 'Origin'];
  const lists = new Map<string, readonly string[]>();
  const listFor = (origin: string) => {
    let list = lists.get(origin);
    if (!list) lists.set(origin, (list = [...refused, 'access-control-allow-origin', origin, 'access-control-expose-headers', EXPOSE_HEADERS]));
    return list;
  };

  return {
    headersFor(req) {
      const origin = allowOrigin(header(req, 'origin'));
      return origin === undefined ? refused : listFor(origin);
    },
    preflight(req, res) {
      const requestOrigin = header(req, 'origin');
      const headers: Record<string, string> = { allow: 'GET, HEAD, POST, OPTIONS' };
      if (!any) headers.vary = 'Origin';
      if (requestOrigin !== undefined && header(req, 'access-control-request-method') !== undefined) {
        const origin = allowOrigin(requestOrigin);
        if (origin === undefined) {
          const body = JSON.stringify({ error: `origin ${requestOrigin} is not allowed: add it to CORS_ORIGINS` });
          res.writeHead(403, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(body)) });
          res.end(body);
          return;
        }
        Object.assign(headers, {
          'access-control-allow-origin': origin,
          'access-control-allow-methods': ALLOW_METHODS,
          'access-control-allow-headers': ALLOW_HEADERS,
          'access-control-max-age': String(PREFLIGHT_MAX_AGE_SECONDS),
        });
      }
      res.writeHead(204, headers);
      res.end();
    },
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

type Headers = OutgoingHttpHeaders | OutgoingHttpHeader[];

/**
 * A response that adds its request's CORS headers (cors, set by the router) when its head is
 * written, whatever path writes it: Vary merged with the writer's, the rest added. Writing them
 * with setHeader up front instead would send every response, a cache hit's prebuilt header list
 * included, down node's slower path that merges headers set before writeHead.
 */
export class CorsResponse<Request extends IncomingMessage = IncomingMessage> extends ServerResponse<Request> {
  cors?: readonly string[];

  override writeHead(statusCode: number, message?: string | Headers, headers?: Headers): this {
    const cors = this.cors;
    if (!cors?.length) return super.writeHead(statusCode, message as string, headers);
    if (typeof message === 'string') return super.writeHead(statusCode, message, this.withCors(cors, headers));
    return super.writeHead(statusCode, this.withCors(cors, message));
  }

  private withCors(cors: readonly string[], headers: Headers | undefined): Headers | undefined {
    if (headers === undefined) {
      // Written with setHeader (or nothing) before: add to those.
      for (let i = 0; i < cors.length; i += 2) this.setHeader(cors[i], merged(cors[i], cors[i + 1], this.getHeader(cors[i])));
      return undefined;
    }
    if (Array.isArray(headers)) return withCorsList(headers, cors);
    const out: OutgoingHttpHeaders = { ...headers };
    for (let i = 0; i < cors.length; i += 2) {
      const name = Object.keys(out).find((k) => k.toLowerCase() === cors[i]) ?? cors[i];
      out[name] = merged(cors[i], cors[i + 1], out[name]);
    }
    return out;
  }
}

/** A flat header list with cors added, built once per list and cors list (a hit's list is reused). */
function withCorsList(headers: OutgoingHttpHeader[], cors: readonly string[]): OutgoingHttpHeader[] {
  let byCors = listsWithCors.get(headers);
  if (!byCors) listsWithCors.set(headers, (byCors = new WeakMap()));
  let out = byCors.get(cors);
  if (out) return out;
  out = [...headers];
  for (let i = 0; i < cors.length; i += 2) {
    const at = out.findIndex((h, j) => j % 2 === 0 && String(h).toLowerCase() === cors[i]);
    if (at === -1) out.push(cors[i], cors[i + 1]);
    else out[at + 1] = merged(cors[i], cors[i + 1], out[at + 1]);
  }
  byCors.set(cors, out);
  return out;
}

const listsWithCors = new WeakMap<OutgoingHttpHeader[], WeakMap<readonly string[], OutgoingHttpHeader[]>>();

/** CORS's value for name, with what the writer gave: Vary lists both (CORS's first); anything else keeps the writer's. */
function merged(name: string, value: string, writers: OutgoingHttpHeader | undefined): OutgoingHttpHeader {
  if (writers === undefined) return value;
  return name === 'vary' ? `${value}, ${String(writers)}` : writers;
}
