import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { tagKey } from '../../../src/cache/keys';
import { startTestGateway, type TestGateway } from '../../helpers/gateway';
import { createDataset } from '../../helpers/datasets';
import { post } from '../../helpers/http';
import { keysUnder, OwnRedis } from '../../helpers/redis';

/**
 * What one request can add to Redis is bounded (CACHE_MAX_KEYS_PER_REQUEST), and tag versions
 * created for entities that do not exist expire with the negative entries, while a found
 * entity's version lives as long as its entries and never longer than the longest TTL class.
 * Counted on a redis-server of the test's own.
 */
const SEVEN_DAYS_MS = 7 * 24 * 3600 * 1000;
const NEGATIVE_TTL_MS = 60_000;
const compare = (n: number) => ({
  query: 'query($ids: [ID!]!) { compareModels(ids: $ids) { metric } }',
  variables: { ids: Array.from({ length: n }, () => randomUUID()) },
});

describe('the key budget of one request', () => {
  let redis: OwnRedis;
  let client: Redis;
  let small: TestGateway;
  let normal: TestGateway;

  beforeAll(async () => {
    redis = await OwnRedis.start();
    client = new Redis(redis.url);
    // No rate limit here: its counter is one more key per identity and window, counted in rate-limit.test.ts.
    const env = { REDIS_URL: redis.url, RATE_LIMIT_POINTS: '0', CACHE_LEASE_MS: '0' };
    small = await startTestGateway('postgres', { ...env, REDIS_CACHE_PREFIX: 'budget', CACHE_MAX_KEYS_PER_REQUEST: '10' });
    normal = await startTestGateway('postgres', { ...env, REDIS_CACHE_PREFIX: 'ttl' });
  });
  afterAll(async () => {
    client?.disconnect();
    await small?.close();
    await normal?.close();
    await redis?.stop();
  });

  async function added(prefix: string, send: () => Promise<unknown>): Promise<string[]> {
    const before = new Set(await keysUnder(redis.url, prefix));
    await send();
    return (await keysUnder(redis.url, prefix)).filter((k) => !before.has(k));
  }

  it('a request over 50 ids that do not exist adds at most CACHE_MAX_KEYS_PER_REQUEST keys, and is answered all the same', async () => {
    let answer: Awaited<ReturnType<typeof post>> | undefined;
    const keys = await added('budget', async () => (answer = await post(small.url, compare(50))));
    expect(answer!.status).toBe(200);
    expect(keys.length).toBeLessThanOrEqual(10);
    // Asked again: still bounded (nothing was stored, so it is computed again, and writes as little).
    expect((await added('budget', () => post(small.url, compare(50)))).length).toBeLessThanOrEqual(10);
  });

  it('tag versions of entities that do not exist expire with the negative-cache TTL', async () => {
    const keys = await added('ttl', () => post(normal.url, compare(50)));
    const tagKeys = keys.filter((k) => k.startsWith('ttl:tag:ModelRun'));
    // Without a budget this small, every id gets a version: the bound above is what held them back.
    expect(tagKeys.length).toBe(50);
    for (const k of tagKeys) {
      const ttl = await client.pttl(k);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(NEGATIVE_TTL_MS);
    }
  });

  it("a found entity's tag version lives as long as its entries, never past the longest TTL class", async () => {
    const token = await normal.token('owner');
    const id = await createDataset(normal, token, 'numbers');
    await normal.settled();
    const res = await post(normal.url, { query: 'query($id: ID!) { dataset(id: $id) { statistics { column mean } } }', variables: { id } });
    expect(res.status).toBe(200);
    expect(res.json.errors).toBeUndefined();
    const ttl = await client.pttl(tagKey({ prefix: 'ttl' }, `Dataset:${id}`));
    expect(ttl).toBeGreaterThan(NEGATIVE_TTL_MS);
    expect(ttl).toBeLessThanOrEqual(SEVEN_DAYS_MS);
    // Every tag version under the prefix has an expiry within the longest class.
    for (const k of (await keysUnder(redis.url, 'ttl')).filter((key) => key.startsWith('ttl:tag:'))) {
      const left = await client.pttl(k);
      expect(left).toBeGreaterThan(0);
      expect(left).toBeLessThanOrEqual(SEVEN_DAYS_MS);
    }
  });
});
