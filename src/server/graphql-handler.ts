import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { type ApolloServer, HeaderMap } from '@apollo/server';
import { LRUCache } from 'lru-cache';
import type { PersistedQueryStore } from '../cache/runtime';
import type { CacheMode } from '../cache/tagged-cache';
import { keyHash } from '../cache/keys';
import { WriteBudget } from '../cache/write-budget';
import type { AppContext } from '../domains/context';
import { CacheFlagError, cacheModeOf, requestedCacheMode, strictestCacheMode } from '../graphql/cache-mode';
import type { FieldCounts } from '../graphql/request-cache';
import type { Candidate, OperationPlan, PendingResponse, ResponseCaching, ResponseEntry, WholeResponseCache } from '../graphql/whole-response';
import type { User } from '../identity';
import { ClientError, RateLimitedError } from '../lib/errors';
import { authenticate } from './auth';
import { type GraphQLRequestBody, type ParsedRequest, parseRequestText, readRequestText, requestOf } from './graphql-request';
import type { GatewayResponse } from './gateway-response';
import { HttpError, sendJson } from './http';
import type { OffThreadJson } from './json-off-thread';
import { contentTypeOf, GRAPHQL_RESPONSE_JSON, negotiate, type ResponseMediaType } from './media-types';
import { type RateDecision, rateLimitHeaders, type RateLimiter } from './rate-limit';

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
  /** Cost points per identity per window (RATE_LIMIT_POINTS); absent: no rate limit. */
  rateLimit?: RateLimiter;
  /** Parses bodies past bodyLimitBytes (a verified caller's uploads) off the event loop. */
  largeBodies: OffThreadJson;
  /** CACHE_MAX_KEYS_PER_REQUEST: keys (entries, tag versions) one request may write; 0: no bound. */
  maxKeysPerRequest: number;
  createContext(user: User | undefined, mode: CacheMode, budget: WriteBudget | undefined): AppContext;
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

/** Who sent a request, settled before its body is read: a verified user, anonymous, or a token refused. */
type Caller = { user: User | undefined } | { refused: ClientError };

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
  /** The operation's cost in points (the guard's), what executing it is charged. */
  cost?: number;
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
  /** The keys one request may write (CACHE_MAX_KEYS_PER_REQUEST): made only for a request that may write (a hit writes nothing). */
  const newBudget = () => (deps.maxKeysPerRequest > 0 ? new WriteBudget(deps.maxKeysPerRequest) : undefined);
  const hitHeaders = new WeakMap<ResponseEntry, Partial<Record<ResponseMediaType, { age: number; headers: string[] }>>>();

  /** Answers the request; anything thrown or rejected goes to fail. */
  function handle(
    req: IncomingMessage,
    res: GatewayResponse,
    url: string,
    fail: (req: IncomingMessage, res: GatewayResponse, err: unknown) => void,
  ): void {
    // The token is verified before the body is read: only a verified caller may stream a body
    // past the small limit (an upload), and anyone else's is refused with 413 as soon as it
    // streams past it, never after buffering. A large body that turns out not to be a mutation
    // is refused once read (answerPrepared).
    const authorization = header(req, 'authorization');
    if (!authorization) return readThen(req, res, url, fail, deps.bodyLimitBytes, { user: undefined });
    authenticate(authorization, deps.jwtSecret, { requireExp: deps.requireExp }).then(
      (user) => readThen(req, res, url, fail, deps.uploadBodyLimitBytes, { user }),
      (err) => (err instanceof ClientError ? readThen(req, res, url, fail, deps.bodyLimitBytes, { refused: err }) : fail(req, res, err)),
    );
  }

  return { handle, operate };

  function readThen(
    req: IncomingMessage,
    res: GatewayResponse,
    url: string,
    fail: (req: IncomingMessage, res: GatewayResponse, err: unknown) => void,
    limit: number,
    caller: Caller,
  ): void {
    readRequestText(
      req,
      url,
      (err, text, large) => {
        if (err) return fail(req, res, err);
        try {
          const answered = large ? answerLarge(req, res, large, caller) : answer(req, res, text!, caller);
          answered?.catch((e) => fail(req, res, e));
        } catch (e) {
          fail(req, res, e);
        }
      },
      limit,
      deps.bodyLimitBytes,
    );
  }

  /**
   * A body past the small limit, which only a verified caller may send (an upload): parsed in a
   * worker, and refused there already when it names no mutation, so its variables never reach
   * JSON.parse on the event loop.
   */
  async function answerLarge(req: IncomingMessage, res: GatewayResponse, body: Buffer, caller: Caller): Promise<void> {
    const type = negotiate(header(req, 'accept'));
    if (type === undefined || !('user' in caller)) return answer(req, res, '', caller);
    const bytes = body.length;
    const parsed = await deps.largeBodies.parse(body);
    if (parsed.kind === 'invalid') throw new HttpError(400, 'request body is not valid JSON');
    if (parsed.kind === 'not-a-mutation')
      return sendErrors(res, type, 413, `a query's body may be at most ${deps.bodyLimitBytes} bytes`, 'PAYLOAD_TOO_LARGE');
    const fresh = await prepare('POST', () => requestOf(parsed.value));
    fresh.textBytes = bytes;
    return answerPrepared(req, res, fresh, caller.user, type);
  }

  // The steps below return a promise only when they have to wait: a hit from the in-process
  // tier is answered within the request's 'end' event, with no microtask.

  function answer(req: IncomingMessage, res: GatewayResponse, text: string, caller: Caller): Promise<void> | void {
    const type = negotiate(header(req, 'accept'));
    if (type === undefined) {
      return sendJson(
        res,
        406,
        { errors: [{ message: `accept ${GRAPHQL_RESPONSE_JSON} or application/json`, extensions: { code: 'NOT_ACCEPTABLE' } }] },
        { 'cache-control': 'no-store', vary: 'Accept' },
      );
    }
    if ('refused' in caller) {
      // GraphQL over HTTP: a request error. The GraphQL response type says so with its status
      // (Apollo Client 4 still reads the body as GraphQL errors); plain JSON answers 200, as
      // legacy clients expect of every well-formed request. Both carry the code.
      const status = type === GRAPHQL_RESPONSE_JSON ? 401 : 200;
      return sendErrors(res, type, status, caller.refused.message, caller.refused.code, { 'www-authenticate': 'Bearer error="invalid_token"' });
    }
    return answerFor(req, res, text, caller.user, type);
  }

  function answerFor(
    req: IncomingMessage,
    res: GatewayResponse,
    text: string,
    user: User | undefined,
    type: ResponseMediaType,
  ): Promise<void> | void {
    const method = req.method ?? 'GET';
    const memo = method === 'POST' ? preparedPost : preparedGet;
    const prep = memo.get(text);
    if (prep) return answerPrepared(req, res, prep, user, type);
    return prepare(method, () => parseRequestText(method, text)).then((fresh) => {
      fresh.textBytes = text.length;
      if (fresh.remember && text.length <= MAX_REMEMBERED_TEXT) memo.set(text, fresh);
      return answerPrepared(req, res, fresh, user, type);
    });
  }

  function answerPrepared(
    req: IncomingMessage,
    res: GatewayResponse,
    prep: Prepared,
    user: User | undefined,
    type: ResponseMediaType,
  ): Promise<void> | void {
    if (prep.noQuery && wantsHtml(req)) {
      res.writeHead(302, { location: '/graphiql', 'cache-control': 'no-store', 'content-length': '0', vary: 'Accept' });
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
    // Charged only when the guard computed a cost: a document that does not parse, validate or
    // coerce is refused before any field runs, and a refusal writes nothing (not even a count).
    // Nor is one that costs nothing (only __typename or introspection, which may be refused too),
    // nor one whose every root field needs a user or role the caller lacks (refused at once).
    const limiter = !prep.cost || prep.op?.deniedTo(user) ? undefined : deps.rateLimit;
    // What executing costs: the guard's points (a forced refresh executes, so it pays them too).
    const cost = prep.cost ?? 0;
    if (!deps.wholeResponses || !candidate || !responses.applies(candidate, user, mode)) {
      const budget = newBudget();
      if (!limiter) return execute(req, res, prep.parsed, user, mode, undefined, type, undefined, budget);
      return limiter.charge(req, user, cost).then((decision) => {
        if (!decision.allowed) return sendRateLimited(res, type, decision);
        res.rateLimit = rateLimitHeaders(decision);
        return execute(req, res, prep.parsed, user, mode, undefined, type, undefined, budget);
      });
    }
    const key = responses.keyFor(candidate, user);
    const now = Date.now();
    const hit = mode === 'normal' ? responses.peek(key, now) : undefined;
    if (hit) return admitHit(req, res, user, type) ? sendHit(req, res, hit, now, type, candidate) : undefined;
    const budget = newBudget();
    // A miss is charged once the lookup knows it is one, before any tag version is written.
    let refused: RateDecision | undefined;
    const chargeMiss = limiter
      ? async () => {
          const decision = await limiter.charge(req, user, cost);
          if (!decision.allowed) {
            refused = decision;
            throw new RateLimitedError('rate limited');
          }
          res.rateLimit = rateLimitHeaders(decision);
        }
      : undefined;
    return responses.lookup(candidate, key, mode, chargeMiss, budget).then(
      (found) => {
        if (!('hit' in found)) return execute(req, res, prep.parsed, user, mode, found.pending, type, candidate, budget);
        if (admitHit(req, res, user, type)) sendHit(req, res, found.hit, Date.now(), type, candidate);
      },
      (err) => {
        if (refused && err instanceof RateLimitedError) return sendRateLimited(res, type, refused);
        throw err;
      },
    );
  }

  /** A hit costs no points; it is refused only to an identity this process knows has none left. False when refused (answered). */
  function admitHit(req: IncomingMessage, res: GatewayResponse, user: User | undefined, type: ResponseMediaType): boolean {
    if (!deps.rateLimit) return true;
    const decision = deps.rateLimit.admitHit(req, user);
    if (!decision.allowed) {
      sendRateLimited(res, type, decision);
      return false;
    }
    res.rateLimit = rateLimitHeaders(decision);
    return true;
  }

  /**
   * A stored response, with its headers built once per entry, media type and second (Age is all
   * that changes). A revalidation that matches is a 304 with no execution at all.
   */
  function sendHit(req: IncomingMessage, res: GatewayResponse, hit: ResponseEntry, now: number, type: ResponseMediaType, candidate: Candidate): void {
    const age = Math.max(0, Math.floor((now - hit.createdAt) / 1000));
    if (deps.debug || req.method === 'HEAD' || header(req, 'if-none-match') !== undefined) {
      return send(req, res, 200, deps.debug ? withDebugExtension(hit.body) : hit.body, {
        ...cacheHeaders(hitCaching(hit), type, httpMaxAge(candidate)),
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
      const headers = Object.entries(cacheHeaders(hitCaching(hit), type, httpMaxAge(candidate))).flat();
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

  async function prepare(method: string, parse: () => ParsedRequest): Promise<Prepared> {
    const parsed = parse();
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
    const { op, candidate, cost } = prepared;
    if ((method === 'GET' || method === 'HEAD') && op && op.kind !== 'query') {
      return {
        parsed: single,
        op,
        reject: { status: 405, message: `${op.kind}s are not allowed over GET; use POST`, code: 'METHOD_NOT_ALLOWED', headers: { allow: 'POST' } },
        remember: true,
      };
    }
    return { parsed: single, op, candidate, remember: true, requestedMode, cost };
  }

  async function execute(
    req: IncomingMessage,
    res: GatewayResponse,
    parsed: ParsedRequest,
    user: User | undefined,
    mode: CacheMode,
    pending: PendingResponse | undefined,
    type: ResponseMediaType,
    candidate: Candidate | undefined,
    budget: WriteBudget | undefined,
  ): Promise<void> {
    const ran = await run(parsed, user, mode, pending, type, budget);
    if (ran.kind === 'stream') {
      res.writeHead(ran.status, { ...ran.headers, 'x-cache': 'BYPASS', 'cache-control': 'no-store', vary: 'Accept' });
      for await (const chunk of ran.chunks) res.write(chunk);
      res.end();
      return;
    }
    return send(req, res, ran.status, ran.bytes, { ...ran.headers, ...cacheHeaders(ran.caching, type, httpMaxAge(candidate)) });
  }

  /** Executes a request through Apollo and stores its whole response when pending says it may be stored. */
  async function run(
    parsed: ParsedRequest,
    user: User | undefined,
    mode: CacheMode,
    pending: PendingResponse | undefined,
    type: ResponseMediaType,
    budget: WriteBudget | undefined,
  ) {
    const context = deps.createContext(user, mode, budget);
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
   * the whole-response cache, field caching, the key budget), for the gateway's own traffic such
   * as warming. It is not rate limited: the gateway's own work is bounded by its warm file.
   */
  async function operate(request: OperationRequest, user: User | undefined, mode: CacheMode): Promise<Operated> {
    const prep = await prepare('POST', () => requestOf(request));
    if (prep.reject) return { verdict: 'BYPASS', status: prep.reject.status, errors: [`${prep.reject.code}: ${prep.reject.message}`], fields: {} };
    const candidate = prep.candidate;
    const budget = newBudget();
    let pending: PendingResponse | undefined;
    let key: string | undefined;
    if (deps.wholeResponses && candidate && responses.applies(candidate, user, mode)) {
      key = responses.keyFor(candidate, user);
      const found = await responses.lookup(candidate, key, mode, undefined, budget);
      if ('hit' in found) return { verdict: 'HIT', status: 200, errors: [], fields: {}, key: keyHash(key) };
      pending = found.pending;
    }
    const ran = await run(prep.parsed, user, mode, pending, 'application/json', budget);
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
function cacheHeaders(caching: ResponseCaching, type: ResponseMediaType, maxAgeSeconds: number): Record<string, string> {
  if (caching.verdict === 'BYPASS') return { 'cache-control': 'no-store', 'x-cache': 'BYPASS', vary: 'Accept' };
  const reuse = maxAgeSeconds > 0 ? `max-age=${maxAgeSeconds}` : 'no-cache';
  return {
    'content-type': contentTypeOf(type),
    'cache-control': caching.private ? `private, ${reuse}` : `public, ${reuse}`,
    vary: caching.private ? 'Accept, Authorization' : 'Accept',
    etag: caching.etag,
    'x-cache': caching.verdict,
  };
}

/** How a stored response is cached, for its headers: built only when they are (once a second on the usual path). */
function hitCaching(hit: ResponseEntry): ResponseCaching {
  return { verdict: 'HIT', private: hit.private, maxAgeSeconds: hit.ttlSeconds, etag: hit.etag, createdAt: hit.createdAt };
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
function send(req: IncomingMessage, res: GatewayResponse, status: number, body: Buffer, headers: Record<string, string>): void {
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
  res: GatewayResponse,
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
    { 'content-type': contentTypeOf(type), 'cache-control': 'no-store', vary: 'Accept', ...extraHeaders },
  );
}

/**
 * 429: the identity's points for this window are spent. The error carries the limit, what is
 * left and when the window resets, as the RateLimit and Retry-After headers do.
 */
function sendRateLimited(res: GatewayResponse, type: ResponseMediaType, d: RateDecision): void {
  const retryAfter = Math.max(1, Math.ceil((d.resetAt - Date.now()) / 1000));
  res.rateLimit = rateLimitHeaders(d);
  sendErrors(
    res,
    type,
    429,
    `rate limit reached: this request costs ${d.cost} points and ${d.remaining} of ${d.limit} are left in this window; retry in ${retryAfter} s`,
    'RATE_LIMITED',
    {},
    {
      rateLimit: { limit: d.limit, remaining: d.remaining, cost: d.cost, resetAt: new Date(d.resetAt).toISOString(), retryAfterSeconds: retryAfter },
    },
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
