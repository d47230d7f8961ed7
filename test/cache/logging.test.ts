import { keyHash } from '../../src/cache/keys';
import { ClearCacheDocument, DatasetStatisticsDocument, InvalidateCachePatternDocument, InvalidateDatasetCacheDocument } from '../generated/graphql';
import { waitFor } from '../helpers/async';
import { createDataset } from '../helpers/datasets';
import { FIELD_CACHING_ONLY, startTestGateway, type TestGateway } from '../helpers/gateway';
import { keysUnder, OwnRedis } from '../helpers/redis';

const DEBUG = 20;
const INFO = 30;
const WARN = 40;

/** What the gateway logs about its cache, read from its real pino output at LOG_LEVEL=debug. */
describe('cache logs', () => {
  let redis: OwnRedis;
  let gw: TestGateway;
  let id: string;

  beforeAll(async () => {
    redis = await OwnRedis.start({ user: 'cachegate', password: 'Log-s3cret-77' });
    gw = await startTestGateway(
      'postgres',
      { REDIS_URL: redis.url, REDIS_CACHE_PREFIX: 'logtest', CACHE_REDIS_TIMEOUT_MS: '200', ...FIELD_CACHING_ONLY },
      { captureLogs: true },
    );
    id = await createDataset(gw, await gw.token('alice'), 'numbers');
  });
  afterAll(async () => {
    await gw?.close();
    await redis?.kill();
  });

  it('logs hits and misses at debug with the coordinate and a short hash of the key, never the key or the value', async () => {
    await gw.gql(DatasetStatisticsDocument, { id });
    await gw.gql(DatasetStatisticsDocument, { id });
    const [key] = (await keysUnder(redis.url, 'logtest')).filter((k) => k.endsWith(`:f:Dataset.statistics:${id}:-`));
    const lines = gw.logs.find(/^cache (hit|miss)$/).filter((l) => l.coordinate === 'Dataset.statistics');
    expect(lines.map((l) => [l.msg, l.level, l.key])).toEqual([
      ['cache miss', DEBUG, keyHash(key)],
      ['cache hit', DEBUG, keyHash(key)],
    ]);
    expect(lines[0].key).toMatch(/^[0-9a-f]{12}$/);
    const raw = gw.logs.raw.filter((l) => l.includes('"cache hit"') || l.includes('"cache miss"'));
    for (const line of raw) {
      expect(line).not.toContain(key);
      expect(line).not.toContain('nullCount'); // a property of the cached statistics
    }
  });

  it('logs every admin mutation at info with the admin’s user id', async () => {
    const admin = await gw.token('ops-anna', 'admin');
    await gw.gql(InvalidateDatasetCacheDocument, { datasetId: id, dryRun: true }, { token: admin });
    await gw.gql(InvalidateDatasetCacheDocument, { datasetId: id }, { token: admin });
    await gw.gql(ClearCacheDocument, {}, { token: admin });
    await gw.gql(InvalidateCachePatternDocument, { pattern: '[oops' }, { token: admin });
    const audit = gw.logs.lines.filter((l) => l.component === 'admin');
    expect(audit.map((l) => [l.level, l.admin, l.mutation, l.dryRun, l.msg])).toEqual([
      [INFO, 'ops-anna', 'invalidateDatasetCache', true, 'cache invalidation dry run by an admin'],
      [INFO, 'ops-anna', 'invalidateDatasetCache', false, 'cache invalidated by an admin'],
      [INFO, 'ops-anna', 'clearCache', false, 'cache invalidated by an admin'],
      [INFO, 'ops-anna', 'invalidateCachePattern', undefined, 'cache invalidation by an admin failed'],
    ]);
    expect(audit[3]).toMatchObject({ pattern: '[oops', error: expect.stringContaining('never closed') });
    expect(audit[1]).toMatchObject({ datasetId: id, invalidated: 1, deletedKeys: 0 });
  });

  it('warns when Redis fails and when the circuit changes, and never writes the Redis password', async () => {
    const mark = gw.logs.lines.length;
    await redis.kill();
    for (let i = 0; i < 4; i++) await gw.gql(DatasetStatisticsDocument, { id }, { headers: { 'cache-control': 'no-cache' } });
    await redis.launch();
    await waitFor(() => gw.gateway.cache.state().circuit === 'closed', 'the circuit to close', 20_000);
    const since = gw.logs.lines.slice(mark);
    expect(since.find((l) => l.msg === 'cache store failed; computing values instead')).toMatchObject({ level: WARN, component: 'cache' });
    expect(since.find((l) => l.msg === 'Redis circuit open')).toMatchObject({ level: WARN, circuit: 'open' });
    expect(since.find((l) => l.msg === 'Redis circuit closed')).toMatchObject({ level: INFO, circuit: 'closed' });
    // The in-process tier's subscription: its loss and, once Redis is back, its return.
    expect(since.find((l) => /^invalidation link lost/.test(l.msg))).toMatchObject({ level: WARN, component: 'cache' });
    await waitFor(() => gw.logs.lines.slice(mark).some((l) => /^invalidation subscription restored/.test(l.msg)), 'the restored line', 20_000);
    expect(gw.logs.find(/^invalidation subscription restored/)).toEqual([expect.objectContaining({ level: INFO, component: 'cache' })]);

    const connecting = gw.logs.find('connecting to Redis');
    expect(connecting).toHaveLength(1);
    expect(connecting[0].redis).toBe(`redis://cachegate:****@127.0.0.1:${redis.port}`);
    expect(gw.logs.raw.filter((l) => l.includes('Log-s3cret-77'))).toEqual([]);
  });
});
