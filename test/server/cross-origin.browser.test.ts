import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser';
import { startTestGateway, type TestGateway } from '../helpers/gateway';

/** The user the bearer tokens below name: the owner of the datasets the tests write to. */
const ALICE = { id: 'alice', role: 'user' } as const;

/**
 * A browser app on another origin calling the gateway by GET through Chromium's own HTTP cache:
 * the cache may keep responses, but a read after a write must be fresh, and a second user in
 * the same browser profile must never get the first user's PRIVATE data from it.
 */

// Functions passed to page.evaluate run in the page; the project compiles without the DOM library.
declare const window: { gql(query: string, token?: string): Promise<{ status: number; xCache: string | null; body: any }> };

const APP_PAGE = `<!doctype html><html><body><script>
  window.gql = async (query, token) => {
    const headers = token ? { authorization: 'Bearer ' + token } : {};
    const res = await fetch(window.GATEWAY + '/graphql?' + new URLSearchParams({ query }), { headers });
    return { status: res.status, xCache: res.headers.get('x-cache'), body: await res.json() };
  };
</script></body></html>`;

describe('a browser app on another origin', () => {
  let gw: TestGateway;
  let app: Server;
  let appUrl: string;
  let browser: Browser;
  let datasetId: string;
  /** Status codes the gateway answered /graphql GETs with, in order. */
  const statuses: number[] = [];

  beforeAll(async () => {
    gw = await startTestGateway('postgres');
    await gw.gateway.services.progress.seedSteps();
    datasetId = (await gw.gateway.services.datasets.create('numbers', 'x\n1\n2\n3', ALICE)).id;
    await gw.settled();
    gw.gateway.server.on('request', (req, res) => {
      if (req.method === 'GET' && req.url?.startsWith('/graphql?')) res.on('finish', () => statuses.push(res.statusCode));
    });
    app = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(APP_PAGE);
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (app ? app.close(() => resolve()) : resolve()));
    await gw?.close();
  });

  async function openApp(): Promise<Page> {
    const context = browser.contexts()[0] ?? (await browser.newContext());
    const page = await context.newPage();
    await page.goto(appUrl);
    await page.evaluate((gateway) => Object.assign(window, { GATEWAY: gateway }), gw.url);
    return page;
  }
  const gql = (page: Page, query: string, token?: string) => page.evaluate(([q, t]) => window.gql(q, t), [query, token] as const);

  it('reads through the HTTP cache (revalidated with 304s), mutates, and reads the new data', async () => {
    const page = await openApp();
    const q = `{ dataset(id: "${datasetId}") { rowCount statistics { count } } }`;
    const first = await gql(page, q);
    expect(first.status).toBe(200);
    const before = first.body.data.dataset;
    const since = statuses.length;
    await gql(page, q);
    const again = await gql(page, q);
    expect(again.body.data.dataset).toEqual(before);
    // The browser kept the response and asked whether it changed: the gateway said 304.
    expect(statuses.slice(since)).toContain(304);

    const token = await gw.token('alice');
    const appended = await page.evaluate(
      async ([gateway, t, id]) => {
        const res = await fetch(`${gateway}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${t}` },
          body: JSON.stringify({ query: `mutation { appendDatasetRows(id: "${id}", csv: "x\\n9") { rowCount } }` }),
        });
        return (await res.json()) as any;
      },
      [gw.url, token, datasetId] as const,
    );
    expect(appended.data.appendDatasetRows.rowCount).toBe(before.rowCount + 1);
    const after = await gql(page, q);
    expect(after.body.data.dataset.rowCount).toBe(before.rowCount + 1);
    expect(after.body.data.dataset.statistics[0].count).toBe(before.statistics[0].count + 1);
    await page.close();
  });

  it("never shows a second user of the same browser profile the first user's private data", async () => {
    const page = await openApp();
    const q = '{ myProgress { id completedCount } }';
    const alice = await gw.token('alice');
    const bob = await gw.token('bob');
    expect((await gql(page, q, alice)).body.data.myProgress.id).toBe('alice');
    expect((await gql(page, q, alice)).body.data.myProgress.id).toBe('alice');
    expect((await gql(page, q, bob)).body.data.myProgress.id).toBe('bob');
    const anonymous = await gql(page, q);
    expect(anonymous.body.data).toBeNull();
    expect(anonymous.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    await page.close();
  });
});
