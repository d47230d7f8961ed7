import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import type { NonEmptyArray } from 'type-graphql';
// The domains load before cache administration: type-graphql lays the schema out in the order
// resolvers were declared, and schema/schema.graphql is committed.
import { domains, type Loaders, seedsOf, type Services } from '../domains';
import { adminResolvers, provideCacheAdmin } from '../admin';
import { schemaVersionOf } from '../cache/keys';
import { type CacheRuntime, createCacheRuntime } from '../cache/runtime';
import { type CacheMode, TaggedCache, type TaggedCacheOptions } from '../cache/tagged-cache';
import { TieredStore } from '../cache/tiered-store';
import type { WriteBudget } from '../cache/write-budget';
import { InvalidationRelay, type InvalidationRelayOptions } from '../cache/invalidation-relay';
import { entityTag, type Tag, typeTag } from '../cache/tags';
import type { Config } from '../config';
import type { Database } from '../db/database';
import { installInvalidationTriggers, SqlInvalidationLog } from '../db/invalidation-log';
import { databaseIdentity, migrate } from '../db/migrate';
import { openDatabase } from '../db/open';
import { runSeeds } from '../db/seed';
import type { AppContext } from '../domains/context';
import type { Domain, DomainDeps } from '../domains/domain';
import { applyCaching, type CachedField } from '../graphql/apply-caching';
import { applyAuthorization } from '../graphql/authorization';
import { cacheDebugPlugin } from '../graphql/debug-plugin';
import { createErrorFormatter } from '../graphql/errors';
import { applyInvalidation, invalidationPlugin, type TagInvalidator } from '../graphql/invalidation';
import { printGatewaySchema } from '../graphql/print-schema';
import { RequestCache } from '../graphql/request-cache';
import { buildGatewaySchema } from '../graphql/schema';
import { RequestGuard } from '../graphql/guard';
import { WholeResponseCache, type WholeResponseOptions } from '../graphql/whole-response';
import type { User } from '../identity';
import type { Logger } from '../logger';
import { serveDashboard } from './dashboard';
import { graphiqlAsset, graphiqlPage } from './graphiql';
import { createCors } from './cors';
import { GatewayResponse } from './gateway-response';
import { createGraphQLHandler } from './graphql-handler';
import { HttpError, sendJson, sendText } from './http';
import { createMetrics } from './metrics';
import { RateLimiter } from './rate-limit';
import { OffThreadJson } from './json-off-thread';
import { setPretenuring } from './v8-tuning';
import { loadWarmFile, type WarmEntry } from './warm/warm-file';
import { Warmer } from './warm/warmer';

export interface Gateway {
  readonly server: Server;
  readonly db: Database;
  readonly services: Services;
  readonly schema: GraphQLSchema;
  readonly cache: CacheRuntime;
  readonly cachedFields: CachedField[];
  /** Keeps the entries of CACHE_WARM_FILE in the cache; undefined without one. */
  readonly warmer?: Warmer;
  /** Starts listening; resolves with the bound port (useful with port 0). */
  listen(port: number, host?: string): Promise<number>;
  close(): Promise<void>;
}

/**
 * The parts of the gateway a test or bench may replace with a variant of its own: a planted
 * bug that the race tests must catch, or an unbatched reader to measure what batching saves.
 */
export interface GatewayParts {
  taggedCache(opts: TaggedCacheOptions): TaggedCache;
  wholeResponses(opts: WholeResponseOptions): WholeResponseCache;
  /** values: the field cache, for compositions that write tag versions themselves (planted bugs). */
  bindInvalidation(schema: GraphQLSchema, invalidator: TagInvalidator, values: TaggedCache): void;
  requestCache(values: TaggedCache, mode: CacheMode, budget?: WriteBudget): RequestCache;
  /** The relay of the invalidation log; undefined composes a gateway that commits but never applies (a crash after commit). */
  relay(opts: InvalidationRelayOptions): InvalidationRelay | undefined;
  /** The in-process tier in front of Redis (when CACHE_L1_MAX_BYTES > 0). */
  tieredStore(args: ConstructorParameters<typeof TieredStore>): TieredStore;
}

const defaultParts: GatewayParts = {
  taggedCache: (opts) => new TaggedCache(opts),
  wholeResponses: (opts) => new WholeResponseCache(opts),
  bindInvalidation: applyInvalidation,
  requestCache: (values, mode, budget) => new RequestCache(values, mode, true, budget),
  relay: (opts) => new InvalidationRelay(opts),
  tieredStore: (args) => new TieredStore(...args),
};

/** How long a pending invalidation keeps its tags treated as changed in the writer's process, at most, in milliseconds. */
const HOLD_PENDING_MS = 10 * 60_000;

export interface GatewayOptions {
  config: Config;
  logger: Logger;
  /** An already-open database (tests); otherwise opened from the config. */
  db?: Database;
  /** Skip the first-start seed (tests that bring their own data). */
  seed?: boolean;
  /** Variants of the gateway's parts (tests and benches only). */
  parts?: Partial<GatewayParts>;
}

/** Every resolver of the gateway's schema: the domains' and cache administration. */
export function gatewayResolvers(): NonEmptyArray<Function> {
  return [...domains.flatMap((d) => d.resolvers), ...adminResolvers] as NonEmptyArray<Function>;
}

/** Opens the database, migrates, seeds on first start, and wires GraphQL and the other HTTP routes. */
export async function createGateway(opts: GatewayOptions): Promise<Gateway> {
  const { config, logger } = opts;
  const parts = { ...defaultParts, ...opts.parts };
  setPretenuring(config.V8_PRETENURING);
  if (config.usingDevJwtSecret) logger.warn('JWT_SECRET is not set: using the development secret (never do this in production)');
  const db =
    opts.db ??
    (await openDatabase({
      url: config.DATABASE_URL,
      dataDir: config.dataDir,
      connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
      statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
      logger: logger.child({ component: 'db' }),
    }));
  const applied = await migrate(db);
  if (applied.length > 0) logger.info({ migrations: applied }, `applied ${applied.length} migration(s) on ${db.kind}`);

  await installInvalidationTriggers(
    db,
    (domains as readonly Domain[]).flatMap((d) => d.tracks ?? []),
  );

  const schema = await buildGatewaySchema(gatewayResolvers());
  // Checked before the cache starts, so a bad file stops the gateway with the entry it names.
  let warmEntries: WarmEntry[] | undefined;
  try {
    warmEntries = config.CACHE_WARM_FILE ? loadWarmFile(config.CACHE_WARM_FILE, schema) : undefined;
  } catch (err) {
    if (!opts.db) await db.close();
    throw err;
  }
  const entityTagOf: Record<string, (id: string) => Tag> = Object.assign({}, ...(domains as readonly Domain[]).map((d) => d.entityTags ?? {}));
  const cache = await createCacheRuntime({
    // A new schema or a recreated database gets keys of its own.
    space: { prefix: config.REDIS_CACHE_PREFIX, schemaVersion: schemaVersionOf(`${printGatewaySchema(schema)}\n${await databaseIdentity(db)}`) },
    redisTopology: config.redis,
    redisPoolSize: config.REDIS_POOL_SIZE,
    redisTimeoutMs: config.CACHE_REDIS_TIMEOUT_MS,
    l1MaxBytes: config.CACHE_L1_MAX_BYTES,
    maxEntryBytes: config.CACHE_MAX_ENTRY_BYTES,
    compressMinBytes: config.CACHE_COMPRESS_MIN_BYTES,
    statsFlushDelayMs: config.CACHE_STATS_FLUSH_MS,
    leaseMs: config.CACHE_LEASE_MS,
    ttlJitter: config.CACHE_TTL_JITTER,
    logger: logger.child({ component: 'cache' }),
    createTaggedCache: parts.taggedCache,
    invalidationLog: new SqlInvalidationLog(db),
    tagsOf: (change) => [(entityTagOf[change.type] ?? ((id: string) => entityTag(change.type, id)))(change.id), typeTag(change.type)],
    logRetentionMs: config.CACHE_LOG_RETENTION_HOURS * 3600 * 1000,
    createRelay: parts.relay,
    createTieredStore: parts.tieredStore,
    outageTtlMs: config.CACHE_OUTAGE_TTL_MS,
  });
  const invalidator: TagInvalidator = {
    async invalidate(tags) {
      if (await cache.invalidations.settle(config.CACHE_INVALIDATION_WAIT_MS)) return 'APPLIED';
      // Committed but not applied yet (the database or the log's lock is slow or unreachable): this
      // process treats what the writer changed as changed, and gives those tags new versions in
      // Redis itself, so no instance serves the old values once it answers. The relay applies the
      // record all the same when it can (a second new version changes nothing).
      cache.values.holdUnapplied(tags);
      void cache.invalidations.settle(HOLD_PENDING_MS).finally(() => cache.values.releaseUnapplied(tags));
      await cache.values.invalidate(tags);
      return 'PENDING';
    },
  };
  const cachedFields = applyCaching(schema, cache.values, config.CACHE_DEFAULT_TTL);
  parts.bindInvalidation(schema, invalidator, cache.values);
  applyAuthorization(schema);
  logger.info(
    { database: db.kind, backend: cache.state().backend, tiered: cache.state().tiered, cachedFields: cachedFields.length },
    `cache ready: ${cache.state().backend}${cache.state().tiered ? ' behind an in-process tier' : ''}, database ${db.kind}`,
  );

  const {
    services,
    loadersFor,
    seeds,
    close: closeDomains,
  } = startDomains({
    db,
    invalidator,
    limits: {
      datasetMaxColumns: config.DATASET_MAX_COLUMNS,
      datasetMaxCsvBytes: config.DATASET_MAX_CSV_BYTES,
      datasetRowsMemoryBytes: config.DATASET_ROWS_MEMORY_BYTES,
    },
    logger: logger.child({ component: 'domains' }),
  });
  provideCacheAdmin(schema, {
    cache: cache.admin,
    logger: logger.child({ component: 'admin' }),
    entityTag: (typename, id) => (entityTagOf[typename] ?? ((i: string) => entityTag(typename, i)))(id),
  });
  const rateLimit =
    config.RATE_LIMIT_POINTS > 0
      ? new RateLimiter(cache.windowCounters(config.RATE_LIMIT_WINDOW_MS), {
          points: config.RATE_LIMIT_POINTS,
          adminPoints: Math.max(config.RATE_LIMIT_ADMIN_POINTS, config.RATE_LIMIT_POINTS),
        })
      : undefined;
  const metrics = createMetrics(cache, rateLimit);
  if (opts.seed ?? config.SEED) await runSeeds(db, seeds, logger);

  const guard = new RequestGuard(schema, {
    maxCost: config.QUERY_MAX_COST,
    maxDepth: config.QUERY_MAX_DEPTH,
    maxAliases: config.QUERY_MAX_ALIASES,
    maxDirectives: config.QUERY_MAX_DIRECTIVES,
    maxTokens: config.QUERY_MAX_TOKENS,
    maxFields: config.QUERY_MAX_FIELDS,
    defaultListSize: config.QUERY_DEFAULT_LIST_SIZE,
  });
  const responses = parts.wholeResponses({
    guard,
    schema,
    store: cache.responses,
    values: cache.values,
    space: cache.values.space,
    defaultTtlSeconds: config.CACHE_DEFAULT_TTL,
  });
  const apollo = new ApolloServer<AppContext>({
    schema,
    // Off in production unless GRAPHQL_INTROSPECTION: the schema lists every admin operation.
    introspection: config.GRAPHQL_INTROSPECTION,
    // No "Did you mean …?" in production: suggestions reveal fields introspection would hide.
    hideSchemaDetailsFromClientErrors: config.production,
    includeStacktraceInErrorResponses: !config.production,
    formatError: createErrorFormatter(logger, config.production),
    logger,
    // Bearer tokens are never sent by a browser on its own, so there is no CSRF to prevent; GET queries must work.
    csrfPrevention: false,
    // Persisted queries are handled before Apollo, in the cache tier (graphql-handler.ts).
    persistedQueries: false,
    // main.ts owns SIGINT/SIGTERM and stops everything in order; Apollo's own handler made that hang.
    stopOnTerminationSignals: false,
    parseOptions: { maxTokens: config.QUERY_MAX_TOKENS },
    plugins: [guard.plugin(), responses.plugin(), invalidationPlugin(), ...(config.CACHE_DEBUG ? [cacheDebugPlugin()] : [])],
  });
  await apollo.start();

  const largeBodies = new OffThreadJson();
  const graphql = createGraphQLHandler({
    apollo,
    responses,
    wholeResponses: config.CACHE_RESPONSES,
    persistedQueries: cache.persistedQueries,
    jwtSecret: config.JWT_SECRET,
    requireExp: config.JWT_REQUIRE_EXP,
    httpMaxAgeSeconds: config.CACHE_HTTP_MAX_AGE,
    apqMaxQueryBytes: config.APQ_MAX_QUERY_BYTES,
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
    uploadBodyLimitBytes: config.UPLOAD_BODY_LIMIT_BYTES,
    debug: config.CACHE_DEBUG,
    rateLimit,
    maxKeysPerRequest: config.CACHE_MAX_KEYS_PER_REQUEST,
    largeBodies,
    createContext: (user: User | undefined, mode: CacheMode, budget: WriteBudget | undefined) => ({
      user,
      services,
      loaders: loadersFor(),
      cache: parts.requestCache(cache.values, mode, budget),
    }),
  });

  const cors = createCors(config.CORS_ORIGINS);

  let warmer: Warmer | undefined;
  let stopWarmOnGeneration = () => {};
  if (warmEntries) {
    const w = new Warmer({ entries: warmEntries, operate: graphql.operate, logger: logger.child({ component: 'warm' }) });
    warmer = w;
    stopWarmOnGeneration = cache.invalidations.onNewGeneration(() => void w.warmAll('generation'));
    w.start();
  }

  async function readiness(res: ServerResponse): Promise<void> {
    const started = performance.now();
    try {
      await withinMs(db.query('SELECT 1'), READINESS_TIMEOUT_MS, `no answer within ${READINESS_TIMEOUT_MS} ms`);
      const state = cache.state();
      // A dead Redis does not make the gateway unready: requests are then computed, not failed.
      return sendJson(res, 200, {
        status: 'ready',
        database: { kind: db.kind, ok: true, latencyMs: round(performance.now() - started) },
        cache: { backend: state.backend, circuit: state.circuit, inProcessTier: state.memory !== undefined },
      });
    } catch (err) {
      logger.warn({ err }, 'readiness check: database unreachable');
      return sendJson(res, 503, { status: 'not ready', database: { kind: db.kind, ok: false, error: (err as Error).message } });
    }
  }

  /** Not async itself: the hot route hands back the handler's promise without wrapping it in another. */
  function route(req: IncomingMessage, res: GatewayResponse): Promise<void> | void {
    const rawUrl = req.url ?? '/';
    // The hot route is matched on the raw string: building a URL per request costs more than the match.
    const q = rawUrl.indexOf('?');
    const path = q === -1 ? rawUrl : rawUrl.slice(0, q);
    if (path === '/graphql') {
      if (req.method === 'OPTIONS') return cors.preflight(req, res);
      res.cors = cors.headersFor(req);
      return graphql.handle(req, res, rawUrl, fail);
    }
    if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (path === '/metrics') return metrics.send(res);
    if (serveDashboard(path, res)) return;
    if (path === '/readyz') return readiness(res);
    if (path === '/graphiql' || path === '/graphiql/')
      return sendText(res, 200, graphiqlPage('/graphql', '/graphiql/assets'), 'text/html; charset=utf-8');
    if (path.startsWith('/graphiql/assets/')) {
      const asset = graphiqlAsset(path.slice('/graphiql/assets/'.length));
      if (asset) return sendText(res, 200, asset.body, asset.type, { 'cache-control': 'public, max-age=86400' });
    }
    if (path === '/') return sendText(res, 302, '', 'text/plain', { location: '/graphiql' });
    sendJson(res, 404, { error: `no route for ${path}` });
  }

  const fail = (req: IncomingMessage, res: ServerResponse, err: unknown) => {
    const status = err instanceof HttpError ? err.status : 500;
    if (status >= 500) logger.error({ err, url: req.url }, 'request failed');
    if (!res.headersSent) {
      const error =
        status >= 500 ? { message: 'Internal server error' } : { message: (err as Error).message, extensions: { code: codeOfStatus(status) } };
      sendJson(res, status, { errors: [error] }, { 'cache-control': 'no-store' });
    } else res.end();
  };
  const server = createServer({ ServerResponse: GatewayResponse }, (req, res) => {
    try {
      route(req, res)?.catch((err) => fail(req, res, err));
    } catch (err) {
      fail(req, res, err);
    }
  });

  return {
    server,
    db,
    services,
    schema,
    cache,
    cachedFields,
    warmer,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
      }),
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      stopWarmOnGeneration();
      await warmer?.stop();
      await apollo.stop();
      await largeBodies.close();
      await closeDomains();
      await cache.close();
      if (!opts.db) await db.close();
    },
  };
}

/**
 * /readyz answers within a second even when the database does not (a load balancer's probe gives
 * up after about that): a database slower than this is reported as not ready.
 */
const READINESS_TIMEOUT_MS = 800;

/** p, or a rejection with message once ms have passed; the timer never keeps the process alive. */
function withinMs<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(message)), ms);
    timer.unref();
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (err) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

/** Creates every domain's service in list order, and what the gateway needs of them. */
function startDomains(deps: Omit<DomainDeps, 'serviceOf'>) {
  const created = new Map<Domain, unknown>();
  const serviceOf = <S>(domain: Domain<string, S>): S => {
    // Our bug, not the client's: src/domains/index.ts lists a domain before one it needs.
    if (!created.has(domain as Domain))
      throw new Error(`domain ${domain.name} is needed before it is created: list it earlier in src/domains/index.ts`);
    return created.get(domain as Domain) as S;
  };
  const list = domains as readonly Domain[];
  for (const domain of list) created.set(domain, domain.createService({ ...deps, serviceOf }));
  const services = Object.fromEntries(list.map((d) => [d.name, created.get(d)])) as Services;
  return {
    services,
    loadersFor: (): Loaders => Object.assign({}, ...list.map((d) => d.createLoaders?.(created.get(d)) ?? {})),
    seeds: seedsOf(services),
    async close() {
      for (const domain of [...list].reverse()) await domain.close?.(created.get(domain));
    },
  };
}

const round = (n: number) => Math.round(n * 100) / 100;

/** The GraphQL error code of an HTTP refusal before GraphQL: what a client can switch on. */
function codeOfStatus(status: number): string {
  if (status === 413) return 'PAYLOAD_TOO_LARGE';
  if (status === 415) return 'UNSUPPORTED_MEDIA_TYPE';
  if (status === 405) return 'METHOD_NOT_ALLOWED';
  return 'BAD_REQUEST';
}
