import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser';
import { createDataset } from '../helpers/datasets';
import { cacheOf, FIELD_CACHING_ONLY, startTestGateway, type TestGateway } from '../helpers/gateway';
import { deletePrefix, SHARED_REDIS_URL, testPrefix } from '../helpers/redis';
import { DatasetEdaDocument, DatasetStatisticsDocument } from '../generated/graphql';

const ARTIFACTS = path.join(__dirname, '..', '..', 'test-artifacts');
const STEP_TIMEOUT = 30_000;

/** What a chart drawn by the page holds, read from Chart.js itself. */
const chartData = (page: Page, canvasId: string) =>
  page.evaluate((id) => {
    const chart = (window as any).Chart.getChart(document.getElementById(id));
    const datasets: (number | null)[][] = chart.data.datasets.map((d: { data: (number | null)[] }) => d.data);
    return { labels: chart.data.labels as string[], datasets };
  }, canvasId);

describe('the cache dashboard in a browser', () => {
  const prefix = testPrefix();
  let gw: TestGateway;
  let browser: Browser;
  let admin: string;
  let id: string;

  beforeAll(async () => {
    gw = await startTestGateway('postgres', { REDIS_URL: SHARED_REDIS_URL, REDIS_CACHE_PREFIX: prefix, ...FIELD_CACHING_ONLY });
    admin = await gw.token('root', 'admin');
    id = await createDataset(gw, await gw.token('alice'), 'numbers');
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await gw?.close();
    await deletePrefix(SHARED_REDIS_URL, prefix);
  });

  it('charts real numbers after some queries, and its invalidation buttons work', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1300 } });
    page.setDefaultTimeout(STEP_TIMEOUT);
    const pageErrors: string[] = [];
    const requested: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('request', (req) => requested.push(req.url()));
    try {
      // Statistics: one miss then two hits; EDA: one miss. Overall 2 hits of 4 lookups.
      for (const doc of [DatasetStatisticsDocument, DatasetStatisticsDocument, DatasetStatisticsDocument, DatasetEdaDocument]) {
        expect((await gw.gql(doc as typeof DatasetStatisticsDocument, { id })).errors).toBeUndefined();
      }

      const response = await page.goto(`${gw.url}/dashboard?poll=1`, { waitUntil: 'load' });
      expect(response?.status()).toBe(200);
      expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
      await page.locator('#token').fill(admin);
      await page.locator('#connect').click();

      // The table and the per-field chart show the counts the gateway recorded.
      const row = page.locator('#fields tbody tr[data-coordinate="Dataset.statistics"]');
      await row.waitFor();
      expect(await row.locator('td').allInnerTexts()).toEqual([
        'Dataset.statistics',
        '2',
        '1',
        '66.67 %',
        expect.stringMatching(/^\d/),
        expect.stringMatching(/^\d/),
      ]);
      await page.waitForFunction(() => document.getElementById('stat-hitRate')?.textContent === '50 %');
      const fields = await chartData(page, 'chart-fields');
      expect(fields.labels).toEqual(['Dataset.eda', 'Dataset.statistics']);
      expect(fields.datasets).toEqual([
        [0, 2],
        [1, 1],
      ]);
      const latency = await chartData(page, 'chart-latency');
      expect(latency.datasets[1].every((ms) => typeof ms === 'number' && ms > 0)).toBe(true);
      expect(await page.locator('#health-state').innerText()).toBe('healthy');
      expect(await page.locator('#health-detail').innerText()).toContain('circuit closed');

      // Two more hits: a later poll plots a point for that interval, at 100 %.
      await gw.gql(DatasetStatisticsDocument, { id });
      await gw.gql(DatasetStatisticsDocument, { id });
      await page.waitForFunction(() => {
        const chart = (window as any).Chart.getChart(document.getElementById('chart-hitrate'));
        return chart.data.datasets[0].data.includes(100);
      });
      const overTime = await chartData(page, 'chart-hitrate');
      expect(overTime.labels.length).toBeGreaterThanOrEqual(2);
      expect(overTime.datasets[1][overTime.datasets[1].length - 1]).toBeCloseTo((4 / 6) * 100, 1);
      const memory = await chartData(page, 'chart-memory');
      expect(memory.datasets[0].every((mb) => typeof mb === 'number' && mb > 0)).toBe(true);

      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard.png'), fullPage: true });

      // "Invalidate dataset": the result says what it did, and the next read is a miss.
      const form = page.locator('form[data-mutation="invalidateDatasetCache"]');
      await form.locator('input').fill(id);
      await form.locator('button').click();
      await page.waitForFunction(() => /invalidated/.test(document.getElementById('result')?.textContent ?? ''));
      expect(await page.locator('#result').innerText()).toBe(`invalidateDatasetCache: invalidated 1 · tags Dataset:${id} · keys deleted 0`);
      expect(cacheOf(await gw.gql(DatasetStatisticsDocument, { id }))['Dataset.statistics']).toEqual({ hits: 0, misses: 1 });

      // "Clear cache" asks for a second click, then deletes this prefix's keys.
      await page.locator('#clear-cache').click();
      expect(await page.locator('#clear-cache').innerText()).toBe('Click again to clear');
      await page.locator('#clear-cache').click();
      await page.waitForFunction(() => /^clearCache: invalidated [1-9]/.test(document.getElementById('result')?.textContent ?? ''));
      expect(cacheOf(await gw.gql(DatasetEdaDocument, { id }))['Dataset.eda']).toEqual({ hits: 0, misses: 1 });

      expect(pageErrors).toEqual([]);
      // Everything, Chart.js included, came from the gateway: no CDN.
      expect(requested.filter((u) => !u.startsWith(gw.url))).toEqual([]);
      expect(requested).toContain(`${gw.url}/dashboard/assets/chart.js`);
    } catch (err) {
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-failure.png'), fullPage: true }).catch(() => undefined);
      throw err;
    } finally {
      await page.close();
    }
  }, 120_000);

  it('tells the admin when the token is refused', async () => {
    const page = await browser.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT);
    try {
      await page.goto(`${gw.url}/dashboard?poll=1`);
      await page.locator('#token').fill(await gw.token('alice'));
      await page.locator('#connect').click();
      await page.waitForFunction(() => !document.getElementById('error')!.hidden);
      expect(await page.locator('#error').innerText()).toContain('(FORBIDDEN)');
      expect(await page.locator('#status').innerText()).toBe('token refused');
    } finally {
      await page.close();
    }
  }, 60_000);
});
