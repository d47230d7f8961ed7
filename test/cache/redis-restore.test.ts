import { Redis } from 'ioredis';
import type { GatewayParts } from '../../src/server/gateway';
import { sleep } from '../helpers/async';
import { openTestDatabase, type TestDatabase } from '../helpers/databases';
import { startTestGateway, type TestGateway } from '../helpers/gateway';
import { post } from '../helpers/http';
import { PLANTED } from '../helpers/planted-bugs';
import { keysUnder, OwnRedis } from '../helpers/redis';

/**
 * A Redis that comes back older than the database (restored from a snapshot taken before some
 * writes): the relay finds its watermark behind the log and replays the missing records, or,
 * past the log's retention, moves the cache to a new generation. Either way no stale entry is
 * served once it has caught up (within about a second).
 */
const READ = 'query R($id: ID!) { dataset(id: $id) { rowCount statistics { count } } }';
const HEALTH = '{ cacheHealth { healthy invalidation { watermark logPosition lag generation lastCatchUp { kind records } } } }';

interface Setup {
  redis: OwnRedis;
  database: TestDatabase;
  gw: TestGateway;
  token: string;
  close(): Promise<void>;
}

async function setUp(env: Record<string, string>, parts?: Partial<GatewayParts>): Promise<Setup> {
  const redis = await OwnRedis.start();
  const database = await openTestDatabase('postgres');
  // Redis alone: what Redis holds is what is served.
  const gw = await startTestGateway(database.db, { REDIS_URL: redis.url, REDIS_CACHE_PREFIX: 'restore', CACHE_L1_MAX_BYTES: '0', ...env }, { parts });
  return {
    redis,
    database,
    gw,
    token: await gw.token('writer'),
    async close() {
      await gw.close();
      await database.dispose();
      await redis.stop();
    },
  };
}

const read = async (s: Setup, id: string) => {
  const r = await post(s.gw.url, { query: READ, variables: { id } });
  return { rows: r.json.data.dataset.rowCount as number, cache: r.headers.get('x-cache') };
};
const append = (s: Setup, id: string) =>
  post(s.gw.url, { query: `mutation { appendDatasetRows(id: "${id}", csv: "x\\n9") { rowCount } }` }, { authorization: `Bearer ${s.token}` });

/** SAVE with the dataset cached at its current row count, then writes Redis will forget; then kill -9 and restart from the RDB. */
async function restoreOlderRedis(s: Setup, writes: number): Promise<{ id: string; rows: number; backAt: number }> {
  const created = await post(
    s.gw.url,
    { query: 'mutation { createDataset(name: "r", csv: "x\\n1") { id } }' },
    { authorization: `Bearer ${s.token}` },
  );
  const id = created.json.data.createDataset.id as string;
  await read(s, id);
  expect((await read(s, id)).cache).toBe('HIT');
  const admin = new Redis(s.redis.url);
  await admin.save();
  admin.disconnect();
  for (let i = 0; i < writes; i++) await append(s, id);
  // Cache the newest version too, so the RDB's old entry is the only stale thing Redis will hold.
  await read(s, id);
  const rows = (await read(s, id)).rows;
  expect(rows).toBe(1 + writes);
  await s.redis.kill();
  await s.redis.launch();
  return { id, rows, backAt: performance.now() };
}

/** Reads for windowMs after Redis is back: the stale reads seen, and when the last one was. */
async function observe(s: Setup, id: string, rows: number, windowMs: number) {
  const stale: number[] = [];
  const started = performance.now();
  while (performance.now() - started < windowMs) {
    const r = await read(s, id);
    if (r.rows !== rows) stale.push(performance.now());
    await sleep(5);
  }
  return stale;
}

describe('a Redis restored from an older snapshot', () => {
  let s: Setup;
  beforeAll(async () => (s = await setUp({})));
  afterAll(() => s?.close());

  it('is caught up from the log: no stale read later than 1 s after it is back, and cacheHealth says what happened', async () => {
    const { id, rows, backAt } = await restoreOlderRedis(s, 5);
    const stale = await observe(s, id, rows, 2500);
    const lastStale = stale.length ? stale[stale.length - 1] - backAt : 0;
    expect(lastStale).toBeLessThan(1000);
    const health = (await post(s.gw.url, { query: HEALTH })).json.data.cacheHealth;
    expect(health.invalidation).toMatchObject({ lag: 0, generation: 0, lastCatchUp: { kind: 'replay' } });
    expect(health.invalidation.lastCatchUp.records).toBeGreaterThanOrEqual(5);
    expect(health.invalidation.watermark).toBe(health.invalidation.logPosition);
    expect(health.healthy).toBe(true);
  });
});

describe('a Redis restored from before the log’s retention', () => {
  let s: Setup;
  // 0.0002 h = 0.72 s: the records Redis misses are pruned before it comes back.
  beforeAll(async () => (s = await setUp({ CACHE_LOG_RETENTION_HOURS: '0.0002' })));
  afterAll(() => s?.close());

  it('moves the cache to a new generation: every old entry is a miss', async () => {
    const created = await post(
      s.gw.url,
      { query: 'mutation { createDataset(name: "g", csv: "x\\n1") { id } }' },
      { authorization: `Bearer ${s.token}` },
    );
    const id = created.json.data.createDataset.id as string;
    await read(s, id);
    const admin = new Redis(s.redis.url);
    await admin.save();
    admin.disconnect();
    await append(s, id);
    await sleep(1500); // past retention, and pruned
    await s.redis.kill();
    await s.redis.launch();
    const backAt = performance.now();
    const stale = await observe(s, id, 2, 2000);
    expect(stale.length ? stale[stale.length - 1] - backAt : 0).toBeLessThan(1000);
    const health = (await post(s.gw.url, { query: HEALTH })).json.data.cacheHealth;
    expect(health.invalidation).toMatchObject({ generation: 1, lastCatchUp: { kind: 'generation' } });
    expect((await keysUnder(s.redis.url, 'restore')).some((k) => /^restore:s\w+\.g1:/.test(k))).toBe(true);
  });
});

describe('the planted relay that never replays the outbox', () => {
  let s: Setup;
  beforeAll(async () => (s = await setUp({}, PLANTED['outbox-not-replayed'])));
  afterAll(() => s?.close());

  it('keeps serving the restored stale entry (the test above would catch it)', async () => {
    const { id, rows } = await restoreOlderRedis(s, 3);
    await sleep(1500);
    const r = await read(s, id);
    expect(r).toEqual({ rows: 1, cache: 'HIT' });
    expect(r.rows).not.toBe(rows);
  });
});
