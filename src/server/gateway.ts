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
import { entityTag } from '../cache/tags';
import type { Config } from '../config';
import type { Database } from '../db/database';
import { databaseIdentity, migrate } from '../db/migrate';
import { openDatabase } from '../db/open';
import { runSeeds } from '../db/seed';
import type { AppContext } from '../domains/context';
import type { Domain, DomainDeps } from '../domains/domain';
import { applyCaching, type CachedField } from '../graphql/apply-caching';
import { applyAuthorization } from '../graphql/authorization';
import { cacheDebugPlugin } from '../graphql/debug-plugin';
import { createErrorFormatter } from '../graphql/errors';
import { applyInvalidation, type TagInvalidator } from '../graphql/invalidation';
import { printGatewaySchema } from '../graphql/print-schema';
import { RequestCache } from '../graphql/request-cache';
import { buildGatewaySchema } from '../graphql/schema';
import { WholeResponseCache, type WholeResponseOptions } from '../graphql/whole-response';
import type { User } from '../identity';
import type { Logger } from '../logger';
import { serveDashboard } from './dashboard';
import { graphiqlAsset, graphiqlPage } from './graphiql';
import { createGraphQLHandler } from './graphql-handler';
import { HttpError, sendJson, sendText } from './http';
import { createMetrics } from './metrics';
import { setPretenuring } from './v8-tuning';

export interface Gateway {
  readonly server: Server;
  readonly db: Database;
  readonly services: Services;
  readonly schema: GraphQLSchema;
  readonly cache: CacheRuntime;
  readonly cachedFields: CachedField[];
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
  bindInvalidation(schema: GraphQLSchema, invalidator: TagInvalidator): void;
  requestCache(values: TaggedCache, mode: CacheMode): RequestCache;
}

const defaultParts: GatewayParts = {
  taggedCache: (opts) => new TaggedCache(opts),
  wholeResponses: (opts) => new WholeResponseCache(opts),
  bindInvalidation: applyInvalidation,
  requestCache: (values, mode) => new RequestCache(values, mode),
};

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
  const db = opts.db ?? (await openDatabase({ url: config.DATABASE_URL, dataDir: config.dataDir }));
  const applied = await migrate(db);
  if (applied.length > 0) logger.info({ migrations: applied }, `applied ${applied.length} migration(s) on ${db.kind}`);

  const schema = await buildGatewaySchema(gatewayResolvers());
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
  });
  const invalidator: TagInvalidator = { invalidate: (tags) => cache.values.invalidate(tags) };
  const cachedFields = applyCaching(schema, cache.values, config.CACHE_DEFAULT_TTL);
  parts.bindInvalidation(schema, invalidator);
  applyAuthorization(schema);
  logger.info({ backend: cache.state().backend, tiered: cache.state().tiered, cachedFields: cachedFields.length }, 'cache ready');

  const {
    services,
    loadersFor,
    seeds,
    entityTags,
    close: closeDomains,
  } = startDomains({ db, invalidator, logger: logger.child({ component: 'domains' }) });
  provideCacheAdmin(schema, {
    cache: cache.admin,
    logger: logger.child({ component: 'admin' }),
    entityTag: (typename, id) => (entityTags[typename] ?? ((i: string) => entityTag(typename, i)))(id),
  });
  const metrics = createMetrics(cache);
  if (opts.seed ?? config.SEED) await runSeeds(db, seeds, logger);

  const responses = parts.wholeResponses({
    schema,
    store: cache.responses,
    values: cache.values,
    space: cache.values.space,
    defaultTtlSeconds: config.CACHE_DEFAULT_TTL,
  });
  const apollo = new ApolloServer<AppContext>({
    schema,
    introspection: true,
    includeStacktraceInErrorResponses: !config.production,
    formatError: createErrorFormatter(logger, config.production),
    logger,
    // Bearer tokens are never sent by a browser on its own, so there is no CSRF to prevent; GET queries must work.
    csrfPrevention: false,
    // Persisted queries are handled before Apollo, in the cache tier (graphql-handler.ts).
    persistedQueries: false,
    // main.ts owns SIGINT/SIGTERM and stops everything in order; Apollo's own handler made that hang.
    stopOnTerminationSignals: false,
    plugins: [responses.plugin(), ...(config.CACHE_DEBUG ? [cacheDebugPlugin()] : [])],
  });
  await apollo.start();

  const handleGraphQL = createGraphQLHandler({
    apollo,
    responses,
    wholeResponses: config.CACHE_RESPONSES,
    persistedQueries: cache.persistedQueries,
    jwtSecret: config.JWT_SECRET,
    debug: config.CACHE_DEBUG,
    createContext: (user: User | undefined, mode: CacheMode) => ({
      user,
      services,
      loaders: loadersFor(),
      cache: parts.requestCache(cache.values, mode),
    }),
  });

  async function readiness(res: ServerResponse): Promise<void> {
    const started = performance.now();
    try {
      await db.query('SELECT 1');
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
  function route(req: IncomingMessage, res: ServerResponse): Promise<void> | void {
    const rawUrl = req.url ?? '/';
    // The hot route is matched on the raw string: building a URL per request costs more than the match.
    const q = rawUrl.indexOf('?');
    const path = q === -1 ? rawUrl : rawUrl.slice(0, q);
    if (path === '/graphql') return handleGraphQL(req, res, rawUrl, fail);
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
    if (!res.headersSent) sendJson(res, status, { errors: [{ message: status >= 500 ? 'Internal server error' : (err as Error).message }] });
    else res.end();
  };
  const server = createServer((req, res) => {
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
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
      }),
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await apollo.stop();
      await closeDomains();
      await cache.close();
      if (!opts.db) await db.close();
    },
  };
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
    entityTags: Object.assign({}, ...list.map((d) => d.entityTags ?? {})) as Record<string, (id: string) => string>,
    async close() {
      for (const domain of [...list].reverse()) await domain.close?.(created.get(domain));
    },
  };
}

const round = (n: number) => Math.round(n * 100) / 100;
