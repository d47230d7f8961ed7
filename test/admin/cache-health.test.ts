import { CacheHealthDocument, DatasetStatisticsDocument } from '../generated/graphql';
import { sleep, waitFor } from '../helpers/async';
import { createDataset } from '../helpers/datasets';
import { cacheOf, FIELD_CACHING_ONLY, startTestGateway, type TestGateway } from '../helpers/gateway';
import { OwnRedis } from '../helpers/redis';
import { statsOf } from './helpers';

/** cacheHealth (open to everyone) and cacheStats while the gateway's own Redis, with a password, lives, dies and returns. */
describe('cacheHealth and a Redis that dies', () => {
  let redis: OwnRedis;
  let gw: TestGateway;
  let admin: string;
  let id: string;

  beforeAll(async () => {
    redis = await OwnRedis.start({ user: 'cachegate', password: 's3cret-Pa55' });
    gw = await startTestGateway('postgres', { REDIS_URL: redis.url, CACHE_REDIS_TIMEOUT_MS: '200', ...FIELD_CACHING_ONLY });
    admin = await gw.token('root', 'admin');
    id = await createDataset(gw, await gw.token('alice'), 'numbers');
  });
  afterAll(async () => {
    await gw?.close();
    await redis?.kill();
  });

  const health = async () => {
    const r = await gw.gql(CacheHealthDocument, {});
    expect(r.errors).toBeUndefined();
    return r.data!.cacheHealth;
  };

  it('is healthy, with the PING latency and the URL with its password masked', async () => {
    const h = await health();
    expect(h).toMatchObject({ healthy: true, backend: 'redis', circuit: 'closed', tiered: true });
    expect(h.redis).toEqual({ available: true, latencyMs: expect.any(Number), url: `redis://cachegate:****@127.0.0.1:${redis.port}` });
    expect(h.redis!.latencyMs).toBeGreaterThanOrEqual(0);
    expect(JSON.stringify(h)).not.toContain('s3cret');
  });

  it('when Redis dies: unhealthy, the circuit opens, requests still succeed, and stats fall back to this process', async () => {
    await gw.gql(DatasetStatisticsDocument, { id });
    await redis.kill();
    for (let i = 0; i < 4; i++) {
      // No-cache: each request goes to Redis (not the in-process tier) and fails over to computing.
      const r = await gw.gql(DatasetStatisticsDocument, { id }, { headers: { 'cache-control': 'no-cache' } });
      expect(r.errors).toBeUndefined();
      expect(r.data?.dataset?.statistics).toHaveLength(3);
    }
    const down = await health();
    expect(down.healthy).toBe(false);
    expect(['open', 'half-open']).toContain(down.circuit);
    expect(down.redis).toMatchObject({ available: false, latencyMs: null, url: `redis://cachegate:****@127.0.0.1:${redis.port}` });

    const stats = await statsOf(gw, admin);
    expect(stats).toMatchObject({ backend: 'redis', scope: 'process', redisAvailable: false, redisUsedMemoryBytes: null, keyCount: null });
    expect(stats.errors).toBeGreaterThan(0);
  });

  it('when Redis is back: healthy again, the circuit closed, caching resumed', async () => {
    await redis.launch();
    await waitFor(() => gw.gateway.cache.state().circuit === 'closed', 'the circuit to close', 20_000);
    // The admin connection reconnects on its own schedule (backing off up to 2 s).
    let h = await health();
    for (const deadline = Date.now() + 20_000; !h.healthy && Date.now() < deadline; h = await health()) await sleep(50);
    expect(h).toMatchObject({ healthy: true, circuit: 'closed', redis: { available: true } });
    // Caching resumes: a read hits again. Not necessarily the second one: the relay replays the
    // invalidation log into a Redis that came back empty on its own schedule, and the versions it
    // writes make an entry stored before the replay a miss once.
    let hit = false;
    for (const deadline = Date.now() + 10_000; !hit && Date.now() < deadline; await sleep(50))
      hit = cacheOf(await gw.gql(DatasetStatisticsDocument, { id }))['Dataset.statistics']?.hits === 1;
    expect(hit).toBe(true);
    expect((await statsOf(gw, admin)).scope).toBe('deployment');
  });
});

describe('cacheHealth without Redis', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway('postgres');
  });
  afterAll(() => gw?.close());

  it('is healthy on the in-process tier alone, with no Redis to report', async () => {
    const r = await gw.gql(CacheHealthDocument, {});
    expect(r.data?.cacheHealth).toEqual({
      healthy: true,
      backend: 'memory',
      circuit: 'none',
      tiered: false,
      redis: null,
      hitRate: 0,
      l1Bytes: expect.any(Number),
      l1MaxBytes: 67108864,
      redisUsedMemoryBytes: null,
      redisMaxMemoryBytes: null,
    });
  });
});
