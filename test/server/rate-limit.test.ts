import Redis from 'ioredis';
import { startGatewayPair, startTestGateway, type TestGateway } from '../helpers/gateway';
import { post, type RawResponse } from '../helpers/http';
import { keysUnder, OwnRedis } from '../helpers/redis';

/**
 * Cost points per identity per window (src/server/rate-limit.ts, src/cache/rate-counter.ts),
 * on a redis-server of the test's own. A day-long window: the counts cannot reset mid-test
 * (windows are numbered from the epoch, so only a run across midnight UTC would see one end).
 */
const WINDOW = String(24 * 3600 * 1000);

/** A query whose every distinct `limit` is a miss of its own (cache-busting, as a flood would). */
const datasets = (limit: number) => ({ query: 'query($l: Int) { datasets(limit: $l) { id name } }', variables: { l: limit } });
const costOf = (r: RawResponse) => r.json.extensions.cost.requestedQueryCost as number;
const remainingOf = (r: RawResponse) => Number(r.headers.get('ratelimit-remaining'));

async function metric(url: string, line: RegExp): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = line.exec(text);
  return m ? Number(m[1]) : 0;
}

describe('rate limits per identity', () => {
  let redis: OwnRedis;
  let pair: Awaited<ReturnType<typeof startGatewayPair>>;
  let a: TestGateway;
  let b: TestGateway;
  const prefix = 'rl';
  const POINTS = 60;

  beforeAll(async () => {
    redis = await OwnRedis.start();
    pair = await startGatewayPair('postgres', {
      REDIS_URL: redis.url,
      REDIS_CACHE_PREFIX: prefix,
      RATE_LIMIT_POINTS: String(POINTS),
      RATE_LIMIT_ADMIN_POINTS: '100000',
      RATE_LIMIT_WINDOW_MS: WINDOW,
    });
    [a, b] = pair;
  });
  afterAll(async () => {
    await pair?.close();
    await redis?.stop();
  });

  it('charges executed requests their cost, shares the count across instances, and refuses past the budget with 429 and nothing written', async () => {
    const first = await post(a.url, datasets(1));
    expect(first.status).toBe(200);
    const cost = costOf(first);
    expect(cost).toBeGreaterThan(0);
    expect(first.headers.get('ratelimit-limit')).toBe(String(POINTS));
    expect(remainingOf(first)).toBe(POINTS - cost);

    // The other instance charges the same counter.
    const second = await post(b.url, datasets(2));
    expect(second.status).toBe(200);
    expect(remainingOf(second)).toBe(POINTS - cost - costOf(second));

    let limit = 3;
    let last = second;
    while (last.status === 200 && limit < 200) last = await post(limit % 2 ? a.url : b.url, datasets(limit++));
    expect(last.status).toBe(429);
    expect(Number(last.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const error = last.json.errors[0];
    expect(error.extensions.code).toBe('RATE_LIMITED');
    expect(error.extensions.rateLimit).toMatchObject({ limit: POINTS, cost: expect.any(Number) });
    expect(error.extensions.rateLimit.remaining).toBeLessThan(error.extensions.rateLimit.cost);
    expect(Date.parse(error.extensions.rateLimit.resetAt)).toBeGreaterThan(Date.now());

    // A refusal writes nothing: no key added, the counter unchanged.
    const before = await keysUnder(redis.url, prefix);
    const counter = before.find((k) => k.startsWith(`${prefix}:rl:`))!;
    const client = new Redis(redis.url);
    try {
      const spent = await client.get(counter);
      const again = await post(a.url, datasets(500));
      expect(again.status).toBe(429);
      expect(await client.get(counter)).toBe(spent);
      expect(await keysUnder(redis.url, prefix)).toEqual(before);
    } finally {
      client.disconnect();
    }
    expect(await metric(a.url, /^cachegate_rate_limited_total\{role="anonymous"\} (\d+)/m)).toBeGreaterThanOrEqual(1);
  });

  it('gives an admin its own, larger budget, and a user its own identity', async () => {
    const admin = await a.token('root', 'admin');
    const asAdmin = await post(a.url, datasets(301), { authorization: `Bearer ${admin}` });
    expect(asAdmin.status).toBe(200);
    expect(asAdmin.headers.get('ratelimit-limit')).toBe('100000');
    const user = await a.token('alice');
    const asUser = await post(b.url, datasets(303), { authorization: `Bearer ${user}` });
    expect(asUser.status).toBe(200);
    expect(asUser.headers.get('ratelimit-limit')).toBe(String(POINTS));
    expect(remainingOf(asUser)).toBe(POINTS - costOf(asUser));
  });

  it('charges nothing for a document refused before it runs (syntax, validation, variables, a role the caller lacks)', async () => {
    const auth = { authorization: `Bearer ${await a.token('carol')}` };
    const forbidden = await post(a.url, { query: 'mutation { invalidateCacheTags(tags: ["Dataset"]) { invalidated } }' }, auth);
    expect(forbidden.json.errors[0].extensions.code).toBe('FORBIDDEN');
    for (const body of [
      { query: '{ datasets { ' },
      { query: '{ nope }' },
      { query: 'query($l: Int!) { datasets(limit: $l) { id } }', variables: { l: 'x' } },
    ]) {
      const refused = await post(a.url, body, auth);
      expect(refused.status).toBe(400);
    }
    const first = await post(a.url, datasets(311), auth);
    expect(first.status).toBe(200);
    expect(remainingOf(first)).toBe(POINTS - costOf(first));
  });

  it('lets a hit through for free, and charges a forced refresh (Cache-Control: no-cache) like a miss', async () => {
    const token = await a.token('bob');
    const auth = { authorization: `Bearer ${token}` };
    const miss = await post(a.url, datasets(307), auth);
    expect(miss.headers.get('x-cache')).toBe('MISS');
    const afterMiss = remainingOf(miss);
    const hit = await post(a.url, datasets(307), auth);
    expect(hit.headers.get('x-cache')).toBe('HIT');
    expect(remainingOf(hit)).toBe(afterMiss);
    const refresh = await post(a.url, datasets(307), { ...auth, 'cache-control': 'no-cache' });
    expect(refresh.status).toBe(200);
    expect(remainingOf(refresh)).toBe(afterMiss - costOf(miss));
  });
});

describe('rate limits while Redis is down', () => {
  let redis: OwnRedis;
  let gw: TestGateway;

  beforeAll(async () => {
    redis = await OwnRedis.start();
    gw = await startTestGateway('postgres', {
      REDIS_URL: redis.url,
      REDIS_CACHE_PREFIX: 'rl-down',
      RATE_LIMIT_POINTS: '40',
      RATE_LIMIT_WINDOW_MS: WINDOW,
    });
  });
  afterAll(async () => {
    await gw?.close();
    await redis?.stop();
  });

  it('never fails a request because Redis failed: counts in process (counted in /metrics) and still refuses past the budget', async () => {
    await redis.kill();
    const first = await post(gw.url, datasets(1));
    expect(first.status).toBe(200);
    expect(first.json.errors).toBeUndefined();
    let limit = 2;
    let last = first;
    while (last.status === 200 && limit < 200) last = await post(gw.url, datasets(limit++));
    expect(last.status).toBe(429);
    expect(last.json.errors[0].extensions.code).toBe('RATE_LIMITED');
    expect(await metric(gw.url, /^cachegate_rate_limit_fallback_total (\d+)/m)).toBeGreaterThanOrEqual(2);
  });
});
