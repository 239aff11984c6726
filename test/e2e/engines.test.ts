/**
 * The example pipeline on the engines it is meant for, through the real CLI:
 * the shop's purchases on PostgreSQL (the `oltp` connection), the warehouse on
 * DuckDB or on Redshift (the local stand-in, through the real Data API client
 * and the real pg driver). `user_behavior_metric` must be the same everywhere.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyExample, queryDuckDB, runCli, runCliAsync, type CliResult } from '../helpers/project.js';
import { LAKE_BUCKET, oltpOutput, PASSWORD_ENV, pgOutput, redshiftDataApiConnection, redshiftExampleProfile, redshiftPgConnection } from '../helpers/example-profiles.js';
import { pgConnection, pgQuery } from '../helpers/pg-server.js';
import { startDataApiStandin, type DataApiStandin } from '../redshift-standin/data-api-server.js';
import { startPgProxy, type PgProxy } from '../redshift-standin/pg-proxy.js';
import { startS3Standin } from '../s3-standin/server.js';

const DS = '2024-01-03';
const dirs: string[] = [];
const databases: string[] = [];

afterAll(async () => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  for (const db of databases) await pgQuery(`drop database if exists "${db}" with (force)`);
});

/** A fresh database on the test server (the example writes fixed schema names such as retail). */
async function freshDatabase(prefix: string): Promise<string> {
  const name = `${prefix}_${Math.random().toString(36).slice(2, 10)}`;
  await pgQuery(`create database "${name}"`);
  databases.push(name);
  return name;
}

interface Copy {
  dir: string;
  tsql(args: string[]): CliResult;
  tsqlAsync(args: string[], onStdout?: Parameters<typeof runCliAsync>[3]): Promise<CliResult>;
}

function exampleCopy(profile: string, extraEnv: Record<string, string> = {}): Copy {
  const dir = copyExample('tsql-engines-', profile);
  dirs.push(dir);
  const env = { [PASSWORD_ENV]: pgConnection().password, ...extraEnv };
  return { dir, tsql: (args) => runCli(args, dir, env), tsqlAsync: (args, onStdout) => runCliAsync(args, dir, env, onStdout) };
}

/** A date as YYYY-MM-DD, whether a driver returned text or a Date (pg: local midnight). */
function isoDate(v: unknown): string {
  if (v instanceof Date) return `${v.getFullYear()}-${String(v.getMonth() + 1).padStart(2, '0')}-${String(v.getDate()).padStart(2, '0')}`;
  return String(v).slice(0, 10);
}

/** Rows of user_behavior_metric in one canonical text form, whatever engine returned them. */
function canonical(rows: Record<string, unknown>[]): string[] {
  return rows
    .map((r) =>
      [
        Number(r.customerid),
        Number(r.amount_spent).toFixed(5),
        Number(r.review_score),
        Number(r.review_count),
        isoDate(r.insert_date),
      ].join('|'),
    )
    .sort();
}

const METRIC = 'select customerid, amount_spent, review_score, review_count, insert_date from main.user_behavior_metric';

let reference: string[] = [];

beforeAll(async () => {
  // The reference: everything on one DuckDB file (the README's quick start).
  const one = exampleCopy(`user_behavior:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: warehouse.duckdb\n      threads: 2\n`);
  const r = one.tsql(['build', '--ds', DS]);
  expect(r.code, r.stdout + r.stderr).toBe(0);
  reference = canonical(await queryDuckDB(join(one.dir, 'warehouse.duckdb'), METRIC));
  expect(reference.length).toBeGreaterThan(5);
});

describe('oltp on PostgreSQL, warehouse on DuckDB', () => {
  it('loads the shop table into PostgreSQL, unloads from there, and builds the same user_behavior_metric', async () => {
    const c = pgConnection();
    const shop = await freshDatabase('shop');
    const copy = exampleCopy(`user_behavior:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: warehouse.duckdb
      threads: 2
    oltp:
${pgOutput(c, shop, '')}`);
    const r = copy.tsql(['build', '--ds', DS]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Done\. PASS=24 WARN=0 ERROR=0 SKIP=0 TOTAL=24/);
    expect(r.stdout).toMatch(/and on postgres .*connection 'oltp'/);
    expect(r.stdout).toMatch(/OK loaded seed file retail\.user_purchase/);

    // The shop's table lives in PostgreSQL, the unload came from there, the warehouse has no copy.
    const [{ n }] = await pgQuery('select count(*)::int as n from retail.user_purchase', { ...c, database: shop });
    expect(n).toBe(400);
    const tables = await queryDuckDB(join(copy.dir, 'warehouse.duckdb'), `select table_schema || '.' || table_name as t from information_schema.tables order by 1`);
    expect(tables.map((t) => t.t)).not.toContain('retail.user_purchase');
    expect(existsSync(join(copy.dir, 'lake', 'stage', 'user_purchase', DS, 'user_purchase.csv'))).toBe(true);

    expect(canonical(await queryDuckDB(join(copy.dir, 'warehouse.duckdb'), METRIC))).toEqual(reference);

    // Re-running the day changes nothing (the unload is replaced, the metric day is replaced).
    const again = copy.tsql(['build', '--ds', DS]);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(canonical(await queryDuckDB(join(copy.dir, 'warehouse.duckdb'), METRIC))).toEqual(reference);
  });
});

// ---------------------------------------------------------------------------------------------
// Redshift: the stand-in (test/redshift-standin) behind the real clients
// ---------------------------------------------------------------------------------------------

/** The AWS SDK's default credential chain finds these; the stand-in accepts any signature. */
const AWS_ENV = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test-secret', AWS_REGION: 'us-east-1' };
const BUCKET = LAKE_BUCKET;

describe('oltp on PostgreSQL, warehouse on Redshift (stand-in)', () => {
  let s3Root = '';
  let api: DataApiStandin;
  let proxy: PgProxy;
  let shop = '';

  beforeAll(async () => {
    s3Root = mkdtempSync(join(tmpdir(), 'tsql-s3-'));
    dirs.push(s3Root);
    mkdirSync(join(s3Root, BUCKET)); // the bucket
    const c = pgConnection();
    shop = await freshDatabase('shop');
    api = await startDataApiStandin({ pg: { ...c, database: 'postgres' }, s3Root });
    proxy = await startPgProxy({ pg: { ...c, database: 'postgres' }, s3Root });
  });

  afterAll(async () => {
    await api?.close();
    await proxy?.close();
  });

  function dataApiProfile(database: string, extra = ''): string {
    return redshiftExampleProfile(redshiftDataApiConnection(api.endpoint, database), oltpOutput(pgConnection(), shop, s3Root), extra);
  }

  async function metricOn(database: string): Promise<string[]> {
    return canonical(await pgQuery(METRIC, { ...pgConnection(), database }));
  }

  it('builds the pipeline through the Data API and gives the same user_behavior_metric', async () => {
    const wh = await freshDatabase('redshift');
    const copy = exampleCopy(dataApiProfile(wh), AWS_ENV);
    const r = await copy.tsqlAsync(['build', '--ds', DS]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Running with tsql on redshift \(data api\) cluster tsql-test/);
    expect(r.stdout).toMatch(/Done\. PASS=24 WARN=0 ERROR=0 SKIP=0 TOTAL=24/);
    expect(r.stderr).not.toMatch(/NodeVersionSupportWarning/);
    // Spectrum: the external schema, tables and the run date's partitions were registered
    const ext = await pgQuery(`select schemaname, tablename, location from svv_external_tables order by tablename`, { ...pgConnection(), database: wh });
    expect(ext).toEqual([
      { schemaname: 'spectrum', tablename: 'classified_movie_review_staging', location: `s3://${BUCKET}/lake/stage/movie_review/` },
      { schemaname: 'spectrum', tablename: 'user_purchase_staging', location: `s3://${BUCKET}/lake/stage/user_purchase/` },
    ]);
    // the reviews were unloaded by Redshift's UNLOAD as parquet
    expect(existsSync(join(s3Root, BUCKET, 'lake', 'stage', 'movie_review', DS))).toBe(true);
    expect(await metricOn(wh)).toEqual(reference);
    expect(api.stats.requests.ExecuteStatement).toBeGreaterThan(10);
    expect(api.stats.requests.GetStatementResult).toBeGreaterThan(0);

    // the same day again: idempotent
    const again = await copy.tsqlAsync(['build', '--ds', DS]);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(await metricOn(wh)).toEqual(reference);
  });

  it('builds the pipeline through the pg driver (method pg) with the same result', async () => {
    const wh = await freshDatabase('redshift');
    const c = pgConnection();
    const copy = exampleCopy(redshiftExampleProfile(redshiftPgConnection(proxy, c, wh), oltpOutput(c, shop, s3Root)));
    const r = await copy.tsqlAsync(['build', '--ds', DS]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Done\. PASS=24 WARN=0 ERROR=0 SKIP=0 TOTAL=24/);
    expect(await metricOn(wh)).toEqual(reference);
  });

  describe('faults', () => {
    let wh = '';
    let copy: Copy;

    beforeAll(async () => {
      wh = await freshDatabase('redshift');
      copy = exampleCopy(dataApiProfile(wh), AWS_ENV);
      const r = await copy.tsqlAsync(['build', '--ds', DS]);
      expect(r.code, r.stdout + r.stderr).toBe(0);
    });

    it('throttling is retried with backoff and the run succeeds', async () => {
      const before = api.stats.throttled;
      api.setFaults({ throttle: 2, throttleTargets: ['ExecuteStatement', 'DescribeStatement'] });
      const r = await copy.tsqlAsync(['run', '--select', 'user_behavior_metric', '--ds', DS]);
      api.setFaults({});
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(api.stats.throttled - before).toBe(2);
      expect(await metricOn(wh)).toEqual(reference);
    });

    it("a FAILED statement fails its node with the statement's error, skips what depends on it, and keeps the table", async () => {
      api.setFaults({ failStatements: [{ match: /delete from .*user_behavior_metric/i, error: 'ERROR: Disk Full' }] });
      const r = await copy.tsqlAsync(['build', '--select', 'user_behavior_metric+', '--ds', DS]);
      api.setFaults({});
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/ERROR creating sql incremental model main\.user_behavior_metric/);
      expect(r.stdout).toMatch(/Disk Full/);
      expect(r.stdout).toMatch(/SKIP=7 /); // its data tests
      expect(await metricOn(wh)).toEqual(reference);
    });

    /** A table that takes `sleep` seconds to build (0 by default), and a view over it. */
    function addSlowModels(): void {
      writeFileSync(join(copy.dir, 'models', 'slow_report.sql'), "{{ config(materialized='table') }}\nselect 1 as id from (select pg_sleep({{ var('sleep', 0) }})) as s");
      writeFileSync(join(copy.dir, 'models', 'slow_child.sql'), "select id from {{ ref('slow_report') }}");
    }

    it('a connection dropped mid-statement fails the node clearly, skips its descendants and leaves the table as it was', async () => {
      addSlowModels();
      const first = await copy.tsqlAsync(['run', '--select', 'slow_report+', '--ds', DS]);
      expect(first.code, first.stdout + first.stderr).toBe(0);
      api.setFaults({ dropBackend: [{ match: /pg_sleep/i, afterMs: 300 }] });
      const r = await copy.tsqlAsync(['run', '--select', 'slow_report+', '--ds', DS, '--vars', '{sleep: 5}']);
      api.setFaults({});
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(r.stdout).toMatch(/ERROR creating sql table model main\.slow_report/);
      expect(r.stdout).toMatch(/terminat/i);
      expect(r.stdout).toMatch(/SKIP sql view model main\.slow_child/);
      expect(await pgQuery('select id from main.slow_report', { ...pgConnection(), database: wh })).toEqual([{ id: 1 }]);
    });

    it('Ctrl-C during a long statement cancels it on the server before tsql exits', async () => {
      addSlowModels();
      const cancelledBefore = api.stats.cancelled;
      let sent = false;
      const t0 = Date.now();
      const r = await copy.tsqlAsync(['run', '--select', 'slow_report', '--ds', DS, '--vars', '{sleep: 60}'], (out, child) => {
        if (!sent && /START sql table model main\.slow_report/.test(out)) {
          sent = true;
          setTimeout(() => child.kill('SIGINT'), 700);
        }
      });
      expect(sent, r.stdout + r.stderr).toBe(true);
      expect(r.code, r.stdout + r.stderr).toBe(130);
      expect(Date.now() - t0).toBeLessThan(30_000);
      expect(r.stderr).toMatch(/Interrupted: cancelling running statements/);
      expect(api.stats.cancelled - cancelledBefore).toBeGreaterThanOrEqual(1);
      // nothing is left sleeping on the server
      const running = await pgQuery(`select count(*)::int as n from pg_stat_activity where state = 'active' and query like '%pg_sleep%' and pid <> pg_backend_pid()`);
      expect(running).toEqual([{ n: 0 }]);
    });
  });

  it('unloads the purchases from PostgreSQL to s3:// (uploaded through the S3 API) with the same user_behavior_metric', async () => {
    const s3 = await startS3Standin({ root: s3Root }); // the same root: the upload lands where Spectrum reads
    try {
      const wh = await freshDatabase('redshift');
      const oltpOnS3 = pgOutput(pgConnection(), shop, `      lake_root: s3://${BUCKET}/lake\n`);
      const profile = redshiftExampleProfile(redshiftDataApiConnection(api.endpoint, wh), oltpOnS3);
      expect(profile).toContain(oltpOnS3);
      const unloaded = join(s3Root, BUCKET, 'lake', 'stage', 'user_purchase', DS, 'user_purchase.csv');
      rmSync(unloaded, { force: true }); // written by the tests above through the local path
      const copy = exampleCopy(profile, { ...AWS_ENV, AWS_ENDPOINT_URL_S3: s3.endpoint });
      const r = await copy.tsqlAsync(['build', '--ds', DS]);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/Done\. PASS=24 WARN=0 ERROR=0 SKIP=0 TOTAL=24/);
      expect(r.stderr).not.toMatch(/NodeVersionSupportWarning/);
      expect(s3.stats.requests.PutObject).toBe(1);
      expect(existsSync(unloaded)).toBe(true);
      expect(readFileSync(join(copy.dir, 'target', 'run', 'user_behavior', 'models', 'lake', 'filter_unload_user_purchase.sql'), 'utf8')).toContain(
        `-- uploaded to s3://${BUCKET}/lake/stage/user_purchase/${DS}/user_purchase.csv`,
      );
      expect(await metricOn(wh)).toEqual(reference);
    } finally {
      await s3.close();
    }
  });
});
