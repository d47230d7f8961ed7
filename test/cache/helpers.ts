import pino from 'pino';
import { MemoryStore } from '../../src/cache/memory-store';
import { RedisStore } from '../../src/cache/redis-store';
import { StatsRecorder } from '../../src/cache/stats';
import type { KeyValueStore } from '../../src/cache/store';
import { type CacheRequest, type ReadOptions, TaggedCache, type TaggedCacheOptions } from '../../src/cache/tagged-cache';
import { deleteUnderPrefix, sharedTopology, sharedTopologyName } from '../helpers/shared-topology';

export const silentLogger = pino({ level: 'silent' });

/** A clock the test moves by hand. */
export class ManualClock {
  constructor(public ms = Date.now()) {}
  now = () => this.ms;
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

export function makeCache(
  store: KeyValueStore,
  prefix: string,
  opts: { clock?: ManualClock; maxEntryBytes?: number; compressMinBytes?: number; variant?: new (o: TaggedCacheOptions) => TaggedCache } = {},
): TaggedCache {
  return new (opts.variant ?? TaggedCache)({
    store,
    space: { prefix, schemaVersion: 'stest' },
    stats: new StatsRecorder(),
    logger: silentLogger,
    compressMinBytes: opts.compressMinBytes ?? 1024,
    maxEntryBytes: opts.maxEntryBytes ?? 8 * 1024 * 1024,
    now: opts.clock?.now,
  });
}

/** The value of one read through the cache's one read path. */
export async function get<T>(cache: TaggedCache, req: CacheRequest, load: () => Promise<T>, opts: ReadOptions = {}): Promise<T> {
  return (await cache.read(req, load, opts)).value;
}

export function request(prefix: string, name: string, tags: string[], ttlSeconds = 60, swrSeconds = 0): CacheRequest {
  return { key: `${prefix}:stest:f:Test.${name}:-:-`, tags: [...tags].sort(), ttlSeconds, swrSeconds, label: `Test.${name}` };
}

/**
 * The stores a cache-core test runs against: the shared Redis or topology (keys under prefix, deleted
 * after the file) and an in-process MemoryStore. Registers the file's setup and teardown.
 */
export function storesUnderTest(prefix: string): [string, () => KeyValueStore][] {
  // The machine's Redis, or the cluster or sentinel topology of the quick topology profile.
  const redis = new RedisStore({ topology: sharedTopology(), commandTimeoutMs: 2000 });
  beforeAll(() => redis.ready(10_000));
  afterAll(async () => {
    await deleteUnderPrefix(prefix);
    await redis.close();
  });
  return [
    [sharedTopologyName(), () => redis],
    ['memory', () => new MemoryStore(16 * 1024 * 1024)],
  ];
}
