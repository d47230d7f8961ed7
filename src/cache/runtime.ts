import { Redis } from 'ioredis';
import { MemoryAdminStore, RedisAdminStore } from './admin-store';
import { CacheAdmin } from './cache-admin';
import { logCacheEvents } from './cache-log';
import { CircuitBreaker, type CircuitState } from './circuit-breaker';
import { type CacheLogger, errorsAreMisses } from './errors-are-misses';
import type { KeySpace } from './keys';
import { MemoryStore } from './memory-store';
import { RedisStore, requestPathOptions } from './redis-store';
import { maskRedisUrl } from './redis-url';
import { CacheStats } from './stats';
import { StatsAggregator } from './stats-aggregator';
import type { KeyValueStore } from './store';
import { type CacheFaults, type CacheHooks, TaggedCache } from './tagged-cache';
import { TieredStore } from './tiered-store';

export interface CacheRuntimeOptions {
  space: KeySpace;
  /** redis:// or rediss:// URL; absent means the in-process tier alone. */
  redisUrl?: string;
  redisPoolSize: number;
  redisTimeoutMs: number;
  /** In-process tier budget in bytes; 0 disables it when Redis is configured. */
  l1MaxBytes: number;
  maxEntryBytes: number;
  compressMinBytes: number;
  logger: CacheLogger;
  faults?: CacheFaults;
  hooks?: CacheHooks;
  /** How long after the first unsent event this instance adds its counts to the deployment's, in milliseconds; 0: only when read. Default 1000. */
  statsFlushDelayMs?: number;
}

/** Everything the cache is made of in one process, for wiring, health and shutdown. */
export interface CacheRuntime {
  cache: TaggedCache;
  stats: CacheStats;
  /** 'redis' or 'memory': where values are shared. */
  backend: 'redis' | 'memory';
  redis?: RedisStore;
  memory?: MemoryStore;
  tiered?: TieredStore;
  breaker?: CircuitBreaker;
  /** The store the cache uses: errors already turned into misses. */
  store: KeyValueStore;
  /** Stats, health, entries and invalidation for administrators (src/admin exposes it). */
  admin: CacheAdmin;
  /** Adds this instance's counters to the deployment's in Redis; absent without Redis. */
  aggregator?: StatsAggregator;
  close(): Promise<void>;
}

/** Builds the tiers the settings ask for: memory alone, Redis alone, or memory in front of Redis. */
export async function createCacheRuntime(opts: CacheRuntimeOptions): Promise<CacheRuntime> {
  const stats = new CacheStats();
  logCacheEvents(stats, opts.logger);
  if (!opts.redisUrl) {
    const memory = new MemoryStore(opts.l1MaxBytes || 64 * 1024 * 1024);
    const cache = new TaggedCache({ ...common(opts, stats), store: memory });
    const admin = new CacheAdmin({ cache, store: new MemoryAdminStore(memory), memory });
    return { cache, stats, backend: 'memory', memory, store: memory, admin, close: async () => cache.dispose() };
  }

  opts.logger.info({ redis: maskRedisUrl(opts.redisUrl), poolSize: opts.redisPoolSize, timeoutMs: opts.redisTimeoutMs }, 'connecting to Redis');

  const redis = new RedisStore({ url: opts.redisUrl, commandTimeoutMs: opts.redisTimeoutMs, poolSize: opts.redisPoolSize });
  const breaker = new CircuitBreaker({
    probe: () => redis.ping(),
    onStateChange: (state: CircuitState, previous: CircuitState) => {
      const log = state === 'closed' ? opts.logger.info.bind(opts.logger) : opts.logger.warn.bind(opts.logger);
      log({ circuit: state, previous }, `Redis circuit ${state}`);
    },
  });
  const shared = errorsAreMisses(redis, breaker, stats, opts.logger);
  // Administration and stats get a connection of their own: a SCAN or INFO must not be cut
  // off by the request path's timeout, nor queue behind requests.
  const adminClient = new Redis(opts.redisUrl, { ...requestPathOptions(Math.max(2000, opts.redisTimeoutMs * 10)), enableAutoPipelining: false, connectionName: 'cachegate-admin' });
  adminClient.on('error', () => undefined);
  const aggregator = new StatsAggregator({ stats, client: adminClient, space: opts.space, logger: opts.logger, flushDelayMs: opts.statsFlushDelayMs });
  try {
    await Promise.all([redis.ready(Math.max(2000, opts.redisTimeoutMs * 20)), readyWithin(adminClient, Math.max(2000, opts.redisTimeoutMs * 20))]);
  } catch (err) {
    // Start anyway: requests compute their values, and caching resumes when Redis answers.
    opts.logger.warn({ err: (err as Error).message }, 'Redis is not reachable at startup; serving without the shared cache until it is');
  }

  let tiered: TieredStore | undefined;
  let subscriber: Redis | undefined;
  let memory: MemoryStore | undefined;
  if (opts.l1MaxBytes > 0) {
    memory = new MemoryStore(opts.l1MaxBytes);
    subscriber = new Redis(opts.redisUrl, { enableOfflineQueue: true, retryStrategy: (n) => Math.min(50 * 2 ** Math.min(n, 6), 2000), connectionName: 'cachegate-sub' });
    subscriber.on('error', () => undefined);
    tiered = new TieredStore(memory, shared, redis.client(), subscriber, `${opts.space.prefix}:invalidations`, opts.logger);
  }
  const store = tiered ?? shared;
  const cache = new TaggedCache({ ...common(opts, stats), store, bus: tiered });
  const admin = new CacheAdmin({ cache, store: new RedisAdminStore(adminClient), memory, bus: tiered, breaker, aggregator, redisUrl: opts.redisUrl });
  return {
    cache,
    stats,
    backend: 'redis',
    redis,
    memory,
    tiered,
    breaker,
    store,
    admin,
    aggregator,
    async close() {
      cache.dispose();
      breaker.dispose();
      await aggregator.close();
      // Closing the subscription on purpose is not the loss TieredStore warns about.
      tiered?.dispose();
      subscriber?.disconnect();
      await adminClient.quit().catch(() => adminClient.disconnect());
      await redis.close();
    },
  };
}

/** Resolves when client is ready, or rejects after timeoutMs. */
function readyWithin(client: Redis, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Redis not ready after ${timeoutMs} ms`)), timeoutMs);
    client.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function common(opts: CacheRuntimeOptions, stats: CacheStats) {
  return {
    space: opts.space,
    stats,
    logger: opts.logger,
    compressMinBytes: opts.compressMinBytes,
    maxEntryBytes: opts.maxEntryBytes,
    faults: opts.faults,
    hooks: opts.hooks,
  };
}
