import { Redis } from 'ioredis';
import { CircuitBreaker, type CircuitState } from './circuit-breaker';
import { type CacheLogger, errorsAreMisses } from './errors-are-misses';
import type { KeySpace } from './keys';
import { MemoryStore } from './memory-store';
import { RedisStore } from './redis-store';
import { CacheStats } from './stats';
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
  close(): Promise<void>;
}

/** Builds the tiers the settings ask for: memory alone, Redis alone, or memory in front of Redis. */
export async function createCacheRuntime(opts: CacheRuntimeOptions): Promise<CacheRuntime> {
  const stats = new CacheStats();
  if (!opts.redisUrl) {
    const memory = new MemoryStore(opts.l1MaxBytes || 64 * 1024 * 1024);
    const cache = new TaggedCache({ ...common(opts, stats), store: memory });
    return { cache, stats, backend: 'memory', memory, store: memory, close: async () => cache.dispose() };
  }

  const redis = new RedisStore({ url: opts.redisUrl, commandTimeoutMs: opts.redisTimeoutMs, poolSize: opts.redisPoolSize });
  const breaker = new CircuitBreaker({
    probe: () => redis.ping(),
    onStateChange: (state: CircuitState, previous: CircuitState) => {
      const log = state === 'closed' ? opts.logger.info.bind(opts.logger) : opts.logger.warn.bind(opts.logger);
      log({ circuit: state, previous }, `Redis circuit ${state}`);
    },
  });
  const shared = errorsAreMisses(redis, breaker, stats, opts.logger);
  try {
    await redis.ready(Math.max(2000, opts.redisTimeoutMs * 20));
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
  return {
    cache,
    stats,
    backend: 'redis',
    redis,
    memory,
    tiered,
    breaker,
    store,
    async close() {
      cache.dispose();
      breaker.dispose();
      subscriber?.disconnect();
      await redis.close();
    },
  };
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
