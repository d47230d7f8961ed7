import { DATABASE_KINDS } from '../../helpers/databases';
import { startTestGateway, type TestGateway } from '../../helpers/gateway';
import { post } from '../../helpers/http';
import { deletePrefix, SHARED_REDIS_URL, testPrefix } from '../../helpers/redis';

/** The user the bearer tokens below name: the owner of the datasets the tests write to. */
const ALICE = { id: 'alice', role: 'user' } as const;

const STATS = 'query Stats($id: ID!) { dataset(id: $id) { name rowCount statistics { column count mean } } }';

describe.each(DATABASE_KINDS)('whole-response cache (%s, Redis)', (kind) => {
  const prefix = testPrefix();
  let gw: TestGateway;
  let token: string;
  let id: string;

  beforeAll(async () => {
    gw = await startTestGateway(kind, { REDIS_URL: SHARED_REDIS_URL, REDIS_CACHE_PREFIX: prefix });
    await gw.gateway.services.progress.seedSteps();
    token = await gw.token('alice');
    id = (await gw.gateway.services.datasets.create('numbers', 'x,y\n1,2\n3,4\n5,9', ALICE)).id;
    await gw.settled();
  });
  afterAll(async () => {
    await gw.close();
    await deletePrefix(SHARED_REDIS_URL, prefix);
  });

  it('stores a fully cacheable query once and serves the same bytes on the next request', async () => {
    const first = await post(gw.url, { query: STATS, variables: { id } });
    const second = await post(gw.url, { query: STATS, variables: { id } });
    expect(first.headers.get('x-cache')).toBe('MISS');
    expect(second.headers.get('x-cache')).toBe('HIT');
    expect(second.text).toBe(first.text);
    expect(second.json.data.dataset.statistics[0].count).toBe(3);
  });

  it('treats whitespace and comments as the same document', async () => {
    await post(gw.url, { query: STATS, variables: { id } });
    const reformatted = `# the same query\nquery Stats($id: ID!) {\n  dataset(id: $id) {\n    name rowCount\n    statistics { column count mean }\n  }\n}`;
    expect((await post(gw.url, { query: reformatted, variables: { id } })).headers.get('x-cache')).toBe('HIT');
  });

  it('treats variables in another order as the same request', async () => {
    const q = 'query V($id: ID!, $bins: Int) { dataset(id: $id) { visualization(kind: HISTOGRAM, column: "x", bins: $bins) { data } } }';
    await post(gw.url, { query: q, variables: { id, bins: 3 } });
    expect((await post(gw.url, { query: q, variables: { bins: 3, id } })).headers.get('x-cache')).toBe('HIT');
  });

  it('keeps responses with different aliases apart, since their shapes differ', async () => {
    await post(gw.url, { query: '{ a: datasets { id } }' });
    const other = await post(gw.url, { query: '{ b: datasets { id } }' });
    expect(other.headers.get('x-cache')).toBe('MISS');
    expect(Object.keys(other.json.data)).toEqual(['b']);
  });

  it('answers fresh data right after a mutation that changes it', async () => {
    await post(gw.url, { query: STATS, variables: { id } });
    const appended = await post(
      gw.url,
      { query: `mutation { appendDatasetRows(id: "${id}", csv: "x,y\\n7,8") { rowCount } }` },
      { authorization: `Bearer ${token}` },
    );
    expect(appended.json.data.appendDatasetRows.rowCount).toBe(4);
    expect(appended.headers.get('x-cache')).toBe('BYPASS');
    const after = await post(gw.url, { query: STATS, variables: { id } });
    expect(after.headers.get('x-cache')).toBe('MISS');
    expect(after.json.data.dataset.rowCount).toBe(4);
    expect(after.json.data.dataset.statistics[0].count).toBe(4);
  });

  it('refreshes a list when an entity in it changes', async () => {
    const list = '{ datasets { id rowCount } }';
    await post(gw.url, { query: list });
    await post(gw.url, { query: `mutation { appendDatasetRows(id: "${id}", csv: "x,y\\n1,1") { rowCount } }` }, { authorization: `Bearer ${token}` });
    const after = await post(gw.url, { query: list });
    expect(after.headers.get('x-cache')).toBe('MISS');
    expect(after.json.data.datasets.find((d: { id: string }) => d.id === id).rowCount).toBe(5);
  });

  it('never shares a PRIVATE whole response between users', async () => {
    const bob = await gw.token('bob');
    const q = '{ myProgress { userId completedCount } }';
    await post(
      gw.url,
      { query: 'mutation { completeProgressStep(step: "browse-datasets") { completedCount } }' },
      { authorization: `Bearer ${token}` },
    );
    const a1 = await post(gw.url, { query: q }, { authorization: `Bearer ${token}` });
    const a2 = await post(gw.url, { query: q }, { authorization: `Bearer ${token}` });
    const b1 = await post(gw.url, { query: q }, { authorization: `Bearer ${bob}` });
    expect(a2.headers.get('x-cache')).toBe('HIT');
    expect(a2.json.data.myProgress).toEqual({ userId: 'alice', completedCount: 1 });
    expect(b1.headers.get('x-cache')).toBe('MISS');
    expect(b1.json.data.myProgress).toEqual({ userId: 'bob', completedCount: 0 });
    expect(a1.headers.get('cache-control')).toBe('private, no-cache');
    expect(a1.headers.get('vary')).toBe('Accept, Authorization');
    const anonymous = await post(gw.url, { query: q });
    expect(anonymous.json.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(anonymous.headers.get('x-cache')).toBe('BYPASS');
  });

  it('never stores a response with errors', async () => {
    const q = 'query Bad($id: ID!) { dataset(id: $id) { visualization(kind: HISTOGRAM, column: "nope") { data } } }';
    const first = await post(gw.url, { query: q, variables: { id } });
    const second = await post(gw.url, { query: q, variables: { id } });
    expect(first.json.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect([first.headers.get('x-cache'), second.headers.get('x-cache')]).toEqual(['BYPASS', 'BYPASS']);
  });

  it('computes once for a storm of 200 identical misses', async () => {
    const storm = (await gw.gateway.services.datasets.create('storm', 'x\n1\n2\n3')).id;
    await gw.settled();
    const datasets = gw.gateway.services.datasets;
    const statistics = datasets.statistics.bind(datasets);
    let computations = 0;
    datasets.statistics = async (dataset) => {
      if (dataset.id === storm) {
        computations++;
        // Long enough for every request of the storm to arrive while the first one computes.
        await new Promise((r) => setTimeout(r, 100));
      }
      return statistics(dataset);
    };
    try {
      const answers = await Promise.all(Array.from({ length: 200 }, () => post(gw.url, { query: STATS, variables: { id: storm } })));
      expect(new Set(answers.map((a) => a.status))).toEqual(new Set([200]));
      expect(new Set(answers.map((a) => a.text)).size).toBe(1);
      expect(answers[0].json.data.dataset.statistics[0].count).toBe(3);
      expect(computations).toBe(1);
    } finally {
      datasets.statistics = statistics;
    }
  });
});
