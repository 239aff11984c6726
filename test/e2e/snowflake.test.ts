/**
 * The real CLI on Snowflake: the stand-in (test/snowflake-standin) behind the
 * real snowflake-sdk, executing on DuckDB. Every test works in a schema of its
 * own. The CLI runs without blocking this process (runCliAsync), which serves
 * the stand-in.
 */
import type { ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliAsync, TempProject, type CliResult } from '../helpers/project.js';
import { uniqueSchema } from '../helpers/pg-server.js';
import { FOLDING_EXPECTED, FOLDING_SCHEMA, foldingModel } from '../fixtures/folding.js';
import { FAILING, PASSING, RECENT_UNIT_TESTS, TESTED } from '../fixtures/orders.js';
import { createDuckDBEngine } from '../snowflake-standin/engine.js';
import { startSnowflakeStandin, type SnowflakeStandin } from '../snowflake-standin/server.js';
import type { Engine } from '../snowflake-standin/engine-types.js';
import { sfClient, type SfClient } from '../helpers/snowflake.js';

const PASSWORD_ENV = 'TSQL_TEST_SF_PASSWORD';
const PASSWORD = 'sf-Secret-9f3k';
const DATABASE = 'TSQL_TEST';
const dirs: string[] = [];
const projects: TempProject[] = [];
let root = '';
let engine: Engine;
let standin: SnowflakeStandin;
let client: SfClient;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'tsql-sf-'));
  dirs.push(root);
  mkdirSync(join(root, 'lake'));
  engine = await createDuckDBEngine({ directory: join(root, 'engine'), stages: { LAKE_STAGE: join(root, 'lake') } });
  standin = await startSnowflakeStandin({ engine, users: { tsql: PASSWORD } });
  client = await sfClient(standin, { user: 'tsql', password: PASSWORD, database: DATABASE });
});

afterAll(async () => {
  await client?.close();
  await standin?.close();
  await engine?.close();
  for (const p of projects) p.cleanup();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function profile(schema: string, extra = ''): string {
  const url = new URL(standin.accessUrl);
  return `shop:
  target: dev
  outputs:
    dev:
      type: snowflake
      account: tsqltest
      user: tsql
      password: "{{ env_var('${PASSWORD_ENV}') }}"
      role: transformer
      warehouse: test_wh
      database: ${DATABASE.toLowerCase()}
      schema: ${schema}
      threads: 4
      host: ${url.hostname}
      port: ${url.port}
      protocol: http
      lake_root: "@LAKE_STAGE/${schema}"
${extra}`;
}

interface SfProject {
  p: TempProject;
  schema: string;
  /** the schema as Snowflake names it (upper case) */
  name: string;
  tsql(args: string[], env?: Record<string, string>): Promise<CliResult>;
  rows(sql: string): Promise<Record<string, unknown>[]>;
}

function sfProject(files: Record<string, string>, extraProfile = ''): SfProject {
  const schema = uniqueSchema('sf');
  const p = new TempProject(files, { profile: profile(schema, extraProfile) });
  projects.push(p);
  const name = schema.toUpperCase();
  return {
    p,
    schema,
    name,
    tsql: (args, env = {}) => runCliAsync(args, p.dir, { [PASSWORD_ENV]: PASSWORD, ...env }),
    rows: (sql) => client.query(sql.replaceAll('$schema', `${DATABASE}."${name}"`)),
  };
}

/** The relations tsql built in the project's schema (its run lock's lease table left out). */
async function relationKinds(pp: SfProject): Promise<Record<string, string>> {
  const rows = await client.query(`select table_name, table_type from ${DATABASE}.information_schema.tables where table_schema = '${pp.name}' and table_name <> 'TSQL_RUN_LOCK' order by 1`);
  return Object.fromEntries(rows.map((r) => [String(r.table_name).toLowerCase(), r.table_type === 'VIEW' ? 'view' : r.table_type === 'EXTERNAL TABLE' ? 'external' : 'table']));
}

function ok(r: CliResult): CliResult {
  expect(r.code, r.stdout + r.stderr).toBe(0);
  return r;
}

interface Result {
  unique_id: string;
  status: string;
  failures: number | null;
  message: string;
}

function results(p: TempProject): Record<string, Result> {
  const json = JSON.parse(readFileSync(join(p.dir, 'target/run_results.json'), 'utf8'));
  return Object.fromEntries((json.results as Result[]).map((r) => [r.unique_id.startsWith('test.') ? r.unique_id.split('.')[2] : r.unique_id, r]));
}

const iso = (v: unknown) => (v instanceof Date ? v.toISOString().slice(0, 10) : v === null ? null : String(v));

// ---------------------------------------------------------------- models and seeds

const TRICKY_SEED = [
  'id,name,note,amount,day,active',
  '1,"Smith, Ann","she said ""hi""",12.50,2024-01-01,true',
  '2,Bob,"two',
  'lines",-3,2024-02-29,false',
  '3,,"",0.25,,',
  '4,"",plain,,2024-12-31,true',
  '5,"a\\b",\'single\',1000000.00,2024-06-01,false',
  '',
].join('\n');

const TRICKY_ROWS = [
  { id: 1, name: 'Smith, Ann', note: 'she said "hi"', amount: 12.5, day: '2024-01-01', active: true },
  { id: 2, name: 'Bob', note: 'two\nlines', amount: -3, day: '2024-02-29', active: false },
  { id: 3, name: null, note: '', amount: 0.25, day: null, active: null },
  { id: 4, name: '', note: 'plain', amount: null, day: '2024-12-31', active: true },
  { id: 5, name: 'a\\b', note: "'single'", amount: 1000000, day: '2024-06-01', active: false },
];

describe('snowflake: models and seeds', () => {
  it('seeds values with commas, quotes, newlines, nulls and empty strings exactly, with bound inserts and through PUT + COPY', async () => {
    for (const [threshold, message] of [
      [10_000, /INSERT 5/],
      [2, /INSERT 5/],
    ] as const) {
      const pp = sfProject({ 'seeds/people.csv': TRICKY_SEED }, `      seed_put_threshold_rows: ${threshold}\n`);
      const r = ok(await pp.tsql(['seed']));
      expect(r.stdout).toMatch(message);
      const rows = await pp.rows('select id, name, note, amount, day, active from $schema.people order by id');
      expect(rows.map((row) => ({ ...row, day: iso(row.day) }))).toEqual(TRICKY_ROWS);
      const types = await pp.rows(`select data_type from ${DATABASE}.information_schema.columns where table_schema = '${pp.name}' and table_name = 'PEOPLE' order by ordinal_position`);
      expect(types.map((t) => t.data_type)).toEqual(['NUMBER', 'TEXT', 'TEXT', 'NUMBER', 'DATE', 'BOOLEAN']);
      // a second seed swaps the new table in; it does not append
      ok(await pp.tsql(['seed']));
      expect(await pp.rows('select count(*) as n from $schema.people')).toEqual([{ n: 5 }]);
      expect(Object.keys(await relationKinds(pp))).toEqual(['people']);
    }
    // the second project's seed went through PUT to its table stage (once per seed run)
    const puts = standin.stats.puts.filter((p) => /people__tsql_tmp\.csv'/i.test(p.sqlText));
    expect(puts.length).toBeGreaterThanOrEqual(2);
    expect(puts[0].sqlText).toMatch(/^put 'file:\/\/.*people__tsql_tmp\.csv' @"TSQL_TEST"\."SF_[A-Z0-9_]+"\.%"PEOPLE__TSQL_TMP" auto_compress = true overwrite = true$/);
  });

  it('builds views, tables and ephemeral models, and rebuilds them over themselves', async () => {
    const pp = sfProject({
      'seeds/raw_orders.csv': 'id,customer,amount\n1,ann,10\n2,bob,20\n3,ann,5\n',
      'models/stg_orders.sql': `{{ config(materialized='ephemeral') }}\nselect id, customer, amount * 2 as amount from {{ ref('raw_orders') }}\n`,
      'models/orders.sql': `{{ config(materialized='table', cluster_by=['customer']) }}\nselect * from {{ ref('stg_orders') }}\n`,
      'models/by_customer.sql': `{{ config(materialized='view') }}\nselect customer, sum(amount) as total, count(*) as n from {{ ref('orders') }} group by customer\n`,
      'models/big.sql': `{{ config(materialized='view', secure=true) }}\nselect * from {{ ref('by_customer') }} where total > 20\n`,
    });
    const r = ok(await pp.tsql(['build']));
    expect(r.stdout).toMatch(/CREATE TABLE \(3 rows\)/);
    expect(r.stdout).toMatch(/CREATE VIEW/);
    expect(await relationKinds(pp)).toEqual({ big: 'view', by_customer: 'view', orders: 'table', raw_orders: 'table' });
    expect(await pp.rows('select customer, total, n from $schema.by_customer order by 1')).toEqual([
      { customer: 'ann', total: 30, n: 2 },
      { customer: 'bob', total: 40, n: 1 },
    ]);
    const transient = await pp.rows(`select table_name, is_transient from ${DATABASE}.information_schema.tables where table_schema = '${pp.name}' and table_type = 'BASE TABLE' and table_name <> 'TSQL_RUN_LOCK' order by 1`);
    expect(transient).toEqual([
      { table_name: 'ORDERS', is_transient: 'YES' },
      { table_name: 'RAW_ORDERS', is_transient: 'YES' },
    ]);
    const run = readFileSync(join(pp.p.dir, 'target/run/shop/models/orders.sql'), 'utf8');
    expect(run).toMatch(/create or replace transient table "TSQL_TEST"\."[A-Z0-9_]+"\."ORDERS" cluster by \(customer\) as \(/);
    ok(await pp.tsql(['build']));
    expect(await pp.rows('select customer from $schema.big order by 1')).toEqual([{ customer: 'ann' }, { customer: 'bob' }]);
    // a view turned into a table, and a permanent table
    pp.p.write({ 'models/by_customer.sql': `{{ config(materialized='table', transient=false) }}\nselect customer, sum(amount) as total, count(*) as n from {{ ref('orders') }} group by customer\n` });
    ok(await pp.tsql(['run']));
    expect((await relationKinds(pp)).by_customer).toBe('table');
    expect(await pp.rows(`select is_transient from ${DATABASE}.information_schema.tables where table_schema = '${pp.name}' and table_name = 'BY_CUSTOMER'`)).toEqual([{ is_transient: 'NO' }]);
  });

  it('a failed table or view build leaves the old one intact and shows Snowflake\'s error', async () => {
    const pp = sfProject({
      'models/totals.sql': `{{ config(materialized='table') }}\nselect 1 as id, 'kept' as label\n`,
      'models/v.sql': `select 1 as id\n`,
    });
    ok(await pp.tsql(['run']));
    pp.p.write({
      'models/totals.sql': `{{ config(materialized='table') }}\nselect 1 / 0 as id, 'new' as label\n`,
      'models/v.sql': `select no_such_column from (select 1 as id) t\n`,
    });
    const r = await pp.tsql(['run']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/Failure in model totals \(models\/totals\.sql\)\n.*Snowflake error 100051 \(22012\): Division by zero/);
    expect(r.stdout).toMatch(/Failure in model v \(models\/v\.sql\)\n.*Snowflake error 000904 \(42000\): SQL compilation error: .*invalid identifier 'NO_SUCH_COLUMN'/);
    expect(await pp.rows('select id, label from $schema.totals')).toEqual([{ id: 1, label: 'kept' }]);
    expect(await pp.rows('select id from $schema.v')).toEqual([{ id: 1 }]);
  });
});

describe('snowflake: unload models', () => {
  it('writes the query result into the stage with COPY INTO, replacing the previous file', async () => {
    const pp = sfProject({
      'models/export.sql': `{{ config(materialized='unload', location='exports/orders.csv', options={'delimiter': '|'}) }}
select * from (values (1, 'a|b'), (2, null), (3, 'say "hi"')) as t(id, note) order by id
`,
      'models/reviews.sql': `{{ config(materialized='unload', location='exports/' ~ ds ~ '/', format='parquet') }}
select 7 as cid, true as positive_review
`,
    });
    const r = ok(await pp.tsql(['run', '--ds', '2024-01-03']));
    expect(r.stdout).toMatch(/UNLOAD 3/);
    const folder = join(root, 'lake', pp.schema, 'exports');
    expect(readFileSync(join(folder, 'orders.csv'), 'utf8')).toBe('ID|NOTE\n1|"a|b"\n2|\n3|"say ""hi"""\n');
    expect(readdirSync(join(folder, '2024-01-03'))).toEqual(['reviews.parquet']);
    const json = JSON.parse(readFileSync(join(pp.p.dir, 'target/run_results.json'), 'utf8'));
    expect(json.results.map((x: { location?: string }) => x.location).sort()).toEqual([`@LAKE_STAGE/${pp.schema}/exports/2024-01-03/reviews.parquet`, `@LAKE_STAGE/${pp.schema}/exports/orders.csv`]);

    // a re-run whose query has no rows leaves no older file behind (Snowflake writes none)
    pp.p.write({ 'models/export.sql': `{{ config(materialized='unload', location='exports/orders.csv') }}\nselect 1 as id where false\n` });
    expect(ok(await pp.tsql(['run', '--select', 'export'])).stdout).toMatch(/UNLOAD 0/);
    expect(readdirSync(folder).sort()).toEqual(['2024-01-03']);
    const run = readFileSync(join(pp.p.dir, 'target/run/shop/models/export.sql'), 'utf8');
    expect(run).toContain(`remove @LAKE_STAGE/${pp.schema}/exports/orders.csv pattern = '(.*/)?orders\\\\.csv';`);
  });
});

// ---------------------------------------------------------------- incremental

function incremental(config: string): SfProject {
  return sfProject({
    'seeds/events.csv': 'id,day,value\n1,2024-01-01,10\n2,2024-01-01,20\n3,2024-01-02,30\n',
    'models/daily.sql': `{{ config(${config}) }}
select id, day, value
from {{ ref('events') }}
{% if is_incremental() %}
where day >= (select max(day) from {{ this }})
{% endif %}
`,
  });
}

describe('snowflake: incremental models', () => {
  it('append inserts only the new batch; --full-refresh rebuilds', async () => {
    const pp = incremental(`materialized='incremental'`);
    ok(await pp.tsql(['build']));
    expect(await pp.rows('select count(*) as n from $schema.daily')).toEqual([{ n: 3 }]);
    expect(ok(await pp.tsql(['run'])).stdout).toMatch(/APPEND \(1 rows\)/);
    expect(await pp.rows('select count(*) as n from $schema.daily')).toEqual([{ n: 4 }]);
    expect(ok(await pp.tsql(['run', '--full-refresh'])).stdout).toMatch(/CREATE TABLE \(3 rows\)/);
  });

  it('delete+insert is idempotent, in one transaction', async () => {
    const pp = incremental(`materialized='incremental', unique_key='id', incremental_strategy='delete+insert'`);
    ok(await pp.tsql(['build']));
    pp.p.write({ 'seeds/events.csv': 'id,day,value\n1,2024-01-01,10\n2,2024-01-01,20\n3,2024-01-02,31\n4,2024-01-02,40\n' });
    ok(await pp.tsql(['seed']));
    for (let i = 0; i < 2; i++) expect(ok(await pp.tsql(['run'])).stdout).toMatch(/DELETE\+INSERT \(2 rows\)/);
    expect(await pp.rows('select id, value from $schema.daily order by id')).toEqual([
      { id: 1, value: 10 },
      { id: 2, value: 20 },
      { id: 3, value: 31 },
      { id: 4, value: 40 },
    ]);
    const run = readFileSync(join(pp.p.dir, 'target/run/shop/models/daily.sql'), 'utf8');
    expect(run).toMatch(/begin;\s+delete from .*using .*;\s+insert into .*;\s+commit;/s);
  });

  it('merge updates matched rows and inserts new ones, idempotently', async () => {
    const pp = incremental(`materialized='incremental', unique_key=['id'], incremental_strategy='merge'`);
    ok(await pp.tsql(['build']));
    pp.p.write({ 'seeds/events.csv': 'id,day,value\n1,2024-01-01,10\n3,2024-01-02,33\n5,2024-01-03,50\n' });
    ok(await pp.tsql(['seed']));
    for (let i = 0; i < 2; i++) expect(ok(await pp.tsql(['run'])).stdout).toMatch(/MERGE \(\d+ rows\)/);
    expect(await pp.rows('select id, value from $schema.daily order by id')).toEqual([
      { id: 1, value: 10 },
      { id: 2, value: 20 },
      { id: 3, value: 33 },
      { id: 5, value: 50 },
    ]);
  });

  it('a failing batch leaves the existing rows untouched', async () => {
    const pp = incremental(`materialized='incremental', unique_key='id'`);
    ok(await pp.tsql(['build']));
    pp.p.write({ 'models/daily.sql': `{{ config(materialized='incremental', unique_key='id') }}\nselect id, day, value / (value - value) as value from {{ ref('events') }}\n` });
    expect((await pp.tsql(['run'])).code).toBe(1);
    expect(await pp.rows('select id, value from $schema.daily order by id')).toEqual([
      { id: 1, value: 10 },
      { id: 2, value: 20 },
      { id: 3, value: 30 },
    ]);
  });

  it('on_schema_change append_new_columns adds the new column with its type', async () => {
    const model = (cols: string) => `{{ config(materialized='incremental', unique_key='id', on_schema_change='append_new_columns') }}
select ${cols} from (select 1 as id, cast(1.50 as number(6, 2)) as amount, cast('a' as varchar(5)) as code) as t
`;
    const pp = sfProject({ 'models/m.sql': model('id, amount') });
    ok(await pp.tsql(['run']));
    pp.p.write({ 'models/m.sql': model('id, amount, code') });
    ok(await pp.tsql(['run']));
    expect(await pp.rows(`select column_name, data_type, numeric_precision, numeric_scale, character_maximum_length as len from ${DATABASE}.information_schema.columns where table_schema = '${pp.name}' and table_name = 'M' order by ordinal_position`)).toEqual([
      { column_name: 'ID', data_type: 'NUMBER', numeric_precision: 38, numeric_scale: 0, len: null },
      { column_name: 'AMOUNT', data_type: 'NUMBER', numeric_precision: 6, numeric_scale: 2, len: null },
      // (the stand-in keeps no declared varchar lengths: Snowflake would say 5)
      { column_name: 'CODE', data_type: 'TEXT', numeric_precision: null, numeric_scale: null, len: 16777216 },
    ]);
    const run = readFileSync(join(pp.p.dir, 'target/run/shop/models/m.sql'), 'utf8');
    expect(run).toMatch(/alter table "TSQL_TEST"\."[A-Z0-9_]+"\."M" add column "CODE" VARCHAR\(16777216\);/);
    expect(await pp.rows('select id, amount, code from $schema.m')).toEqual([{ id: 1, amount: 1.5, code: 'a' }]);
  });
});

// ---------------------------------------------------------------- data tests

describe('snowflake: data tests', () => {
  it('pass and fail with exact counts, folded (the default) and one query per test alike', async () => {
    const pp = sfProject(TESTED);
    ok(await pp.tsql(['run']));
    const outcomes: Array<Record<string, Result>> = [];
    for (const flag of [[], ['--no-fold-tests']]) {
      const r = await pp.tsql(['test', ...flag]);
      expect(r.code, r.stdout + r.stderr).toBe(1);
      const res = results(pp.p);
      for (const [name, n] of Object.entries(FAILING)) {
        expect(res[name], `${flag} ${name}`).toMatchObject({ status: 'fail', failures: n, message: `Got ${n} result${n === 1 ? '' : 's'}, configured to fail if != 0` });
      }
      for (const name of PASSING) expect(res[name], `${flag} ${name}`).toMatchObject({ status: 'pass', failures: 0 });
      outcomes.push(res);
      if (!flag.length) {
        const dir = join(pp.p.dir, 'target/run/shop/models/schema.yml');
        const run = readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
        expect(run).toMatch(/counted by one scan of "TSQL_TEST"\."[A-Z0-9_]+"\."ORDERS" shared by \d+ tests/);
      }
    }
    const strip = (res: Record<string, Result>) => Object.fromEntries(Object.entries(res).map(([k, v]) => [k, { status: v.status, failures: v.failures, message: v.message }]));
    expect(strip(outcomes[0])).toEqual(strip(outcomes[1]));
  });

  it('folding: where, limit, severity and thresholds give the same results folded and unfolded', async () => {
    const pp = sfProject({ 'models/data.sql': foldingModel('(select seq4() + 1 as i from table(generator(rowcount => 1000))) as t'), 'models/schema.yml': FOLDING_SCHEMA });
    ok(await pp.tsql(['run']));
    expect((await pp.tsql(['test', '--fold-tests'])).code).toBe(1);
    const folded = results(pp.p);
    expect((await pp.tsql(['test', '--no-fold-tests'])).code).toBe(1);
    const single = results(pp.p);
    const strip = (res: Record<string, Result>) => Object.fromEntries(Object.entries(res).map(([k, v]) => [k, { status: v.status, failures: v.failures, message: v.message }]));
    expect(strip(folded)).toEqual(strip(single));
    expect(strip(folded)).toMatchObject(FOLDING_EXPECTED);
  });

  it('store_failures keeps the failing rows in the audit schema', async () => {
    const pp = sfProject({
      ...TESTED,
      'models/schema.yml': `version: 2
models:
  - name: orders
    columns:
      - name: id
        data_tests:
          - unique:
              config: {store_failures: true}
`,
    });
    ok(await pp.tsql(['run']));
    expect((await pp.tsql(['test'])).code).toBe(1);
    expect(await client.query(`select unique_field, n_records as n from ${DATABASE}."${pp.name}_TSQL_TEST__AUDIT".unique_orders_id order by 1`)).toEqual([
      { unique_field: 2, n: 2 },
      { unique_field: 3, n: 3 },
    ]);
  });

  it('unit tests run over literal inputs, cast to the inputs’ column types', async () => {
    const pp = sfProject({
      'models/customers.sql': `{{ config(materialized='table') }}\nselect 1 as id, 'ann' as name, cast('2024-01-01' as date) as signup_date, cast(1.50 as number(6,2)) as credit\n`,
      'models/recent.sql': `select id, upper(name) as name, signup_date, credit * 2 as credit from {{ ref('customers') }} where signup_date >= '2024-01-15'::date\n`,
      'models/unit.yml': RECENT_UNIT_TESTS,
    });
    ok(await pp.tsql(['run', '--select', 'customers']));
    const r = await pp.tsql(['test', '--select', 'recent']);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const byName = Object.fromEntries(Object.values(results(pp.p)).map((v) => [v.unique_id.split('.').pop(), v]));
    expect(byName.recent_only).toMatchObject({ status: 'pass' });
    expect(byName.recent_wrong).toMatchObject({ status: 'fail', failures: 2 });
  });

  it('source freshness measures the age of the newest row by the warehouse clock', async () => {
    const pp = sfProject({});
    pp.p.write({
      'models/sources.yml': `version: 2
sources:
  - name: raw
    schema: ${pp.schema}
    loaded_at_field: loaded_at
    tables:
      - name: events
        freshness:
          warn_after: {count: 1, period: hour}
          error_after: {count: 1, period: day}
`,
    });
    await client.query(`create schema ${DATABASE}."${pp.name}"`);
    await client.query(`create table ${DATABASE}."${pp.name}".events as select dateadd(hour, -3, convert_timezone('UTC', current_timestamp())::timestamp_ntz) as loaded_at`);
    const r = await pp.tsql(['source', 'freshness']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const json = JSON.parse(readFileSync(join(pp.p.dir, 'target/sources.json'), 'utf8'));
    expect(json.results[0]).toMatchObject({ status: 'warn' });
    expect(Math.round(json.results[0].max_loaded_at_time_ago_in_s / 60)).toBe(180);
  });
});

describe('snowflake: names', () => {
  it('folds names as Snowflake does, and dbt\'s quoting: keeps a loader\'s lower-case table exact', async () => {
    const pp = sfProject({});
    await client.query(`create schema ${DATABASE}."${pp.name}_RAW"`);
    await client.query(`create table ${DATABASE}."${pp.name}_RAW"."events" as select 1 as id`);
    pp.p.write({
      'models/sources.yml': `version: 2
sources:
  - name: raw
    schema: ${pp.schema}_raw
    tables:
      - name: events
        quoting: {identifier: true}
      - name: events_folded
        identifier: events
`,
      'models/from_quoted.sql': `select id from {{ source('raw', 'events') }}\n`,
      'models/from_folded.sql': `select id from {{ source('raw', 'events_folded') }}\n`,
    });
    ok(await pp.tsql(['run']));
    // (the stand-in resolves names without regard to case, as DuckDB does: the SQL sent shows the difference)
    const compiled = (m: string) => readFileSync(join(pp.p.dir, `target/compiled/shop/models/${m}.sql`), 'utf8');
    expect(compiled('from_quoted')).toContain(`from "TSQL_TEST"."${pp.name}_RAW"."events"`);
    expect(compiled('from_folded')).toContain(`from "TSQL_TEST"."${pp.name}_RAW"."EVENTS"`);
    expect(await pp.rows('select id from $schema.from_quoted')).toEqual([{ id: 1 }]);
  });
});

describe('snowflake: the pull-request check', () => {
  it('state:modified+ with --defer reads production for unchanged parents; --empty builds 0 rows', async () => {
    const prodSchema = uniqueSchema('sf');
    const files = {
      'seeds/raw.csv': 'id,amount\n1,10\n2,20\n3,30\n',
      'models/stg.sql': `select id, amount from {{ ref('raw') }}\n`,
      'models/big.sql': `{{ config(materialized='table') }}\nselect id from {{ ref('stg') }} where amount > 15\n`,
    };
    const pp = sfProject(files);
    // two outputs of one profile: production's schema and the pull request's
    const prodProfile = profile(prodSchema).replace('  target: dev\n', '  target: prod\n').replace('    dev:\n', '    prod:\n');
    pp.p.write({ 'profiles.yml': prodProfile + profile(pp.schema).split('\n  outputs:\n')[1].replace('    dev:\n', '    ci:\n') });
    ok(await pp.tsql(['build', '--target', 'prod']));
    const state = join(pp.p.dir, 'prod-artifacts');
    cpSync(join(pp.p.dir, 'target'), state, { recursive: true });
    pp.p.write({ 'models/big.sql': `{{ config(materialized='table') }}\nselect id, amount from {{ ref('stg') }} where amount > 15\n` });
    const r = ok(await pp.tsql(['build', '--select', 'state:modified+', '--defer', '--state', state, '--target', 'ci']));
    expect(r.stdout).toContain(`"TSQL_TEST"."${prodSchema.toUpperCase()}"."STG"`);
    expect(await pp.rows('select id, amount from $schema.big order by id')).toEqual([
      { id: 2, amount: 20 },
      { id: 3, amount: 30 },
    ]);
    expect(Object.keys(await relationKinds(pp))).toEqual(['big']);
    // the data diff against production, computed by Snowflake: one column added, the same 2 rows
    const diff = ok(await pp.tsql(['diff', '--state', state, '--target', 'ci', '--output', 'json']));
    const big = JSON.parse(diff.stdout.trim().split('\n').find((l) => l.includes('"big"'))!);
    expect(big).toMatchObject({ unique_id: 'model.shop.big', status: 'compared', rows: { prod: 2, pr: 2 }, columns: { added: [expect.objectContaining({ name: 'AMOUNT' })], removed: [] } });
    ok(await pp.tsql(['build', '--select', 'state:modified+', '--defer', '--state', state, '--target', 'ci', '--empty']));
    expect(await pp.rows('select count(*) as n from $schema.big')).toEqual([{ n: 0 }]);
  });
});

// ---------------------------------------------------------------- sessions, faults, Ctrl-C

describe('snowflake: connecting and faults', () => {
  it('tsql debug connects; a wrong password fails in one line without showing it', async () => {
    const pp = sfProject({ 'models/m.sql': 'select 1 as id\n' });
    const good = await pp.tsql(['debug']);
    expect(good.code, good.stdout + good.stderr).toBe(0);
    expect(good.stdout).toMatch(/snowflake tsql@tsqltest\/tsql_test\.sf_[a-z0-9_]+ warehouse test_wh role transformer via http:\/\/127\.0\.0\.1:\d+ \[OK connection ok\]/);
    expect(good.stdout).toMatch(/password: \*{8}/);
    expect(good.stdout + good.stderr).not.toContain(PASSWORD);

    const wrong = 'Wr0ng-Secret-77';
    const bad = await pp.tsql(['run'], { [PASSWORD_ENV]: wrong });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/cannot connect to snowflake \(snowflake tsql@tsqltest.*\): Snowflake error 390100: Incorrect username or password was specified\./);
    expect(bad.stdout + bad.stderr).not.toContain(wrong);
    expect(bad.stderr).not.toMatch(/\n\s+at .*:\d+:\d+/);
  });

  it('key-pair authentication: an encrypted private key file and its passphrase from the environment', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'key-Pass-5' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    const keyFile = join(root, 'rsa_key.p8');
    writeFileSync(keyFile, privateKey, { mode: 0o600 });
    const url = new URL(standin.accessUrl);
    const p = new TempProject(
      { 'models/m.sql': 'select 1 as id\n' },
      {
        profile: `shop:\n  target: dev\n  outputs:\n    dev:\n      type: snowflake\n      account: tsqltest\n      user: tsql\n      private_key_path: ${keyFile}\n      private_key_passphrase: "{{ env_var('TSQL_TEST_KEY_PASS') }}"\n      database: ${DATABASE}\n      schema: ${uniqueSchema('sf')}\n      host: ${url.hostname}\n      port: ${url.port}\n      protocol: http\n`,
      },
    );
    projects.push(p);
    const logins = standin.stats.logins;
    const r = await runCliAsync(['run'], p.dir, { TSQL_TEST_KEY_PASS: 'key-Pass-5' });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(standin.stats.logins).toBeGreaterThan(logins);
    expect(r.stdout + r.stderr).not.toContain('key-Pass-5');
    // a wrong passphrase is a profile mistake: named on its line, nothing run
    const wrong = await runCliAsync(['run'], p.dir, { TSQL_TEST_KEY_PASS: 'not-it' });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/^error: profiles\.yml:9: 'shop\.outputs\.dev\.private_key_passphrase' does not decrypt the private key$/m);
    expect(wrong.stdout + wrong.stderr).not.toContain('not-it');
  });

  it('OAuth: the access token from the environment, never shown', async () => {
    const url = new URL(standin.accessUrl);
    const p = new TempProject(
      { 'models/m.sql': 'select 1 as id\n' },
      {
        profile: `shop:\n  target: dev\n  outputs:\n    dev:\n      type: snowflake\n      account: tsqltest\n      user: tsql\n      authenticator: oauth\n      token: "{{ env_var('TSQL_TEST_OAUTH') }}"\n      database: ${DATABASE}\n      schema: ${uniqueSchema('sf')}\n      host: ${url.hostname}\n      port: ${url.port}\n      protocol: http\n`,
      },
    );
    projects.push(p);
    const token = 'ver:1-hint:123-ETMsDgAAAYoauth-token-value';
    const r = await runCliAsync(['run'], p.dir, { TSQL_TEST_OAUTH: token });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const debug = await runCliAsync(['debug'], p.dir, { TSQL_TEST_OAUTH: token });
    expect(debug.stdout).toMatch(/token: \*{8}/);
    expect(r.stdout + r.stderr + debug.stdout + debug.stderr).not.toContain(token);
    const artifacts = readdirSync(join(p.dir, 'target'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    expect(artifacts.length).toBeGreaterThan(2);
    expect(artifacts.filter((e) => readFileSync(join(e.parentPath, e.name), 'utf8').includes(token)).map((e) => e.name)).toEqual([]);
  });

  it('throttling (429, 503) and an expired session are retried to success; the query tag is set', async () => {
    const pp = sfProject({ 'seeds/s.csv': 'id\n1\n2\n', 'models/m.sql': `{{ config(materialized='table') }}\nselect * from {{ ref('s') }}\n` }, '      query_tag: nightly\n');
    standin.setFaults({ throttle: { status: 429, times: 2, path: 'query' } });
    ok(await pp.tsql(['seed']));
    standin.setFaults({ throttle: { status: 503, times: 2, path: 'query' }, expireSession: { times: 1 } });
    const r = ok(await pp.tsql(['run']));
    expect(r.stdout).toMatch(/CREATE TABLE \(2 rows\)/);
    standin.setFaults({});
    expect(standin.stats.throttled).toBeGreaterThanOrEqual(4);
    expect(standin.stats.tokenRenewals).toBeGreaterThanOrEqual(1);
    expect(standin.stats.queries.map((q) => q.sqlText)).toContain("alter session set query_tag = 'nightly'");
    expect(await pp.rows('select count(*) as n from $schema.m')).toEqual([{ n: 2 }]);
  });

  it('a failed statement shows Snowflake\'s code and message, skips its descendants and keeps the table', async () => {
    const pp = sfProject({
      'models/a.sql': `{{ config(materialized='table') }}\nselect 1 as id\n`,
      'models/b.sql': `select * from {{ ref('a') }}\n`,
    });
    ok(await pp.tsql(['run']));
    standin.setFaults({ failQuery: { match: /create or replace transient table .*"A" as/, code: '090105', message: 'Cannot perform CREATE TABLE. This session does not have a current warehouse.', sqlState: '57P03' } });
    const r = await pp.tsql(['run']);
    standin.setFaults({});
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/Failure in model a \(models\/a\.sql\)\n.*Snowflake error 090105 \(57P03\): Cannot perform CREATE TABLE\. This session does not have a current warehouse\./);
    expect(r.stdout).toMatch(/SKIP/);
    expect(await pp.rows('select id from $schema.a')).toEqual([{ id: 1 }]);
  });

  it('Ctrl-C aborts the statement on the server and exits 130', async () => {
    // the service holds the statement (the slowQuery fault) until it is aborted
    const pp = sfProject({ 'models/slow.sql': `{{ config(materialized='table') }}\nselect 1 as id, 'held' as w\n` });
    standin.setFaults({ slowQuery: { match: /'held' as w/, ms: 60_000 } });
    const aborts = standin.stats.aborts.length;
    const t0 = Date.now();
    let child: ChildProcess | undefined;
    const done = runCliAsync(['run'], pp.p.dir, { [PASSWORD_ENV]: PASSWORD }, (_out, c) => (child = c));
    while (!child || !standin.stats.queries.some((q) => q.sqlText.includes("'held' as w"))) {
      if (Date.now() - t0 > 20_000) throw new Error('the slow model never started');
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGINT');
    const r = await done;
    standin.setFaults({});
    expect(r.code, r.stdout + r.stderr).toBe(130);
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(standin.stats.aborts.length).toBeGreaterThan(aborts);
    expect(standin.stats.aborts.at(-1)?.sqlText).toMatch(/'held' as w/);
    expect(await relationKinds(pp)).toEqual({});
  });
});
