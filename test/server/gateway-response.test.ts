import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GatewayResponse } from '../../src/server/gateway-response';

const CORS = ['vary', 'Origin', 'access-control-allow-origin', 'https://app.example.com'];

/** Each path writes its head another way; every one must come out with the decided headers merged in. */
const writers: Record<string, (res: GatewayResponse) => void> = {
  '/list': (res) => res.writeHead(200, ['content-type', 'text/plain', 'vary', 'Accept']),
  '/object': (res) => res.writeHead(200, { 'content-type': 'text/plain', Vary: 'Accept' }),
  '/message': (res) => res.writeHead(200, 'Fine', { vary: 'Accept' }),
  '/progressive': (res) => {
    res.setHeader('vary', 'Accept');
    res.statusCode = 200;
  },
  '/none': (res) => res.writeHead(204),
  '/no-cors': (res) => res.writeHead(200, ['vary', 'Accept']),
  // A writer that sets a rate-limit header itself keeps its value (a 429 may).
  '/own-remaining': (res) => res.writeHead(429, ['RateLimit-Remaining', '0', 'vary', 'Accept']),
};

describe('GatewayResponse', () => {
  let server: Server;
  let url: string;
  const shared = ['content-type', 'text/plain', 'vary', 'Accept'];

  beforeAll(async () => {
    server = createServer({ ServerResponse: GatewayResponse }, (req, res) => {
      const u = new URL(req.url!, 'http://x');
      if (u.pathname !== '/no-cors') res.cors = CORS;
      // ?remaining=N: this request's rate limit, as the GraphQL handler sets it once it admits one.
      const remaining = u.searchParams.get('remaining');
      if (remaining !== null) res.rateLimit = ['ratelimit-limit', '100', 'ratelimit-remaining', remaining];
      if (u.pathname === '/shared') res.writeHead(200, shared);
      else writers[u.pathname](res);
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it.each(['/list', '/object', '/message', '/progressive'])('%s: one Vary listing CORS first, and the allow header', async (path) => {
    const res = await fetch(`${url}${path}`);
    expect(res.headers.get('vary')).toBe('Origin, Accept');
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(res.headers.get('ratelimit-remaining')).toBeNull();
  });

  it.each(['/list', '/object', '/message', '/progressive', '/none', '/no-cors'])('%s: the rate limit headers added beside CORS', async (path) => {
    const res = await fetch(`${url}${path}?remaining=42`);
    expect(res.headers.get('ratelimit-limit')).toBe('100');
    expect(res.headers.get('ratelimit-remaining')).toBe('42');
    expect(res.headers.get('vary')).toBe(path === '/none' ? 'Origin' : path === '/no-cors' ? 'Accept' : 'Origin, Accept');
  });

  it('adds them to a head written with no headers at all', async () => {
    const res = await fetch(`${url}/none`);
    expect(res.status).toBe(204);
    expect(res.headers.get('vary')).toBe('Origin');
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
  });

  it('leaves a response without decided headers as written', async () => {
    const res = await fetch(`${url}/no-cors`);
    expect(res.headers.get('vary')).toBe('Accept');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it("keeps the writer's value of a header it wrote itself, once", async () => {
    const res = await fetch(`${url}/own-remaining?remaining=42`);
    expect(res.status).toBe(429);
    expect(res.headers.get('ratelimit-remaining')).toBe('0');
    expect(res.headers.get('ratelimit-limit')).toBe('100');
  });

  it('never changes the list it was given, and gives each request its own rate limit (a hit reuses its list for every request)', async () => {
    for (const remaining of ['7', '6', undefined, '5']) {
      const res = await fetch(`${url}/shared${remaining === undefined ? '' : `?remaining=${remaining}`}`);
      expect(res.headers.get('vary')).toBe('Origin, Accept');
      expect(res.headers.get('ratelimit-remaining')).toBe(remaining ?? null);
    }
    expect(shared).toEqual(['content-type', 'text/plain', 'vary', 'Accept']);
  });
});
