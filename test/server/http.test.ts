import { request } from 'node:http';
import { MAX_BODY_BYTES } from '../../src/server/http';
import { CreateDatasetDocument, DatasetsDocument, MyProgressDocument } from '../generated/graphql';
import { DATABASE_KINDS } from '../helpers/databases';
import { codes, startTestGateway, type TestGateway } from '../helpers/gateway';
import { postRaw } from '../helpers/http';

/** The asset URLs a GraphiQL page loads: every src= and href= that points into /graphiql/assets/. */
function assetUrls(html: string): string[] {
  return [...html.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((m) => m[1]).filter((u) => u.startsWith('/graphiql/assets/'));
}

describe.each(DATABASE_KINDS)('HTTP routes of the gateway (%s)', (kind) => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startTestGateway(kind);
  });

  afterAll(async () => {
    await gw?.close();
  });

  it('answers GET /healthz with 200 and a JSON status', async () => {
    const res = await fetch(`${gw.url}/healthz`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toMatchObject({ status: 'ok' });
  });

  it('answers GET /readyz with 200 and JSON naming the database kind', async () => {
    const res = await fetch(`${gw.url}/readyz`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = await res.json();
    expect(body).toMatchObject({ status: 'ready', database: { kind, ok: true } });
  });

  it('serves GraphiQL as HTML whose every script and stylesheet comes from the gateway itself', async () => {
    const res = await fetch(`${gw.url}/graphiql`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toMatch(/<div id="graphiql"/);
    // No CDN: nothing is loaded from another origin.
    expect(html).not.toMatch(/\b(?:src|href)="(?:https?:)?\/\//);

    const urls = assetUrls(html);
    expect(urls.filter((u) => u.endsWith('.js')).length).toBeGreaterThanOrEqual(1);
    expect(urls.some((u) => u.endsWith('.css'))).toBe(true);
    for (const url of urls) {
      const asset = await fetch(`${gw.url}${url}`);
      const type = asset.headers.get('content-type') ?? '';
      const body = await asset.arrayBuffer();
      const expectedType = url.endsWith('.css') ? /^text\/css/ : /^(?:text|application)\/javascript/;
      expect({ url, status: asset.status, typeOk: expectedType.test(type), empty: body.byteLength === 0 }).toEqual({
        url,
        status: 200,
        typeOk: true,
        empty: false,
      });
    }
  });

  it('answers 404 to an unknown GraphiQL asset and to an unknown path', async () => {
    expect((await fetch(`${gw.url}/graphiql/assets/evil.js`)).status).toBe(404);
    expect((await fetch(`${gw.url}/graphiql/assets/..%2F..%2Fpackage.json`)).status).toBe(404);
    const res = await fetch(`${gw.url}/no/such/route`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: expect.stringContaining('/no/such/route') });
  });

  it('redirects / to /graphiql', async () => {
    const res = await fetch(`${gw.url}/`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/graphiql');
  });

  it('answers a query with a syntax error with GRAPHQL_PARSE_FAILED', async () => {
    const res = await postRaw(gw.url, JSON.stringify({ query: '{ datasets { name ' }));
    expect(res.status).toBe(400);
    expect(codes(res.json)).toEqual(['GRAPHQL_PARSE_FAILED']);
  });

  it('answers a body that is not JSON with 400 and keeps serving', async () => {
    for (const body of ['{"query": "{ datasets { name } }"', 'not json at all', '{"query":']) {
      const res = await postRaw(gw.url, body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(res.json?.errors?.[0]?.message).toMatch(/JSON/);
    }
    const after = await gw.gql(DatasetsDocument, {});
    expect(after.status).toBe(200);
    expect(after.errors).toBeUndefined();
    expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
  });

  it('refuses other methods with 405 and other content types with 415, and keeps serving', async () => {
    const put = await fetch(`${gw.url}/graphql`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{"query":"{ datasets { name } }"}',
    });
    expect(put.status).toBe(405);
    expect((await put.json()).errors[0].message).toMatch(/GET .* and POST/);
    const text = await fetch(`${gw.url}/graphql`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{ datasets { name } }' });
    expect(text.status).toBe(415);
    expect((await text.json()).errors[0].message).toMatch(/application\/json/);
    expect((await gw.gql(DatasetsDocument, {})).status).toBe(200);
  });

  it('refuses a body declared larger than the limit with 413 before reading it', async () => {
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        `${gw.url}/graphql`,
        { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(MAX_BODY_BYTES + 1) } },
        (r) => {
          let body = '';
          r.on('data', (c) => (body += c));
          r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      // Only the start of the declared body is sent: the answer must not wait for the rest.
      req.write('{"query":');
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).errors[0].message).toMatch(/larger than/);
  });

  it('refuses an anonymous body past BODY_LIMIT_BYTES with 413 while it streams, without a declared length', async () => {
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${gw.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (r) => {
        let body = '';
        r.on('data', (c) => (body += c));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      // 1.5 MiB of a body that is never finished: the answer must come before the end.
      req.write(`{"query":"{ datasets { id } }","variables":{"x":"${'a'.repeat(1536 * 1024)}`);
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('allows a caller with a token a large body only for a mutation', async () => {
    const token = await gw.token('alice');
    const big = { query: 'query Q($x: String) { datasets { id } }', variables: { x: 'a'.repeat(1536 * 1024) } };
    const res = await postRaw(gw.url, JSON.stringify(big), { authorization: `Bearer ${token}` });
    expect(res.status).toBe(413);
    expect(res.json.errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('includes a stacktrace in error extensions outside production (what production must hide)', async () => {
    // An error thrown while resolving (ragged CSV rows), not a refusal before execution.
    const res = await gw.gql(CreateDatasetDocument, { name: 'ragged', csv: 'a,b\n1\n' }, { token: await gw.token('alice') });
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors![0].extensions).toHaveProperty('stacktrace');
  });
});

describe.each(DATABASE_KINDS)('HTTP in production mode (%s)', (kind) => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startTestGateway(kind, { NODE_ENV: 'production' });
  });

  afterAll(async () => {
    await gw?.close();
  });

  it('runs with production settings', () => {
    expect(gw.config.production).toBe(true);
  });

  it('leaves stack traces out of every error response', async () => {
    const responses = [
      await gw.gql(DatasetsDocument, { limit: 0 }),
      await gw.gql(MyProgressDocument, {}),
      await gw.gql(MyProgressDocument, {}, { token: 'not-a-jwt' }),
      (await postRaw(gw.url, JSON.stringify({ query: '{ datasets { name ' }))).json,
      (await postRaw(gw.url, JSON.stringify({ query: '{ noSuchField }' }))).json,
    ];
    expect(responses.map((r) => codes(r))).toEqual([
      ['BAD_USER_INPUT'],
      ['UNAUTHENTICATED'],
      ['UNAUTHENTICATED'],
      ['GRAPHQL_PARSE_FAILED'],
      ['GRAPHQL_VALIDATION_FAILED'],
    ]);
    for (const r of responses) {
      for (const error of r.errors!) {
        expect(error.extensions ?? {}).not.toHaveProperty('stacktrace');
        expect(JSON.stringify(error)).not.toMatch(/\bat .*\.(?:ts|js):\d+/);
      }
    }
  });

  it('still serves successful queries', async () => {
    const res = await gw.gql(DatasetsDocument, {});
    expect(res.status).toBe(200);
    expect(res.errors).toBeUndefined();
  });
});
