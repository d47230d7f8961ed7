import { randomUUID } from 'node:crypto';
import { startTestGateway, type TestGateway } from '../../helpers/gateway';
import { post } from '../../helpers/http';
import { keysUnder, OwnRedis } from '../../helpers/redis';

/**
 * Requests out of bounds are refused before any cache work: nothing is written to Redis (no
 * tag version, no entry) and no resolver runs. Counted on a redis-server of the test's own,
 * so INFO commandstats sees only this gateway.
 */
describe('refusals before any cache work', () => {
  let redis: OwnRedis;
  let gw: TestGateway;
  const prefix = 'guard';

  beforeAll(async () => {
    redis = await OwnRedis.start();
    gw = await startTestGateway('postgres', { REDIS_URL: redis.url, REDIS_CACHE_PREFIX: prefix, CACHE_STATS_FLUSH_MS: '0' }, { seed: false });
  });
  afterAll(async () => {
    await gw?.close();
    await redis?.stop();
  });

  /** What one request wrote: commands that change data, and keys added under the prefix (PUBLISH is the relay's heartbeat, not a write). */
  async function writesOf(send: () => Promise<{ status: number; json: any }>) {
    const before = new Set(await keysUnder(redis.url, prefix));
    await redis.resetStats();
    const res = await send();
    const calls = await redis.commandCalls();
    const writes = Object.entries(calls)
      .filter(([cmd]) => /^(set|mset|setex|psetex|hset|hincrby|incr|incrby|expire|pexpire|del|unlink|eval|evalsha|rpush|lpush)$/.test(cmd))
      .reduce((n, [, c]) => n + c, 0);
    const added = (await keysUnder(redis.url, prefix)).filter((k) => !before.has(k));
    return { res, writes, added };
  }

  const cases: Array<[string, { query: string; variables?: Record<string, unknown> }, string]> = [
    [
      'compareModels with 20,000 ids',
      {
        query: 'query($ids: [ID!]!) { compareModels(ids: $ids) { metric } }',
        variables: { ids: Array.from({ length: 20_000 }, () => randomUUID()) },
      },
      'BAD_USER_INPUT',
    ],
    [
      'compareModels with 51 ids',
      { query: 'query($ids: [ID!]!) { compareModels(ids: $ids) { metric } }', variables: { ids: Array.from({ length: 51 }, () => randomUUID()) } },
      'BAD_USER_INPUT',
    ],
    ['a model run id that is no UUID', { query: '{ modelRun(id: "not-a-uuid") { id } }' }, 'BAD_USER_INPUT'],
    ['a dataset id that is no number', { query: '{ dataset(id: "1;DROP") { id } }' }, 'BAD_USER_INPUT'],
    // Half a MiB: under the body limit (1 MiB for anonymous callers), so the argument bounds refuse it.
    ['a 512 KiB ID', { query: 'query($id: ID!) { dataset(id: $id) { id } }', variables: { id: 'x'.repeat(512 * 1024) } }, 'BAD_USER_INPUT'],
    [
      'a 512 KiB column name',
      {
        query: 'query($c: String!) { dataset(id: "1") { visualization(kind: HISTOGRAM, column: $c) { kind } } }',
        variables: { c: 'é'.repeat(256 * 1024) },
      },
      'BAD_USER_INPUT',
    ],
    ['bins out of range', { query: '{ dataset(id: "1") { visualization(kind: HISTOGRAM, column: "a", bins: 100000) { kind } } }' }, 'BAD_USER_INPUT'],
    ['a page of 10^6', { query: '{ datasets(limit: 1000000) { id } }' }, 'BAD_USER_INPUT'],
    ['an EMG id that is no SHA-256', { query: '{ emgRecording(id: "../../etc") { id } }' }, 'BAD_USER_INPUT'],
    [
      '200 aliases of visualization',
      {
        query: `{ dataset(id: "1") { ${Array.from({ length: 200 }, (_, i) => `v${i}: visualization(kind: HISTOGRAM, column: "a", bins: ${i + 1}) { kind }`).join(' ')} } }`,
      },
      'QUERY_TOO_COMPLEX',
    ],
    ['depth 20', { query: `{ datasets { ${'modelRuns { dataset { '.repeat(10)} id ${'} } '.repeat(10)} } }` }, 'QUERY_TOO_COMPLEX'],
    ['@include x 200', { query: `{ datasets { id ${'@include(if: true) '.repeat(200)} } }` }, 'QUERY_TOO_COMPLEX'],
    [
      'a cost past QUERY_MAX_COST',
      { query: '{ datasets(limit: 500) { statistics { column } eda { missing { column } } modelRuns(limit: 500) { metrics { accuracy } } } }' },
      'QUERY_TOO_COMPLEX',
    ],
  ];

  it.each(cases)('%s: refused with its code, 0 Redis writes, 0 keys added', async (_name, body, code) => {
    const { res, writes, added } = await writesOf(() => post(gw.url, body));
    expect(res.status).toBe(400);
    expect(res.json.errors[0].extensions.code).toBe(code);
    expect(added).toEqual([]);
    expect(writes).toBe(0);
  });

  it('says what a refused query would cost, and reports the cost of every answered one', async () => {
    const refused = await post(gw.url, {
      query: '{ datasets(limit: 500) { statistics { column } eda { missing { column } } modelRuns(limit: 500) { metrics { accuracy } } } }',
    });
    expect(refused.json.errors[0].extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', maxCost: 5000 });
    expect(refused.json.errors[0].extensions.cost).toBeGreaterThan(5000);
    const fine = await post(gw.url, { query: '{ datasets(limit: 5) { id statistics { column } } }' });
    expect(fine.json.errors).toBeUndefined();
    // 1 for the list, then per dataset (5): 10 for statistics.
    expect(fine.json.extensions.cost).toEqual({ requestedQueryCost: 51, maximumAvailable: 5000 });
    const again = await post(gw.url, { query: '{ datasets(limit: 5) { id statistics { column } } }' });
    expect(again.headers.get('x-cache')).toBe('HIT');
    expect(again.json.extensions.cost.requestedQueryCost).toBe(51);
  });

  it('refuses a mutation out of bounds before it runs', async () => {
    const token = await gw.token('bob');
    const { res, added } = await writesOf(() =>
      post(
        gw.url,
        { query: 'mutation($n: String!) { createDataset(name: $n, csv: "a\\n1") { id } }', variables: { n: 'n'.repeat(201) } },
        { authorization: `Bearer ${token}` },
      ),
    );
    expect(res.json.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(added).toEqual([]);
    const count = await gw.gateway.db.query<{ n: number }>('SELECT count(*)::int AS n FROM dataset');
    expect(count[0].n).toBe(0);
  });
});
