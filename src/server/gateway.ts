import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import { provideCacheAdmin } from '../admin';
import { schemaVersionOf } from '../cache/keys';
import { ResponseCache } from '../cache/response-cache';
import { type CacheRuntime, createCacheRuntime } from '../cache/runtime';
import type { CacheFaults, CacheHooks } from '../cache/tagged-cache';
import type { Config } from '../config';
import type { Database } from '../db/database';
import { databaseIdentity, migrate } from '../db/migrate';
import { openDatabase } from '../db/open';
import { runSeeds } from '../db/seed';
import { closeServices, createLoaders, createServices, invalidations, resolvers, responsePolicies, seeds, type Services } from '../domains';
import type { AppContext } from '../domains/context';
import { applyCaching, type CachedField } from '../graphql/apply-caching';
import { applyAuthorization } from '../graphql/authorization';
import { cacheDebugPlugin } from '../graphql/debug-plugin';
import { createErrorFormatter } from '../graphql/errors';
import { applyInvalidation, type InvalidationFaults, type InvalidationHooks, type TagInvalidator } from '../graphql/invalidation';
import { printGatewaySchema } from '../graphql/print-schema';
import { RequestCache } from '../graphql/request-cache';
import { DocumentPlanner } from '../graphql/response-plan';
import { responseErrorsPlugin } from '../graphql/response-errors-plugin';
import { buildGatewaySchema } from '../graphql/schema';
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

export interface GatewayOptions {
  config: Config;
  logger: Logger;
  /** An already-open database (tests); otherwise opened from the config. */
  db?: Database;
  /** Skip the first-start seed (tests that bring their own data). */
  seed?: boolean;
  /** Test-only: planted cache bugs and pause points for the race tests. */
  testing?: {
    faults?: CacheFaults & InvalidationFaults & { readResponseVersionsAfterExecution?: boolean };
    hooks?: CacheHooks & InvalidationHooks;
    /** false: one cache read per field instead of one per batch (bench/mget-vs-get only). */
    batchCacheReads?: boolean;
  };
}

/** Opens the database, migrates, seeds on first start, and wires GraphQL and the other HTTP routes. */
export async function createGateway(opts: GatewayOptions): Promise<Gateway> {
  const { config, logger } = opts;
  setPretenuring(config.V8_PRETENURING);
  if (config.usingDevJwtSecret) logger.warn('JWT_SECRET is not set: using the development secret (never do this in production)');
  const db = opts.db ?? (await openDatabase({ url: config.DATABASE_URL, dataDir: config.dataDir }));
  const applied = await migrate(db);
  if (applied.length > 0) logger.info({ migrations: applied }, `applied ${applied.length} migration(s) on ${db.kind}`);

  const schema = await buildGatewaySchema(resolvers);
  const cache = await createCacheRuntime({
    // A new schema or a recreated database gets keys of its own.
    space: { prefix: config.REDIS_CACHE_PREFIX, schemaVersion: schemaVersionOf(`${printGatewaySchema(schema)}\n${await databaseIdentity(db)}`) },
    redisUrl: config.REDIS_URL,
    redisPoolSize: config.REDIS_POOL_SIZE,
    redisTimeoutMs: config.CACHE_REDIS_TIMEOUT_MS,
    l1MaxBytes: config.CACHE_L1_MAX_BYTES,
    maxEntryBytes: config.CACHE_MAX_ENTRY_BYTES,
    compressMinBytes: config.CACHE_COMPRESS_MIN_BYTES,
    statsFlushDelayMs: config.CACHE_STATS_FLUSH_MS,
    logger: logger.child({ component: 'cache' }),
    faults: opts.testing?.faults,
    hooks: opts.testing?.hooks,
  });
  const invalidator: TagInvalidator = { invalidate: (tags) => cache.cache.invalidate(tags) };
  const cachedFields = applyCaching(schema, cache.cache, config.CACHE_DEFAULT_TTL);
  applyInvalidation(schema, invalidations, invalidator, opts.testing?.faults, opts.testing?.hooks);
  applyAuthorization(schema);
  logger.info({ backend: cache.backend, tiered: Boolean(cache.tiered), cachedFields: cachedFields.length }, 'cache ready');
  provideCacheAdmin(schema, { cache: cache.admin, logger: logger.child({ component: 'admin' }) });
  const metrics = createMetrics(cache);

  const services = createServices(db, invalidator, logger.child({ component: 'domains' }));
  if (opts.seed ?? config.SEED) await runSeeds(db, seeds(services), logger);

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
    plugins: [responseErrorsPlugin(), ...(config.CACHE_DEBUG ? [cacheDebugPlugin()] : [])],
  });
  await apollo.start();

  const handleGraphQL = createGraphQLHandler({
    apollo,
    planner: new DocumentPlanner(schema, responsePolicies),
    responses: new ResponseCache(cache.store, cache.cache.space, cache.stats, logger.child({ component: 'cache' }), {
      compressMinBytes: config.CACHE_COMPRESS_MIN_BYTES,
      maxEntryBytes: config.CACHE_MAX_ENTRY_BYTES,
    }),
    cache: cache.cache,
    store: cache.store,
    space: cache.cache.space,
    jwtSecret: config.JWT_SECRET,
    defaultTtlSeconds: config.CACHE_DEFAULT_TTL,
    wholeResponses: config.CACHE_RESPONSES,
    debug: config.CACHE_DEBUG,
    faults: opts.testing?.faults,
    logger,
    createContext: (user, mode) => ({ user, services, loaders: createLoaders(services), cache: new RequestCache(cache.cache, mode, opts.testing?.batchCacheReads ?? true) }),
  });

  async function readiness(res: ServerResponse): Promise<void> {
    const started = performance.now();
    try {
      await db.query('SELECT 1');
      // A dead Redis does not make the gateway unready: requests are then computed, not failed.
      return sendJson(res, 200, {
        status: 'ready',
        database: { kind: db.kind, ok: true, latencyMs: round(performance.now() - started) },
        cache: { backend: cache.backend, circuit: cache.breaker?.state ?? 'none', inProcessTier: Boolean(cache.memory) },
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
    if (path === '/graphiql' || path === '/graphiql/') return sendText(res, 200, graphiqlPage('/graphql', '/graphiql/assets'), 'text/html; charset=utf-8');
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
      await closeServices(services);
      await cache.close();
      if (!opts.db) await db.close();
    },
  };
}

const round = (n: number) => Math.round(n * 100) / 100;
