import { startTestGateway, type TestGateway } from '../helpers/gateway';
import { get, post } from '../helpers/http';
import { deletePrefix, keysUnder, SHARED_REDIS_URL, testPrefix } from '../helpers/redis';

const STATS = 'query BypassStats($id: ID!) { dataset(id: $id) { name statistics { column count } } }';

/** The per-request bypass of the seed systems (`?use_cache=false`), without headers. */
describe('a request that asks not to use the cache', () => {
  const prefix = testPrefix();
  let gw: TestGateway;
  let id: string;

  beforeAll(async () => {
    gw = await startTestGateway('postgres', { REDIS_URL: SHARED_REDIS_URL, REDIS_CACHE_PREFIX: prefix, CACHE_DEBUG: '1', CACHE_L1_MAX_BYTES: '0' });
    id = (await gw.gateway.services.datasets.create('numbers', 'x,y\n1,2\n3,4')).id;
    await gw.settled();
  });
  afterAll(async () => {
    await gw?.close();
    await deletePrefix(SHARED_REDIS_URL, prefix);
  });

  const fieldCounts = (r: { json: any }) => r.json.extensions?.cache?.fields?.['Dataset.statistics'];
  const responseKeys = async () => (await keysUnder(SHARED_REDIS_URL, prefix)).filter((k) => k.split(':')[2] === 'r');

  it('POST with extensions.useCache false neither reads nor writes: computed, and nothing stored', async () => {
    const bypassed = await post(gw.url, { query: STATS, variables: { id }, extensions: { useCache: false } });
    expect(bypassed.status).toBe(200);
    expect(bypassed.headers.get('x-cache')).toBe('BYPASS');
    expect(bypassed.headers.get('cache-control')).toBe('no-store');
    expect(bypassed.json.data.dataset.statistics[0].count).toBe(2);
    expect(await responseKeys()).toEqual([]);
    // The next ordinary request finds nothing the bypass left: a miss, then stored.
    expect((await post(gw.url, { query: STATS, variables: { id } })).headers.get('x-cache')).toBe('MISS');
    expect((await post(gw.url, { query: STATS, variables: { id } })).headers.get('x-cache')).toBe('HIT');
  });

  it('GET with use_cache=false computes the fields even though they are cached', async () => {
    const bypassed = await get(gw.url, { query: STATS, variables: { id }, use_cache: 'false' });
    expect(bypassed.headers.get('x-cache')).toBe('BYPASS');
    expect(fieldCounts(bypassed)).toEqual({ hits: 0, misses: 1 });
    // Without the parameter the same GET is served from the cache.
    expect((await get(gw.url, { query: STATS, variables: { id } })).headers.get('x-cache')).toBe('HIT');
  });

  it('useCache "refresh" (GET or POST) skips the read and stores the fresh result', async () => {
    const before = await responseKeys();
    const refreshed = await post(gw.url, { query: STATS, variables: { id }, extensions: { useCache: 'refresh' } });
    expect(refreshed.headers.get('x-cache')).toBe('MISS');
    expect(fieldCounts(refreshed)).toEqual({ hits: 0, misses: 1 });
    expect(await responseKeys()).toEqual(before);
    expect((await get(gw.url, { query: STATS, variables: { id }, use_cache: 'refresh' })).headers.get('x-cache')).toBe('MISS');
    expect((await post(gw.url, { query: STATS, variables: { id } })).headers.get('x-cache')).toBe('HIT');
  });

  it('never gets more caching than a header asked for, and refuses a value it does not know', async () => {
    const r = await post(gw.url, { query: STATS, variables: { id }, extensions: { useCache: true } }, { 'cache-control': 'no-store' });
    expect(r.headers.get('x-cache')).toBe('BYPASS');
    const bad = await get(gw.url, { query: STATS, variables: { id }, use_cache: 'maybe' });
    expect(bad.status).toBe(400);
    expect(bad.json.errors[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringContaining('useCache must be') });
  });
});
