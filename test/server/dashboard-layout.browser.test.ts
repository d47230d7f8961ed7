import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser';
import { createDataset } from '../helpers/datasets';
import { FIELD_CACHING_ONLY, startTestGateway, type TestGateway } from '../helpers/gateway';
import { deletePrefix, SHARED_REDIS_URL, testPrefix } from '../helpers/redis';
import { sineCsv } from '../domains/emg/helpers';
import {
  DatasetEdaDocument,
  DatasetStatisticsDocument,
  DatasetVisualizationDocument,
  EmgAnalysisDocument,
  EmgMetadataDocument,
  MyProgressDocument,
  UploadEmgRecordingDocument,
} from '../generated/graphql';

/** Screenshots go to a temporary folder (printed), never into the repository. */
const SHOTS = mkdtempSync(path.join(tmpdir(), 'cachegate-dashboard-'));
const STEP_TIMEOUT = 30_000;

interface LabelBox {
  text: string;
  left: number;
  right: number;
  top: number;
  bottom: number;
  rotation: number;
}

/**
 * Every tick label Chart.js draws on the chart's axes, with its box in canvas pixels: the text
 * measured in the label's own font, placed by its alignment around the anchor Chart.js drew it at.
 */
const labelBoxes = (page: Page, canvasId: string) =>
  page.evaluate((id) => {
    const chart = (window as any).Chart.getChart(document.getElementById(id));
    const ctx = chart.ctx as CanvasRenderingContext2D;
    const axes: Record<string, { vertical: boolean; labels: LabelBox[] }> = {};
    for (const [axisId, scale] of Object.entries<any>(chart.scales)) {
      const labels: LabelBox[] = [];
      for (const item of scale.getLabelItems()) {
        const lines = (Array.isArray(item.label) ? item.label : [item.label]).map(String);
        if (lines.join('') === '') continue;
        ctx.save();
        ctx.font = item.font.string;
        const width = Math.max(...lines.map((l: string) => ctx.measureText(l).width));
        ctx.restore();
        const height = item.font.lineHeight * lines.length;
        const [x, y] = item.options.translation;
        const align = item.options.textAlign;
        const left = align === 'right' ? x - width : align === 'center' ? x - width / 2 : x;
        const top = scale.isHorizontal() ? y : y - height / 2;
        labels.push({ text: lines.join(' '), left, right: left + width, top, bottom: top + height, rotation: item.options.rotation });
      }
      axes[axisId] = { vertical: !scale.isHorizontal(), labels };
    }
    return { width: chart.width as number, height: chart.height as number, axes };
  }, canvasId);

const overlap = (a: LabelBox, b: LabelBox) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

describe('the dashboard’s charts at common screen sizes', () => {
  const prefix = testPrefix();
  let gw: TestGateway;
  let browser: Browser;
  let admin: string;
  let coordinates: string[];

  beforeAll(async () => {
    gw = await startTestGateway('postgres', { REDIS_URL: SHARED_REDIS_URL, REDIS_CACHE_PREFIX: prefix, ...FIELD_CACHING_ONLY });
    admin = await gw.token('root', 'admin');
    const alice = await gw.token('alice');
    const id = await createDataset(gw, alice, 'numbers', 400);
    const upload = await gw.gql(
      UploadEmgRecordingDocument,
      { name: 'sines', format: 'CSV' as never, contentBase64: Buffer.from(sineCsv([40, 90], 1000, 2)).toString('base64') },
      { token: alice },
    );
    const emg = upload.data!.uploadEmgRecording.id;
    // Misses then hits on fields with long names: latencies from a fraction of a millisecond to many.
    for (let i = 0; i < 3; i++) {
      await gw.gql(DatasetStatisticsDocument, { id });
      await gw.gql(DatasetEdaDocument, { id });
      await gw.gql(DatasetVisualizationDocument, { id, kind: 'HISTOGRAM' as never, column: 'x', bins: 10 });
      await gw.gql(EmgMetadataDocument, { id: emg });
      await gw.gql(EmgAnalysisDocument, { id: emg, windowMs: 250 });
      await gw.gql(MyProgressDocument, undefined, { token: alice });
    }
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await gw?.close();
    await deletePrefix(SHARED_REDIS_URL, prefix);
  });

  for (const [width, height] of [
    [1400, 900],
    [1024, 768],
  ]) {
    it(`at ${width}x${height}: every field name whole and inside its chart, no two axis labels overlapping`, async () => {
      const page = await browser.newPage({ viewport: { width, height } });
      page.setDefaultTimeout(STEP_TIMEOUT);
      const pageErrors: string[] = [];
      page.on('pageerror', (err) => pageErrors.push(err.message));
      try {
        await page.goto(`${gw.url}/dashboard?poll=60`, { waitUntil: 'load' });
        await page.locator('#token').fill(admin);
        await page.locator('#connect').click();
        await page.locator('#fields tbody tr[data-coordinate="EmgRecording.metadata"]').waitFor();
        coordinates = await page.locator('#fields tbody tr').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.coordinate!));
        expect(coordinates).toEqual(
          expect.arrayContaining(['EmgRecording.metadata', 'EmgRecording.analysis', 'Dataset.visualization', 'Query.myProgress']),
        );
        await page.screenshot({ path: path.join(SHOTS, `dashboard-${width}x${height}.png`), fullPage: true });
        process.stdout.write(`dashboard screenshot: ${path.join(SHOTS, `dashboard-${width}x${height}.png`)}\n`);

        for (const canvas of ['chart-fields', 'chart-latency']) {
          const { width: w, height: h, axes } = await labelBoxes(page, canvas);
          const fieldAxis = Object.values(axes).find((a) => a.vertical)!;
          // The full name of every field, in the order of the table, none skipped or shortened.
          expect(fieldAxis.labels.map((l) => l.text)).toEqual(coordinates);
          for (const [axisId, axis] of Object.entries(axes)) {
            expect(axis.labels.length).toBeGreaterThan(0);
            const outside = axis.labels.filter((b) => b.left < 0 || b.right > w || b.top < 0 || b.bottom > h);
            expect({ canvas, axisId, w, h, outside }).toEqual({ canvas, axisId, w, h, outside: [] });
            expect({ canvas, axisId, rotated: axis.labels.filter((b) => Math.abs(b.rotation) !== 0) }).toEqual({ canvas, axisId, rotated: [] });
            const overlapping: [string, string][] = [];
            for (let i = 0; i < axis.labels.length; i++)
              for (let j = i + 1; j < axis.labels.length; j++)
                if (overlap(axis.labels[i], axis.labels[j])) overlapping.push([axis.labels[i].text, axis.labels[j].text]);
            expect({ canvas, axisId, overlapping }).toEqual({ canvas, axisId, overlapping: [] });
          }
        }
        // The log-scale axis labels whole decades, at least two of them.
        const latency = await labelBoxes(page, 'chart-latency');
        const ms = Object.values(latency.axes).find((a) => !a.vertical)!;
        expect(ms.labels.length).toBeGreaterThanOrEqual(2);
        for (const l of ms.labels)
          expect(Math.log10(Number(l.text.replace(/,/g, '')))).toBeCloseTo(Math.round(Math.log10(Number(l.text.replace(/,/g, '')))), 6);
        expect(pageErrors).toEqual([]);
      } finally {
        await page.close();
      }
    }, 120_000);
  }
});
