/**
 * Snapshots on the Redshift stand-in (Data API, executing on PostgreSQL) and
 * the Snowflake stand-in (behind the real snowflake-sdk, where DDL is not
 * transactional): the same history across runs as on DuckDB and PostgreSQL,
 * and on Snowflake a failed run that leaves the table as it was. The CLI runs
 * without blocking this process (runCliAsync), which serves the stand-ins.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliAsync, TempProject } from '../helpers/project.js';
import { pgConnection, pgQuery, uniqueSchema } from '../helpers/pg-server.js';
import { dump, ok, runScenario, SNAPSHOT_FILES, SOURCE_RUNS, type SnapshotEngine } from '../helpers/snapshot-scenario.js';
import { startDataApiStandin, type DataApiStandin } from '../redshift-standin/data-api-server.js';
import { createDuckDBEngine } from '../snowflake-standin/engine.js';
import { startSnowflakeStandin, type SnowflakeStandin } from '../snowflake-standin/server.js';
import type { Engine } from '../snowflake-standin/engine-types.js';
import { sfClient, type SfClient, standinProfile } from '../helpers/snowflake.js';

const AWS_ENV = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test-secret', AWS_REGION: 'us-east-1' };
const SF_PASSWORD_ENV = 'TSQL_TEST_SF_PASSWORD';
const SF_PASSWORD = 'sf-Secret-7c2q';
const SF_DATABASE = 'TSQL_TEST';
const projects: TempProject[] = [];
let root = '';
let rsDatabase = '';
let api: DataApiStandin;
let sfEngine: Engine;
let standin: SnowflakeStandin;
let client: SfClient;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'tsql-snap-'));
  rsDatabase = `rss_${Math.random().toString(36).slice(2, 10)}`;
  await pgQuery(`create database "${rsDatabase}"`);
  api = await startDataApiStandin({ pg: { ...pgConnection(), database: 'postgres' }, s3Root: join(root, 's3') });
  sfEngine = await createDuckDBEngine({ directory: join(root, 'engine'), stages: {} });
  standin = await startSnowflakeStandin({ engine: sfEngine, users: { tsql: SF_PASSWORD } });
  client = await sfClient(standin, { user: 'tsql', password: SF_PASSWORD, database: SF_DATABASE });
});

afterAll(async () => {
  await client?.close();
  await standin?.close();
  await sfEngine?.close();
  await api?.close();
  for (const p of projects) p.cleanup();
  rmSync(root, { recursive: true, force: true });
  await pgQuery(`drop database if exists "${rsDatabase}" with (force)`);
});

function redshift(files: Record<string, string>): SnapshotEngine {
  const schema = `s_${Math.random().toString(36).slice(2, 8)}`;
  const profile = `shop:\n  target: dev\n  outputs:\n    dev:\n      type: redshift\n      method: data_api\n      endpoint: ${api.endpoint}\n      region: us-east-1\n      cluster_identifier: tsql-test\n      database: ${rsDatabase}\n      db_user: tsql\n      schema: ${schema}\n      threads: 2\n`;
  const p = new TempProject(files, { profile });
  projects.push(p);
  return { tsql: (args) => runCliAsync(args, p.dir, AWS_ENV), rows: (sql) => pgQuery(sql, { ...pgConnection(), database: rsDatabase }), rel: (n) => `"${schema}"."${n}"`, write: (f) => p.write(f) };
}

function snowflake(files: Record<string, string>): SnapshotEngine & { dir: string } {
  const schema = uniqueSchema('sfsnap');
  const p = new TempProject(files, { profile: standinProfile(standin, { database: SF_DATABASE, schema, passwordEnv: SF_PASSWORD_ENV }) });
  projects.push(p);
  return { dir: p.dir, tsql: (args) => runCliAsync(args, p.dir, { [SF_PASSWORD_ENV]: SF_PASSWORD }), rows: (sql) => client.query(sql), rel: (n) => `${SF_DATABASE}."${schema.toUpperCase()}".${n}`, write: (f) => p.write(f) };
}

describe('snapshots on the Redshift stand-in (Data API)', () => {
  it('records history across runs for both strategies and every hard_deletes mode; a rerun changes nothing', async () => {
    await runScenario(redshift(SNAPSHOT_FILES), 'snapshot');
  });
});

describe('snapshots on the Snowflake stand-in', () => {
  it('records history across runs for both strategies and every hard_deletes mode; a rerun changes nothing', async () => {
    await runScenario(snowflake(SNAPSHOT_FILES), 'build');
  });

  it('a failed run (DML in one transaction, columns added before it dropped again) leaves the table as it was', async () => {
    const e = snowflake({
      'seeds/raw_orders.csv': SOURCE_RUNS[0],
      'snapshots/orders.sql': `{% snapshot orders_snapshot %}\n{{ config(unique_key='id', strategy='timestamp', updated_at='updated_at', hard_deletes='invalidate') }}\nselect * from {{ ref('raw_orders') }}\n{% endsnapshot %}\n`,
    });
    ok(await e.tsql(['build']));
    const before = await dump(e, 'orders_snapshot');
    const columns = async () => (await e.rows(`select * from ${e.rel('orders_snapshot')} limit 1`)).map((r) => Object.keys(r).sort());
    const shape = await columns();
    // a new column, a changed row whose amount the table cannot take, a deleted row
    e.write({ 'seeds/raw_orders.csv': `id,region,status,amount,updated_at,note\n1,eu,open,10,2024-01-01 10:00:00,x\n2,eu,paid,oops,2024-01-02 10:00:00,y\n` });
    const failed = await e.tsql(['build']);
    expect(failed.code, failed.stdout + failed.stderr).toBe(1);
    expect(failed.stdout).toContain("Numeric value 'oops' is not recognized");
    expect(await dump(e, 'orders_snapshot')).toBe(before);
    // the column was added before the transaction, and dropped again when it failed
    expect(readFileSync(join(e.dir, 'target/run/shop/snapshots/orders_snapshot.sql'), 'utf8')).toMatch(/alter table .*"ORDERS_SNAPSHOT" add column "NOTE"[\s\S]*\nbegin;[\s\S]*\nmerge into /);
    expect(await columns()).toEqual(shape);
    e.write({ 'seeds/raw_orders.csv': `id,region,status,amount,updated_at,note\n1,eu,open,10,2024-01-01 10:00:00,x\n2,eu,paid,25,2024-01-02 10:00:00,y\n` });
    ok(await e.tsql(['build']));
    expect(await e.rows(`select id, amount, note from ${e.rel('orders_snapshot')} where dbt_valid_to is null order by id`)).toEqual([
      { id: 1, amount: 10, note: null },
      { id: 2, amount: 25, note: 'y' },
    ]);
  });
});
