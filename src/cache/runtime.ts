import { MemoryAdminStore, RedisAdminStore } from './admin-store';
import { CacheAdmin } from './cache-admin';
import { logCacheEvents } from './cache-log';
import type { EntityChange, InvalidationLog } from './invalidation-log';
import { InvalidationRelay, type InvalidationRelayOptions, type InvalidationSink, type RelayHealth } from './invalidation-relay';
import { CircuitBreaker, type CircuitState } from './circuit-breaker';
import { ComputeLeases } from './compute-lease';
import { type CacheLogger, errorsAreMisses } from './errors-are-misses';
import { type KeySpace, persistedQueryKey } from './keys';
import { MemoryStore } from './memory-store';
import { reconnectBackoff, RedisStore, requestPathOptions, whenReady } from './redis-store';
import { RedisInvalidationSink } from './redis-invalidation-sink';
import { closeRedis, connectRedis, describeTopology, type RedisClient, type RedisTopology } from './redis-topology';
import { ResponseStore } from './response-store';
import { WindowCounters } from './rate-counter';
import { StatsRecorder } from './stats';
import { StatsAggregator } from './stats-aggregator';
import type { InvalidationBus, KeyValueStore } from './store';
import { TaggedCache, type TaggedCacheOptions } from './tagged-cache';
import { entityTag, type Tag, typeTag } from './tags';
import { TieredStore, type TieredStoreOptions } from './tiered-store';

export interface CacheRuntimeOptions {
  space: KeySpace;
  /** redis:// or rediss:// URL of one Redis; absent (with no redisTopology) means the in-process tier alone. */
  redisUrl?: string;
  /** A Redis Cluster or a Sentinel-watched master (or one Redis); wins over redisUrl. */
  redisTopology?: RedisTopology;
  redisPoolSize: number;
  redisTimeoutMs: number;
  /** In-process tier budget in bytes; 0 disables it when Redis is configured. */
  l1MaxBytes: number;
  maxEntryBytes: number;
  compressMinBytes: number;
  logger: CacheLogger;
  /** How long after the first unsent event this instance adds its counts to the deployment's, in milliseconds; 0: only when read. Default 1000. */
  statsFlushDelayMs?: number;
  /** How long one instance may compute a missing value while the others wait for it, in milliseconds; 0: no lease (once per process). Default 5000. */
  leaseMs?: number;
  /** Field entries live up to this fraction less than their TTL, at random. Default 0. */
  ttlJitter?: number;
  /** Builds the field cache; tests pass a variant of TaggedCache (a planted bug) here. */
  createTaggedCache?: (opts: TaggedCacheOptions) => TaggedCache;
  /**
   * The database's invalidation log (the transactional outbox); a relay applies it to the cache.
   * Without it, only explicit invalidations change anything (tests of the core alone).
   */
  invalidationLog?: InvalidationLog;
  /** The tags one logged change invalidates. Default: `Type:id` and `Type`. */
  tagsOf?: (change: EntityChange) => Tag[];
  /** Applied log records are kept this long, in milliseconds (a Redis restored from older than that moves to a new generation). */
  logRetentionMs?: number;
  /** While Redis is unreachable, the in-process tier serves what this instance stored for at most this long, in milliseconds. Default 1000. */
  outageTtlMs?: number;
  /** Builds the in-process tier in front of Redis; tests pass a planted variant here. */
  createTieredStore?: (args: ConstructorParameters<typeof TieredStore>) => TieredStore;
  /** Builds the relay; tests pass a planted variant (one that never applies, or never replays). undefined: no relay. */
  createRelay?: (opts: InvalidationRelayOptions) => InvalidationRelay | undefined;
}

/** How the cache applies the database's invalidation log. */
export interface InvalidationState {
  /**
   * Resolves true once every change committed before the call is applied to the cache, false
   * after timeoutMs (it is applied later all the same). Resolves true at once without a relay.
   */
  settle(timeoutMs: number): Promise<boolean>;
  /** null without a relay. */
  health(): RelayHealth | null;
  /**
   * Calls listener when the cache moves to a new generation (a Redis found older than the log
   * keeps): every entry is then a miss, so whatever keeps the cache warm should run again.
   * Returns the unsubscribe; never calls it without a relay.
   */
  onNewGeneration(listener: (generation: number) => void): () => void;
}

/** Where the cache stands, for readiness and metrics. */
export interface CacheState {
  /** 'redis' or 'memory': where values are shared. */
  backend: 'redis' | 'memory';
  /** The Redis circuit breaker's state; 'none' without Redis. */
  circuit: CircuitState | 'none';
  /** True when an in-process tier sits in front of Redis. */
  tiered: boolean;
  /** This process's in-process tier, when there is one. */
  memory?: { entries: number; bytes: number };
  /** In front of Redis: whether invalidation messages are being received (the tier is bypassed while not). */
  subscribed?: boolean;
}

/** Where automatic persisted queries' texts are kept, by their SHA-256. */
export interface PersistedQueryStore {
  get(sha256: string): Promise<string | undefined>;
  put(sha256: string, query: string): Promise<void>;
}

/** The cache of one process, as the gateway uses it. */
export interface CacheRuntime {
  /** Field values under versioned tags: the binding's read path, and invalidation. */
  readonly values: TaggedCache;
  /** Whole responses, stamped like values. */
  readonly responses: ResponseStore;
  readonly persistedQueries: PersistedQueryStore;
  readonly stats: StatsRecorder;
  /** Stats, health, entries and invalidation for administrators (src/admin exposes it). */
  readonly admin: CacheAdmin;
  readonly invalidations: InvalidationState;
  /** Points per identity per window (rate limits): shared through Redis when there is one, else this process's. */
  windowCounters(windowMs: number): WindowCounters;
  state(): CacheState;
  close(): Promise<void>;
}

/** How long a persisted query's text is kept, in milliseconds. */
const PERSISTED_QUERY_TTL_MS = 7 * 24 * 3600 * 1000;
const DEFAULT_LOG_RETENTION_MS = 24 * 3600 * 1000;

const defaultTagsOf = (change: EntityChange): Tag[] => [entityTag(change.type, change.id), typeTag(change.type)];

/** Starts the relay of the invalidation log, when there is a log (and the composition wants one). */
async function startRelay(opts: CacheRuntimeOptions, sink: InvalidationSink, logger: CacheLogger): Promise<InvalidationRelay | undefined> {
  if (!opts.invalidationLog) return undefined;
  const relayOptions: InvalidationRelayOptions = {
    log: opts.invalidationLog,
    sink,
    space: opts.space,
    tagsOf: opts.tagsOf ?? defaultTagsOf,
    logger,
    retentionMs: opts.logRetentionMs ?? DEFAULT_LOG_RETENTION_MS,
  };
  const relay = opts.createRelay ? opts.createRelay(relayOptions) : new InvalidationRelay(relayOptions);
  await relay?.start();
  return relay;
}

function invalidationState(relay: InvalidationRelay | undefined): InvalidationState {
  return {
    settle: (timeoutMs) => (relay ? relay.settle(timeoutMs) : Promise.resolve(true)),
    health: () => relay?.health() ?? null,
    onNewGeneration: (listener) => relay?.onNewGeneration(listener) ?? (() => undefined),
  };
}

/** Builds the tiers the settings ask for: memory alone, Redis alone, or memory in front of Redis. */
export async function createCacheRuntime(opts: CacheRuntimeOptions): Promise<CacheRuntime> {
  const stats = new StatsRecorder();
  logCacheEvents(stats, opts.logger);
  const createTaggedCache = opts.createTaggedCache ?? ((o) => new TaggedCache(o));
  const taggedOptions = (store: KeyValueStore) => ({
    store,
    space: opts.space,
    stats,
    logger: opts.logger,
    compressMinBytes: opts.compressMinBytes,
    maxEntryBytes: opts.maxEntryBytes,
    ttlJitter: opts.ttlJitter,
  });
  const responsesOver = (store: KeyValueStore) =>
    new ResponseStore(store, opts.space, stats, opts.logger, { compressMinBytes: opts.compressMinBytes, maxEntryBytes: opts.maxEntryBytes });

  const topology: RedisTopology | undefined = opts.redisTopology ?? (opts.redisUrl ? { kind: 'single', url: opts.redisUrl } : undefined);
  if (!topology) {
    const memory = new MemoryStore(opts.l1MaxBytes);
    const values = createTaggedCache(taggedOptions(memory));
    // One process, one memory: applying a record is invalidating its tags here; no watermark to keep.
    const relay = await startRelay(
      opts,
      {
        apply: async (tags) => void (await values.invalidate(tags)),
        watermark: async () => undefined,
      },
      opts.logger,
    );
    const invalidations = invalidationState(relay);
    return {
      values,
      responses: responsesOver(memory),
      persistedQueries: persistedQueriesIn(memory, opts.space),
      stats,
      admin: new CacheAdmin({ cache: values, store: new MemoryAdminStore(memory), memory, invalidation: invalidations.health }),
      invalidations,
      windowCounters: (windowMs) => new WindowCounters({ space: opts.space, windowMs }),
      state: () => ({ backend: 'memory', circuit: 'none', tiered: false, memory: { entries: memory.entryCount, bytes: memory.bytes } }),
      async close() {
        await relay?.stop();
        values.dispose();
      },
    };
  }

  const location = describeTopology(topology);
  opts.logger.info({ redis: location, topology: topology.kind, poolSize: opts.redisPoolSize, timeoutMs: opts.redisTimeoutMs }, 'connecting to Redis');

  const redis = new RedisStore({ topology, commandTimeoutMs: opts.redisTimeoutMs, poolSize: opts.redisPoolSize });
  const breaker = new CircuitBreaker({
    // A probe asks whether Redis answers, not whether it answers within a request's deadline: with
    // the 100 ms deadline, a starved machine failed probe after probe right after a failover, each
    // doubling the wait, and hits stayed away for more than 10 s after the new master was up.
    probe: () => redis.ping(Math.max(1000, opts.redisTimeoutMs * 10)),
    onStateChange: (state: CircuitState, previous: CircuitState) => {
      const log = state === 'closed' ? opts.logger.info.bind(opts.logger) : opts.logger.warn.bind(opts.logger);
      log({ circuit: state, previous }, `Redis circuit ${state}`);
    },
  });
  for (const client of redis.clients) client.on('ready', () => breaker.probeNow());
  const shared = errorsAreMisses(redis, breaker, stats, opts.logger);
  // Administration and stats get a connection of their own: a SCAN or INFO must not be cut
  // off by the request path's timeout, nor queue behind requests.
  const adminClient = connectRedis(topology, {
    ...requestPathOptions(Math.max(2000, opts.redisTimeoutMs * 10)),
    enableAutoPipelining: false,
    connectionName: 'cachegate-admin',
  });
  adminClient.on('error', () => undefined);
  const aggregator = new StatsAggregator({
    stats,
    client: adminClient,
    space: opts.space,
    logger: opts.logger,
    flushDelayMs: opts.statsFlushDelayMs,
  });
  const readyMs = Math.max(2000, opts.redisTimeoutMs * 20);
  let reachable = true;
  try {
    await Promise.all([redis.ready(readyMs), whenReady(adminClient, readyMs)]);
  } catch (err) {
    reachable = false;
    // Start anyway: requests compute their values, and caching resumes when Redis answers.
    opts.logger.warn({ err: (err as Error).message }, 'Redis is not reachable at startup; serving without the shared cache until it is');
  }

  const channel = `${opts.space.prefix}:invalidations`;
  let tiered: TieredStore | undefined;
  let subscriber: ReturnType<typeof connectRedis> | undefined;
  let memory: MemoryStore | undefined;
  if (opts.l1MaxBytes > 0) {
    memory = new MemoryStore(opts.l1MaxBytes);
    subscriber = connectRedis(topology, { enableOfflineQueue: true, retryStrategy: reconnectBackoff, connectionName: 'cachegate-sub' });
    subscriber.on('error', () => undefined);
    const tieredOptions: TieredStoreOptions = { outageTtlMs: opts.outageTtlMs, sharedDown: () => breaker.state !== 'closed' };
    const args: ConstructorParameters<typeof TieredStore> = [memory, shared, redis.client(), subscriber, channel, opts.logger, tieredOptions];
    tiered = opts.createTieredStore ? opts.createTieredStore(args) : new TieredStore(...args);
  }
  const store = tiered ?? shared;
  const leaseMs = opts.leaseMs ?? 5000;
  // Leases live in Redis itself, past the in-process tier: every instance must see them.
  const leases = leaseMs > 0 ? new ComputeLeases({ store: shared, space: opts.space, leaseMs }) : undefined;
  // Every instance announces its invalidations, whatever its own tiers: an instance without the
  // in-process tier still has neighbours with one (issue 21).
  const bus: InvalidationBus = tiered ?? publisherOn(redis.client(), channel, opts.logger);
  const values = createTaggedCache({ ...taggedOptions(store), bus, leases });
  const relayClient = connectRedis(topology, {
    ...requestPathOptions(Math.max(1000, opts.redisTimeoutMs * 10)),
    enableAutoPipelining: false,
    connectionName: 'cachegate-relay',
  });
  relayClient.on('error', () => undefined);
  // The relay's first pass applies what startup left pending (a seed, a migration): on a client
  // still connecting it would fail (no offline queue) and be retried with a warning. A client not
  // ready in time is left to the relay, whose failed passes are counted and logged.
  if (reachable && opts.invalidationLog) await whenReady(relayClient, readyMs).catch(() => undefined);
  const relay = await startRelay(
    opts,
    new RedisInvalidationSink({ client: relayClient, space: opts.space, channel, values, tiered, logger: opts.logger }),
    opts.logger,
  );
  const invalidations = invalidationState(relay);
  return {
    values,
    responses: responsesOver(store),
    persistedQueries: persistedQueriesIn(store, opts.space),
    stats,
    admin: new CacheAdmin({
      cache: values,
      store: new RedisAdminStore(adminClient),
      memory,
      bus,
      breaker,
      aggregator,
      redisLocation: location,
      invalidation: invalidations.health,
    }),
    invalidations,
    // Past the in-process tier: every instance must add to the same counter.
    windowCounters: (windowMs) => new WindowCounters({ store: shared, space: opts.space, windowMs }),
    state: () => ({
      backend: 'redis',
      circuit: breaker.state,
      tiered: Boolean(tiered),
      memory: memory ? { entries: memory.entryCount, bytes: memory.bytes } : undefined,
      subscribed: tiered?.isSubscribed,
    }),
    async close() {
      await relay?.stop();
      relayClient.disconnect();
      values.dispose();
      breaker.dispose();
      await aggregator.close();
      // Closing the subscription on purpose is not the loss TieredStore warns about.
      tiered?.dispose();
      subscriber?.disconnect();
      await closeRedis(adminClient);
      await redis.close();
    },
  };
}

/** Publishes invalidations for an instance without an in-process tier of its own. */
function publisherOn(client: Pick<RedisClient, 'publish'>, channel: string, logger: CacheLogger): InvalidationBus {
  return {
    async publish(keys) {
      if (keys.length === 0) return;
      try {
        await client.publish(channel, JSON.stringify(keys));
      } catch (err) {
        logger.warn({ err: (err as Error).message, channel }, 'could not publish an invalidation to other instances');
      }
    },
  };
}

function persistedQueriesIn(store: KeyValueStore, space: KeySpace): PersistedQueryStore {
  return {
    async get(sha256) {
      const [text] = await store.getMany([persistedQueryKey(space, sha256)]);
      return text?.toString();
    },
    async put(sha256, query) {
      await store.setMany([{ key: persistedQueryKey(space, sha256), value: Buffer.from(query), ttlMs: PERSISTED_QUERY_TTL_MS }]);
    },
  };
}
