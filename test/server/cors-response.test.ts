import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CorsResponse } from '../../src/server/cors';

const CORS = ['vary', 'Origin', 'access-control-allow-origin', 'https://app.example.com'];

/** Each path writes its head another way; every one must come out with the CORS headers merged in. */
const writers: Record<string, (res: CorsResponse) => void> = {
  '/list': (res) => res.writeHead(200, ['content-type', 'text/plain', 'vary', 'Accept']),
  '/object': (res) => res.writeHead(200, { 'content-type': 'text/plain', Vary: 'Accept' }),
  '/message': (res) => res.writeHead(200, 'Fine', { vary: 'Accept' }),
  '/progressive': (res) => {
    res.setHeader('vary', 'Accept');
    res.statusCode = 200;
  },
  '/none': (res) => res.writeHead(204),
  '/no-cors': (res) => res.writeHead(200, ['vary', 'Accept']),
};

describe('CorsResponse', () => {
  let server: Server;
  let url: string;
  const shared = ['content-type', 'text/plain', 'vary', 'Accept'];

  beforeAll(async () => {
    server = createServer({ ServerResponse: CorsResponse }, (req, res) => {
      if (req.url !== '/no-cors') res.cors = CORS;
      if (req.url === '/shared') res.writeHead(200, shared);
      else writers[req.url!](res);
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
  });

  it('adds them to a head written with no headers at all', async () => {
    const res = await fetch(`${url}/none`);
    expect(res.status).toBe(204);
    expect(res.headers.get('vary')).toBe('Origin');
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
  });

  it('leaves a response without CORS as written', async () => {
    const res = await fetch(`${url}/no-cors`);
    expect(res.headers.get('vary')).toBe('Accept');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('never changes the list it was given (a hit reuses its list for every request)', async () => {
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${url}/shared`);
      expect(res.headers.get('vary')).toBe('Origin, Accept');
    }
    expect(shared).toEqual(['content-type', 'text/plain', 'vary', 'Accept']);
  });
});
