/**
 * The example pipeline on the engines it is meant for, through the real CLI:
 * the shop's purchases on PostgreSQL (the `oltp` connection), the warehouse on
 * DuckDB or on Redshift (the local stand-in, through the real Data API client
 * and the real pg driver). `user_behavior_metric` must be the same everywhere.
 */
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryDuckDB, REPO_ROOT, runCli, runCliAsync, type CliResult } from '../helpers/project.js';
import { pgConnection, pgQuery, type PgConnectionInfo } from '../helpers/pg-server.js';

const DS = '2024-01-03';
const PASSWORD_ENV = 'TSQL_TEST_PG_PASSWORD';
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

function pgOutput(c: PgConnectionInfo, dbname: string, extra: string): string {
  return `      type: postgres
      host: ${c.host}
      port: ${c.port}
      user: ${c.user}
      password: "{{ env_var('${PASSWORD_ENV}') }}"
      dbname: ${dbname}
      schema: public
      threads: 2
${extra}`;
}

interface Copy {
  dir: string;
  tsql(args: string[]): CliResult;
  tsqlAsync(args: string[]): Promise<CliResult>;
}

function exampleCopy(profile: string): Copy {
  const dir = mkdtempSync(join(tmpdir(), 'tsql-engines-'));
  dirs.push(dir);
  for (const entry of ['tsql_project.yml', 'models', 'macros', 'seeds', 'tests']) {
    if (existsSync(join(REPO_ROOT, entry))) cpSync(join(REPO_ROOT, entry), join(dir, entry), { recursive: true });
  }
  writeFileSync(join(dir, 'profiles.yml'), profile);
  const env = { [PASSWORD_ENV]: pgConnection().password };
  return { dir, tsql: (args) => runCli(args, dir, env), tsqlAsync: (args) => runCliAsync(args, dir, env) };
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
        String(r.insert_date).slice(0, 10),
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
