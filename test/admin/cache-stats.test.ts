import { isBookkeepingKey } from '../../src/cache/keys';
import { Redis } from 'ioredis';
import { statsKey } from '../../src/cache/keys';
import { DatasetEdaDocument, DatasetStatisticsDocument, InvalidateCacheKeyDocument, ResetCacheStatsDocument } from '../generated/graphql';
import { sleep } from '../helpers/async';
import { createDataset } from '../helpers/datasets';
import { cacheOf, FIELD_CACHING_ONLY, startGatewayPair, startTestGateway, type TestGateway } from '../helpers/gateway';
import { deletePrefix, keysUnder, SHARED_REDIS_URL, testPrefix } from '../helpers/redis';
import { statsOf } from './helpers';

/** Two instances behind a load balancer: one database, one Redis, one prefix. */
describe('cacheStats across two gateway instances sharing Redis', () => {
  const prefix = testPrefix();
  let pair: Awaited<ReturnType<typeof startGatewayPair>>;
  let a: TestGateway;
  let b: TestGateway;
  let admin: string;
  let id: string;

  beforeAll(async () => {
    pair = await startGatewayPair('postgres', { REDIS_URL: SHARED_REDIS_URL, REDIS_CACHE_PREFIX: prefix, ...FIELD_CACHING_ONLY });
    [a, b] = pair;
    admin = await a.token('root', 'admin');
    id = await createDataset(a, await a.token('alice'), 'numbers');
  });
  afterAll(async () => {
    await pair?.close();
    await deletePrefix(SHARED_REDIS_URL, prefix);
  });

  it('sums both instances: totals, per-field counts, hit rates and average latencies', async () => {
    await statsOf(b, admin); // sends B's counts of the setup, so the reset below covers them
    expect((await a.gql(ResetCacheStatsDocument, {}, { token: admin })).data?.resetCacheStats.hits).toBe(0);

    const steps = [
      [a, DatasetStatisticsDocument, 'Dataset.statistics', 'miss'],
      [a, DatasetStatisticsDocument, 'Dataset.statistics', 'hit'],
      [b, DatasetStatisticsDocument, 'Dataset.statistics', 'hit'],
      [b, DatasetEdaDocument, 'Dataset.eda', 'miss'],
      [b, DatasetEdaDocument, 'Dataset.eda', 'hit'],
      [a, DatasetEdaDocument, 'Dataset.eda', 'hit'],
    ] as const;
    for (const [gw, doc, coordinate, expected] of steps) {
      const r = await gw.gql(doc as typeof DatasetStatisticsDocument, { id });
      expect(r.errors).toBeUndefined();
      expect(cacheOf(r)[coordinate]).toEqual(expected === 'hit' ? { hits: 1, misses: 0 } : { hits: 0, misses: 1 });
    }

    // Each process counted half; B reads before A has sent its counts, then A reads the sum.
    expect(a.gateway.cache.stats.snapshot()).toMatchObject({ hits: 2, misses: 1 });
    expect(b.gateway.cache.stats.snapshot()).toMatchObject({ hits: 2, misses: 1 });
    const partial = await statsOf(b, admin);
    expect(partial.hits + partial.misses).toBeLessThanOrEqual(6);
    const sum = await statsOf(a, admin);

    expect(sum).toMatchObject({ backend: 'redis', scope: 'deployment', redisAvailable: true, hits: 4, misses: 2, sets: 2, deletes: 0, errors: 0 });
    expect(sum.hitRate).toBeCloseTo(4 / 6, 12);
    expect(sum.fields.map((f) => [f.coordinate, f.hits, f.misses, f.hitRate])).toEqual([
      ['Dataset.eda', 2, 1, 2 / 3],
      ['Dataset.statistics', 2, 1, 2 / 3],
    ]);
    for (const f of sum.fields) {
      expect(f.avgHitMs).toBeGreaterThan(0);
      expect(f.avgMissMs).toBeGreaterThan(0);
    }
    expect(sum.uptimeSeconds).toBeGreaterThan(0);
    // Once both have sent their counts, either instance answers the same sum.
    expect(await statsOf(b, admin)).toMatchObject({ hits: 4, misses: 2, sets: 2 });
  });

  it('resetCacheStats zeroes the counts of the whole deployment, and counting starts again', async () => {
    const reset = await b.gql(ResetCacheStatsDocument, {}, { token: admin });
    expect(reset.data?.resetCacheStats).toMatchObject({ hits: 0, misses: 0, sets: 0, hitRate: 0, fields: [] });
    expect(await statsOf(a, admin)).toMatchObject({ hits: 0, misses: 0, hitRate: 0, fields: [] });

    expect(cacheOf(await a.gql(DatasetStatisticsDocument, { id }))['Dataset.statistics']).toEqual({ hits: 1, misses: 0 });
    const after = await statsOf(a, admin);
    expect(after).toMatchObject({ hits: 1, misses: 0, hitRate: 1 });
    expect(after.fields).toEqual([
      { coordinate: 'Dataset.statistics', hits: 1, misses: 0, hitRate: 1, avgHitMs: expect.any(Number), avgMissMs: null },
    ]);
    expect(await statsOf(b, admin)).toMatchObject({ hits: 1, misses: 0 });
  });

  it('each instance sends its counts by itself (CACHE_STATS_FLUSH_MS, 1 s by default), with nobody reading', async () => {
    const redis = new Redis(SHARED_REDIS_URL);
    try {
      const field = 'Dataset.statistics|hits';
      const before = Number((await redis.hget(statsKey({ prefix }, 'fields'), field)) ?? 0);
      expect(cacheOf(await b.gql(DatasetStatisticsDocument, { id }))['Dataset.statistics']).toEqual({ hits: 1, misses: 0 });
      let now = before;
      for (const deadline = Date.now() + 10_000; now === before && Date.now() < deadline;) {
        await sleep(50);
        now = Number((await redis.hget(statsKey({ prefix }, 'fields'), field)) ?? 0);
      }
      expect(now).toBe(before + 1);
    } finally {
      redis.disconnect();
    }
  });

  it('counts the keys under its prefix only (not DBSIZE), and reports the memory of the Redis server', async () => {
    const redis = new Redis(SHARED_REDIS_URL);
    const foreign = [`${prefix}x-not-ours`, `other-app-${prefix}:a`];
    try {
      await redis.set(foreign[0], '1', 'PX', 60_000);
      await redis.set(foreign[1], '1', 'PX', 60_000);
      // Any invalidation drops the key count kept from earlier calls.
      await a.gql(InvalidateCacheKeyDocument, { key: `${prefix}:no-such-key` }, { token: admin });
      // Bookkeeping (the stats hashes, the invalidation watermark, rate-limit counters) is not counted.
      const ours = (await keysUnder(SHARED_REDIS_URL, prefix)).filter((k) => !isBookkeepingKey({ prefix }, k));
      const stats = await statsOf(a, admin);
      expect(ours.length).toBeGreaterThan(2);
      expect(stats.keyCount).toBe(ours.length);
      expect(stats.redisUsedMemoryBytes).toBeGreaterThan(0);
      expect(stats.redisUsedMemoryHuman).toMatch(/^\d+(\.\d+)?[BKMGT]$/);
      expect(stats.l1Entries).toBeGreaterThan(0);
      expect(stats.l1Bytes).toBeGreaterThan(0);
    } finally {
      await redis.unlink(...foreign);
      redis.disconnect();
    }
  });
});

describe('cacheStats without Redis', () => {
  let gw: TestGateway;
  let admin: string;
  let id: string;

  beforeAll(async () => {
    gw = await startTestGateway('postgres', FIELD_CACHING_ONLY);
    admin = await gw.token('root', 'admin');
    id = await createDataset(gw, await gw.token('alice'), 'numbers');
  });
  afterAll(() => gw?.close());

  it("reports the process's own counts, and the in-process tier's keys", async () => {
    await gw.gql(ResetCacheStatsDocument, {}, { token: admin });
    await gw.gql(DatasetStatisticsDocument, { id });
    await gw.gql(DatasetStatisticsDocument, { id });
    await gw.gql(DatasetStatisticsDocument, { id });
    const stats = await statsOf(gw, admin);
    expect(stats).toMatchObject({
      backend: 'memory',
      scope: 'process',
      redisAvailable: false,
      hits: 2,
      misses: 1,
      sets: 1,
      redisUsedMemoryBytes: null,
      redisUsedMemoryHuman: null,
    });
    expect(stats.hitRate).toBeCloseTo(2 / 3, 12);
    expect(stats.keyCount).toBe(stats.l1Entries);
    expect(stats.keyCount).toBeGreaterThanOrEqual(2); // the entry and its tag's version
  });
});
