import { request } from 'node:http';
import { SignJWT } from 'jose';
import { startTestGateway, TEST_JWT_SECRET, type TestGateway } from '../helpers/gateway';
import { postRaw } from '../helpers/http';

/**
 * Body limits that fit the caller: the token is verified before the body is read, so only a
 * verified caller may stream past BODY_LIMIT_BYTES (an upload); a forged or expired token is
 * held to the anonymous limit and refused with 413 while its body streams, never after
 * buffering it (test/server/http.test.ts covers the anonymous caller and the declared length).
 * A body past the small limit is parsed in a worker (src/server/json-off-thread.ts).
 */
describe('body limits by verified caller', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startTestGateway('postgres', { BODY_LIMIT_BYTES: String(64 * 1024) });
  });
  afterAll(async () => {
    await gw?.close();
  });

  /** Streams more than the small limit and never finishes: resolves with the answer, which must come first. */
  function streamUnfinished(authorization: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request(`${gw.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization } }, (r) => {
        let body = '';
        r.on('data', (c) => (body += c));
        r.on('end', () => {
          resolve({ status: r.statusCode ?? 0, body });
          req.destroy();
        });
      });
      req.on('error', reject);
      req.write(`{"query":"mutation { x }","variables":{"csv":"${'a'.repeat(256 * 1024)}`);
    });
  }

  const forged = () =>
    new SignJWT({ role: 'admin' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('mallory')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('not-the-secret-0123456789'));
  const expired = () =>
    new SignJWT({ role: 'user' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('alice')
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
      .sign(new TextEncoder().encode(TEST_JWT_SECRET));

  it.each([
    ['a forged token', forged],
    ['an expired token', expired],
    ['a header that is no bearer token', async () => 'x'.repeat(40)],
  ])('holds %s to the anonymous limit: 413 while the body streams', async (_, token) => {
    const res = await streamUnfinished(`Bearer ${await token()}`);
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it("parses a verified user's large body off the event loop: not JSON is a 400, a query is a 413 with nothing executed", async () => {
    const token = await gw.token('alice');
    const notJson = await postRaw(gw.url, `{"query": "mutation { x }", ${'x'.repeat(100 * 1024)}`, { authorization: `Bearer ${token}` });
    expect(notJson.status).toBe(400);
    expect(notJson.json.errors[0].extensions.code).toBe('BAD_REQUEST');
    const query = JSON.stringify({ query: 'query($x: String) { datasets { id } }', variables: { x: 'a'.repeat(100 * 1024) } });
    const refused = await postRaw(gw.url, query, { authorization: `Bearer ${token}` });
    expect(refused.status).toBe(413);
    expect(refused.json.errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
    expect(refused.json.data).toBeUndefined();
  });

  it('lets a verified user upload a body past the small limit (a mutation)', async () => {
    const token = await gw.token('alice');
    const rows = Array.from({ length: 12_000 }, (_, i) => `${i},${i * 2}`).join('\n');
    const body = JSON.stringify({
      query: 'mutation($csv: String!) { createDataset(name: "big", csv: $csv) { id rowCount } }',
      variables: { csv: `a,b\n${rows}` },
    });
    expect(body.length).toBeGreaterThan(64 * 1024);
    const res = await postRaw(gw.url, body, { authorization: `Bearer ${token}` });
    expect(res.status).toBe(200);
    expect(res.json.errors).toBeUndefined();
    expect(res.json.data.createDataset.rowCount).toBe(12_000);
  });
});
