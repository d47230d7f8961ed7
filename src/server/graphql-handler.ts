import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ApolloServer, HeaderMap } from '@apollo/server';
import { LRUCache } from 'lru-cache';
import { keyHash } from '../cache/keys';
import type { PersistedQueryStore } from '../cache/runtime';
import type { CacheMode } from '../cache/tagged-cache';
import type { AppContext } from '../domains/context';
import { CacheFlagError, cacheModeOf, requestedCacheMode, strictestCacheMode } from '../graphql/cache-mode';
import type { Candidate, OperationPlan, PendingResponse, ResponseCaching, ResponseEntry, WholeResponseCache } from '../graphql/whole-response';
import type { FieldCounts } from '../graphql/request-cache';
import type { User } from '../identity';
import { ClientError } from '../lib/errors';
import { authenticate } from './auth';
import { type GraphQLRequestBody, type ParsedRequest, parseRequestText, readRequestText } from './graphql-request';
import { sendJson } from './http';
import { contentTypeOf, GRAPHQL_RESPONSE_JSON, negotiate, type ResponseMediaType } from './media-types';

export interface GraphQLHandlerDeps {
  apollo: ApolloServer<AppContext>;
  /** Plans every request (GET must not run a mutation) and serves and stores whole responses. */
  responses: WholeResponseCache;
  /** CACHE_RESPONSES: false sends every request through execution (field caching still applies). */
  wholeResponses: boolean;
  persistedQueries: PersistedQueryStore;
  jwtSecret: string;
  /** JWT_REQUIRE_EXP: tokens without an expiry are refused. */
  requireExp: boolean;
  /** BODY_LIMIT_BYTES: the largest body of an anonymous caller, and of any query. */
  bodyLimitBytes: number;
  /** UPLOAD_BODY_LIMIT_BYTES: the largest body of a caller with a token (uploads are authenticated mutations). */
  uploadBodyLimitBytes: number;
  /** APQ_MAX_QUERY_BYTES: a longer query is not registered (and the request is refused). */
  apqMaxQueryBytes: number;
  /** CACHE_HTTP_MAX_AGE: seconds HTTP caches may reuse a response without revalidating (capped per response). */
  httpMaxAgeSeconds: number;
  /** CACHE_DEBUG: responses say in extensions.cache how the cache served them. */
  debug: boolean;
  createContext(user: User | undefined, mode: CacheMode): AppContext;
}

/** What an in-process caller asks to run: the body of a POST. */
export interface OperationRequest {
  query: string;
  operationName?: string;
  variables?: Record<string, unknown>;
}

/** What an operation run in process did: the whole-response verdict, its errors, and its cached fields' hits and misses. */
export interface Operated {
  /** HIT: answered from a stored whole response; MISS: computed and stored whole; BYPASS: not stored whole (fields may still be). */
  verdict: 'HIT' | 'MISS' | 'BYPASS';
  status: number;
  /** "CODE: message" per error; empty when it succeeded. */
  errors: string[];
  fields: Record<string, FieldCounts>;
  /** The short hash of its whole-response key (as the cache's log lines show it), when it has one. */
  key?: string;
}

/** Requests longer than this are not remembered (their text would crowd out many small ones). */
const MAX_REMEMBERED_TEXT = 64 * 1024;

/** What a request text yields, whoever sends it: the request, its plan, and for a cacheable query its candidate. */
interface Prepared {
  parsed: ParsedRequest;
  op?: OperationPlan;
  candidate?: Candidate;
  reject?: { status: number; message: string; code: string; headers?: Record<string, string>; details?: Record<string, unknown> };
  /** A GET with neither a query nor a persisted query: a browser is sent to GraphiQL. */
  noQuery?: boolean;
  /** False when the outcome may change later (a persisted query not registered yet). */
  remember: boolean;
  /** Length of the request text (UTF-16 units, at least a third of its bytes; exact for the ASCII of JSON and URLs). */
  textBytes?: number;
  /** The cache mode the request asks for in itself (use_cache, extensions.useCache); undefined when it says nothing. */
  requestedMode?: CacheMode;
}

/**
 * POST and GET /graphql over HTTP: reading the request, authentication, automatic persisted
 * queries, and writing answers with their cache headers. What is served from or stored in the
 * whole-response cache is decided by that module (src/graphql/whole-response); what a request
 * text yields is remembered by the text, so a hit parses nothing.
 */
export function createGraphQLHandler(deps: GraphQLHandlerDeps) {
  const { apollo, responses } = deps;
  // One memo per kind of text (a POST's JSON, a GET's query string), keyed by the text itself.
  const preparedPost = new LRUCache<string, Prepared>({ max: 2000 });
  const preparedGet = new LRUCache<string, Prepared>({ max: 2000 });
  const hitHeaders = new WeakMap<ResponseEntry, Partial<Record<ResponseMediaType, { age: number; headers: string[] }>>>();

  /** Answers the request; anything thrown or rejected goes to fail. */
  function handle(
    req: IncomingMessage,
    res: ServerResponse,
    url: string,
    fail: (req: IncomingMessage, res: ServerResponse, err: unknown) => void,
  ): void {
    // An anonymous caller cannot upload, so its body is refused with 413 as soon as it streams
    // past the small limit; a caller with a token may send an upload, and a large body that
    // turns out not to be a mutation is refused once read (answerPrepared).
    const limit = header(req, 'authorization') ? deps.uploadBodyLimitBytes : deps.bodyLimitBytes;
    readRequestText(
      req,
      url,
      (err, text) => {
        if (err) return fail(req, res, err);
        try {
          answer(req, res, text!)?.catch((e) => fail(req, res, e));
        } catch (e) {
          fail(req, res, e);
        }
      },
      limit,
    );
  }

  return { handle, operate };

  // The steps below return a promise only when they have to wait: a hit from the in-process
  // tier is answered within the request's 'end' event, with no microtask.

  function answer(req: IncomingMessage, res: ServerResponse, text: string): Promise<void> | void {
    const type = negotiate(header(req, 'accept'));
    if (type === undefined) {
      return sendJson(
        res,
        406,
        { errors: [{ message: `accept ${GRAPHQL_RESPONSE_JSON} or application/json`, extensions: { code: 'NOT_ACCEPTABLE' } }] },
        { 'cache-control': 'no-store', vary: varyOf(res, 'Accept') },
      );
    }
    const authorization = header(req, 'authorization');
    if (!authorization) return answerFor(req, res, text, undefined, type);
    return authenticate(authorization, deps.jwtSecret, { requireExp: deps.requireExp }).then(
      (user) => answerFor(req, res, text, user, type),
      (err) => {
        if (!(err instanceof ClientError)) throw err;
        // GraphQL over HTTP: a request error. The GraphQL response type says so with its status
        // (Apollo Client 4 still reads the body as GraphQL errors); plain JSON answers 200, as
        // legacy clients expect of every well-formed request. Both carry the code.
        const status = type === GRAPHQL_RESPONSE_JSON ? 401 : 200;
        return sendErrors(res, type, status, err.message, err.code, { 'www-authenticate': 'Bearer error="invalid_token"' });
      },
    );
  }

  function answerFor(req: IncomingMessage, res: ServerResponse, text: string, user: User | undefined, type: ResponseMediaType): Promise<void> | void {
    const method = req.method ?? 'GET';
    const memo = method === 'POST' ? preparedPost : preparedGet;
    const prep = memo.get(text);
    if (prep) return answerPrepared(req, res, prep, user, type);
    return prepare(method, text).then((fresh) => {
      fresh.textBytes = text.length;
      if (fresh.remember && text.length <= MAX_REMEMBERED_TEXT) memo.set(text, fresh);
      return answerPrepared(req, res, fresh, user, type);
    });
  }

  function answerPrepared(
    req: IncomingMessage,
    res: ServerResponse,
    prep: Prepared,
    user: User | undefined,
    type: ResponseMediaType,
  ): Promise<void> | void {
    if (prep.noQuery && wantsHtml(req)) {
      res.writeHead(302, { location: '/graphiql', 'cache-control': 'no-store', 'content-length': '0', vary: varyOf(res, 'Accept') });
      res.end();
      return;
    }
    if (prep.reject)
      return sendErrors(res, type, prep.reject.status, prep.reject.message, prep.reject.code, prep.reject.headers, prep.reject.details);
    if ((prep.textBytes ?? 0) > deps.bodyLimitBytes && prep.op?.kind !== 'mutation') {
      return sendErrors(res, type, 413, `a query's body may be at most ${deps.bodyLimitBytes} bytes`, 'PAYLOAD_TOO_LARGE');
    }
    // The mode the rate limits read too: anything but 'normal' computes, so it counts as a miss.
    const mode = strictestCacheMode(cacheModeOf(header(req, 'cache-control')), prep.requestedMode);
    const candidate = prep.candidate;
    if (!deps.wholeResponses || !candidate || !responses.applies(candidate, user, mode))
      return execute(req, res, prep.parsed, user, mode, undefined, type, undefined);
    const key = responses.keyFor(candidate, user);
    const now = Date.now();
    const hit = mode === 'normal' ? responses.peek(key, now) : undefined;
    if (hit) return sendHit(req, res, hit, now, type, candidate);
    return responses
      .lookup(candidate, key, mode)
      .then((found) =>
        'hit' in found
          ? sendHit(req, res, found.hit, Date.now(), type, candidate)
          : execute(req, res, prep.parsed, user, mode, found.pending, type, candidate),
      );
  }

  /**
   * A stored response, with its headers built once per entry, media type and second (Age is all
   * that changes). A revalidation that matches is a 304 with no execution at all.
   */
  function sendHit(req: IncomingMessage, res: ServerResponse, hit: ResponseEntry, now: number, type: ResponseMediaType, candidate: Candidate): void {
    const age = Math.max(0, Math.floor((now - hit.createdAt) / 1000));
    const caching: ResponseCaching = {
      verdict: 'HIT',
      private: hit.private,
      maxAgeSeconds: hit.ttlSeconds,
      etag: hit.etag,
      createdAt: hit.createdAt,
    };
    const vary = res.getHeader('vary');
    if (deps.debug || req.method === 'HEAD' || header(req, 'if-none-match') !== undefined || vary !== undefined) {
      return send(req, res, 200, deps.debug ? withDebugExtension(hit.body) : hit.body, {
        ...cacheHeaders(caching, type, httpMaxAge(candidate), res),
        age: String(age),
      });
    }
    let perType = hitHeaders.get(hit);
    if (!perType) {
      perType = {};
      hitHeaders.set(hit, perType);
    }
    let built = perType[type];
    if (built?.age !== age) {
      const headers = Object.entries(cacheHeaders(caching, type, httpMaxAge(candidate), res)).flat();
      headers.push('content-length', String(hit.body.length), 'age', String(age));
      built = { age, headers };
      perType[type] = built;
    }
    res.writeHead(200, built.headers);
    res.end(hit.body);
  }

  /** Seconds an HTTP cache may reuse this operation's response without asking: the setting, never above what every field allows. */
  function httpMaxAge(candidate: Candidate | undefined): number {
    if (!candidate || deps.httpMaxAgeSeconds === 0) return 0;
    return Math.min(deps.httpMaxAgeSeconds, candidate.op.httpTtlSeconds ?? 0);
  }

  async function prepare(method: string, text: string): Promise<Prepared> {
    const parsed = parseRequestText(method, text);
    if (parsed.kind !== 'single') return { parsed, remember: true };
    const body = { ...parsed.body };
    let requestedMode: CacheMode | undefined;
    try {
      requestedMode = requestedCacheMode(body.useCache, body.extensions);
    } catch (err) {
      if (!(err instanceof CacheFlagError)) throw err;
      return { parsed, reject: { status: 400, message: err.message, code: 'BAD_USER_INPUT' }, remember: true };
    }
    const persisted = body.extensions?.persistedQuery as { version?: number; sha256Hash?: string } | undefined;
    if (persisted) {
      const resolved = await resolvePersistedQuery(body, persisted);
      if ('error' in resolved) {
        return {
          parsed,
          reject: { status: resolved.status, message: resolved.error, code: resolved.code },
          remember: resolved.code !== 'PERSISTED_QUERY_NOT_FOUND',
        };
      }
      body.query = resolved.query;
    }
    const single: ParsedRequest = { kind: 'single', body };
    if (body.query === undefined) {
      if (method === 'POST') return { parsed: single, remember: true, requestedMode };
      return {
        parsed: single,
        noQuery: true,
        reject: { status: 400, message: 'GET /graphql needs a query parameter (or open /graphiql in a browser)', code: 'BAD_REQUEST' },
        remember: true,
      };
    }
    let prepared: ReturnType<WholeResponseCache['prepare']>;
    try {
      prepared = responses.prepare({ query: body.query, operationName: body.operationName, variables: body.variables });
    } catch (err) {
      // The guard's refusal (arguments out of bounds, too complex): answered before any cache work.
      if (err instanceof ClientError)
        return { parsed: single, reject: { status: 400, message: err.message, code: err.code, details: err.details }, remember: true };
      throw err;
    }
    const { op, candidate } = prepared;
    if ((method === 'GET' || method === 'HEAD') && op && op.kind !== 'query') {
      return {
        parsed: single,
        op,
        reject: { status: 405, message: `${op.kind}s are not allowed over GET; use POST`, code: 'METHOD_NOT_ALLOWED', headers: { allow: 'POST' } },
        remember: true,
      };
    }
    return { parsed: single, op, candidate, remember: true, requestedMode };
  }

  async function execute(
    req: IncomingMessage,
    res: ServerResponse,
    parsed: ParsedRequest,
    user: User | undefined,
    mode: CacheMode,
    pending: PendingResponse | undefined,
    type: ResponseMediaType,
    candidate: Candidate | undefined,
  ): Promise<void> {
    const ran = await run(parsed, user, mode, pending, type);
    if (ran.kind === 'stream') {
      res.writeHead(ran.status, { ...ran.headers, 'x-cache': 'BYPASS', 'cache-control': 'no-store', vary: varyOf(res, 'Accept') });
      for await (const chunk of ran.chunks) res.write(chunk);
      res.end();
      return;
    }
    return send(req, res, ran.status, ran.bytes, { ...ran.headers, ...cacheHeaders(ran.caching, type, httpMaxAge(candidate), res) });
  }

  /** Executes a request through Apollo and stores its whole response when pending says it may be stored. */
  async function run(parsed: ParsedRequest, user: User | undefined, mode: CacheMode, pending: PendingResponse | undefined, type: ResponseMediaType) {
    const context = deps.createContext(user, mode);
    // Apollo is told the type already negotiated, so an executed response is labelled as a hit would be.
    const headers = new HeaderMap([
      ['content-type', 'application/json'],
      ['accept', type],
    ]);
    const requestBody = parsed.kind === 'single' ? withoutPersistedQuery(parsed.body) : parsed.raw;
    const result = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: 'POST', headers, search: '', body: requestBody },
      context: async () => context,
    });
    const status = result.status ?? 200;
    const outHeaders: Record<string, string> = {};
    for (const [k, v] of result.headers) outHeaders[k] = v;
    if (result.body.kind !== 'complete') return { kind: 'stream' as const, status, headers: outHeaders, chunks: result.body.asyncIterator, context };
    const bytes = Buffer.from(result.body.string);
    const caching = await responses.complete(pending, context.cache, status, bytes, deps.debug && pending ? withoutDebugExtension(bytes) : bytes);
    return { kind: 'complete' as const, status, headers: outHeaders, bytes, caching, context };
  }

  /**
   * One operation run in process, the way an HTTP request with this body would be (the guard,
   * the whole-response cache, field caching), for the gateway's own traffic such as warming.
   */
  async function operate(request: OperationRequest, user: User | undefined, mode: CacheMode): Promise<Operated> {
    const prep = await prepare('POST', JSON.stringify(request));
    if (prep.reject) return { verdict: 'BYPASS', status: prep.reject.status, errors: [`${prep.reject.code}: ${prep.reject.message}`], fields: {} };
    const candidate = prep.candidate;
    let pending: PendingResponse | undefined;
    let key: string | undefined;
    if (deps.wholeResponses && candidate && responses.applies(candidate, user, mode)) {
      key = responses.keyFor(candidate, user);
      const found = await responses.lookup(candidate, key, mode);
      if ('hit' in found) return { verdict: 'HIT', status: 200, errors: [], fields: {}, key: keyHash(key) };
      pending = found.pending;
    }
    const ran = await run(prep.parsed, user, mode, pending, 'application/json');
    const fields = ran.context.cache?.counts ?? {};
    if (ran.kind === 'stream') {
      for await (const _chunk of ran.chunks) {
        // Drained: nothing reads an incremental response here, but it must run to its end.
      }
      return { verdict: 'BYPASS', status: ran.status, errors: [], fields, key: key && keyHash(key) };
    }
    const body = JSON.parse(ran.bytes.toString('utf8')) as { errors?: { message: string; extensions?: { code?: string } }[] };
    const errors = (body.errors ?? []).map((e) => (e.extensions?.code ? `${e.extensions.code}: ${e.message}` : e.message));
    return { verdict: ran.caching.verdict, status: ran.status, errors, fields, key: key && keyHash(key) };
  }

  async function resolvePersistedQuery(
    body: GraphQLRequestBody,
    persisted: { version?: number; sha256Hash?: string },
  ): Promise<{ query: string } | { error: string; code: string; status: number }> {
    if (persisted.version !== 1 || typeof persisted.sha256Hash !== 'string') {
      return { error: 'persistedQuery needs version 1 and a sha256Hash', code: 'BAD_USER_INPUT', status: 400 };
    }
    const hash = persisted.sha256Hash.toLowerCase();
    if (body.query !== undefined) {
      // Refusals name the problem, never echo the document: it may be megabytes of anything.
      if (Buffer.byteLength(body.query) > deps.apqMaxQueryBytes) {
        return { error: `a persisted query may be at most ${deps.apqMaxQueryBytes} bytes`, code: 'PERSISTED_QUERY_TOO_LARGE', status: 400 };
      }
      if (createHash('sha256').update(body.query).digest('hex') !== hash) {
        return { error: 'provided sha does not match query', code: 'PERSISTED_QUERY_HASH_MISMATCH', status: 400 };
      }
      // Only a document that parses and validates is registered; any other still runs once, so
      // the client sees its GraphQL errors, but never occupies the store.
      if (responses.planner.plan(body.query).operations) await deps.persistedQueries.put(hash, body.query);
      return { query: body.query };
    }
    const text = await deps.persistedQueries.get(hash);
    if (text === undefined) return { error: 'PersistedQueryNotFound', code: 'PERSISTED_QUERY_NOT_FOUND', status: 200 };
    return { query: text };
  }
}

/**
 * The HTTP caching headers of a response, from what the whole-response cache decided.
 *
 * A cacheable response may be stored, but by default must be revalidated on every use
 * (`no-cache`): the gateway invalidates at once on writes, and a browser or CDN holding a copy
 * for the field's TTL would not. The revalidation is a 304 from the whole-response cache while
 * the entry stands. maxAgeSeconds > 0 (CACHE_HTTP_MAX_AGE, capped by every field's TTL) allows
 * reuse without asking. Only PUBLIC data may sit in a shared cache; a PRIVATE response is
 * `private` and varies by Authorization, so a browser never hands one user's copy to another.
 * Every response varies by Accept: its media type is negotiated.
 */
function cacheHeaders(caching: ResponseCaching, type: ResponseMediaType, maxAgeSeconds: number, res: ServerResponse): Record<string, string> {
  if (caching.verdict === 'BYPASS') return { 'cache-control': 'no-store', 'x-cache': 'BYPASS', vary: varyOf(res, 'Accept') };
  const reuse = maxAgeSeconds > 0 ? `max-age=${maxAgeSeconds}` : 'no-cache';
  return {
    'content-type': contentTypeOf(type),
    'cache-control': caching.private ? `private, ${reuse}` : `public, ${reuse}`,
    vary: varyOf(res, caching.private ? 'Accept, Authorization' : 'Accept'),
    etag: caching.etag,
    'x-cache': caching.verdict,
  };
}

/** The Vary header: what this response varies by, after what CORS set already (Origin). */
function varyOf(res: ServerResponse, value: string): string {
  const before = res.getHeader('vary');
  return before === undefined ? value : `${String(before)}, ${value}`;
}

/**
 * Whether If-None-Match matches the ETag (RFC 9110 13.1.2: the weak comparison, so `W/"x"`
 * matches `"x"`, and `*` matches any current representation).
 */
function ifNoneMatchMatches(ifNoneMatch: string, etag: string): boolean {
  const opaque = (tag: string) => (tag.startsWith('W/') ? tag.slice(2) : tag);
  const ours = opaque(etag);
  return ifNoneMatch.split(',').some((t) => {
    const tag = t.trim();
    return tag === '*' || opaque(tag) === ours;
  });
}

/** Writes a response, answering 304 to a GET or HEAD whose client already holds these bytes (never to a POST: RFC 9110 13.1.2). */
function send(req: IncomingMessage, res: ServerResponse, status: number, body: Buffer, headers: Record<string, string>): void {
  const etag = headers.etag;
  const ifNoneMatch = header(req, 'if-none-match');
  if (
    status === 200 &&
    etag &&
    ifNoneMatch !== undefined &&
    (req.method === 'GET' || req.method === 'HEAD') &&
    ifNoneMatchMatches(ifNoneMatch, etag)
  ) {
    const { 'content-type': _t, ...rest } = headers;
    res.writeHead(304, rest);
    res.end();
    return;
  }
  headers['content-length'] = String(body.length);
  res.writeHead(status, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** A request error as a GraphQL response in the negotiated type (never stored: no-store). */
function sendErrors(
  res: ServerResponse,
  type: ResponseMediaType,
  status: number,
  message: string,
  code: string,
  extraHeaders: Record<string, string> = {},
  details: Record<string, unknown> = {},
): void {
  sendJson(
    res,
    status,
    { errors: [{ message, extensions: { ...details, code } }] },
    { 'content-type': contentTypeOf(type), 'cache-control': 'no-store', vary: varyOf(res, 'Accept'), ...extraHeaders },
  );
}

/** A browser navigating to the URL (Accept names HTML), not a GraphQL client. */
function wantsHtml(req: IncomingMessage): boolean {
  return /\btext\/html\b/i.test(header(req, 'accept') ?? '');
}

/** The body Apollo executes: no persisted-query extension (resolved already) and no undefined members, which it refuses. */
function withoutPersistedQuery(body: GraphQLRequestBody): GraphQLRequestBody {
  const out: GraphQLRequestBody = {};
  if (body.query !== undefined) out.query = body.query;
  if (body.operationName !== undefined) out.operationName = body.operationName;
  if (body.variables !== undefined) out.variables = body.variables;
  if (body.extensions) {
    const { persistedQuery: _omit, ...extensions } = body.extensions;
    out.extensions = extensions;
  }
  return out;
}

/** A stored body never carries the debug report of the request that stored it. */
function withoutDebugExtension(body: Buffer): Buffer {
  const parsed = JSON.parse(body.toString('utf8'));
  if (parsed.extensions) {
    delete parsed.extensions.cache;
    if (Object.keys(parsed.extensions).length === 0) delete parsed.extensions;
  }
  return Buffer.from(JSON.stringify(parsed));
}

/** The debug report of a whole-response hit: no field ran. */
function withDebugExtension(body: Buffer): Buffer {
  const parsed = JSON.parse(body.toString('utf8'));
  parsed.extensions = { ...parsed.extensions, cache: { mode: 'normal', response: 'HIT', fields: {} } };
  return Buffer.from(JSON.stringify(parsed));
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
