import { Redis } from 'ioredis';
import type { GatewayParts } from '../../src/server/gateway';
import { sleep } from '../helpers/async';
import { startTestGateway, type TestGateway } from '../helpers/gateway';
import { post } from '../helpers/http';
import { PLANTED } from '../helpers/planted-bugs';
import { OwnRedis } from '../helpers/redis';

/**
 * The in-process tier trusts only a live link (a heartbeat heard every 100 ms), and while Redis is
 * unreachable it serves what this instance computed for at most CACHE_OUTAGE_TTL_MS (the gutter).
 */
const READ = 'query R($id: ID!) { dataset(id: $id) { rowCount statistics { count } } }';

interface Setup {
  redis: OwnRedis;
  gw: TestGateway;
  token: string;
  /** Statistics computations so far. */
  loads: () => number;
  close(): Promise<void>;
}

async function setUp(env: Record<string, string> = {}, parts?: Partial<GatewayParts>): Promise<Setup> {
  const redis = await OwnRedis.start();
  const gw = await startTestGateway(
    'postgres',
    { REDIS_URL: redis.url, REDIS_CACHE_PREFIX: 'link', CACHE_L1_MAX_BYTES: String(16 << 20), ...env },
    { parts },
  );
  let loads = 0;
  const datasets = gw.gateway.services.datasets;
  const statistics = datasets.statistics.bind(datasets);
  datasets.statistics = async (d) => {
    loads++;
    return statistics(d);
  };
  return {
    redis,
    gw,
    token: await gw.token('writer'),
    loads: () => loads,
    async close() {
      await gw.close();
      await redis.stop();
    },
  };
}

const read = async (s: Setup, id: string) => (await post(s.gw.url, { query: READ, variables: { id } })).json.data.dataset;
const create = async (s: Setup) =>
  (await post(s.gw.url, { query: 'mutation { createDataset(name: "l", csv: "x\\n1") { id } }' }, { authorization: `Bearer ${s.token}` })).json.data
    .createDataset.id as string;
const live = (s: Setup) => s.gw.gateway.cache.state().subscribed;

/** Resolves with how long until check held, polling every 10 ms; fails past timeoutMs. */
async function within(check: () => boolean, timeoutMs: number): Promise<number> {
  const started = performance.now();
  while (!check()) {
    if (performance.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await sleep(10);
  }
  return performance.now() - started;
}

async function pausePublishing(s: Setup, ms: number): Promise<void> {
  const admin = new Redis(s.redis.url);
  // PUBLISH is a write: every heartbeat (and invalidation message) waits while writes are paused.
  await admin.call('CLIENT', 'PAUSE', String(ms), 'WRITE');
  admin.disconnect();
}

describe('an in-process tier whose link goes silent', () => {
  let s: Setup;
  beforeAll(async () => (s = await setUp()));
  afterAll(() => s?.close());

  it('is emptied and bypassed within about 300 ms of the last heartbeat, and used again once heartbeats return', async () => {
    const id = await create(s);
    await within(() => live(s) === true, 2000);
    // Read once the link is live: a loaded machine may have had a silence (and an emptying) already.
    await read(s, id);
    await read(s, id);
    expect(s.gw.gateway.cache.state().memory!.entries).toBeGreaterThan(0);
    await pausePublishing(s, 1200);
    expect(await within(() => live(s) === false, 700)).toBeLessThan(700);
    expect(s.gw.gateway.cache.state().memory!.entries).toBe(0);
    await within(() => live(s) === true, 2000);
  });
});

describe('the planted tier that keeps serving when its link is lost', () => {
  let s: Setup;
  beforeAll(async () => (s = await setUp({}, PLANTED['no-flush-on-subscription-loss'])));
  afterAll(() => s?.close());

  it('still holds and serves its entries while the link is silent (the test above would catch it)', async () => {
    const id = await create(s);
    await read(s, id);
    await read(s, id);
    const held = s.gw.gateway.cache.state().memory!.entries;
    await pausePublishing(s, 800);
    await sleep(600);
    expect(live(s)).toBe(true);
    expect(s.gw.gateway.cache.state().memory!.entries).toBe(held);
  });
});

describe('a Redis outage (the gutter)', () => {
  let s: Setup;
  beforeAll(async () => (s = await setUp({ CACHE_OUTAGE_TTL_MS: '1000', CACHE_INVALIDATION_WAIT_MS: '200', CACHE_RESPONSES: '0' })));
  afterAll(async () => {
    // Back before the gateway stops, so nothing it closes waits on a dead server.
    await s?.redis.launch();
    await s?.close();
  }, 30_000);

  it('serves what this instance computed for at most CACHE_OUTAGE_TTL_MS, and its own writes at once', async () => {
    const id = await create(s);
    const other = await create(s);
    await read(s, id);
    await s.redis.kill();
    // Let the breaker open and the subscription drop.
    for (let i = 0; i < 10; i++) await read(s, id);
    await sleep(300);
    const before = s.loads();
    const started = performance.now();
    let reads = 0;
    while (performance.now() - started < 800) {
      expect((await read(s, id)).rowCount).toBe(1);
      reads++;
    }
    // At most one computation per CACHE_OUTAGE_TTL_MS, instead of one per request.
    expect(reads).toBeGreaterThan(10);
    expect(s.loads() - before).toBeLessThanOrEqual(2);

    const appended = await post(
      s.gw.url,
      { query: `mutation { appendDatasetRows(id: "${id}", csv: "x\\n2") { rowCount } }` },
      { authorization: `Bearer ${s.token}` },
    );
    expect(appended.json.extensions?.invalidation).toEqual({ status: 'PENDING' });
    expect((await read(s, id)).rowCount).toBe(2);

    // Entries stored during the outage expire within CACHE_OUTAGE_TTL_MS.
    await read(s, other);
    const afterOther = s.loads();
    await read(s, other);
    expect(s.loads()).toBe(afterOther);
    await sleep(1100);
    await read(s, other);
    expect(s.loads()).toBe(afterOther + 1);
  });
});
