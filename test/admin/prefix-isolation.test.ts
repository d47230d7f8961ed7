import { isBookkeepingKey } from '../../src/cache/keys';
import { Redis } from 'ioredis';
import {
  ClearCacheDocument,
  DatasetEdaDocument,
  DatasetStatisticsDocument,
  InvalidateCachePatternDocument,
  MyProgressDocument,
} from '../generated/graphql';
import { createDataset } from '../helpers/datasets';
import { startTestGateway, type TestGateway } from '../helpers/gateway';
import { deletePrefix, keysUnder, SHARED_REDIS_URL, testPrefix } from '../helpers/redis';

/**
 * The Redis is shared with other applications: `*` and clearCache reach this gateway's
 * `{prefix}:` keys and nothing else, not even keys that merely start with the prefix's letters.
 */
describe.each([
  ['invalidateCachePattern("*")', InvalidateCachePatternDocument, { pattern: '*' }],
  ['clearCache', ClearCacheDocument, {}],
] as const)('%s stays inside the prefix', (_name, doc, vars) => {
  const prefix = testPrefix();
  // Other applications' keys, and a neighbour gateway's: each must survive with its value and TTL.
  const foreign = {
    [`other-app-${prefix}:x`]: 'other application',
    [`${prefix}x`]: 'no colon after the prefix',
    [`${prefix}`]: 'the bare prefix',
    [`${prefix}-neighbour:tag:Dataset%3A1`]: 'another gateway whose prefix starts with ours',
    [`x:${prefix}:tag:Dataset%3A1`]: 'our prefix, not at the start',
    [`${prefix.toUpperCase()}:tag:Dataset%3A1`]: 'our prefix in another case',
  };
  let gw: TestGateway;
  let redis: Redis;

  beforeAll(async () => {
    redis = new Redis(SHARED_REDIS_URL);
    for (const [key, value] of Object.entries(foreign)) await redis.set(key, value, 'EX', 600);
    gw = await startTestGateway('postgres', { REDIS_URL: SHARED_REDIS_URL, REDIS_CACHE_PREFIX: prefix, CACHE_DEBUG: '1' });
    await gw.gateway.services.progress.seedSteps();
    const alice = await gw.token('alice');
    const id = await createDataset(gw, alice, 'numbers');
    await gw.gql(DatasetStatisticsDocument, { id });
    await gw.gql(DatasetEdaDocument, { id });
    await gw.gql(MyProgressDocument, {}, { token: alice });
  });
  afterAll(async () => {
    await redis.unlink(...Object.keys(foreign));
    redis.disconnect();
    await gw?.close();
    await deletePrefix(SHARED_REDIS_URL, prefix);
  });

  it('deletes every cache key under "{prefix}:", keeps the stats and the watermark, and leaves every foreign key as it was', async () => {
    const admin = await gw.token('root', 'admin');
    // Bookkeeping (the stats hashes, the invalidation watermark, rate-limit counters) is kept.
    const bookkeeping = (k: string) => isBookkeepingKey({ prefix }, k);
    const ours = (await keysUnder(SHARED_REDIS_URL, prefix)).filter((k) => !bookkeeping(k));
    expect(ours.length).toBeGreaterThanOrEqual(4);

    const r = (await gw.gql(doc as typeof ClearCacheDocument, vars as Record<string, never>, { token: admin })) as any;
    expect(r.errors).toBeUndefined();
    expect((Object.values(r.data)[0] as { deletedKeys: number }).deletedKeys).toBe(ours.length);

    expect((await keysUnder(SHARED_REDIS_URL, prefix)).every(bookkeeping)).toBe(true);
    for (const [key, value] of Object.entries(foreign)) {
      expect(await redis.get(key)).toBe(value);
      expect(await redis.ttl(key)).toBeGreaterThan(500);
    }
  });
});
