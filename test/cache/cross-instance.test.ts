import { Redis } from 'ioredis';
import { waitFor } from '../helpers/async';
import { openTestDatabase, type TestDatabase } from '../helpers/databases';
import { startTestGateway, TEST_JWT_SECRET, type TestGateway } from '../helpers/gateway';
import { post } from '../helpers/http';
import { type GatewayProcess, startGatewayProcess } from '../helpers/gateway-process';
import { OwnRedis } from '../helpers/redis';
import { signToken } from '../../src/server/auth';

const QUERY = 'query S($id: ID!) { dataset(id: $id) { rowCount statistics { count } } }';

/**
 * Two gateway processes, each with its in-process tier in front of one Redis: an
 * invalidation on one must reach what the other holds in memory.
 */
describe('in-process tiers of two gateway processes', () => {
  let redis: OwnRedis;
  let database: TestDatabase;
  let a: GatewayProcess;
  let b: GatewayProcess;
  let token: string;

  beforeAll(async () => {
    redis = await OwnRedis.start();
    database = await openTestDatabase('postgres');
    const env = { DATABASE_URL: database.url!, REDIS_URL: redis.url, REDIS_CACHE_PREFIX: 'cross', CACHE_L1_MAX_BYTES: String(32 * 1024 * 1024) };
    a = await startGatewayProcess(env);
    b = await startGatewayProcess(env);
    token = await signToken(TEST_JWT_SECRET, { id: 'writer', role: 'user' });
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await database.dispose();
    await redis.stop();
  });

  it('a write on one process is seen by the other, whose memory held the old response', async () => {
    const auth = { authorization: `Bearer ${token}` };
    const created = await post(b.url, { query: 'mutation { createDataset(name: "shared", csv: "x\\n1\\n2") { id } }' }, auth);
    const id = created.json.data.createDataset.id;
    await post(a.url, { query: QUERY, variables: { id } });
    const warm = await post(a.url, { query: QUERY, variables: { id } });
    expect(warm.headers.get('x-cache')).toBe('HIT');

    await post(b.url, { query: `mutation { appendDatasetRows(id: "${id}", csv: "x\\n3") { rowCount } }` }, auth);
    // The invalidation reaches A over pub/sub, a moment after B answers (bench/staleness-window.bench.ts measures it).
    let seen: { rowCount: number; statistics: { count: number }[] } | undefined;
    for (let i = 0; i < 500 && seen?.rowCount !== 3; i++) seen = (await post(a.url, { query: QUERY, variables: { id } })).json.data.dataset;
    expect(seen).toEqual({ rowCount: 3, statistics: [{ count: 3 }] });
    expect((await post(a.url, { query: QUERY, variables: { id } })).headers.get('x-cache')).toBe('HIT');
  });
});

/** A process whose subscription drops must empty its in-process tier, bypass it, and rebuild it. */
describe('an instance that loses its invalidation subscription', () => {
  let redis: OwnRedis;
  let gwA: TestGateway;
  let gwB: TestGateway;

  beforeAll(async () => {
    redis = await OwnRedis.start();
    const env = { REDIS_URL: redis.url, REDIS_CACHE_PREFIX: 'lost', CACHE_L1_MAX_BYTES: String(32 * 1024 * 1024) };
    gwA = await startTestGateway('postgres', env);
    gwB = await startTestGateway('postgres', env);
  });
  afterAll(async () => {
    await gwA.close();
    await gwB.close();
    await redis.stop();
  });

  it('drops its memory, misses no invalidation, and subscribes again', async () => {
    // Both gateways read the same rows: B writes into A's database through a dataset of A.
    const id = (await gwA.gateway.services.datasets.create('lost', 'x\n1')).id;
    await gwA.settled();
    await post(gwA.url, { query: QUERY, variables: { id } });
    expect((await post(gwA.url, { query: QUERY, variables: { id } })).headers.get('x-cache')).toBe('HIT');
    const stateOfA = () => gwA.gateway.cache.state();
    expect(stateOfA().memory!.entries).toBeGreaterThan(0);

    const admin = new Redis(redis.url);
    try {
      await admin.client('KILL', 'TYPE', 'pubsub');
    } finally {
      admin.disconnect();
    }
    await waitFor(() => !stateOfA().subscribed, 'the subscription loss to be noticed');
    expect(stateOfA().memory!.entries).toBe(0);

    // An invalidation published while A is not listening: A must still answer fresh data.
    await gwA.gateway.services.datasets.append(id, 'x\n2', { id: 'root', role: 'admin' });
    await gwB.gateway.cache.values.invalidate([`Dataset:${id}`, 'Dataset']);
    const during = await post(gwA.url, { query: QUERY, variables: { id } });
    expect(during.json.data.dataset).toEqual({ rowCount: 2, statistics: [{ count: 2 }] });

    await waitFor(() => stateOfA().subscribed === true, 'the subscription to come back', 10_000);
    await post(gwA.url, { query: QUERY, variables: { id } });
    expect((await post(gwA.url, { query: QUERY, variables: { id } })).headers.get('x-cache')).toBe('HIT');
    expect(stateOfA().memory!.entries).toBeGreaterThan(0);
  });
});
