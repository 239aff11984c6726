import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, useProjects, type CliResult, type TempProject } from '../helpers/project.js';
import { pgConnection, pgProfile, pgQuery, uniqueSchema } from '../helpers/pg-server.js';
import { FOLDING_EXPECTED, FOLDING_SCHEMA, foldingModel } from '../fixtures/folding.js';
import { FAILING, PASSING, RECENT_UNIT_TESTS, TESTED } from '../fixtures/orders.js';

/**
 * The real CLI against the real PostgreSQL test server (test/global-setup.ts),
 * with a `type: postgres` profile whose password comes from env_var(). Every
 * test works in a schema of its own, dropped afterwards.
 */

const project = useProjects();
const PASSWORD_ENV = 'TSQL_TEST_PG_PASSWORD';
const schemas: string[] = [];

afterEach(async () => {
  const drop = schemas.splice(0);
  if (drop.length) await pgQuery(drop.map((s) => `drop schema if exists "${s}" cascade`).join(';\n'));
});

interface PgProject {
  p: TempProject;
  schema: string;
  tsql(args: string[], env?: Record<string, string>): CliResult;
  rows(sql: string): Promise<Record<string, unknown>[]>;
}

function pgProject(files: Record<string, string>): PgProject {
  const schema = uniqueSchema('e2e');
  schemas.push(schema, `${schema}_tsql_test__audit`);
  const p = project(files, { profile: pgProfile(schema, PASSWORD_ENV, { threads: 4 }) });
  return {
    p,
    schema,
    tsql: (args, env = {}) => p.tsql(args, { [PASSWORD_ENV]: pgConnection().password, ...env }),
    rows: (sql) => pgQuery(sql.replaceAll('$schema', `"${schema}"`)),
  };
}

/** Tables and views in the project's schema, as name → 'table' | 'view'. */
async function relationKinds(pp: PgProject): Promise<Record<string, string>> {
  const rows = await pgQuery(`select table_name, table_type from information_schema.tables where table_schema = '${pp.schema}' order by 1`);
  return Object.fromEntries(rows.map((r) => [String(r.table_name), r.table_type === 'VIEW' ? 'view' : 'table']));
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

/** run_results.json entries keyed by test name (tests) or unique_id. */
function results(p: TempProject): Record<string, Result> {
  const json = JSON.parse(readFileSync(join(p.dir, 'target/run_results.json'), 'utf8'));
  return Object.fromEntries((json.results as Result[]).map((r) => [r.unique_id.startsWith('test.') ? r.unique_id.split('.')[2] : r.unique_id, r]));
}

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

describe('postgres: models and seeds', () => {
  it('seeds values with commas, quotes, newlines, nulls and empty strings exactly', async () => {
    const pp = pgProject({ 'seeds/people.csv': TRICKY_SEED });
    const r = ok(pp.tsql(['seed']));
    expect(r.stdout).toMatch(/INSERT 5/);
    const rows = await pp.rows('select id, name, note, amount::text as amount, day::text as day, active from $schema.people order by id');
    expect(rows).toEqual([
      { id: 1, name: 'Smith, Ann', note: 'she said "hi"', amount: '12.50', day: '2024-01-01', active: true },
      { id: 2, name: 'Bob', note: 'two\nlines', amount: '-3.00', day: '2024-02-29', active: false },
      { id: 3, name: null, note: '', amount: '0.25', day: null, active: null },
      { id: 4, name: '', note: 'plain', amount: null, day: '2024-12-31', active: true },
      { id: 5, name: 'a\\b', note: "'single'", amount: '1000000.00', day: '2024-06-01', active: false },
    ]);
    const types = await pp.rows(
      `select column_name, data_type from information_schema.columns where table_schema = '${pp.schema}' and table_name = 'people' order by ordinal_position`,
    );
    expect(types.map((t) => t.data_type)).toEqual(['integer', 'text', 'text', 'numeric', 'date', 'boolean']);
    // a second seed replaces the table (swap), it does not append
    ok(pp.tsql(['seed']));
    expect(await pp.rows('select count(*)::int as n from $schema.people')).toEqual([{ n: 5 }]);
  });

  it('builds views, tables and ephemeral models, and rebuilds them over themselves', async () => {
    const pp = pgProject({
      'seeds/raw_orders.csv': 'id,customer,amount\n1,ann,10\n2,bob,20\n3,ann,5\n',
      'models/stg_orders.sql': `{{ config(materialized='ephemeral') }}\nselect id, customer, amount * 2 as amount from {{ ref('raw_orders') }}\n`,
      'models/orders.sql': `{{ config(materialized='table') }}\nselect * from {{ ref('stg_orders') }}\n`,
      'models/by_customer.sql': `{{ config(materialized='view') }}\nselect customer, sum(amount) as total, count(*) as n from {{ ref('orders') }} group by customer\n`,
      'models/big.sql': `{{ config(materialized='view') }}\nselect * from {{ ref('by_customer') }} where total > 20\n`,
    });
    const r = ok(pp.tsql(['build']));
    expect(r.stdout).toMatch(/CREATE TABLE \(3 rows\)/);
    expect(r.stdout).toMatch(/CREATE VIEW/);
    expect(await relationKinds(pp)).toEqual({ big: 'view', by_customer: 'view', orders: 'table', raw_orders: 'table' });
    expect(await pp.rows('select customer, total::int as total, n::int as n from $schema.by_customer order by 1')).toEqual([
      { customer: 'ann', total: 30, n: 2 },
      { customer: 'bob', total: 40, n: 1 },
    ]);
    // Again: the table is swapped under views that read it (they are rebuilt after it).
    ok(pp.tsql(['build']));
    expect(await relationKinds(pp)).toEqual({ big: 'view', by_customer: 'view', orders: 'table', raw_orders: 'table' });
    expect(await pp.rows('select customer from $schema.big order by 1')).toEqual([{ customer: 'ann' }, { customer: 'bob' }]);
    // A view turned into a table and back.
    pp.p.write({ 'models/by_customer.sql': `{{ config(materialized='table') }}\nselect customer, sum(amount) as total, count(*) as n from {{ ref('orders') }} group by customer\n` });
    ok(pp.tsql(['run']));
    expect((await relationKinds(pp)).by_customer).toBe('table');
    expect((await relationKinds(pp)).big).toBe('view');
  });

  it('a failed table build leaves the old table intact', async () => {
    const pp = pgProject({ 'models/totals.sql': `{{ config(materialized='table') }}\nselect 1 as id, 'kept' as label\n` });
    ok(pp.tsql(['run']));
    pp.p.write({ 'models/totals.sql': `{{ config(materialized='table') }}\nselect 1 / 0 as id, 'new' as label\n` });
    const r = pp.tsql(['run']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/division by zero/);
    expect(await pp.rows('select id, label from $schema.totals')).toEqual([{ id: 1, label: 'kept' }]);
    expect(Object.keys(await relationKinds(pp))).toEqual(['totals']);
  });

  it('a failed view build leaves the old view intact', async () => {
    const pp = pgProject({ 'models/v.sql': `select 1 as id\n` });
    ok(pp.tsql(['run']));
    pp.p.write({ 'models/v.sql': `select no_such_column from (select 1 as id) t\n` });
    const r = pp.tsql(['run']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/column "no_such_column" does not exist/);
    expect(await pp.rows('select id from $schema.v')).toEqual([{ id: 1 }]);
  });
});

describe('postgres: unload models', () => {
  it('streams the query result into a CSV file in the lake, replacing the previous one', () => {
    const pp = pgProject({
      'models/export.sql': `{{ config(materialized='unload', location='exports/orders.csv', options={'delimiter': '|'}) }}
select * from (values (1, 'a|b'), (2, null), (3, 'say "hi"')) as t(id, note) order by id
`,
    });
    const r = ok(pp.tsql(['run']));
    expect(r.stdout).toMatch(/UNLOAD 3/);
    const file = join(pp.p.dir, 'lake/exports/orders.csv');
    expect(readFileSync(file, 'utf8')).toBe('id|note\n1|"a|b"\n2|\n3|"say ""hi"""\n');
    pp.p.write({ 'models/export.sql': `{{ config(materialized='unload', location='exports/orders.csv', format='parquet') }}\nselect 1 as id\n` });
    const bad = pp.tsql(['run']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/postgres unloads write csv only/);
    expect(readFileSync(file, 'utf8')).toBe('id|note\n1|"a|b"\n2|\n3|"say ""hi"""\n');
    expect(readdirSync(join(pp.p.dir, 'lake/exports'))).toEqual(['orders.csv']);
  });
});

// ---------------------------------------------------------------- incremental

function incremental(config: string): PgProject {
  return pgProject({
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

describe('postgres: incremental models', () => {
  it('append inserts only the new batch', async () => {
    const pp = incremental(`materialized='incremental'`);
    ok(pp.tsql(['build']));
    expect(await pp.rows('select count(*)::int as n from $schema.daily')).toEqual([{ n: 3 }]);
    const r = ok(pp.tsql(['run']));
    expect(r.stdout).toMatch(/APPEND \(1 rows\)/);
    expect(await pp.rows('select count(*)::int as n from $schema.daily')).toEqual([{ n: 4 }]);
    const full = ok(pp.tsql(['run', '--full-refresh']));
    expect(full.stdout).toMatch(/CREATE TABLE \(3 rows\)/);
  });

  it('delete+insert is idempotent: re-running a batch never duplicates rows', async () => {
    const pp = incremental(`materialized='incremental', unique_key='id', incremental_strategy='delete+insert'`);
    ok(pp.tsql(['build']));
    pp.p.write({ 'seeds/events.csv': 'id,day,value\n1,2024-01-01,10\n2,2024-01-01,20\n3,2024-01-02,31\n4,2024-01-02,40\n' });
    ok(pp.tsql(['seed']));
    for (let i = 0; i < 2; i++) expect(ok(pp.tsql(['run'])).stdout).toMatch(/DELETE\+INSERT \(2 rows\)/);
    expect(await pp.rows('select id, value from $schema.daily order by id')).toEqual([
      { id: 1, value: 10 },
      { id: 2, value: 20 },
      { id: 3, value: 31 },
      { id: 4, value: 40 },
    ]);
  });

  it('merge updates matched rows and inserts new ones, idempotently', async () => {
    const pp = incremental(`materialized='incremental', unique_key=['id'], incremental_strategy='merge'`);
    ok(pp.tsql(['build']));
    pp.p.write({ 'seeds/events.csv': 'id,day,value\n1,2024-01-01,10\n3,2024-01-02,33\n5,2024-01-03,50\n' });
    ok(pp.tsql(['seed']));
    for (let i = 0; i < 2; i++) expect(ok(pp.tsql(['run'])).stdout).toMatch(/MERGE \(\d+ rows\)/);
    expect(await pp.rows('select id, value from $schema.daily order by id')).toEqual([
      { id: 1, value: 10 },
      { id: 2, value: 20 },
      { id: 3, value: 33 },
      { id: 5, value: 50 },
    ]);
  });

  it('a failing batch leaves the existing rows untouched', async () => {
    const pp = incremental(`materialized='incremental', unique_key='id'`);
    ok(pp.tsql(['build']));
    pp.p.write({
      'models/daily.sql': `{{ config(materialized='incremental', unique_key='id') }}
select id, day, value / (value - value) as value from {{ ref('events') }}
`,
    });
    expect(pp.tsql(['run']).code).toBe(1);
    expect(await pp.rows('select id, value from $schema.daily order by id')).toEqual([
      { id: 1, value: 10 },
      { id: 2, value: 20 },
      { id: 3, value: 30 },
    ]);
  });
});

describe('postgres: schema changes and sources', () => {
  it('on_schema_change append_new_columns adds the new column with its type', async () => {
    const model = (cols: string) => `{{ config(materialized='incremental', unique_key='id', on_schema_change='append_new_columns') }}
select ${cols} from (values (1, 1.50::numeric(6, 2), 'a'::varchar(5))) as t(id, amount, code)
`;
    const pp = pgProject({ 'models/m.sql': model('id, amount') });
    ok(pp.tsql(['run']));
    pp.p.write({ 'models/m.sql': model('id, amount, code') });
    ok(pp.tsql(['run']));
    expect(await pp.rows(`select column_name, data_type, character_maximum_length as len from information_schema.columns where table_schema = '${pp.schema}' and table_name = 'm' order by ordinal_position`)).toEqual([
      { column_name: 'id', data_type: 'integer', len: null },
      { column_name: 'amount', data_type: 'numeric', len: null },
      { column_name: 'code', data_type: 'character varying', len: 5 },
    ]);
    expect(await pp.rows('select id, amount::text as amount, code from $schema.m')).toEqual([{ id: 1, amount: '1.50', code: 'a' }]);
  });

  it('source freshness measures the age of the newest row', async () => {
    const pp = pgProject({});
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
    await pgQuery(`create schema "${pp.schema}"; create table "${pp.schema}".events as select now() - interval '3 hours' as loaded_at`);
    const r = pp.tsql(['source', 'freshness']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const json = JSON.parse(readFileSync(join(pp.p.dir, 'target/sources.json'), 'utf8'));
    expect(json.results[0]).toMatchObject({ status: 'warn' });
    expect(Math.round(json.results[0].max_loaded_at_time_ago_in_s / 60)).toBe(180);
  });
});

// ---------------------------------------------------------------- data tests

describe('postgres: data tests', () => {
  it('pass and fail with exact counts, folded and one query per test alike', () => {
    const pp = pgProject(TESTED);
    ok(pp.tsql(['run']));
    const outcomes: Array<Record<string, Result>> = [];
    for (const flag of ['--fold-tests', '--no-fold-tests']) {
      const r = pp.tsql(['test', flag]);
      expect(r.code, r.stdout + r.stderr).toBe(1);
      const res = results(pp.p);
      for (const [name, n] of Object.entries(FAILING)) {
        expect(res[name], `${flag} ${name}`).toMatchObject({ status: 'fail', failures: n, message: `Got ${n} result${n === 1 ? '' : 's'}, configured to fail if != 0` });
      }
      for (const name of PASSING) expect(res[name], `${flag} ${name}`).toMatchObject({ status: 'pass', failures: 0 });
      expect(Object.keys(res).sort()).toEqual([...Object.keys(FAILING), ...PASSING].sort());
      outcomes.push(res);
      if (flag === '--fold-tests') {
        // the single-relation tests of orders were answered by one scan
        const dir = join(pp.p.dir, 'target/run/shop/models/schema.yml');
        const run = readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
        expect(run).toMatch(/as "t0"/);
        expect(run).toMatch(/counted by one scan of "shop"\."[^"]+"\."orders" shared by \d+ tests/);
      }
    }
    const strip = (res: Record<string, Result>) => Object.fromEntries(Object.entries(res).map(([k, v]) => [k, { status: v.status, failures: v.failures, message: v.message }]));
    expect(strip(outcomes[0])).toEqual(strip(outcomes[1]));
  });

  it('store_failures keeps the failing rows in the audit schema', async () => {
    const pp = pgProject({
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
    ok(pp.tsql(['run']));
    expect(pp.tsql(['test']).code).toBe(1);
    expect(await pgQuery(`select unique_field, n_records::int as n from "${pp.schema}_tsql_test__audit".unique_orders_id order by 1`)).toEqual([
      { unique_field: 2, n: 2 },
      { unique_field: 3, n: 3 },
    ]);
  });

  it('unit tests run over literal inputs, cast to the inputs’ column types', () => {
    const pp = pgProject({
      'models/customers.sql': `{{ config(materialized='table') }}\nselect * from (values (1, 'ann', date '2024-01-01', 1.50::numeric(6,2))) as t(id, name, signup_date, credit)\n`,
      'models/recent.sql': `select id, upper(name) as name, signup_date, credit * 2 as credit from {{ ref('customers') }} where signup_date >= date '2024-01-15'\n`,
      'models/unit.yml': RECENT_UNIT_TESTS,
    });
    ok(pp.tsql(['run', '--select', 'customers']));
    const r = pp.tsql(['test', '--select', 'recent']);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const res = results(pp.p);
    const byName = Object.fromEntries(Object.values(res).map((v) => [v.unique_id.split('.').pop(), v]));
    expect(byName.recent_only).toMatchObject({ status: 'pass' });
    expect(byName.recent_wrong).toMatchObject({ status: 'fail', failures: 2 });
  });
});


describe('postgres: test folding', () => {
  it('where, limit, severity and thresholds give the same results folded and unfolded', () => {
    const pp = pgProject({ 'models/data.sql': foldingModel('generate_series(1, 1000) as t(i)'), 'models/schema.yml': FOLDING_SCHEMA });
    ok(pp.tsql(['run']));
    const folded = pp.tsql(['test', '--fold-tests']);
    const foldedResults = results(pp.p);
    const single = pp.tsql(['test', '--no-fold-tests']);
    const singleResults = results(pp.p);
    expect(folded.code).toBe(1);
    expect(single.code).toBe(1);
    const strip = (res: Record<string, Result>) => Object.fromEntries(Object.entries(res).map(([k, v]) => [k, { status: v.status, failures: v.failures, message: v.message }]));
    expect(strip(foldedResults)).toEqual(strip(singleResults));
    expect(strip(foldedResults)).toMatchObject(FOLDING_EXPECTED);
  });
});

// ---------------------------------------------------------------- connection

describe('postgres: connecting', () => {
  it('tsql debug connects, and a wrong password fails without showing it', () => {
    const pp = pgProject({});
    const good = pp.tsql(['debug']);
    expect(good.code, good.stdout + good.stderr).toBe(0);
    expect(good.stdout).toMatch(/connection: postgres tsql@127\.0\.0\.1:\d+\/shop \[OK connection ok\]/);
    expect(good.stdout).toMatch(/password: \*{8}/);
    expect(good.stdout + good.stderr).not.toContain(pgConnection().password);

    const wrong = 'Wr0ng-Secret-42';
    const bad = pp.tsql(['debug'], { [PASSWORD_ENV]: wrong });
    expect(bad.code).not.toBe(0);
    expect(bad.stdout + bad.stderr).toMatch(/password authentication failed for user "tsql"/);
    expect(bad.stdout + bad.stderr).not.toContain(wrong);
  });

  it('a run with a wrong password exits 1 with one clear line', () => {
    const pp = pgProject({ 'models/m.sql': 'select 1 as id\n' });
    const wrong = 'Wr0ng-Secret-43';
    const r = pp.tsql(['run'], { [PASSWORD_ENV]: wrong });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot connect to postgres at 127\.0\.0\.1:\d+ \(database shop, user tsql\): password authentication failed for user "tsql"/);
    expect(r.stdout + r.stderr).not.toContain(wrong);
    expect(r.stderr).not.toMatch(/\n\s+at .*:\d+:\d+/);
  });
});

describe('postgres: interrupting', () => {
  it('Ctrl-C cancels the statement running on the server and exits 130', async () => {
    const pp = pgProject({ 'models/slow.sql': `{{ config(materialized='table') }}\nselect 1 as id from pg_sleep(60)\n` });
    const child = spawn(process.execPath, [BIN, 'run'], {
      cwd: pp.p.dir,
      env: { ...process.env, NO_COLOR: '1', TSQL_DEBUG: '', [PASSWORD_ENV]: pgConnection().password },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const running = () => pgQuery(`select count(*)::int as n from pg_stat_activity where state = 'active' and query like '%pg_sleep(60)%' and pid <> pg_backend_pid()`);
    const t0 = Date.now();
    while ((await running())[0].n === 0) {
      if (Date.now() - t0 > 20_000) throw new Error(`the slow model never started:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGINT');
    expect(await exited, output).toBe(130);
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(await running()).toEqual([{ n: 0 }]);
    expect(await relationKinds(pp)).toEqual({});
  });
});
