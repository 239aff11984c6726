/**
 * The example pipeline with its warehouse on Snowflake (the stand-in behind the
 * real snowflake-sdk), through the real CLI: alone, with the lake in a stage; and
 * with the shop's purchases on PostgreSQL (`oltp`), the lake in S3 read through
 * a storage integration. `user_behavior_metric` must equal the all-DuckDB result.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyExample, queryDuckDB, runCli, runCliAsync, type CliResult } from '../helpers/project.js';
import { PASSWORD_ENV, pgOutput } from '../helpers/example-profiles.js';
import { pgConnection, pgQuery } from '../helpers/pg-server.js';
import { sfClient, type SfClient } from '../helpers/snowflake.js';
import { createDuckDBEngine } from '../snowflake-standin/engine.js';
import type { Engine } from '../snowflake-standin/engine-types.js';
import { startSnowflakeStandin, type SnowflakeStandin } from '../snowflake-standin/server.js';

const DS = '2024-01-03';
const SF_PASSWORD_ENV = 'TSQL_TEST_SF_PASSWORD';
const SF_PASSWORD = 'sf-Pipeline-7x';
const BUCKET = 'tsql-lake';
const dirs: string[] = [];
const databases: string[] = [];
let root = '';
let engine: Engine;
let standin: SnowflakeStandin;
let client: SfClient;
let reference: string[] = [];

function isoDate(v: unknown): string {
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  return String(v).slice(0, 10);
}

function canonical(rows: Record<string, unknown>[]): string[] {
  return rows
    .map((r) => [Number(r.customerid), Number(r.amount_spent).toFixed(5), Number(r.review_score), Number(r.review_count), isoDate(r.insert_date)].join('|'))
    .sort();
}

const METRIC = 'select customerid, amount_spent, review_score, review_count, insert_date from main.user_behavior_metric';

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'tsql-sf-pipeline-'));
  dirs.push(root);
  mkdirSync(join(root, 'stage'));
  mkdirSync(join(root, 's3', BUCKET), { recursive: true });
  engine = await createDuckDBEngine({ directory: join(root, 'engine'), stages: { LAKE_STAGE: join(root, 'stage') }, s3Root: join(root, 's3') });
  standin = await startSnowflakeStandin({ engine, users: { tsql: SF_PASSWORD } });
  client = await sfClient(standin, { user: 'tsql', password: SF_PASSWORD });

  const one = copyExample('tsql-sf-ref-', `user_behavior:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: warehouse.duckdb\n      threads: 2\n`);
  dirs.push(one);
  const r = runCli(['build', '--ds', DS], one);
  expect(r.code, r.stdout + r.stderr).toBe(0);
  reference = canonical(await queryDuckDB(join(one, 'warehouse.duckdb'), METRIC));
  expect(reference.length).toBeGreaterThan(5);
});

afterAll(async () => {
  await client?.close();
  await standin?.close();
  await engine?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  for (const db of databases) await pgQuery(`drop database if exists "${db}" with (force)`);
});

function snowflakeOutput(database: string, lake: string): string {
  const url = new URL(standin.accessUrl);
  return `    snowflake:
      type: snowflake
      account: tsqltest
      user: tsql
      password: "{{ env_var('${SF_PASSWORD_ENV}') }}"
      warehouse: transforming
      database: ${database}
      schema: main
      threads: 4
      host: ${url.hostname}
      port: ${url.port}
      protocol: http
${lake}`;
}

async function build(dir: string): Promise<CliResult> {
  return runCliAsync(['build', '--ds', DS], dir, { [SF_PASSWORD_ENV]: SF_PASSWORD, [PASSWORD_ENV]: pgConnection().password });
}

async function metricOn(database: string): Promise<string[]> {
  return canonical(await client.query(`select customerid, amount_spent, review_score, review_count, insert_date from ${database}.main.user_behavior_metric`));
}

describe('the example pipeline on Snowflake (stand-in)', () => {
  it('alone, with the lake in a stage: the same user_behavior_metric, and again on a re-run', async () => {
    const dir = copyExample('tsql-sf-alone-', `user_behavior:\n  target: snowflake\n  outputs:\n${snowflakeOutput('alone_wh', '      lake_root: "@LAKE_STAGE/lake"\n')}`);
    dirs.push(dir);
    const r = await build(dir);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Running with tsql on snowflake tsql@tsqltest\/alone_wh\.main/);
    expect(r.stdout).toMatch(/Done\. PASS=24 WARN=0 ERROR=0 SKIP=0 TOTAL=24/);
    expect(r.stderr).not.toMatch(/Warning/);
    // both unloads were written by COPY INTO into the stage, the external tables read them
    expect(readdirSync(join(root, 'stage', 'lake', 'stage', 'user_purchase', DS))).toEqual(['user_purchase.csv']);
    expect(readdirSync(join(root, 'stage', 'lake', 'stage', 'movie_review', DS))).toEqual(['classified_movie_review.parquet']);
    const ext = await client.query(`select table_schema, table_name from alone_wh.information_schema.tables where table_type = 'EXTERNAL TABLE' order by 2`);
    expect(ext).toEqual([
      { table_schema: 'SPECTRUM', table_name: 'CLASSIFIED_MOVIE_REVIEW_STAGING' },
      { table_schema: 'SPECTRUM', table_name: 'USER_PURCHASE_STAGING' },
    ]);
    expect(await metricOn('alone_wh')).toEqual(reference);

    const again = await build(dir);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(await metricOn('alone_wh')).toEqual(reference);
    // the run registered the run date's files (REFRESH '<ds>/'), the seed was swapped in
    const texts = standin.stats.queries.map((q) => q.sqlText);
    expect(texts.some((t) => /^alter external table "ALONE_WH"\."SPECTRUM"\."USER_PURCHASE_STAGING" refresh '2024-01-03\/'$/.test(t))).toBe(true);
    expect(texts.some((t) => /^alter table "ALONE_WH"\."RETAIL"\."USER_PURCHASE" swap with /.test(t))).toBe(true);
  });

  it('with oltp on PostgreSQL and the lake in S3 through a storage integration: the same result', async () => {
    const c = pgConnection();
    const shop = `shop_${Math.random().toString(36).slice(2, 10)}`;
    await pgQuery(`create database "${shop}"`);
    databases.push(shop);
    const lake = join(root, 's3', BUCKET, 'lake');
    const dir = copyExample(
      'tsql-sf-oltp-',
      `user_behavior:
  target: snowflake
  outputs:
${snowflakeOutput('s3_wh', `      lake_root: s3://${BUCKET}/lake\n      storage_integration: tsql_lake_int\n`)}
    oltp:
${pgOutput(c, shop, `      lake_root: ${lake}\n      allow_lake_outside_project: true\n`)}`,
    );
    dirs.push(dir);
    const r = await build(dir);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/and on postgres .*connection 'oltp'/);
    expect(r.stdout).toMatch(/Done\. PASS=24 WARN=0 ERROR=0 SKIP=0 TOTAL=24/);
    const [{ n }] = await pgQuery('select count(*)::int as n from retail.user_purchase', { ...c, database: shop });
    expect(n).toBe(400);
    expect(readdirSync(join(lake, 'stage', 'movie_review', DS))).toEqual(['classified_movie_review.parquet']);
    const texts = standin.stats.queries.map((q) => q.sqlText);
    expect(texts.some((t) => /^create stage if not exists "S3_WH"\."MAIN"\."TSQL_LAKE"\nurl = 's3:\/\/tsql-lake\/lake\/'\nstorage_integration = "TSQL_LAKE_INT"$/.test(t))).toBe(true);
    expect(await metricOn('s3_wh')).toEqual(reference);
    const again = await build(dir);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(await metricOn('s3_wh')).toEqual(reference);
  });
});
