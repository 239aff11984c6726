/**
 * `tsql docs generate` and `tsql docs serve` through the real CLI: catalog.json
 * from DuckDB and PostgreSQL (the example's oltp connection, and a project of its
 * own), lineage.json on the example (amount_spent back through the lake to the
 * purchases), the site's files, doc blocks, untrusted descriptions, the flags.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyExample, queryDuckDB, runCli, runCliAsync, useProjects } from '../helpers/project.js';
import { PASSWORD_ENV, pgOutput } from '../helpers/example-profiles.js';
import { freePort, pgConnection, pgProfile, pgQuery, uniqueSchema } from '../helpers/pg-server.js';

const DS = '2024-01-03';
const project = useProjects();
const dirs: string[] = [];
const schemas: string[] = [];
const databases: string[] = [];

afterAll(async () => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  if (schemas.length) await pgQuery(schemas.map((s) => `drop schema if exists "${s}" cascade`).join(';\n'));
  for (const db of databases) await pgQuery(`drop database if exists "${db}" with (force)`);
});

interface Lineage {
  nodes: Record<string, { level: string; reason?: string; parents: string[]; columns: Array<{ name: string; upstream: Array<{ node: string; column: string }>; via: string; through?: string }> }>;
}
const readJson = <T>(dir: string, file: string): T => JSON.parse(readFileSync(join(dir, 'target', file), 'utf8')) as T;

/** Every column upstream of node.column, as `node.column`, following lineage.json to the roots. */
function upstreamClosure(l: Lineage, node: string, column: string): Set<string> {
  const out = new Set<string>();
  const queue = [[node, column]];
  while (queue.length) {
    const [n, c] = queue.shift()!;
    const col = l.nodes[n]?.columns.find((x) => x.name.toLowerCase() === c.toLowerCase());
    for (const u of col?.upstream ?? []) {
      const key = `${u.node}.${u.column}`;
      if (!out.has(key)) {
        out.add(key);
        queue.push([u.node, u.column]);
      }
    }
  }
  return out;
}

const M = 'model.user_behavior';
const S = 'source.user_behavior';

describe('the example on DuckDB', () => {
  let dir = '';
  beforeAll(() => {
    dir = copyExample('tsql-docs-', `user_behavior:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: warehouse.duckdb\n      threads: 2\n`);
    dirs.push(dir);
    const b = runCli(['build', '--ds', DS], dir);
    expect(b.code, b.stdout + b.stderr).toBe(0);
  });

  it('writes catalog.json with the warehouse relations, columns, types, positions and row counts', async () => {
    const r = runCli(['docs', 'generate', '--ds', DS], dir);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Catalog: 6 of 6 relations found in the warehouse; wrote target\/catalog\.json/);
    expect(r.stdout).toMatch(/Lineage: 3 of 3 models traced to their columns/);
    expect(r.stdout).not.toMatch(/warning/);
    const catalog = readJson<{ nodes: Record<string, any>; sources: Record<string, any>; errors: unknown; metadata: Record<string, unknown> }>(dir, 'catalog.json');
    expect(catalog.errors).toBeNull();
    expect(catalog.metadata.artifact).toBe('catalog');
    const metric = catalog.nodes[`${M}.user_behavior_metric`];
    expect(metric.metadata).toMatchObject({ type: 'BASE TABLE', schema: 'main', name: 'user_behavior_metric', database: 'warehouse' });
    expect(metric.columns.amount_spent).toEqual({ type: 'DECIMAL(18,5)', index: 2, name: 'amount_spent', comment: null });
    expect(Object.keys(metric.columns)).toEqual(['customerid', 'amount_spent', 'review_score', 'review_count', 'insert_date']);
    const [{ n }] = await queryDuckDB(join(dir, 'warehouse.duckdb'), 'select count(*)::int as n from main.user_behavior_metric');
    expect(metric.stats.row_count.value).toBe(n);
    // the seed is a table, the external sources views over the lake's files
    expect(catalog.nodes['seed.user_behavior.user_purchase'].columns.unit_price.type).toBe('DECIMAL(8,3)');
    expect(catalog.sources[`${S}.lake.user_purchase_staging`].metadata.type).toBe('VIEW');
    expect(catalog.sources[`${S}.lake.user_purchase_staging`].columns.insert_date).toMatchObject({ type: 'DATE', index: 9 });
    // unload models are files, not relations
    expect(catalog.nodes[`${M}.filter_unload_user_purchase`]).toBeUndefined();
  });

  it("traces user_behavior_metric.amount_spent through the lake to the purchases' quantity and unit price", () => {
    const l = readJson<Lineage>(dir, 'lineage.json');
    const amount = l.nodes[`${M}.user_behavior_metric`].columns.find((c) => c.name === 'amount_spent')!;
    expect(amount.via).toBe('aggregated');
    expect(amount.upstream).toEqual([
      { node: `${S}.lake.user_purchase_staging`, column: 'quantity' },
      { node: `${S}.lake.user_purchase_staging`, column: 'unit_price' },
    ]);
    const staged = l.nodes[`${S}.lake.user_purchase_staging`].columns.find((c) => c.name === 'quantity')!;
    expect(staged.upstream).toEqual([{ node: `${M}.filter_unload_user_purchase`, column: 'quantity' }]);
    expect(staged.through).toMatch(/filter_unload_user_purchase unloads to stage\/user_purchase\/2024-01-03\/user_purchase\.csv/);
    expect([...upstreamClosure(l, `${M}.user_behavior_metric`, 'amount_spent')].sort()).toEqual([
      `${M}.filter_unload_user_purchase.quantity`,
      `${M}.filter_unload_user_purchase.unit_price`,
      'seed.user_behavior.user_purchase.quantity',
      'seed.user_behavior.user_purchase.unit_price',
      `${S}.lake.user_purchase_staging.quantity`,
      `${S}.lake.user_purchase_staging.unit_price`,
      `${S}.retail.user_purchase.quantity`,
      `${S}.retail.user_purchase.unit_price`,
    ]);
    // a partition column comes from the folder names, not from a column of the unload
    const partition = l.nodes[`${S}.lake.user_purchase_staging`].columns.find((c) => c.name === 'insert_date')!;
    expect(partition).toMatchObject({ upstream: [], through: 'the partition folders below stage/user_purchase/' });
    // a renamed column stays direct; a count has no column upstream
    const metric = l.nodes[`${M}.user_behavior_metric`].columns;
    expect(metric.find((c) => c.name === 'customerid')).toMatchObject({ via: 'direct', upstream: [{ node: `${S}.lake.user_purchase_staging`, column: 'customer_id' }] });
    expect(metric.find((c) => c.name === 'review_count')).toMatchObject({ via: 'aggregated', upstream: [] });
    expect(l.nodes[`${M}.classified_movie_review`].columns.find((c) => c.name === 'positive_review')).toMatchObject({ via: 'transformed', upstream: [{ node: 'seed.user_behavior.movie_review', column: 'review_str' }] });
    // the exposure is a leaf of the lineage
    expect(l.nodes['exposure.user_behavior.customer_behaviour_dashboard']).toMatchObject({ level: 'table', parents: [`${M}.user_behavior_metric`] });
  });

  it('writes the site: one page, its assets, the data as a script; doc blocks rendered as markdown', () => {
    for (const f of ['index.html', 'app.js', 'style.css', 'dagre.min.js', 'tsql-docs-data.js']) expect(existsSync(join(dir, 'target', 'docs', f)), f).toBe(true);
    const html = readFileSync(join(dir, 'target', 'docs', 'index.html'), 'utf8');
    expect(html).toContain("script-src 'self'");
    expect(html).not.toMatch(/<script>(?!<\/script>)/);
    const app = readFileSync(join(dir, 'target', 'docs', 'app.js'), 'utf8');
    expect(app).not.toMatch(/^\s*(import|export)\b/m);
    const data = readFileSync(join(dir, 'target', 'docs', 'tsql-docs-data.js'), 'utf8');
    expect(data.startsWith('window.TSQL_DOCS = ')).toBe(true);
    // {{ doc('amount_spent') }} in schema.yml, the block in models/docs.md, rendered
    expect(data).toContain('the sum of \\u003ccode>quantity * unit_price\\u003c/code>');
    expect(data).toContain('user-behaviour pipeline\\u003c/strong>');
  });

  it('--no-compile reads the last manifest; --empty-catalog reads no warehouse', () => {
    rmSync(join(dir, 'target', 'docs'), { recursive: true, force: true });
    // the warehouse file is not even opened: its column names come from the SQL, the CSV header and the YAML
    const r = runCli(['docs', 'generate', '--no-compile', '--empty-catalog'], dir, { TSQL_DUCKDB_PATH: 'does-not-exist.duckdb' });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Catalog: not read \(--empty-catalog\)/);
    expect(existsSync(join(dir, 'target', 'docs', 'index.html'))).toBe(true);
    const catalog = readJson<{ nodes: object; sources: object }>(dir, 'catalog.json');
    expect(catalog).toMatchObject({ nodes: {}, sources: {} });
    const l = readJson<Lineage>(dir, 'lineage.json');
    expect(upstreamClosure(l, `${M}.user_behavior_metric`, 'amount_spent')).toContain('seed.user_behavior.user_purchase.unit_price');

    const clean = copyExample('tsql-docs-nomanifest-');
    dirs.push(clean);
    const missing = runCli(['docs', 'generate', '--no-compile'], clean);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe('error: --no-compile reads target/manifest.json, which is not there (run tsql compile (or tsql parse) first, or leave out --no-compile)');
  });

  it('serves the site on a port, and a port in use is one line and exit 2', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = runCli(['docs', 'serve', '--port', String(port)], dir);
      expect(r.code).toBe(2);
      expect(r.stderr.trim()).toBe(`error: port ${port} on 127.0.0.1 is in use (stop what uses it, or pass another port: --port ${port + 1})`);
    } finally {
      blocker.close();
    }
    expect(runCli(['docs', 'serve', '--port', 'eighty'], dir).stderr.trim()).toBe("error: --port must be a port number from 1 to 65535, not 'eighty'");
    const empty = project({ 'models/a.sql': 'select 1 as x' });
    expect(empty.tsql(['docs', 'serve']).stderr.trim()).toBe('error: there is no docs site in target/docs (run tsql docs generate first)');

    // a free port: the CLI serves until stopped
    const free = await freePort();
    let served = '';
    const run = runCliAsync(['docs', 'serve', '--port', String(free)], dir, {}, (out, child) => {
      if (!out.includes('Serving the docs')) return;
      if (served) return;
      served = out;
      void (async () => {
        const page = await fetch(`http://127.0.0.1:${free}/`);
        const data = await fetch(`http://127.0.0.1:${free}/tsql-docs-data.js`);
        const outside = await fetch(`http://127.0.0.1:${free}/..%2F..%2Fprofiles.yml`);
        served += `|${page.status} ${page.headers.get('content-type')}|${data.status} ${data.headers.get('content-type')}|${outside.status}`;
        child.kill('SIGINT');
      })();
    });
    const done = await run;
    expect(served).toContain(`Serving the docs of user_behavior at http://127.0.0.1:${free}/ (Ctrl-C to stop)`);
    expect(served).toContain('|200 text/html; charset=utf-8|200 text/javascript; charset=utf-8|404');
    expect(done.code).toBe(0);
    expect(done.stdout).toContain('Stopped serving the docs.');
  });
});


describe('doc blocks and descriptions', () => {
  it('renders {% docs %} blocks through doc(), and names an unknown block with a suggestion (exit 2)', () => {
    const p = project({
      'models/docs/orders.md': '{% docs order_status %}\nOne of **placed**, shipped, returned.\n{% enddocs %}\n',
      'models/orders.sql': "select 1 as id, 'placed' as status",
      'models/schema.yml': "version: 2\nmodels:\n  - name: orders\n    columns:\n      - name: status\n        description: \"{{ doc('order_status') }}\"\n",
    });
    const r = p.tsql(['docs', 'generate']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/doc file|not read/);
    const manifest = JSON.parse(readFileSync(join(p.dir, 'target', 'manifest.json'), 'utf8'));
    expect(manifest.nodes['model.shop.orders'].columns.status.description).toBe('One of **placed**, shipped, returned.');
    expect(manifest.docs['doc.shop.order_status']).toMatchObject({ name: 'order_status', original_file_path: 'models/docs/orders.md' });

    p.write({ 'models/schema.yml': "version: 2\nmodels:\n  - name: orders\n    columns:\n      - name: status\n        description: \"{{ doc('order_stats') }}\"\n" });
    const bad = p.tsql(['docs', 'generate']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe("error: models/schema.yml:5: {{ doc('order_stats') }} names no doc block (did you mean 'order_status'?)");

    p.write({ 'models/more.md': '{% docs order_status %}\nagain\n{% enddocs %}\n' });
    const twice = p.tsql(['compile']);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain("doc block 'order_status' is defined twice");
  });

  it('a description is untrusted: its HTML is shown as text, never markup, and javascript: links are dropped', () => {
    const p = project({
      'models/orders.sql': 'select 1 as id',
      'models/schema.yml': [
        'version: 2',
        'models:',
        '  - name: orders',
        '    description: |',
        '      Hello <script>window.pwned = 1</script> <img src=x onerror="window.pwned = 2">',
        '      [click](javascript:window.pwned=3) and [docs](https://example.com/x)',
        '',
      ].join('\n'),
    });
    const r = p.tsql(['docs', 'generate']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const data = readFileSync(join(p.dir, 'target', 'docs', 'tsql-docs-data.js'), 'utf8');
    const site = JSON.parse(data.slice('window.TSQL_DOCS = '.length).trim().replace(/;$/, '')) as { nodes: Array<{ id: string; descriptionHtml: string }> };
    const html = site.nodes.find((n) => n.id === 'model.shop.orders')!.descriptionHtml;
    expect(html).toContain('&lt;script&gt;window.pwned = 1&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=&quot;window.pwned = 2&quot;&gt;');
    expect(html).not.toMatch(/<script|<img|javascript:/);
    expect(html).toContain('<a href="https://example.com/x" target="_blank" rel="noopener noreferrer">docs</a>');
    expect(data).not.toContain('</script');
  });
});

describe('lineage of a project', () => {
  it('traces through an ephemeral model, falls back to table level for a pivot (saying why), and copies asset-paths', () => {
    const p = project({
      'tsql_project.yml': 'name: shop\nprofile: shop\nasset-paths: [assets]\n',
      'assets/chart.png': 'not really a png',
      'seeds/orders.csv': 'id,status,amount\n1,placed,10\n2,shipped,5\n',
      'models/stg_orders.sql': "{{ config(materialized='ephemeral') }}\nselect id, status, amount * 100 as cents from {{ ref('orders') }}",
      'models/order_totals.sql': "select status, sum(cents) as total_cents from {{ ref('stg_orders') }} group by status",
      'models/by_status.sql': "pivot {{ ref('orders') }} on status in ('placed', 'shipped') using sum(amount)",
      'models/schema.yml': 'version: 2\nmodels:\n  - name: order_totals\n    description: "Totals. ![chart](assets/chart.png)"\n',
    });
    expect(p.tsql(['build']).code).toBe(0);
    const r = p.tsql(['docs', 'generate']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('warning: models/by_status.sql: column lineage unavailable (a pivot in FROM is not analysed); the docs show its table-level lineage');
    expect(r.stdout).toMatch(/Lineage: 2 of 3 models traced to their columns/);
    const l = readJson<Lineage>(p.dir, 'lineage.json');
    expect(l.nodes['model.shop.order_totals'].columns).toEqual([
      { name: 'status', upstream: [{ node: 'model.shop.stg_orders', column: 'status' }], via: 'direct' },
      { name: 'total_cents', upstream: [{ node: 'model.shop.stg_orders', column: 'cents' }], via: 'aggregated' },
    ]);
    expect(l.nodes['model.shop.stg_orders'].columns.find((c) => c.name === 'cents')).toEqual({ name: 'cents', upstream: [{ node: 'seed.shop.orders', column: 'amount' }], via: 'transformed' });
    expect(l.nodes['model.shop.by_status']).toMatchObject({ level: 'table', parents: ['seed.shop.orders'], columns: [] });
    expect(readFileSync(join(p.dir, 'target', 'docs', 'assets', 'chart.png'), 'utf8')).toBe('not really a png');
    expect(readFileSync(join(p.dir, 'target', 'docs', 'tsql-docs-data.js'), 'utf8')).toContain('\\u003cimg src=\\"assets/chart.png\\" alt=\\"chart\\">');
  });
});

describe('catalog on PostgreSQL', () => {
  it('reads types, positions, owner, comments and the planner row estimates of a postgres target', async () => {
    const c = pgConnection();
    const schema = uniqueSchema('docs');
    schemas.push(schema);
    const p = project(
      {
        'seeds/prices.csv': 'id,amount\n1,2.50\n2,3.75\n3,1.00\n',
        'models/priced.sql': "{{ config(materialized='table', persist_docs={'relation': true, 'columns': true}) }}\nselect id, amount * 2 as doubled from {{ ref('prices') }}",
        'models/priced_view.sql': "select p.*, 'x' as tag from {{ ref('priced') }} p",
        'models/schema.yml': 'version: 2\nseeds:\n  - name: prices\n    config:\n      column_types: {id: integer, amount: "numeric(10, 2)"}\nmodels:\n  - name: priced\n    description: Prices doubled.\n    columns:\n      - name: doubled\n        description: Twice the amount.\n',
      },
      { profile: pgProfile(schema, PASSWORD_ENV) },
    );
    const env = { [PASSWORD_ENV]: c.password };
    const b = p.tsql(['build'], env);
    expect(b.code, b.stdout + b.stderr).toBe(0);
    await pgQuery(`analyze "${schema}".priced`);
    const r = p.tsql(['docs', 'generate'], env);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Catalog: 3 of 3 relations found/);
    const catalog = JSON.parse(readFileSync(join(p.dir, 'target', 'catalog.json'), 'utf8'));
    const seed = catalog.nodes['seed.shop.prices'];
    expect(seed.columns).toEqual({
      id: { type: 'integer', index: 1, name: 'id', comment: null },
      amount: { type: 'numeric(10,2)', index: 2, name: 'amount', comment: null },
    });
    const priced = catalog.nodes['model.shop.priced'];
    expect(priced.metadata).toMatchObject({ type: 'BASE TABLE', schema, name: 'priced', database: c.database, owner: c.user, comment: 'Prices doubled.' });
    expect(priced.columns.doubled).toMatchObject({ type: 'numeric', index: 2, comment: 'Twice the amount.' });
    expect(priced.stats.row_count).toMatchObject({ value: 3, label: 'Approximate Row Count' });
    expect(priced.stats.bytes.value).toBeGreaterThan(0);
    expect(catalog.nodes['model.shop.priced_view'].metadata.type).toBe('VIEW');
    expect(catalog.nodes['model.shop.priced_view'].stats.row_count).toBeUndefined();
    // lineage through p.* on the warehouse's columns
    const l = JSON.parse(readFileSync(join(p.dir, 'target', 'lineage.json'), 'utf8')) as Lineage;
    expect(l.nodes['model.shop.priced_view'].columns.map((x) => [x.name, x.upstream.map((u) => `${u.node}.${u.column}`)])).toEqual([
      ['id', ['model.shop.priced.id']],
      ['doubled', ['model.shop.priced.doubled']],
      ['tag', []],
    ]);
  });

  it("reads the example's oltp connection on PostgreSQL beside the DuckDB warehouse", async () => {
    const c = pgConnection();
    const shop = `shop_${Math.random().toString(36).slice(2, 10)}`;
    await pgQuery(`create database "${shop}"`);
    databases.push(shop);
    const dir = copyExample(
      'tsql-docs-oltp-',
      `user_behavior:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: warehouse.duckdb\n      threads: 2\n    oltp:\n${pgOutput(c, shop)}`,
    );
    dirs.push(dir);
    const env = { [PASSWORD_ENV]: c.password };
    const b = runCli(['build', '--ds', DS], dir, env);
    expect(b.code, b.stdout + b.stderr).toBe(0);
    const r = runCli(['docs', 'generate', '--ds', DS], dir, env);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Catalog: 6 of 6 relations found/);
    const catalog = JSON.parse(readFileSync(join(dir, 'target', 'catalog.json'), 'utf8'));
    // the seed and the source it loads live on PostgreSQL: PostgreSQL's types
    expect(catalog.nodes['seed.user_behavior.user_purchase'].metadata).toMatchObject({ schema: 'retail', database: shop });
    expect(catalog.nodes['seed.user_behavior.user_purchase'].columns.unit_price.type).toBe('numeric(8,3)');
    expect(catalog.sources[`${S}.retail.user_purchase`].columns.invoice_number.type).toBe('character varying(10)');
    // the warehouse's relations: DuckDB's
    expect(catalog.nodes[`${M}.user_behavior_metric`].columns.amount_spent.type).toBe('DECIMAL(18,5)');
    const l = JSON.parse(readFileSync(join(dir, 'target', 'lineage.json'), 'utf8')) as Lineage;
    expect(upstreamClosure(l, `${M}.user_behavior_metric`, 'amount_spent')).toContain('seed.user_behavior.user_purchase.quantity');
  });
});
