import { Redis } from 'ioredis';
import { CacheEntryDocument, DatasetStatisticsDocument, DatasetVisualizationDocument, InvalidateDatasetCacheDocument } from '../generated/graphql';
import { tagKey } from '../../src/cache/keys';
import { createDataset } from '../helpers/datasets';
import { codes, FIELD_CACHING_ONLY, startTestGateway, type TestGateway } from '../helpers/gateway';
import { deletePrefix, keysUnder, SHARED_REDIS_URL, testPrefix } from '../helpers/redis';

/** cacheEntry reads a key back, and what it says is checked against Redis itself. */
describe('cacheEntry', () => {
  const prefix = testPrefix();
  let gw: TestGateway;
  let redis: Redis;
  let admin: string;
  let id: string;
  let statsKey: string;
  let scatterKey: string;

  beforeAll(async () => {
    redis = new Redis(SHARED_REDIS_URL);
    gw = await startTestGateway('postgres', { REDIS_URL: SHARED_REDIS_URL, REDIS_CACHE_PREFIX: prefix, ...FIELD_CACHING_ONLY });
    admin = await gw.token('root', 'admin');
    id = await createDataset(gw, await gw.token('alice'), 'numbers', 1500);
    await gw.gql(DatasetStatisticsDocument, { id });
    await gw.gql(DatasetVisualizationDocument, { id, kind: 'SCATTER', column: 'x', column2: 'y' });
    const keys = await keysUnder(SHARED_REDIS_URL, prefix);
    statsKey = keys.find((k) => k.endsWith(`:f:Dataset.statistics:${id}:-`))!;
    scatterKey = keys.find((k) => k.includes(`:f:Dataset.visualization:${id}:`))!;
  });
  afterAll(async () => {
    redis?.disconnect();
    await gw?.close();
    await deletePrefix(SHARED_REDIS_URL, prefix);
  });

  const entry = async (key: string) => {
    const r = await gw.gql(CacheEntryDocument, { key }, { token: admin });
    expect(r.errors).toBeUndefined();
    return r.data!.cacheEntry!;
  };

  it('shows a field entry: size, TTL, compression, tags, and that its tag is current', async () => {
    const e = await entry(statsKey);
    const raw = (await redis.getBuffer(statsKey))!;
    const ttl = await redis.pttl(statsKey);
    expect(e).toMatchObject({ key: statsKey, kind: 'field', exists: true, bytes: raw.length, compressed: raw[0] === 0x02, tags: [`Dataset:${id}`] });
    expect(e.ttlSeconds! * 1000).toBeLessThanOrEqual(7200 * 1000);
    expect(e.ttlSeconds! * 1000).toBeGreaterThan(ttl - 60_000);
    expect(e.tagStates).toEqual([{ tag: `Dataset:${id}`, current: true, stampedVersion: expect.any(String), currentVersion: expect.any(String) }]);
    expect(e.tagStates[0].stampedVersion).toBe(e.tagStates[0].currentVersion);
    // Statistics live 2 h, less a random jitter of at most CACHE_TTL_JITTER (10 %) so entries written together do not expire together.
    const lifetime = Date.parse(e.freshUntil!) - Date.parse(e.createdAt!);
    expect(lifetime).toBeLessThanOrEqual(7200 * 1000);
    expect(lifetime).toBeGreaterThanOrEqual(0.9 * 7200 * 1000);
  });

  it('tells compressed from plain entries (CACHE_COMPRESS_MIN_BYTES, 1 KiB)', async () => {
    const small = await entry(statsKey);
    const large = await entry(scatterKey);
    expect(small.bytes).toBeLessThan(1024);
    expect(small.compressed).toBe(false);
    expect(large.compressed).toBe(true);
    expect((await redis.getBuffer(scatterKey))![0]).toBe(0x02);
  });

  it('after an invalidation the entry still exists but its tag is no longer current', async () => {
    await gw.gql(InvalidateDatasetCacheDocument, { datasetId: id }, { token: admin });
    const e = await entry(statsKey);
    expect(e.exists).toBe(true);
    expect(e.tagStates).toHaveLength(1);
    expect(e.tagStates[0].current).toBe(false);
    expect(e.tagStates[0].currentVersion).not.toBe(e.tagStates[0].stampedVersion);
  });

  it('answers exists: false for an absent key, and reads tag keys as tags', async () => {
    expect(await entry(`${prefix}:nothing-here`)).toMatchObject({ exists: false, ttlSeconds: null, bytes: null, tags: [], tagStates: [] });
    const tag = await entry(tagKey({ prefix }, `Dataset:${id}`));
    expect(tag).toMatchObject({ kind: 'tag', exists: true, tags: [], compressed: null });
    expect(tag.ttlSeconds).toBeGreaterThan(0);
  });

  it('refuses keys outside the prefix with BAD_USER_INPUT', async () => {
    await redis.set(`${prefix}x`, 'not ours', 'EX', 60);
    try {
      for (const key of ['other-app:x', `${prefix}x`, prefix, `x${prefix}:tag:a`]) {
        const r = await gw.gql(CacheEntryDocument, { key }, { token: admin });
        expect(codes(r)).toEqual(['BAD_USER_INPUT']);
      }
    } finally {
      await redis.unlink(`${prefix}x`);
    }
  });
});
