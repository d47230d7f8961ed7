import { startTestGateway, type TestGateway } from '../helpers/gateway';
import { sha256 } from '../helpers/encoding';
import { get, post } from '../helpers/http';
import Redis from 'ioredis';
import { request } from 'undici';
import { deletePrefix, keysUnder, readKeys, SHARED_REDIS_URL, testPrefix } from '../helpers/redis';

/** The user the bearer tokens below name: the owner of the datasets the tests write to. */
const ALICE = { id: 'alice', role: 'user' } as const;

const STATS = 'query Stats($id: ID!) { dataset(id: $id) { statistics { column count } } }';

describe('HTTP caching, GET and persisted queries', () => {
  const prefix = testPrefix();
  let gw: TestGateway;
  let token: string;
  let id: string;

  beforeAll(async () => {
    gw = await startTestGateway('postgres', { REDIS_URL: SHARED_REDIS_URL, REDIS_CACHE_PREFIX: prefix });
    token = await gw.token('alice');
    id = (await gw.gateway.services.datasets.create('numbers', 'x\n1\n2\n3', ALICE)).id;
    await gw.settled();
  });
  afterAll(async () => {
    await gw.close();
    await deletePrefix(SHARED_REDIS_URL, prefix);
  });

  it('lets PUBLIC responses be stored anywhere but revalidated on every use (no-cache, strong ETag), varying by Accept', async () => {
    const r = await post(gw.url, { query: '{ datasets { id statistics { count } eda { missing { count } } } }' });
    expect(r.headers.get('cache-control')).toBe('public, no-cache');
    expect(r.headers.get('etag')).toMatch(/^"[^"]+"$/);
    expect(r.headers.get('vary')).toBe('Accept');
  });

  it('makes PRIVATE responses private and varying by Authorization, so a browser never hands them to another user', async () => {
    const r = await post(gw.url, { query: '{ myProgress { id completedCount } }' }, { authorization: `Bearer ${token}` });
    expect(r.json.data.myProgress.id).toBe('alice');
    expect(r.headers.get('cache-control')).toBe('private, no-cache');
    expect(r.headers.get('vary')).toBe('Accept, Authorization');
  });

  it('revalidates with a 304 from the whole-response cache, without execution', async () => {
    const q = `{ dataset(id: "${id}") { statistics { count } } }`;
    await get(gw.url, { query: q });
    const first = await get(gw.url, { query: q });
    expect(first.headers.get('x-cache')).toBe('HIT');
    // undici's request, not fetch: fetch adds Cache-Control: no-cache to a conditional request (a
    // forced refresh here); a browser revalidating a stored response sends If-None-Match alone.
    const again = await request(`${gw.url}/graphql?${new URLSearchParams({ query: q })}`, {
      headers: { 'if-none-match': first.headers.get('etag')! },
    });
    await again.body.dump();
    expect(again.statusCode).toBe(304);
    expect(again.headers['x-cache']).toBe('HIT');
    expect(again.headers['cache-control']).toBe('public, no-cache');
  });

  it('compares If-None-Match weakly and honours *, on GET and HEAD only', async () => {
    const q = '{ datasets { id name } }';
    const etag = (await get(gw.url, { query: q })).headers.get('etag')!;
    expect((await get(gw.url, { query: q }, { 'if-none-match': `W/${etag}` })).status).toBe(304);
    expect((await get(gw.url, { query: q }, { 'if-none-match': `"other", ${etag}` })).status).toBe(304);
    expect((await get(gw.url, { query: q }, { 'if-none-match': '*' })).status).toBe(304);
    const head = await fetch(`${gw.url}/graphql?${new URLSearchParams({ query: q })}`, { method: 'HEAD', headers: { 'if-none-match': etag } });
    expect(head.status).toBe(304);
    // RFC 9110 13.1.2: only GET and HEAD may be answered 304; a POST gets the response.
    const posted = await post(gw.url, { query: q }, { 'if-none-match': etag });
    expect(posted.status).toBe(200);
    expect(posted.json.data.datasets.length).toBeGreaterThan(0);
  });

  it('labels hits and misses with the negotiated media type', async () => {
    const q = `{ dataset(id: "${id}") { statistics { column } } }`;
    const accept = { accept: 'application/graphql-response+json, application/json;q=0.9' };
    const miss = await post(gw.url, { query: q }, { ...accept, 'cache-control': 'no-cache' });
    const hit = await post(gw.url, { query: q }, accept);
    const plain = await post(gw.url, { query: q });
    expect([miss.headers.get('x-cache'), hit.headers.get('x-cache'), plain.headers.get('x-cache')]).toEqual(['MISS', 'HIT', 'HIT']);
    expect(miss.headers.get('content-type')).toBe('application/graphql-response+json; charset=utf-8');
    expect(hit.headers.get('content-type')).toBe('application/graphql-response+json; charset=utf-8');
    expect(plain.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const mutation = await post(gw.url, { query: 'mutation { resetProgress { id } }' }, { ...accept, authorization: `Bearer ${token}` });
    expect(mutation.headers.get('content-type')).toMatch(/^application\/graphql-response\+json/);
    expect(mutation.headers.get('vary')).toBe('Accept');
    expect((await post(gw.url, { query: q }, { accept: 'text/html' })).status).toBe(406);
  });

  it('refuses variables, extensions and operationName of the wrong type before the cache is consulted', async () => {
    const q = '{ datasets { id } }';
    await post(gw.url, { query: q });
    for (const body of [
      { query: q, variables: [] },
      { query: q, variables: 'x' },
      { query: q, extensions: 'x' },
      { query: q, extensions: [] },
      { query: q, operationName: 7 },
    ]) {
      const r = await post(gw.url, body);
      expect({ body, status: r.status, code: r.json.errors[0].extensions.code }).toEqual({ body, status: 400, code: 'BAD_REQUEST' });
    }
    expect((await get(gw.url, { query: q, variables: '[]' })).status).toBe(400);
  });

  it('executes only exact JSON media types (415 for text/plain; x=application/json, which browsers send cross-site unpreflighted)', async () => {
    const body = JSON.stringify({ query: '{ datasets { id } }' });
    const status = async (type: string) => (await fetch(`${gw.url}/graphql`, { method: 'POST', headers: { 'content-type': type }, body })).status;
    expect(await status('text/plain; x=application/json')).toBe(415);
    expect(await status('application/jsonx')).toBe(415);
    expect(await status('application/json; charset=latin1')).toBe(415);
    expect(await status('Application/JSON; charset=UTF-8')).toBe(200);
    expect(await status('application/graphql-response+json')).toBe(200);
  });

  it('sends a browser opening GET /graphql to GraphiQL, and other clients a short error without a stack trace', async () => {
    const browser = await fetch(`${gw.url}/graphql`, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' }, redirect: 'manual' });
    expect(browser.status).toBe(302);
    expect(browser.headers.get('location')).toBe('/graphiql');
    const other = await get(gw.url, {});
    expect(other.status).toBe(400);
    expect(other.json.errors).toEqual([{ message: expect.stringMatching(/query/), extensions: { code: 'BAD_REQUEST' } }]);
    expect(other.text).not.toMatch(/stacktrace|at .*\.js/);
  });

  it('keeps a not-found answer at most 60 s', async () => {
    const body = { query: 'query NotFoundProbe { dataset(id: "999999") { name } }', operationName: 'NotFoundProbe' };
    const r = await post(gw.url, body);
    expect(r.json.data.dataset).toBeNull();
    expect((await post(gw.url, body)).headers.get('x-cache')).toBe('HIT');
    const [key] = (await keysUnder(SHARED_REDIS_URL, prefix)).filter((k) => k.includes(':r:NotFoundProbe:'));
    const redis = new Redis(SHARED_REDIS_URL);
    try {
      const ttl = await redis.pttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60_000);
    } finally {
      redis.disconnect();
    }
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
    const notModified = await get(gw.url, { query: q }, { 'if-none-match': etag });
    expect(notModified.status).toBe(304);
    expect(notModified.text).toBe('');
    const changed = await get(gw.url, { query: q }, { 'if-none-match': '"something-else"' });
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

    it('registers only documents that parse and validate, within APQ_MAX_QUERY_BYTES, and never echoes a refused one', async () => {
      const invalid = '{ noSuchField }';
      const r = await post(gw.url, { query: invalid, extensions: { persistedQuery: { version: 1, sha256Hash: sha256(invalid) } } });
      expect(r.json.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(await readKeys(SHARED_REDIS_URL, [`${prefix}:apq:${sha256(invalid)}`])).toEqual([null]);
      const huge = `{ datasets { id } } # ${'x'.repeat(70 * 1024)}`;
      const big = await post(gw.url, { query: huge, extensions: { persistedQuery: { version: 1, sha256Hash: sha256(huge) } } });
      expect(big.status).toBe(400);
      expect(big.json.errors[0].extensions.code).toBe('PERSISTED_QUERY_TOO_LARGE');
      expect(big.text.length).toBeLessThan(500);
      expect(await readKeys(SHARED_REDIS_URL, [`${prefix}:apq:${sha256(huge)}`])).toEqual([null]);
    });

    it('refuses a hash that does not match its query', async () => {
      const r = await post(gw.url, { query, extensions: { persistedQuery: { version: 1, sha256Hash: sha256('something else') } } });
      expect(r.status).toBe(400);
      expect(r.json.errors[0].extensions.code).toBe('PERSISTED_QUERY_HASH_MISMATCH');
    });
  });
});

describe('CACHE_HTTP_MAX_AGE', () => {
  let gw: TestGateway;
  let token: string;

  beforeAll(async () => {
    gw = await startTestGateway('postgres', { CACHE_HTTP_MAX_AGE: '600' });
    token = await gw.token('alice');
    await gw.gateway.services.datasets.create('numbers', 'x\n1\n2\n3');
    await gw.settled();
  });
  afterAll(async () => {
    await gw?.close();
  });

  const cacheControl = async (query: string, headers: Record<string, string> = {}) =>
    (await post(gw.url, { query }, headers)).headers.get('cache-control');

  it('allows reuse without revalidation up to the setting when every field is cached that long', async () => {
    expect(await cacheControl('{ myProgress { id completedCount steps { key completed } } }', { authorization: `Bearer ${token}` })).toBe(
      'private, max-age=600',
    );
  });

  it('counts a field that is not cached as 0: a live list or status keeps every use a revalidation', async () => {
    expect(await cacheControl('{ datasets { id statistics { count } } }')).toBe('public, no-cache');
    expect(await cacheControl('{ modelRuns { id status metrics { accuracy } } }')).toBe('public, no-cache');
  });
});
