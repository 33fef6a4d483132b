/**
 * The viewer in a real browser (headless Chromium through playwright-core): what a person sees when
 * they click from the datasets to a row and its story, open a diff, the costs charts, and a running
 * run's progress as the store changes. One screenshot per page is saved in the test's temp folder.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunStore } from '../../src/store/run-store.js';
import { startViewServer, type ViewServer } from '../../src/view/view-server.js';
import { findChromium, NO_BROWSER_LINE } from './find-browser.js';
import { buildViewFixture, type ViewFixture } from './view-fixture.js';

const executablePath = findChromium();
if (!executablePath) console.warn(NO_BROWSER_LINE);

describe.skipIf(!executablePath)('synthforge view in a browser', () => {
  let fixture: ViewFixture;
  let server: ViewServer;
  let browser: Browser;
  let page: Page;
  let shots: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    fixture = await buildViewFixture();
    shots = join(fixture.dir, 'screenshots');
    mkdirSync(shots);
    server = await startViewServer({ outputsRoot: fixture.outputsRoot, stateDir: fixture.stateDir });
    browser = await chromium.launch({ executablePath: executablePath!, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    // A 404 the page expects (a sample missing from one side of a diff) is logged by the browser too.
    page.on('console', (message) => message.type() === 'error' && !message.text().startsWith('Failed to load resource') && pageErrors.push(message.text()));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (process.env.SYNTHFORGE_KEEP_VIEW_SHOTS) console.log(`screenshots in ${shots}`);
    else fixture?.remove();
  });

  const shot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: false });

  it('clicks from the datasets to a version, a row, and that sample\'s story', async () => {
    await page.goto(server.url);
    await page.getByRole('link', { name: 'support-qa' }).first().click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('support-qa');
    await shot('versions');
    await page.getByRole('link', { name: 'v1', exact: true }).click();
    await page.getByRole('link', { name: 'Rows' }).click();
    const total = ((await (await fetch(`${server.url}api/datasets/support-qa/v1`)).json()) as { rows: number }).rows;
    await page.getByText(`rows 1–${total} of ${total} in train`).waitFor();
    expect(await page.locator('tbody tr').count()).toBe(total);
    await shot('rows');
    const firstId = await page.locator('tbody tr').first().locator('td').nth(1).textContent();
    await page.locator('tbody tr').first().click();
    await expect.poll(() => page.locator('h1').textContent()).toBe(`Sample ${firstId}`);
    await page.locator('.seed-source').waitFor();
    expect(await page.locator('.seed-source').textContent()).toMatch(/^seeds\[0\] \(product\) record \d+$/);
    expect(await page.getByRole('heading', { name: /^Step question/ }).count()).toBe(1);
    expect(await page.getByRole('heading', { name: /^Step answer/ }).count()).toBe(1);
    expect(await page.locator('.attempt').first().textContent()).toContain('Request sent');
    expect(await page.locator('.sample-cost').textContent()).toMatch(/^\$0\.\d+ · \d+ tokens in, \d+ out/);
    expect(await page.locator('table').last().textContent()).toContain('dedup-1');
    await shot('sample');
    expect(pageErrors).toEqual([]);
  });

  it('searches the rows, and renders row text as text, never markup', async () => {
    const total = ((await (await fetch(`${server.url}api/datasets/support-qa/v1`)).json()) as { rows: number }).rows;
    await page.goto(`${server.url}#/d/support-qa/v1/rows?split=train&q=assistant`);
    await page.getByText(`${total} match(es) for "assistant"`).waitFor();
    expect(await page.locator('tbody tr').count()).toBe(total);
    await page.goto(`${server.url}#/d/support-qa/v1/rows?split=train&q=${encodeURIComponent('<img src=x onerror=alert(1)>')}`);
    await page.getByText(/0 match\(es\) for "<img src=x onerror=alert\(1\)>"/).waitFor();
    expect(await page.locator('main img').count()).toBe(0);
  });

  it('opens a diff between two versions and shows a removed sample on both sides', async () => {
    await page.goto(`${server.url}#/d/support-qa`);
    await page.getByRole('button', { name: 'Show diff' }).click();
    await page.locator('.diff-counts').waitFor();
    expect(await page.locator('.diff-counts').textContent()).toMatch(/^\d+ added · [1-9]\d* removed · 0 changed/);
    const removed = page.locator('ul.removed button').first();
    const id = await removed.textContent();
    expect(id).toMatch(/^s1-000003\./);
    await removed.click();
    await page.locator('#diff-detail pre').nth(1).waitFor();
    expect(await page.locator('#diff-detail pre').nth(0).textContent()).toContain(`"id": "${id}"`);
    expect(await page.locator('#diff-detail pre').nth(1).textContent()).toBe('(not in this version)');
    await shot('diff');
  });

  it('draws the cost charts, whose legend names the steps', async () => {
    await page.goto(`${server.url}#/d/support-qa/v1/costs`);
    await page.locator('.uplot canvas').first().waitFor();
    expect(await page.locator('.uplot canvas').count()).toBe(3);
    const legend = await page.locator('.uplot').first().locator('.u-legend').textContent();
    expect(legend).toContain('question');
    expect(legend).toContain('answer');
    expect(await page.locator('.uplot').nth(2).locator('.u-legend').textContent()).toContain('openai/gpt-4o-mini');
    await shot('costs');
  });

  it('shows problems and dedup clusters', async () => {
    await page.goto(`${server.url}#/d/support-qa/v1/problems`);
    await page.getByRole('heading', { name: /Invalid answers/ }).waitFor();
    expect(await page.locator('table').last().textContent()).toMatch(/not_json|schema_violation/);
    await shot('problems');
    await page.goto(`${server.url}#/d/support-qa/v1/dedup`);
    await page.locator('.cluster').first().waitFor();
    expect(await page.locator('.cluster').first().textContent()).toMatch(/kept.*(near|exact)/s);
    await shot('dedup');
  });

  it("follows a running run's progress as the store changes", async () => {
    const store = new RunStore(fixture.stateDir);
    try {
      store.createRun({ id: 'run-live-0001', recipeName: 'support-qa', recipePath: '/x.yaml', recipeHash: 'h', options: {} });
      store.saveStep('run-live-0001', 0, 'question', 'generate', 'running');
      await page.goto(`${server.url}#/runs/run-live-0001`);
      await page.getByRole('cell', { name: 'question' }).waitFor();
      expect(await page.getByRole('cell', { name: 'answer' }).count()).toBe(0);
      await shot('run');
      store.saveStep('run-live-0001', 0, 'question', 'generate', 'done');
      store.saveStep('run-live-0001', 1, 'answer', 'generate', 'running');
      // The page polls the store; no reload happens here.
      await page.getByRole('cell', { name: 'answer' }).waitFor({ timeout: 15_000 });
      expect(await page.locator('tbody tr').count()).toBe(2);
    } finally {
      store.close();
    }
    expect(pageErrors).toEqual([]);
  });
});
