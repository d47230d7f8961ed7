import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser';
import { signToken } from '../../src/server/auth';
import { startTestGateway, TEST_JWT_SECRET, type TestGateway } from '../helpers/gateway';
import { addVegaDataset } from '../helpers/datasets';

const ARTIFACTS = path.join(__dirname, '..', '..', 'test-artifacts');
const QUERY = '{ datasets { name rowCount } }';
const STEP_TIMEOUT = 30_000;

// Functions passed to page.evaluate run in the page; the project compiles without the DOM library.
interface CodeMirrorHost {
  CodeMirror?: { getValue(): string };
}
declare const document: { querySelector(selector: string): CodeMirrorHost | null };
declare const localStorage: { getItem(key: string): string | null; setItem(key: string, value: string): void };

/** The text of the CodeMirror 5 editor inside the element matched by selector. */
const editorText = (page: Page, selector: string) =>
  page.evaluate((sel) => {
    const el = document.querySelector(`${sel} .CodeMirror`);
    return el?.CodeMirror?.getValue() ?? null;
  }, selector);

describe('GraphiQL in a browser', () => {
  let gw: TestGateway;
  let browser: Browser;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    gw = await startTestGateway('postgres');
    await addVegaDataset(gw, 'cars.json');
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await gw?.close();
  });

  it('runs a query typed into the editor and shows the result', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(STEP_TIMEOUT);
    page.on('pageerror', (err) => pageErrors.push(err.message));
    try {
      const response = await page.goto(`${gw.url}/graphiql`, { waitUntil: 'load' });
      expect(response?.status()).toBe(200);

      // GraphiQL has rendered once its query editor exists.
      const editor = page.locator('.graphiql-query-editor .CodeMirror').first();
      await editor.waitFor({ state: 'visible' });
      await editor.click();
      await page.keyboard.press('ControlOrMeta+A');
      await page.keyboard.press('Delete');
      // insertText types the query as one input: no auto-closed brackets, no completion pop-ups.
      await page.keyboard.insertText(QUERY);
      expect(await editorText(page, '.graphiql-query-editor')).toBe(QUERY);

      await page.locator('button.graphiql-execute-button, button[aria-label="Execute query (Ctrl-Enter)"]').first().click();

      // The result pane is a read-only CodeMirror too; wait until it holds the answer.
      await page.waitForFunction(
        () => {
          const el = document.querySelector('.graphiql-response .CodeMirror');
          return (el?.CodeMirror?.getValue() ?? '').includes('"rowCount"');
        },
        undefined,
        { timeout: STEP_TIMEOUT },
      );
      const shown = await editorText(page, '.graphiql-response');
      expect(shown).toContain('cars');
      expect(shown).toContain('406');
      expect(JSON.parse(shown!)).toEqual({
        data: { datasets: [{ name: 'cars', rowCount: 406 }] },
        extensions: { cost: { requestedQueryCost: expect.any(Number), maximumAvailable: 5000 } },
      });
      // What a person sees, not only the editor's model.
      const visible = await page.locator('.graphiql-response').innerText();
      expect(visible).toContain('"cars"');
      expect(visible).toContain('406');

      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: path.join(ARTIFACTS, 'graphiql.png'), fullPage: true });
      expect(pageErrors).toEqual([]);
    } catch (err) {
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: path.join(ARTIFACTS, 'graphiql-failure.png'), fullPage: true }).catch(() => undefined);
      throw err;
    } finally {
      await page.close();
    }
  }, 120_000);

  it('says why the gateway refused a token, still loads the docs, and clears the token', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(STEP_TIMEOUT);
    page.on('pageerror', (err) => pageErrors.push(err.message));
    const forged = await signToken('another-secret-0123456789abcdef', { id: 'mallory', role: 'admin' });
    const expired = await signToken(TEST_JWT_SECRET, { id: 'alice', role: 'user' }, '-1h');
    try {
      // A token left in the browser from before, signed with another secret.
      await page.goto(`${gw.url}/graphiql`, { waitUntil: 'load' });
      await page.evaluate((t) => localStorage.setItem('cachegate:token', t), forged);
      await page.reload({ waitUntil: 'load' });
      const banner = page.locator('#auth-error');
      await banner.waitFor({ state: 'visible' });
      expect(await banner.innerText()).toContain("invalid token signature: it was signed with another secret than this gateway's JWT_SECRET");

      // The docs pane shows the schema, not "Error fetching schema".
      await page.locator('button[aria-label="Show Documentation Explorer"]').first().click();
      const docs = page.locator('.graphiql-doc-explorer');
      await docs.getByText('Query', { exact: true }).first().waitFor({ state: 'visible' });
      expect(await docs.innerText()).not.toContain('Error fetching schema');

      // Another token, expired: the reason changes with it.
      const input = page.locator('#token');
      await input.fill(expired);
      await input.press('Enter');
      await page.waitForFunction(() =>
        (document.querySelector('#auth-error') as unknown as { textContent: string }).textContent.includes('token expired at'),
      );
      expect(await banner.innerText()).toMatch(/token expired at \d{4}-\d\d-\d\dT/);

      await page.getByRole('button', { name: 'Clear token' }).click();
      await banner.waitFor({ state: 'hidden' });
      expect(await input.inputValue()).toBe('');
      expect(await page.evaluate(() => localStorage.getItem('cachegate:token'))).toBeNull();
      expect(pageErrors).toEqual([]);
    } catch (err) {
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: path.join(ARTIFACTS, 'graphiql-token-failure.png'), fullPage: true }).catch(() => undefined);
      throw err;
    } finally {
      await page.close();
    }
  }, 120_000);
});
