import type { IncomingMessage } from 'node:http';
import { HttpError, readBody } from './http';
import { isJsonRequestType } from './media-types';

/** A GraphQL request over HTTP, from a GET's query string or a POST's JSON body. */
export interface GraphQLRequestBody {
  query?: string;
  operationName?: string;
  variables?: Record<string, unknown>;
  extensions?: Record<string, any>;
  /** GET's `use_cache` parameter (the seed systems' per-request bypass); see graphql/cache-mode.ts. */
  useCache?: string;
}

export type ParsedRequest = { kind: 'single'; body: GraphQLRequestBody } | { kind: 'other'; raw: unknown };

/**
 * Hands done the request as text: a POST's body, or a GET's query string (then at once).
 * Identical texts are identical requests (whatever the user), which lets the handler remember
 * what it derived from one.
 */
export function readRequestText(
  req: IncomingMessage,
  url: string,
  done: (err: Error | null, text?: string, large?: Buffer) => void,
  maxBodyBytes?: number,
  /** A body longer than this is handed over as bytes (`large`), to be parsed off the event loop. */
  inlineMaxBytes = Infinity,
): void {
  if (req.method === 'GET' || req.method === 'HEAD') {
    const q = url.indexOf('?');
    return done(null, q === -1 ? '' : url.slice(q + 1));
  }
  if (req.method !== 'POST') return done(new HttpError(405, 'GraphQL accepts GET (queries) and POST'));
  if (!isJsonRequestType(req.headers['content-type'])) return done(new HttpError(415, 'POST /graphql needs content-type: application/json'));
  readBody(
    req,
    (err, body) => {
      if (err) return done(err);
      if (body!.length > inlineMaxBytes) return done(null, undefined, body);
      done(null, body!.toString('utf8'));
    },
    maxBodyBytes,
  );
}

/**
 * The request a text holds, checked as strictly as Apollo Server checks it, before any cache
 * work: a member of the wrong type is a 400 whether or not the answer is cached (`variables: []`
 * must not be served from the cache when it would be refused on a miss).
 */
export function parseRequestText(method: string, text: string): ParsedRequest {
  if (method === 'GET' || method === 'HEAD') {
    const p = new URLSearchParams(text);
    return {
      kind: 'single',
      body: {
        query: p.get('query') ?? undefined,
        operationName: p.get('operationName') || undefined,
        variables: objectParam(p.get('variables'), 'variables'),
        extensions: objectParam(p.get('extensions'), 'extensions'),
        useCache: p.get('use_cache') ?? undefined,
      },
    };
  }
  let body: unknown;
  try {
    body = text.length ? JSON.parse(text) : undefined;
  } catch {
    throw new HttpError(400, 'request body is not valid JSON');
  }
  return requestOf(body);
}

/** A POST's parsed JSON body as a request, checked as parseRequestText checks it (also for a body parsed elsewhere). */
export function requestOf(body: unknown): ParsedRequest {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { kind: 'other', raw: body };
  const b = body as Record<string, unknown>;
  if (b.query !== undefined && typeof b.query !== 'string') return { kind: 'other', raw: body };
  if (b.operationName != null && typeof b.operationName !== 'string') throw new HttpError(400, 'operationName must be a string');
  if (b.variables != null && !isPlainObject(b.variables)) throw new HttpError(400, 'variables must be an object');
  if (b.extensions != null && !isPlainObject(b.extensions)) throw new HttpError(400, 'extensions must be an object');
  return {
    kind: 'single',
    body: {
      query: b.query as string | undefined,
      operationName: (b.operationName ?? undefined) as string | undefined,
      variables: (b.variables ?? undefined) as Record<string, unknown> | undefined,
      extensions: (b.extensions ?? undefined) as Record<string, any> | undefined,
    },
  };
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function objectParam(value: string | null, name: string): Record<string, any> | undefined {
  if (value === null || value === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new HttpError(400, `the ${name} parameter is not valid JSON`);
  }
  if (parsed === null) return undefined;
  if (!isPlainObject(parsed)) throw new HttpError(400, `the ${name} parameter must be a JSON object`);
  return parsed;
}
