/**
 * `tsql docs generate` on Redshift: the example pipeline on the stand-in
 * (test/redshift-standin, through the real pg driver), the shop's purchases on
 * PostgreSQL. The catalog lists the tables with svv_table_info's statistics and
 * the Spectrum external tables with their columns; lineage still crosses the lake.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { copyExample, runCliAsync } from '../helpers/project.js';
import { LAKE_BUCKET, oltpOutput, PASSWORD_ENV, redshiftExampleProfile, redshiftPgConnection } from '../helpers/example-profiles.js';
import { pgConnection, pgQuery } from '../helpers/pg-server.js';
import { startPgProxy, type PgProxy } from '../redshift-standin/pg-proxy.js';

const BUCKET = LAKE_BUCKET;
const AWS_ENV = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test-secret', AWS_REGION: 'us-east-1' };
const cleanup: Array<() => unknown> = [];
let proxy: PgProxy;
let s3Root = '';

beforeAll(async () => {
  s3Root = mkdtempSync(join(tmpdir(), 'tsql-s3-docs-'));
  mkdirSync(join(s3Root, BUCKET));
  cleanup.push(() => rmSync(s3Root, { recursive: true, force: true }));
  proxy = await startPgProxy({ pg: { ...pgConnection(), database: 'postgres' }, s3Root });
  cleanup.push(() => proxy.close());
});

afterAll(async () => {
  for (const f of cleanup.reverse()) await f();
});

async function freshDatabase(prefix: string): Promise<string> {
  const name = `${prefix}_${Math.random().toString(36).slice(2, 10)}`;
  await pgQuery(`create database "${name}"`);
  cleanup.push(() => pgQuery(`drop database if exists "${name}" with (force)`));
  return name;
}

it('reads tables, svv_table_info statistics and Spectrum external tables; lineage crosses the lake', async () => {
  const c = pgConnection();
  const wh = await freshDatabase('redshift_docs');
  const shop = await freshDatabase('shop_docs');
  const dir = copyExample('tsql-docs-redshift-', redshiftExampleProfile(redshiftPgConnection(proxy, c, wh), oltpOutput(c, shop, s3Root)));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const env = { [PASSWORD_ENV]: c.password, ...AWS_ENV };
  const b = await runCliAsync(['build', '--ds', '2024-01-03'], dir, env);
  expect(b.code, b.stdout + b.stderr).toBe(0);
  await pgQuery('analyze main.user_behavior_metric', { ...c, database: wh });
  const r = await runCliAsync(['docs', 'generate', '--ds', '2024-01-03'], dir, env);
  expect(r.code, r.stdout + r.stderr).toBe(0);
  expect(r.stdout).toMatch(/Catalog: 6 of 6 relations found/);

  const catalog = JSON.parse(readFileSync(join(dir, 'target', 'catalog.json'), 'utf8'));
  const metric = catalog.nodes['model.user_behavior.user_behavior_metric'];
  expect(metric.metadata).toMatchObject({ type: 'BASE TABLE', schema: 'main', name: 'user_behavior_metric', database: wh });
  expect(metric.columns.amount_spent).toMatchObject({ type: 'numeric(18,5)', index: 2 });
  expect(metric.stats.row_count.value).toBeGreaterThan(5);
  const staged = catalog.sources['source.user_behavior.lake.user_purchase_staging'];
  expect(staged.metadata.type).toBe('EXTERNAL TABLE');
  expect(Object.keys(staged.columns)).toEqual(['invoice_number', 'stock_code', 'detail', 'quantity', 'invoice_date', 'unit_price', 'customer_id', 'country', 'insert_date']);
  expect(staged.columns.quantity).toMatchObject({ type: 'int', index: 4 });

  const l = JSON.parse(readFileSync(join(dir, 'target', 'lineage.json'), 'utf8'));
  expect(l.nodes['model.user_behavior.user_behavior_metric'].columns.find((x: { name: string }) => x.name === 'amount_spent').upstream).toEqual([
    { node: 'source.user_behavior.lake.user_purchase_staging', column: 'quantity' },
    { node: 'source.user_behavior.lake.user_purchase_staging', column: 'unit_price' },
  ]);
});
