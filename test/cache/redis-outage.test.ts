import { CreateDatasetDocument, DatasetStatisticsDocument } from '../generated/graphql';
import { sleep, waitFor } from '../helpers/async';
import { startTestGateway, type TestGateway } from '../helpers/gateway';
import { OwnRedis } from '../helpers/redis';

/**
 * Kills the gateway's own redis-server under steady traffic and starts it again: every
 * request must succeed throughout, and caching must come back by itself.
 */
describe.each([
  ['Redis alone', '0'],
  ['the in-process tier in front of Redis', String(16 * 1024 * 1024)],
])('when Redis dies (%s)', (_name, l1Bytes) => {
  let redis: OwnRedis;
  let gw: TestGateway;
  const ids: string[] = [];

  beforeAll(async () => {
    redis = await OwnRedis.start();
    gw = await startTestGateway('postgres', {
      REDIS_URL: redis.url,
      CACHE_DEBUG: '1',
      CACHE_RESPONSES: '0',
      CACHE_REDIS_TIMEOUT_MS: '100',
      CACHE_L1_MAX_BYTES: l1Bytes,
    });
    const token = await gw.token('loader');
    for (let i = 0; i < 4; i++)
      ids.push((await gw.gql(CreateDatasetDocument, { name: `d${i}`, csv: `v\n${i}\n${i * 2}` }, { token })).data!.createDataset.id);
  });
  afterAll(async () => {
    await gw.close();
    await redis.stop();
  });

  it('no request fails while it is down, and hits return after it restarts', async () => {
    let phase: 'before' | 'down' | 'after' = 'before';
    const seen = { before: { ok: 0, hits: 0 }, down: { ok: 0, hits: 0 }, after: { ok: 0, hits: 0 } };
    const failures: string[] = [];
    let running = true;
    const loop = async (worker: number) => {
      for (let i = 0; running; i++) {
        const r = await gw.gql(DatasetStatisticsDocument, { id: ids[(i + worker) % ids.length] });
        if (r.status !== 200 || r.errors || r.data?.dataset?.statistics[0].count !== 2) failures.push(JSON.stringify(r).slice(0, 300));
        else {
          const current = phase;
          seen[current].ok++;
          seen[current].hits += (r.extensions as any)?.cache?.fields?.['Dataset.statistics']?.hits ?? 0;
        }
      }
    };
    const traffic = Promise.all([0, 1, 2, 3].map(loop));

    await waitFor(() => seen.before.hits > 20, 'hits before the outage');
    await redis.kill();
    phase = 'down';
    await sleep(1500);
    await redis.launch();
    // Gutter hits from the in-process tier may arrive before Redis is used again: count the
    // hits once the circuit has closed.
    await waitFor(() => gw.gateway.cache.state().circuit === 'closed', 'the circuit to close after Redis came back', 20_000);
    phase = 'after';
    await waitFor(() => seen.after.hits > 20, 'hits after Redis came back', 20_000);
    running = false;
    await traffic;

    expect(failures).toEqual([]);
    expect(seen.down.ok).toBeGreaterThan(0);
    expect(gw.gateway.cache.stats.snapshot().errors).toBeGreaterThan(0);
    expect(gw.gateway.cache.state().circuit).toBe('closed');
  });
});
