import { ConfigError, loadConfig } from '../../src/config';
import { startTestGateway, type TestGateway } from '../helpers/gateway';

const APP = 'https://app.example.com';

function preflight(url: string, origin: string, headers = 'authorization, content-type') {
  return fetch(`${url}/graphql`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': headers },
  });
}

describe('CORS_ORIGINS', () => {
  it('allows every origin in development and none in production until set', () => {
    expect(loadConfig({}).CORS_ORIGINS).toBe('*');
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(16) }).CORS_ORIGINS).toEqual([]);
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(16), CORS_ORIGINS: `${APP}, http://localhost:5173` }).CORS_ORIGINS).toEqual([
      APP,
      'http://localhost:5173',
    ]);
  });

  it('refuses at startup what is not an origin, naming the fix', () => {
    expect(() => loadConfig({ CORS_ORIGINS: `${APP}/` })).toThrow(ConfigError);
    expect(() => loadConfig({ CORS_ORIGINS: 'app.example.com' })).toThrow(/scheme:\/\/host/);
  });
});

describe('CORS at the gateway, with a list of origins', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startTestGateway('postgres', { CORS_ORIGINS: APP });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('answers a preflight from an allowed origin with 204, the methods, headers and how long to remember it', async () => {
    const res = await preflight(gw.url, APP, 'authorization, content-type, apollo-require-preflight');
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(APP);
    expect(res.headers.get('access-control-allow-methods')).toMatch(/GET.*POST/);
    expect(res.headers.get('access-control-allow-headers')).toEqual(expect.stringContaining('authorization'));
    expect(res.headers.get('access-control-allow-headers')).toEqual(expect.stringContaining('apollo-require-preflight'));
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    expect(Number(res.headers.get('access-control-max-age'))).toBeGreaterThan(0);
    expect(res.headers.get('vary')).toBe('Origin');
  });

  it('refuses a preflight from another origin', async () => {
    const res = await preflight(gw.url, 'https://evil.example.com');
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('lets the allowed origin read responses and their cache headers, hits, errors and refusals alike', async () => {
    const q = new URLSearchParams({ query: '{ datasets { id } }' });
    const inits: { method?: string; headers?: Record<string, string>; body?: string }[] = [
      {},
      {},
      { headers: { authorization: 'Bearer forged' } },
      { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' },
    ];
    const answers: { cache: string | null; vary: string | null }[] = [];
    for (const init of inits) {
      const res = await fetch(`${gw.url}/graphql?${q}`, { ...init, headers: { origin: APP, ...init.headers } });
      answers.push({ cache: res.headers.get('x-cache'), vary: res.headers.get('vary') });
      expect({ status: res.status, origin: res.headers.get('access-control-allow-origin') }).toEqual({ status: res.status, origin: APP });
      expect(res.headers.get('access-control-expose-headers')).toBe(
        'x-cache, age, etag, ratelimit-limit, ratelimit-remaining, ratelimit-reset, retry-after',
      );
      expect(res.headers.get('vary')).toMatch(/^Origin/);
    }
    // One Vary, CORS's merged with the gateway's, on the hit's prebuilt headers too.
    expect(answers.slice(0, 2)).toEqual([
      { cache: 'MISS', vary: 'Origin, Accept' },
      { cache: 'HIT', vary: 'Origin, Accept' },
    ]);
    const other = await fetch(`${gw.url}/graphql?${q}`, { headers: { origin: 'https://evil.example.com' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('CORS at the gateway, any origin', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startTestGateway('postgres', { CORS_ORIGINS: '*' });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('sends * (tokens are headers, not cookies, so no credentials are involved) and no Vary: Origin', async () => {
    const pre = await preflight(gw.url, 'https://anywhere.example');
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    const res = await fetch(`${gw.url}/graphql?${new URLSearchParams({ query: '{ datasets { id } }' })}`, {
      headers: { origin: 'https://anywhere.example' },
    });
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('vary')).toBe('Accept');
  });
});
