import { AllStatisticsDocument, CreateDatasetDocument } from '../generated/graphql';
import { startTestGateway, type TestGateway } from '../helpers/gateway';
import { OwnRedis } from '../helpers/redis';

/** Counted on a redis-server of the test's own, where INFO commandstats sees only this gateway. */
describe('Redis round trips per request', () => {
  let redis: OwnRedis;
  let gw: TestGateway;

  beforeAll(async () => {
    redis = await OwnRedis.start();
    // Batching alone is measured: no compute leases (a miss that takes one costs up to 3 commands
    // more, see compute-lease.test.ts), no relay (it reads the watermark every 250 ms) and no rate
    // limit (one EVAL per executed request, test/server/rate-limit.test.ts).
    gw = await startTestGateway(
      'postgres',
      {
        REDIS_URL: redis.url,
        CACHE_L1_MAX_BYTES: '0',
        CACHE_RESPONSES: '0',
        CACHE_STATS_FLUSH_MS: '0',
        CACHE_LEASE_MS: '0',
        RATE_LIMIT_POINTS: '0',
      },
      { parts: { relay: () => undefined } },
    );
    const token = await gw.token('loader');
    for (let i = 0; i < 20; i++) {
      await gw.gql(CreateDatasetDocument, { name: `d${i}`, csv: `a,b\n${i},1\n${i + 1},2\n${i + 2},4` }, { token });
    }
  });
  afterAll(async () => {
    await gw.close();
    await redis.stop();
  });

  it('the statistics of 20 datasets cost one MGET, with the tag versions in it, and no GET', async () => {
    await redis.resetStats();
    const cold = await gw.gql(AllStatisticsDocument, { limit: 20 });
    expect(cold.data?.datasets).toHaveLength(20);
    const coldCalls = await redis.commandCalls();
    expect(coldCalls.mget).toBe(1);
    expect(coldCalls.get ?? 0).toBe(0);

    await redis.resetStats();
    const warm = await gw.gql(AllStatisticsDocument, { limit: 20 });
    expect(warm.data).toEqual(cold.data);
    const warmCalls = await redis.commandCalls();
    expect(warmCalls).toEqual({ mget: 1 });
  });
});
