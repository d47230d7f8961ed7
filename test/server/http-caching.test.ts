import { startTestGateway, type TestGateway } from '../helpers/gateway';
import { sha256 } from '../helpers/encoding';
import { get, post } from '../helpers/http';
import { deletePrefix, readKeys, SHARED_REDIS_URL, testPrefix } from '../helpers/redis';

const STATS = 'query Stats($id: ID!) { dataset(id: $id) { statistics { column count } } }';

describe('HTTP caching, GET and persisted queries', () => {
  const prefix = testPrefix();
  let gw: TestGateway;
  let token: string;
  let id: string;

  beforeAll(async () => {
    gw = await startTestGateway('postgres', { REDIS_URL: SHARED_REDIS_URL, REDIS_CACHE_PREFIX: prefix });
    token = await gw.token('alice');
    id = (await gw.gateway.services.datasets.create('numbers', 'x\n1\n2\n3')).id;
  });
  afterAll(async () => {
    await gw.close();
    await deletePrefix(SHARED_REDIS_URL, prefix);
  });

  it('sets Cache-Control from the smallest TTL of the fields, public for PUBLIC data', async () => {
    const r = await post(gw.url, { query: '{ datasets { id statistics { count } eda { missing { count } } } }' });
    expect(r.headers.get('cache-control')).toBe('public, max-age=7200');
  });

  it('says no-store for responses that cannot be cached', async () => {
    const r = await post(
      gw.url,
      { query: `mutation { appendDatasetRows(id: "${id}", csv: "x\\n4") { rowCount } }` },
      { authorization: `Bearer ${token}` },
    );
    expect(r.headers.get('cache-control')).toBe('no-store');
  });

  it('gives an ETag and answers 304 to If-None-Match with it, on misses and hits alike', async () => {
    const q = '{ datasets { name } }';
    const first = await post(gw.url, { query: q });
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^".+"$/);
    const notModified = await post(gw.url, { query: q }, { 'if-none-match': etag });
    expect(notModified.status).toBe(304);
    expect(notModified.text).toBe('');
    const changed = await post(gw.url, { query: q }, { 'if-none-match': '"something-else"' });
    expect(changed.status).toBe(200);
  });

  it('adds Age on hits', async () => {
    const q = `{ dataset(id: "${id}") { name } }`;
    await post(gw.url, { query: q });
    await new Promise((r) => setTimeout(r, 1100));
    const hit = await post(gw.url, { query: q });
    expect(hit.headers.get('x-cache')).toBe('HIT');
    expect(Number(hit.headers.get('age'))).toBeGreaterThanOrEqual(1);
  });

  it('serves queries over GET, from the cache too', async () => {
    const first = await get(gw.url, { query: STATS, variables: { id } });
    const second = await get(gw.url, { query: STATS, variables: { id } });
    expect(first.status).toBe(200);
    expect(second.headers.get('x-cache')).toBe('HIT');
    expect(second.json.data.dataset.statistics[0].column).toBe('x');
  });

  it('refuses mutations over GET with 405', async () => {
    const r = await get(gw.url, { query: `mutation { deleteDataset(id: "${id}") }` }, { authorization: `Bearer ${token}` });
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('POST');
    expect((await post(gw.url, { query: `{ dataset(id: "${id}") { id } }` })).json.data.dataset.id).toBe(id);
  });

  describe('automatic persisted queries', () => {
    const query = '{ datasets { id name } }';
    const hash = sha256(query);

    it('answers an unknown hash with PERSISTED_QUERY_NOT_FOUND', async () => {
      const r = await post(gw.url, { extensions: { persistedQuery: { version: 1, sha256Hash: sha256('{ other }') } } });
      expect(r.json.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    });

    it('registers a query with its hash, then runs it from the hash alone (GET too)', async () => {
      const registered = await post(gw.url, { query, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });
      expect(registered.json.data.datasets.length).toBeGreaterThan(0);
      const byHash = await post(gw.url, { extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });
      expect(byHash.json.data).toEqual(registered.json.data);
      const overGet = await get(gw.url, { extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });
      expect(overGet.json.data).toEqual(registered.json.data);
    });

    it('keeps the query text in the cache tier, under the prefix', async () => {
      const [stored] = await readKeys(SHARED_REDIS_URL, [`${prefix}:apq:${hash}`]);
      expect(stored).toBe(query);
    });

    it('refuses a hash that does not match its query', async () => {
      const r = await post(gw.url, { query, extensions: { persistedQuery: { version: 1, sha256Hash: sha256('something else') } } });
      expect(r.status).toBe(400);
      expect(r.json.errors[0].extensions.code).toBe('PERSISTED_QUERY_HASH_MISMATCH');
    });
  });
});
