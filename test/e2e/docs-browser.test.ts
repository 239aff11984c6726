/**
 * The docs site in a real browser: Debian's Chromium, headless, driven by
 * playwright-core (no browser download). The example's site is opened through
 * `tsql docs serve` and from file://; a search finds a model, its page opens,
 * clicking amount_spent in the lineage graph highlights its upstream columns
 * down to the purchases' seed, and nothing is logged as an error. A screenshot
 * of each is kept in test-artifacts/ (its path is printed).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyExample, REPO_ROOT, runCli, runCliAsync, useProjects } from '../helpers/project.js';
import { freePort } from '../helpers/pg-server.js';

const CHROMIUM = '/usr/bin/chromium';
/** Without these, Chromium waits on the network this machine does not have. */
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ARTIFACTS = join(REPO_ROOT, 'test-artifacts');
const METRIC = 'model.user_behavior.user_behavior_metric';

const project = useProjects();
const cleanup: Array<() => void | Promise<void>> = [];
let context: BrowserContext;
let dir = '';

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is not installed at ${CHROMIUM}: run .ci/run (it installs Debian's chromium package when missing), or apt-get install -y chromium`);
  const profile = mkdtempSync(join(tmpdir(), 'tsql-chromium-'));
  cleanup.push(() => rmSync(profile, { recursive: true, force: true }));
  context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1440, height: 1000 } });
  cleanup.push(() => context.close());
  dir = copyExample('tsql-docs-browser-', `user_behavior:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: warehouse.duckdb\n      threads: 2\n`);
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const b = runCli(['build', '--ds', '2024-01-03'], dir);
  expect(b.code, b.stdout + b.stderr).toBe(0);
  const g = runCli(['docs', 'generate', '--ds', '2024-01-03'], dir);
  expect(g.code, g.stdout + g.stderr).toBe(0);
  mkdirSync(ARTIFACTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  for (const f of cleanup.reverse()) await f();
});

/** Errors the page logs or throws, from now on. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

/** Search → the model's page → click amount_spent in its lineage graph → the highlighted path. */
async function traceAmountSpent(page: Page, url: string, shot: string): Promise<void> {
  const errors = watchErrors(page);
  await page.goto(url);
  await page.waitForSelector('header.top');
  await page.locator('#search').fill('user_behavior_m');
  const first = page.locator('.search .result').first();
  await expect.poll(() => first.textContent()).toContain('user_behavior_metric');
  await page.locator('#search').press('Enter');
  await page.waitForFunction((id) => decodeURIComponent(location.hash) === `#/node/${id}`, METRIC);
  await expect.poll(() => page.locator('main h1').textContent()).toBe('user_behavior_metric');

  const column = page.locator(`svg.graph .col[data-node="${METRIC}"][data-column="amount_spent"]`);
  await column.click();
  await expect.poll(() => page.locator('svg.graph .col.selected').count()).toBe(1);
  const upstream = await page.locator('svg.graph .col.upstream').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-node')}.${e.getAttribute('data-column')}`).sort());
  expect(upstream).toEqual([
    'model.user_behavior.filter_unload_user_purchase.quantity',
    'model.user_behavior.filter_unload_user_purchase.unit_price',
    'seed.user_behavior.user_purchase.quantity',
    'seed.user_behavior.user_purchase.unit_price',
    'source.user_behavior.lake.user_purchase_staging.quantity',
    'source.user_behavior.lake.user_purchase_staging.unit_price',
    'source.user_behavior.retail.user_purchase.quantity',
    'source.user_behavior.retail.user_purchase.unit_price',
  ]);
  expect(await page.locator('svg.graph .col.downstream').count()).toBe(0);
  // one column edge per step of the path (8 steps up), drawn in the graph
  expect(await page.locator('svg.graph .col-edge.up').count()).toBe(8);
  // the columns table marks the same column
  expect(await page.locator('tr.col-row.selected td.name').textContent()).toBe('amount_spent');
  // nodes are coloured by type and marked with the last run's status
  expect(await page.locator(`svg.graph .card.model.status-success[data-node="${METRIC}"] .status-dot.success`).count()).toBe(1);
  // the nodes off the path are dimmed; the exposure is a leaf after the model
  expect(await page.locator('svg.graph .card.exposure:not(.on-path)').count()).toBe(1);

  const file = join(ARTIFACTS, shot);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`docs site screenshot: ${file}`);
  expect(errors).toEqual([]);
}


describe('the docs site in Chromium', () => {
  it('through tsql docs serve: search, open the model, click a column, see its lineage', async () => {
    const port = await freePort();
    let ready: () => void = () => undefined;
    const serving = new Promise<void>((resolve) => (ready = resolve));
    let child: { kill(signal: NodeJS.Signals): boolean } | undefined;
    const run = runCliAsync(['docs', 'serve', '--port', String(port)], dir, {}, (out, c) => {
      child = c;
      if (out.includes('Serving the docs')) ready();
    });
    await Promise.race([serving, run.then((r) => Promise.reject(new Error(`docs serve ended: ${r.stderr}`)))]);
    try {
      const page = await context.newPage();
      await traceAmountSpent(page, `http://127.0.0.1:${port}/`, 'docs-served.png');
      await page.close();
    } finally {
      child?.kill('SIGINT');
      expect((await run).code).toBe(0);
    }
  });

  it('from file://, with the overview, the full lineage page and an exposure', async () => {
    const page = await context.newPage();
    const url = pathToFileURL(join(dir, 'target', 'docs', 'index.html')).href;
    await traceAmountSpent(page, url, 'docs-file.png');
    const errors = watchErrors(page);
    await page.goto(`${url}#/`);
    await expect.poll(() => page.locator('main').textContent()).toContain('user-behaviour pipeline');
    await page.goto(`${url}#/lineage`);
    await expect.poll(() => page.locator('svg.graph .card').count()).toBe(9);
    // the full graph starts from the roots; Fit brings the leaves into view
    await page.locator('.graph-tools button', { hasText: 'Fit' }).click();
    await page.locator('svg.graph .card.exposure .head').click();
    await expect.poll(() => page.locator('main h1').textContent()).toBe('customer_behaviour_dashboard');
    expect(await page.locator('main').textContent()).toContain('https://metabase.example.com/dashboard/12');
    await page.screenshot({ path: join(ARTIFACTS, 'docs-lineage.png') });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("a seed's columns come from its file; same-named tests say which node they check, in the search and the sidebar", async () => {
    const page = await context.newPage();
    const errors = watchErrors(page);
    const url = pathToFileURL(join(dir, 'target', 'docs', 'index.html')).href;
    await page.goto(`${url}#/node/seed.user_behavior.user_purchase`);
    await expect.poll(() => page.locator('main h1').textContent()).toBe('user_purchase');
    expect(await page.locator('tr.col-row[data-column="quantity"] td.from').textContent()).toBe("the seed's file, seeds/user_purchase.csv");
    // a model's column computed from no column keeps saying so
    await page.goto(`${url}#/node/model.user_behavior.user_behavior_metric`);
    await expect.poll(() => page.locator('tr.col-row[data-column="insert_date"] td.from').textContent()).toBe('no column (a constant, a count, the run date …)');

    await page.locator('#search').fill('customer_id');
    await expect.poll(() => page.locator('.search .result').count()).toBeGreaterThan(1);
    const tests = await page.locator('.search .result .what').evaluateAll((els) => els.map((e) => e.textContent ?? '').filter((t) => t.startsWith('test')).sort());
    expect(tests).toEqual(['test of lake.user_purchase_staging', 'test of user_purchase']);
    const sidebar = await page.locator('aside.sidebar a.item[data-id^="test."]').allTextContents();
    expect(sidebar.filter((t) => t.startsWith('not_null (customer_id)')).sort()).toEqual(['not_null (customer_id) · lake.user_purchase_staging', 'not_null (customer_id) · user_purchase']);
    expect(new Set(sidebar).size).toBe(sidebar.length);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("a description with a script does not run it; its text is shown; a model's group, its owner and description are in its details", async () => {
    const p = project({
      'models/orders.sql': 'select 1 as id',
      'models/schema.yml': [
        'version: 2',
        'groups:',
        '  - name: sales',
        '    owner: {name: Sales analytics, email: sales@example.com}',
        '    description: Orders <b onmouseover="window.pwned = 4">and</b> refunds',
        'models:',
        '  - name: orders',
        '    group: sales',
        '    access: private',
        '    description: |',
        '      Hi <script>window.pwned = 1</script><img src=x onerror="window.pwned = 2"> [x](javascript:window.pwned=3)',
        '',
      ].join('\n'),
    });
    const g = p.tsql(['docs', 'generate']);
    expect(g.code, g.stdout + g.stderr).toBe(0);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${pathToFileURL(join(p.dir, 'target', 'docs', 'index.html')).href}#/node/model.shop.orders`);
    await expect.poll(() => page.locator('main .description').first().textContent()).toContain('<script>window.pwned = 1</script>');
    await page.locator('main .description a, main .description').first().click();
    expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
    expect(await page.locator('main .description script, main .description img').count()).toBe(0);
    const facts = await page.locator('main dl.facts').last().evaluate((dl) => {
      const out: Record<string, string> = {};
      for (const dt of dl.querySelectorAll('dt')) out[dt.textContent ?? ''] = dt.nextElementSibling?.textContent ?? '';
      return out;
    });
    expect(facts).toMatchObject({ group: 'sales — Orders <b onmouseover="window.pwned = 4">and</b> refunds', 'group owner': 'Sales analytics · sales@example.com', access: 'private' });
    expect(await page.locator('main dl.facts b').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });
});
