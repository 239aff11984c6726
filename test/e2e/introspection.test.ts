import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { useProjects, type CliResult, type TempProject } from '../helpers/project.js';
import { pgConnection, pgProfile, pgQuery, uniqueSchema } from '../helpers/pg-server.js';
import { DATED_FILES, DATED_PRINTED, INTROSPECTION_FILES, ORDERS_CSV_RETURNED } from '../fixtures/introspection.js';

/**
 * Introspection at run time (run_query, statement/load_result,
 * get_columns_in_relation, execute) and `tsql run-operation`, through the real
 * CLI on DuckDB and on the test PostgreSQL server.
 */

const project = useProjects();

function ok(r: CliResult): CliResult {
  expect(r.code, r.stdout + r.stderr).toBe(0);
  return r;
}

function read(p: TempProject, rel: string): string {
  return readFileSync(join(p.dir, rel), 'utf8');
}

describe('duckdb: models whose SQL depends on queries', () => {
  it('pivots over the distinct values its parent has in this build, rebuilt after the parent', async () => {
    const p = project(INTROSPECTION_FILES);
    const r = ok(p.tsql(['build']));
    expect(r.stdout).toMatch(/pivot statuses: placed,shipped/);
    const pivot = () => p.query('select columns(*)::int from main.status_pivot');
    expect(await pivot()).toEqual([{ placed_amount: 15, shipped_amount: 20, orders: 3 }]);
    expect(read(p, 'target/compiled/shop/models/status_pivot.sql')).toMatch(/as shipped_amount/);
    expect(read(p, 'target/run/shop/models/status_pivot.sql')).toMatch(/select distinct status from "warehouse"\."main"\."orders"[\s\S]*create table/);
    const manifest = JSON.parse(read(p, 'target/manifest.json'));
    expect(manifest.nodes['model.shop.status_pivot'].render_at_run_time).toEqual(['sql']);
    expect(manifest.nodes['model.shop.orders'].render_at_run_time).toEqual([]);

    // the parent's data changes: the same build loads it, rebuilds orders, and only then renders the pivot
    p.write({ 'seeds/raw_orders.csv': ORDERS_CSV_RETURNED });
    const again = ok(p.tsql(['build']));
    expect(again.stdout).toMatch(/pivot statuses: placed,returned,shipped/);
    expect(await pivot()).toEqual([{ placed_amount: 15, returned_amount: 7, shipped_amount: 20, orders: 4 }]);
  });

  it('reads statement results with load_result, and builds a select list from get_columns_in_relation', async () => {
    const p = project(INTROSPECTION_FILES);
    ok(p.tsql(['build']));
    expect(await p.query('select * from main.order_stats')).toEqual([{ top_amount: 20, order_count: 3, result_rows: 1 }]);
    expect(await p.query('select * from main.orders_narrow order by id')).toEqual([
      { id: 1, status: 'placed', kinds: 'id:n status:s amount:n' },
      { id: 2, status: 'shipped', kinds: 'id:n status:s amount:n' },
      { id: 3, status: 'placed', kinds: 'id:n status:s amount:n' },
    ]);
    expect(read(p, 'target/compiled/shop/models/orders_narrow.sql')).toMatch(/select "id", "status", 'id:n status:s amount:n' as kinds/);
  });

  it('execute is false in compile and ls, and true when the model runs', async () => {
    const p = project(INTROSPECTION_FILES);
    const c = ok(p.tsql(['compile', '--select', 'exec_flag', 'status_pivot']));
    expect(c.stdout).toMatch(/select 'False' as flag/);
    // while compiling, run_query answers None: the pivot has no status columns
    expect(c.stdout).toMatch(/-- models\/status_pivot\.sql\nselect\n  count\(\*\) as orders/);
    expect(c.stdout).not.toMatch(/pivot statuses: \w/);
    const ls = ok(p.tsql(['ls', '--select', 'exec_flag', '--output', 'json']));
    expect(JSON.parse(ls.stdout.trim()).tags).toEqual(['exec_False']);
    ok(p.tsql(['build']));
    expect(await p.query('select flag from main.exec_flag')).toEqual([{ flag: 'True' }]);
  });

  it('tsql show renders a model that asks the warehouse, and an inline query, with execute true', async () => {
    const p = project(INTROSPECTION_FILES);
    ok(p.tsql(['build']));
    const shown = ok(p.tsql(['show', '--select', 'status_pivot', '--output', 'json']));
    expect(JSON.parse(shown.stdout.trim()).show[0]).toMatchObject({ placed_amount: 15, shipped_amount: 20 });
    const inline = ok(p.tsql(['show', '--inline', "{% set r = run_query('select count(*) as n from ' ~ ref('orders')) %}select {{ r.rows[0][0] if execute else -1 }} as n", '--output', 'json']));
    expect(JSON.parse(inline.stdout.trim()).show).toEqual([{ n: 3 }]);
  });

  it('a failing query in run_query is the model\'s error with its file and line; its descendants are skipped, the rest builds', async () => {
    const p = project({
      ...INTROSPECTION_FILES,
      'models/broken.sql': "{{ config(materialized='table') }}\n\n{% set r = run_query('select * from no_such_table') %}\nselect 1 as a\n",
      'models/after_broken.sql': "select * from {{ ref('broken') }}\n",
    });
    const r = p.tsql(['build']);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/models\/broken\.sql:3: query failed: .*no_such_table/);
    expect(r.stdout).toMatch(/SKIP sql view model main\.after_broken/);
    expect(r.stdout).toMatch(/OK created sql table model main\.status_pivot/);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
  });

  it('a ref made only when executing is an error naming it, with the fix', () => {
    const p = project({
      ...INTROSPECTION_FILES,
      'models/late_ref.sql': "{% if execute %}select * from {{ ref('orders') }}{% else %}select 1 as id{% endif %}\n",
    });
    const r = p.tsql(['run', '--select', 'late_ref']);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/models\/late_ref\.sql:1: ref\('orders'\) is read only when the model runs.*depends_on/);
  });

  it('hooks run their queries when they run: a post-hook sees the table its model just built', async () => {
    const p = project({
      ...INTROSPECTION_FILES,
      'models/hooked.sql': [
        "{{ config(materialized='table', post_hook=\"{% set n = run_query('select count(*) as n from ' ~ this) %}create table main.hook_saw as select {{ n.rows[0][0] if execute else -1 }} as n\") }}",
        "select id from {{ ref('orders') }}",
        '',
      ].join('\n'),
    });
    ok(p.tsql(['build', '--select', '+hooked']));
    expect(await p.query('select n from main.hook_saw')).toEqual([{ n: 3 }]);
  });

  it('on-run-end hooks render when they run, after the models; so do data tests that ask the warehouse', async () => {
    const p = project({
      ...INTROSPECTION_FILES,
      // rendered while compiling, both would fail (no columns, no count): they pass only when rendered to run
      'tests/asks.sql': "{% set r = run_query('select count(*) from ' ~ ref('orders')) %}select 1 as bad where {{ r.rows[0][0] if execute else -1 }} <> 3\n",
      'macros/has_columns.sql': '{% test has_columns(model, n) %}select 1 as bad where {{ adapter.get_columns_in_relation(model) | length }} <> {{ n }}{% endtest %}\n',
      'models/schema.yml': 'models:\n  - name: orders\n    data_tests:\n      - has_columns: {n: 3}\n  - name: exec_flag\n    data_tests:\n      - has_columns: {n: 2}\n',
    });
    p.write({
      'tsql_project.yml': [
        'name: shop',
        'profile: shop',
        'on-run-end:',
        `  - "{% set n = run_query('select count(*) from main.orders') %}create table main.run_end_saw as select {{ n.rows[0][0] if execute else -1 }} as n"`,
        '',
      ].join('\n'),
    });
    const r = p.tsql(['build']);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/PASS test asks/);
    expect(r.stdout).toMatch(/PASS test has_columns_orders_3/);
    // exec_flag has one column: the same test fails there
    expect(r.stdout).toMatch(/FAIL 1 test has_columns_exec_flag_2/);
    expect(await p.query('select n from main.run_end_saw')).toEqual([{ n: 3 }]);
  });

  it('renders a handful of queries quickly (each answer replayed, each statement run once)', async () => {
    const queries = Array.from({ length: 25 }, (_, i) => `{% set q${i} = run_query('select ${i} as v') %}`).join('\n');
    const sum = Array.from({ length: 25 }, (_, i) => `{{ q${i}.rows[0][0] if execute else 0 }}`).join(' + ');
    const p = project({ 'models/many.sql': `${queries}\n{% do run_query('create table main.side_effect as select 1 as x') %}\nselect ${sum} as total\n` });
    const t0 = Date.now();
    ok(p.tsql(['run']));
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(await p.query('select total from main.many')).toEqual([{ total: 300 }]);
    // the create ran once: a second time would have failed ("already exists")
    expect(await p.query('select count(*)::int as n from main.side_effect')).toEqual([{ n: 1 }]);
  });
});

describe('duckdb: tsql run-operation', () => {
  it('runs the macro on the target with --args, prints its log and writes run_results.json', async () => {
    const p = project(INTROSPECTION_FILES);
    ok(p.tsql(['build']));
    const r = ok(p.tsql(['run-operation', 'make_table', '--args', '{name: op_made, rows: 2}']));
    expect(r.stdout).toMatch(/made op_made with 2 rows/);
    expect(await p.query('select id from main.op_made order by id')).toEqual([{ id: 1 }, { id: 2 }]);
    const results = JSON.parse(read(p, 'target/run_results.json'));
    expect(results.args).toMatchObject({ which: 'run-operation', macro: 'make_table', args: { name: 'op_made', rows: 2 } });
    expect(results.results).toHaveLength(1);
    expect(results.results[0]).toMatchObject({ unique_id: 'macro.shop.make_table', status: 'success' });
  });

  it('an unknown macro or argument is a mistake (exit 2); a statement the warehouse refuses exits 1', () => {
    const p = project(INTROSPECTION_FILES);
    const unknown = p.tsql(['run-operation', 'make_tabel']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no macro named 'make_tabel' \(did you mean 'make_table'\?\)/);
    const badArg = p.tsql(['run-operation', 'make_table', '--args', '{nam: x}']);
    expect(badArg.code).toBe(2);
    expect(badArg.stderr).toMatch(/macros\/ops\.sql:1: run-operation: macro 'make_table' has no argument 'nam' \(did you mean 'name'\?\)/);
    const notMapping = p.tsql(['run-operation', 'make_table', '--args', '[1, 2]']);
    expect(notMapping.code).toBe(2);
    expect(notMapping.stderr).toMatch(/--args must be a mapping/);
    // orders was never built: the create … as select fails in the warehouse
    const failed = p.tsql(['run-operation', 'make_table', '--args', '{name: op_made}']);
    expect(failed.code, failed.stdout + failed.stderr).toBe(1);
    expect(failed.stderr).toMatch(/macros\/ops\.sql.*query failed: .*orders/);
    expect(failed.stderr).not.toMatch(/internal error/);
    expect(JSON.parse(read(p, 'target/run_results.json')).results[0].status).toBe('error');
    expect(existsSync(join(p.dir, 'target/manifest.json'))).toBe(true);
  });
});

// ---------------------------------------------------------------- PostgreSQL

const PASSWORD_ENV = 'TSQL_TEST_PG_PASSWORD';
const schemas: string[] = [];

afterEach(async () => {
  const drop = schemas.splice(0);
  if (drop.length) await pgQuery(drop.map((s) => `drop schema if exists "${s}" cascade`).join(';\n'));
});

function pgProject(files: Record<string, string>) {
  const schema = uniqueSchema('introspect');
  schemas.push(schema);
  const c = pgConnection();
  const p = project(files, { profile: pgProfile(schema, PASSWORD_ENV, { threads: 4 }) });
  return { p, schema, tsql: (args: string[]) => p.tsql(args, { [PASSWORD_ENV]: c.password }) };
}

describe('postgres: introspection and run-operation', () => {
  it('pivots over the distinct values of the parent rebuilt in the same build', async () => {
    const pp = pgProject(INTROSPECTION_FILES);
    ok(pp.tsql(['build']));
    const pivot = () => pgQuery(`select * from "${pp.schema}".status_pivot`);
    expect(await pivot()).toEqual([{ placed_amount: '15', shipped_amount: '20', orders: '3' }]);
    pp.p.write({ 'seeds/raw_orders.csv': ORDERS_CSV_RETURNED });
    const again = ok(pp.tsql(['build']));
    expect(again.stdout).toMatch(/pivot statuses: placed,returned,shipped/);
    expect(await pivot()).toEqual([{ placed_amount: '15', returned_amount: '7', shipped_amount: '20', orders: '4' }]);
    expect(await pgQuery(`select * from "${pp.schema}".order_stats`)).toEqual([{ top_amount: 20, order_count: 4, result_rows: 1 }]);
    expect(await pgQuery(`select kinds from "${pp.schema}".orders_narrow limit 1`)).toEqual([{ kinds: 'id:n status:s amount:n' }]);
    expect(await pgQuery(`select flag from "${pp.schema}".exec_flag`)).toEqual([{ flag: 'True' }]);
  });

  it('run-operation creates a table and grants nothing', async () => {
    const pp = pgProject(INTROSPECTION_FILES);
    ok(pp.tsql(['build', '--select', '+orders']));
    const r = ok(pp.tsql(['run-operation', 'make_table', '--args', '{name: op_made, rows: 2}']));
    expect(r.stdout).toMatch(/made op_made with 2 rows/);
    expect(await pgQuery(`select id from "${pp.schema}".op_made order by id`)).toEqual([{ id: 1 }, { id: 2 }]);
    const acl = await pgQuery(`select c.relacl from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = '${pp.schema}' and c.relname = 'op_made'`);
    expect(acl).toEqual([{ relacl: null }]);
  });
});

// ------------------------------------------------ run_query's dates, as dbt prints them

describe('run_query and load_result give dates and timestamps as dbt prints them', () => {
  it('on DuckDB', async () => {
    const p = project(DATED_FILES);
    expect(ok(p.tsql(['run-operation', 'show_dates'])).stdout).toContain(DATED_PRINTED);
    ok(p.tsql(['run']));
    expect(await p.query('select d from main.dated')).toEqual([{ d: '2024-01-03' }]);
  });
  it('on PostgreSQL', async () => {
    const pp = pgProject(DATED_FILES);
    expect(ok(pp.tsql(['run-operation', 'show_dates'])).stdout).toContain(DATED_PRINTED);
    ok(pp.tsql(['run']));
    expect(await pgQuery(`select d from "${pp.schema}".dated`)).toEqual([{ d: '2024-01-03' }]);
  });
});
