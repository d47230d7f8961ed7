import { Redis } from 'ioredis';
import { statsKey } from '../../src/cache/keys';
import {
  CacheHealthDocument,
  ClearCacheDocument,
  DatasetStatisticsDocument,
  InvalidateCacheKeyDocument,
  InvalidateDatasetCacheDocument,
  ResetCacheStatsDocument,
} from '../generated/graphql';
import { sleep } from '../helpers/async';
import { createDataset } from '../helpers/datasets';
import { startTestGateway, type TestGateway } from '../helpers/gateway';
import { deletePrefix, keysUnder, OwnRedis, SHARED_REDIS_URL, testPrefix } from '../helpers/redis';
import { statsOf } from './helpers';

/** What the seed systems showed and cacheStats / cacheHealth now show too (issue 20, items 3 and 4). */
describe('cacheStats, fuller', () => {
  const prefix = testPrefix();
  let gw: TestGateway;
  let admin: string;
  let id: string;

  beforeAll(async () => {
    // Whole responses on, in-process tier off: every lookup reaches Redis.
    gw = await startTestGateway('postgres', { REDIS_URL: SHARED_REDIS_URL, REDIS_CACHE_PREFIX: prefix, CACHE_L1_MAX_BYTES: '0' });
    admin = await gw.token('root', 'admin');
    id = await createDataset(gw, await gw.token('alice'), 'numbers');
  });
  afterAll(async () => {
    await gw?.close();
    await deletePrefix(SHARED_REDIS_URL, prefix);
  });

  it('counts requests, time since the reset apart from uptime, and whole responses per operation name', async () => {
    await gw.gql(ResetCacheStatsDocument, {}, { token: admin });
    await sleep(1100);
    await gw.gql(DatasetStatisticsDocument, { id });
    await gw.gql(DatasetStatisticsDocument, { id });
    const s = await statsOf(gw, admin);
    expect(s.totalRequests).toBe(s.hits + s.misses);
    expect(s.fields.find((f) => f.coordinate === '(whole response) DatasetStatistics')).toMatchObject({ hits: 1, misses: 1 });
    expect(s.fields.some((f) => f.coordinate === '(whole response)')).toBe(false);
    expect(s.sinceResetSeconds).toBeGreaterThanOrEqual(1);
    expect(s.sinceResetSeconds).toBeLessThan(30);
    expect(s.uptimeSeconds).toBeGreaterThanOrEqual(s.sinceResetSeconds);
    expect(s.countsLost).toBe(false);
    expect(s.countsLostAt).toBeNull();
  });

  it("shows the Redis server's own keyspace hits, misses and evictions (INFO stats)", async () => {
    const redis = new Redis(SHARED_REDIS_URL);
    try {
      const info = await redis.info('stats');
      const hitsBefore = Number(/^keyspace_hits:(\d+)/m.exec(info)![1]);
      const s = await statsOf(gw, admin);
      expect(s.redisKeyspaceHits).toBeGreaterThanOrEqual(hitsBefore);
      expect(s.redisKeyspaceMisses).toEqual(expect.any(Number));
      expect(s.redisEvictedKeys).toEqual(expect.any(Number));
      expect(s.redisMaxMemoryPolicy).toMatch(/^[a-z-]+$/);
    } finally {
      redis.disconnect();
    }
  });

  it('counts deletions by key and clearCache as deletes, beside invalidated tags', async () => {
    await gw.gql(ResetCacheStatsDocument, {}, { token: admin });
    await gw.gql(DatasetStatisticsDocument, { id });
    await gw.gql(InvalidateDatasetCacheDocument, { datasetId: id }, { token: admin });
    await gw.gql(DatasetStatisticsDocument, { id });
    const [key] = (await keysUnder(SHARED_REDIS_URL, prefix)).filter((k) => k.split(':')[2] === 'r');
    expect((await gw.gql(InvalidateCacheKeyDocument, { key }, { token: admin })).data?.invalidateCacheKey.deletedKeys).toBe(1);
    const cleared = (await gw.gql(ClearCacheDocument, {}, { token: admin })).data!.clearCache.deletedKeys;
    expect(cleared).toBeGreaterThan(0);
    const s = await statsOf(gw, admin);
    expect(s).toMatchObject({ invalidatedTags: 1, deletedKeys: 1 + cleared, deletes: 2 + cleared });
  });

  it('says when the stats hashes were lost (as allkeys-lru eviction would lose them), instead of quietly counting from zero', async () => {
    await gw.gql(DatasetStatisticsDocument, { id });
    await statsOf(gw, admin); // this instance has written the hashes
    const redis = new Redis(SHARED_REDIS_URL);
    try {
      // What an eviction does: the hashes are simply gone.
      await redis.unlink(statsKey({ prefix }, 'totals'), statsKey({ prefix }, 'fields'));
    } finally {
      redis.disconnect();
    }
    await gw.gql(DatasetStatisticsDocument, { id });
    const s = await statsOf(gw, admin);
    expect(s.countsLost).toBe(true);
    expect(new Date(s.countsLostAt!).getTime()).toBeGreaterThan(Date.now() - 60_000);
    // A reset starts a clean count: nothing lost since.
    const reset = (await gw.gql(ResetCacheStatsDocument, {}, { token: admin })).data!.resetCacheStats;
    expect(reset).toMatchObject({ countsLost: false, countsLostAt: null });
  });

  it('cacheHealth, open, shows the hit rate and memory figures', async () => {
    await gw.gql(DatasetStatisticsDocument, { id });
    await gw.gql(DatasetStatisticsDocument, { id });
    const h = (await gw.gql(CacheHealthDocument, {})).data!.cacheHealth;
    expect(h.hitRate).toBeGreaterThan(0);
    expect(h.hitRate).toBeLessThanOrEqual(1);
    expect(h.redisUsedMemoryBytes).toBeGreaterThan(0);
    expect(h).toMatchObject({ l1Bytes: 0, l1MaxBytes: 0 });
  });
});

describe('cacheStats under real allkeys-lru eviction', () => {
  let redis: OwnRedis;
  let gw: TestGateway;
  let admin: string;

  beforeAll(async () => {
    redis = await OwnRedis.start();
    gw = await startTestGateway('postgres', { REDIS_URL: redis.url, REDIS_CACHE_PREFIX: 'evict', CACHE_L1_MAX_BYTES: '0' });
    admin = await gw.token('root', 'admin');
  });
  afterAll(async () => {
    await gw?.close();
    await redis?.kill();
  });

  it('reports the evictions of the Redis server and the policy that caused them', async () => {
    const client = new Redis(redis.url);
    try {
      await client.config('SET', 'maxmemory', String(4 * 1024 * 1024));
      await client.config('SET', 'maxmemory-policy', 'allkeys-lru');
      const filler = 'x'.repeat(16 * 1024);
      for (let i = 0; i < 600; i += 50) {
        const p = client.pipeline();
        for (let j = i; j < i + 50; j++) p.set(`filler:${j}`, filler);
        await p.exec();
      }
    } finally {
      client.disconnect();
    }
    const s = await statsOf(gw, admin);
    expect(s.redisMaxMemoryPolicy).toBe('allkeys-lru');
    expect(s.redisEvictedKeys).toBeGreaterThan(0);
  });
});
