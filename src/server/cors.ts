import type { IncomingMessage, ServerResponse } from 'node:http';

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
const EXPOSE_HEADERS = 'x-cache, age, etag, ratelimit-limit, ratelimit-remaining, ratelimit-reset, retry-after';
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
