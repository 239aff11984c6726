import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useProjects, type CliResult, type TempProject } from '../helpers/project.js';

const project = useProjects();

interface Result {
  unique_id: string;
  status: string;
  failures: number | null;
  message: string;
}

function runResults(p: TempProject): { args: Record<string, unknown>; results: Result[] } {
  return JSON.parse(readFileSync(join(p.dir, 'target/run_results.json'), 'utf8'));
}

/** run_results.json entries keyed by unique_id. */
function results(p: TempProject): Record<string, Result> {
  return Object.fromEntries(runResults(p).results.map((r) => [r.unique_id, r]));
}

/** The result line of one unit test (not its START line). */
function unitLine(r: CliResult, model: string, name: string): string {
  const lines = r.stdout.split('\n').filter((l) => new RegExp(`\\d+ of \\d+ (?:PASS|FAIL|WARN|ERROR|SKIP)(?: \\d+)? unit test ${model}::${name} `).test(l));
  expect(lines, `one result line for unit test ${model}::${name}\n${r.stdout}`).toHaveLength(1);
  return lines[0];
}

function expectPass(r: CliResult, model: string, name: string): void {
  expect(unitLine(r, model, name)).toMatch(new RegExp(`\\d+ of \\d+ PASS unit test ${model}::${name} \\.+ \\[PASS in \\d+\\.\\d\\ds\\]$`));
}

function summary(r: CliResult): string {
  const m = /Done\. PASS=\d+ WARN=\d+ ERROR=\d+ SKIP=\d+ TOTAL=\d+/.exec(r.stdout);
  expect(m, r.stdout + r.stderr).not.toBeNull();
  return m![0];
}

/** 1-based line of the first line of `text` that contains `needle`. */
function lineOf(text: string, needle: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  expect(i, `'${needle}' in the file`).toBeGreaterThanOrEqual(0);
  return i + 1;
}

/** Tables and views in the project's warehouse, outside the system schemas. */
async function relations(p: TempProject): Promise<string[]> {
  if (!existsSync(p.dbPath)) return [];
  const rows = await p.query(
    `select schema_name || '.' || table_name as name from duckdb_tables() where not internal union all select schema_name || '.' || view_name from duckdb_views() where not internal order by 1`,
  );
  return rows.map((r) => String(r.name));
}

// ---------------------------------------------------------------- the project

const MODELS = {
  'models/customers.sql': `{{ config(materialized='table') }}
select * from (values (1, 'ann', date '2024-01-01'), (2, 'bob', date '2024-02-01')) as t(id, name, signup_date)
`,
  'models/orders.sql': `{{ config(materialized='table') }}
select * from (values (10, 1, 5), (11, 1, 7), (12, 2, 3)) as t(id, customer_id, amount)
`,
  // needs no column types: integer and text literals work as they are
  'models/order_totals.sql': `select c.id as customer_id, c.name, coalesce(sum(o.amount), 0) as total, count(o.id) as n_orders
from {{ ref('customers') }} c
left join {{ ref('orders') }} o on o.customer_id = c.id
group by c.id, c.name
`,
  // compares a date: works on given strings only when they are cast to the input's type
  'models/recent_customers.sql': `select id, upper(name) as name, signup_date from {{ ref('customers') }} where signup_date >= date '2024-01-15'
`,
  'models/events.sql': `{{ config(materialized='incremental', unique_key='id') }}
select id, ts from {{ source('raw', 'events') }}
{% if is_incremental() %}
where ts > (select max(ts) from {{ this }})
{% endif %}
`,
  'models/priced.sql': `select id, amount * {{ var('rate', 1) }} as amount, '{{ var('region', 'eu') }}' as region, '{{ ds }}' as day
from {{ ref('orders') }}
`,
  'models/sources.yml': `version: 2
sources:
  - name: raw
    schema: raw
    tables:
      - name: events
`,
};

const HOOKS = `name: shop
profile: shop
on-run-start:
  - "create schema if not exists raw"
  - "create or replace table raw.events as select * from (values (1, 10), (2, 20)) as t(id, ts)"
`;

const GIVEN_CUSTOMERS_AND_ORDERS = `    given:
      - input: ref('customers')
        rows:
          - {id: 1, name: ann}
          - {id: 2, name: bob}
          - {id: 3, name: cy}
      - input: ref('orders')
        rows:
          - {id: 10, customer_id: 1, amount: 5}
          - {id: 11, customer_id: 1, amount: 7}
          - {id: 12, customer_id: 2, amount: 3}
`;

const PASSING = `version: 2
unit_tests:
  - name: totals_dict
    model: order_totals
${GIVEN_CUSTOMERS_AND_ORDERS}    expect:
      # only these columns are compared (n_orders is left out), in any order
      rows:
        - {total: 0, customer_id: 3, name: cy}
        - {customer_id: 1, name: ann, total: 12}
        - {customer_id: 2, name: bob, total: 3}

  - name: totals_csv
    model: order_totals
    given:
      - input: ref('customers')
        format: csv
        rows: |
          id,name
          1,ann
          2,bob
      - input: ref('orders')
        format: csv
        rows: |
          id,customer_id,amount
          10,2,4
          11,2,6
    expect:
      format: csv
      rows: |
        customer_id,name,total,n_orders
        2,bob,10,2
        1,ann,0,0

  - name: events_incremental
    model: events
    overrides:
      macros: {is_incremental: true}
    given:
      - input: source('raw', 'events')
        rows:
          - {id: 1, ts: 10}
          - {id: 2, ts: 20}
          - {id: 3, ts: 30}
          - {id: 4, ts: 40}
      - input: this
        rows:
          - {id: 1, ts: 10}
          - {id: 2, ts: 20}
    expect:
      rows:
        - {id: 3, ts: 30}
        - {id: 4, ts: 40}

  - name: events_full_refresh
    model: events
    overrides:
      macros: {is_incremental: false}
    given:
      - input: source('raw', 'events')
        rows:
          - {id: 1, ts: 10}
          - {id: 3, ts: 30}
    expect:
      rows:
        - {id: 1, ts: 10}
        - {id: 3, ts: 30}

  - name: priced_with_overrides
    model: priced
    overrides:
      vars: {rate: 3, region: us}
      ds: "2024-05-06"
    given:
      - input: ref('orders')
        rows:
          - {id: 1, amount: 5}
          - {id: 2, amount: 7}
    expect:
      rows:
        - {id: 1, amount: 15, region: us, day: "2024-05-06"}
        - {id: 2, amount: 21, region: us, day: "2024-05-06"}
`;

describe('passing unit tests', () => {
  it('dict and csv fixtures, this + is_incremental, vars and ds overrides: all pass with no upstream table in the warehouse', async () => {
    const p = project({ ...MODELS, 'models/unit_tests.yml': PASSING });
    const r = p.tsql(['test']);
    expect(r.stderr).toBe('');
    expect(r.code, r.stdout).toBe(0);
    for (const [model, name] of [
      ['order_totals', 'totals_dict'],
      ['order_totals', 'totals_csv'],
      ['events', 'events_incremental'],
      ['events', 'events_full_refresh'],
      ['priced', 'priced_with_overrides'],
    ]) {
      expectPass(r, model, name);
    }
    expect(summary(r)).toBe('Done. PASS=5 WARN=0 ERROR=0 SKIP=0 TOTAL=5');
    expect(r.stdout).toContain('Finished running 5 unit tests in ');
    const res = results(p);
    expect(Object.keys(res).sort()).toEqual([
      'unit_test.shop.events.events_full_refresh',
      'unit_test.shop.events.events_incremental',
      'unit_test.shop.order_totals.totals_csv',
      'unit_test.shop.order_totals.totals_dict',
      'unit_test.shop.priced.priced_with_overrides',
    ]);
    for (const x of Object.values(res)) expect([x.status, x.failures]).toEqual(['pass', 0]);
    // nothing was built, and no source table was needed
    expect(await relations(p)).toEqual([]);
  });

  it('the overrides are what makes them pass: the same expectations fail without them', () => {
    const without = PASSING.replace('      macros: {is_incremental: true}\n', '      macros: {}\n').replace('      vars: {rate: 3, region: us}\n      ds: "2024-05-06"\n', '      vars: {}\n');
    expect(without).not.toBe(PASSING);
    const p = project({ ...MODELS, 'models/unit_tests.yml': without });
    const r = p.tsql(['test', '--select', 'events', 'priced', '--ds', '2024-01-01']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const res = results(p);
    // without is_incremental, all four given rows come through (the model is not incremental: its table does not exist)
    expect(res['unit_test.shop.events.events_incremental']).toMatchObject({
      status: 'fail',
      failures: 2,
      message: 'actual differs from expected (- expected, + actual): + {id: 1, ts: 10}; + {id: 2, ts: 20}',
    });
    expect(res['unit_test.shop.priced.priced_with_overrides']).toMatchObject({
      status: 'fail',
      failures: 4,
      message:
        'actual differs from expected (- expected, + actual): - {id: 1, amount: 15, region: us, day: 2024-05-06}; - {id: 2, amount: 21, region: us, day: 2024-05-06}; + {id: 1, amount: 5, region: eu, day: 2024-01-01}; + {id: 2, amount: 7, region: eu, day: 2024-01-01}',
    });
    expect(res['unit_test.shop.events.events_full_refresh'].status).toBe('pass');
  });

  it('given rows are cast to the types of the existing input: a date given as text compares as a date; missing columns are null', async () => {
    const p = project({
      ...MODELS,
      'models/unit_tests.yml': `version: 2
unit_tests:
  - name: recent_only
    model: recent_customers
    given:
      - input: ref('customers')
        rows:
          - {id: 1, name: ann, signup_date: "2024-01-01"}
          - {id: 2, name: bob, signup_date: "2024-02-01"}
          - {id: 3, signup_date: "2024-03-01"}
    expect:
      rows:
        - {id: 2, name: BOB, signup_date: "2024-02-01"}
        - {id: 3, name: null, signup_date: "2024-03-01"}
`,
    });
    const run = p.tsql(['run', '--select', 'customers']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(await p.query(`select data_type from information_schema.columns where table_name = 'customers' and column_name = 'signup_date'`)).toEqual([{ data_type: 'DATE' }]);

    const r = p.tsql(['test', '--select', 'recent_customers']);
    expect(r.stderr).toBe('');
    expect(r.code, r.stdout).toBe(0);
    expectPass(r, 'recent_customers', 'recent_only');
    expect(summary(r)).toBe('Done. PASS=1 WARN=0 ERROR=0 SKIP=0 TOTAL=1');
    expect(results(p)['unit_test.shop.recent_customers.recent_only']).toMatchObject({ status: 'pass', failures: 0 });
  });

  it('without is_incremental overridden, an incremental model is unit tested in full-refresh mode even when its table exists', async () => {
    const p = project({
      ...MODELS,
      'tsql_project.yml': HOOKS,
      'models/unit_tests.yml': `version: 2
unit_tests:
  - name: events_default_mode
    model: events
    given:
      - input: source('raw', 'events')
        rows:
          - {id: 1, ts: 10}
          - {id: 3, ts: 30}
    expect:
      rows:
        - {id: 1, ts: 10}
        - {id: 3, ts: 30}
`,
    });
    for (let i = 0; i < 2; i++) {
      const run = p.tsql(['run', '--select', 'events']);
      expect(run.code, run.stdout + run.stderr).toBe(0);
    }
    expect(await p.query('select id, ts from main.events order by id')).toEqual([
      { id: 1, ts: 10 },
      { id: 2, ts: 20 },
    ]);
    // the result must not depend on what the warehouse holds: the inputs are the given rows
    const r = p.tsql(['test', '--select', 'test_type:unit']);
    expect(results(p)['unit_test.shop.events.events_default_mode']).toMatchObject({ status: 'pass', failures: 0, message: 'PASS' });
    expect(r.code, r.stdout).toBe(0);
  });
});

// ---------------------------------------------------------------- failures

const FAILING = `version: 2
unit_tests:
  - name: wrong_total
    model: order_totals
${GIVEN_CUSTOMERS_AND_ORDERS}    expect:
      rows:
        - {customer_id: 1, name: ann, total: 12}
        - {customer_id: 2, name: bob, total: 4}
        - {customer_id: 3, name: cy, total: 0}

  - name: rows_are_a_multiset
    model: order_totals
${GIVEN_CUSTOMERS_AND_ORDERS}    expect:
      rows:
        - {customer_id: 1, n_orders: 2}
        - {customer_id: 1, n_orders: 2}
        - {customer_id: 2, n_orders: 1}
        - {customer_id: 3, n_orders: 0}
`;

describe('failing unit tests', () => {
  it('tsql test: exit 1, a FAIL line with the number of differing rows, and the row-level diff', () => {
    const p = project({ ...MODELS, 'models/unit_tests.yml': FAILING });
    const r = p.tsql(['test']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);

    expect(unitLine(r, 'order_totals', 'wrong_total')).toMatch(/\d of 2 FAIL 2 unit test order_totals::wrong_total \.+ \[FAIL 2 in \d+\.\d\ds\]$/);
    expect(unitLine(r, 'order_totals', 'rows_are_a_multiset')).toMatch(/\d of 2 FAIL 1 unit test order_totals::rows_are_a_multiset \.+ \[FAIL 1 in \d+\.\d\ds\]$/);
    expect(summary(r)).toBe('Done. PASS=0 WARN=0 ERROR=2 SKIP=0 TOTAL=2');

    const wrongMessage = 'actual differs from expected (- expected, + actual): - {customer_id: 2, name: bob, total: 4}; + {customer_id: 2, name: bob, total: 3}';
    const multisetMessage = 'actual differs from expected (- expected, + actual): - {customer_id: 1, n_orders: 2}';
    const res = results(p);
    expect(res['unit_test.shop.order_totals.wrong_total']).toMatchObject({ status: 'fail', failures: 2, message: wrongMessage });
    expect(res['unit_test.shop.order_totals.rows_are_a_multiset']).toMatchObject({ status: 'fail', failures: 1, message: multisetMessage });

    // the failure summary names the test and its file, then the diff
    const lines = r.stdout.split('\n').map((l) => l.replace(/^\d\d:\d\d:\d\d {2}/, ''));
    const at = lines.indexOf('Failure in unit_test wrong_total (models/unit_tests.yml)');
    expect(at, r.stdout).toBeGreaterThan(0);
    expect(lines[at + 1]).toBe(`  ${wrongMessage}`);
    const at2 = lines.indexOf('Failure in unit_test rows_are_a_multiset (models/unit_tests.yml)');
    expect(at2, r.stdout).toBeGreaterThan(0);
    expect(lines[at2 + 1]).toBe(`  ${multisetMessage}`);
  });

  it('tsql build: a failing unit test skips its model and everything downstream; a passing one lets its model build', async () => {
    const p = project({
      ...MODELS,
      'models/top_customers.sql': `{{ config(materialized='table') }}\nselect * from {{ ref('order_totals') }} where total > 5\n`,
      'models/unit_tests.yml': `version: 2
unit_tests:
  - name: wrong_total
    model: order_totals
${GIVEN_CUSTOMERS_AND_ORDERS}    expect:
      rows:
        - {customer_id: 1, total: 13}
        - {customer_id: 2, total: 3}
        - {customer_id: 3, total: 0}
  - name: orders_pass_through
    model: priced
    given:
      - input: ref('orders')
        rows:
          - {id: 1, amount: 2}
    expect:
      rows:
        - {id: 1, amount: 2}
`,
    });
    const r = p.tsql(['build', '--select', 'customers', 'orders', 'order_totals', 'top_customers', 'priced']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(unitLine(r, 'order_totals', 'wrong_total')).toMatch(/FAIL 2 unit test order_totals::wrong_total \.+ \[FAIL 2 in /);
    expectPass(r, 'priced', 'orders_pass_through');
    expect(r.stdout).toMatch(/\d of 7 SKIP sql view model main\.order_totals \.+ \[SKIP\]/);
    expect(r.stdout).toMatch(/\d of 7 SKIP sql table model main\.top_customers \.+ \[SKIP\]/);
    expect(r.stdout).not.toMatch(/START sql view model main\.order_totals/);
    expect(summary(r)).toBe('Done. PASS=4 WARN=0 ERROR=1 SKIP=2 TOTAL=7');

    const res = results(p);
    expect(res['unit_test.shop.order_totals.wrong_total']).toMatchObject({
      status: 'fail',
      failures: 2,
      message: 'actual differs from expected (- expected, + actual): - {customer_id: 1, total: 13}; + {customer_id: 1, total: 12}',
    });
    expect(res['model.shop.order_totals'].status).toBe('skipped');
    expect(res['model.shop.top_customers'].status).toBe('skipped');
    expect(res['model.shop.priced'].status).toBe('success');
    expect(await relations(p)).toEqual(['main.customers', 'main.orders', 'main.priced']);
  });
});

// ---------------------------------------------------------------- selection

describe('selecting unit tests', () => {
  const files = {
    ...MODELS,
    'models/schema.yml': `version: 2
models:
  - name: orders
    columns:
      - name: id
        data_tests: [not_null]
`,
    'models/unit_tests.yml': `version: 2
unit_tests:
  - name: totals_dict
    model: order_totals
    config:
      tags: [nightly]
${GIVEN_CUSTOMERS_AND_ORDERS}    expect:
      rows:
        - {customer_id: 1, total: 12}
        - {customer_id: 2, total: 3}
        - {customer_id: 3, total: 0}
  - name: priced_identity
    model: priced
    given:
      - input: ref('orders')
        rows:
          - {id: 1, amount: 2}
    expect:
      rows:
        - {id: 1, amount: 2}
  - name: switched_off
    model: priced
    config:
      enabled: false
    given:
      - input: ref('orders')
        rows:
          - {id: 1, amount: 2}
    expect:
      rows:
        - {id: 1, amount: 999}
`,
  };

  const ids = (p: TempProject) => Object.keys(results(p)).sort();

  it('test_type:unit and resource_type:unit_test select the unit tests only; tag: selects by their tags; disabled ones never run', () => {
    const p = project(files);
    // the data test needs its model: built once so that every selection below can run
    expect(p.tsql(['run', '--select', 'orders']).code).toBe(0);

    const unit = p.tsql(['test', '--select', 'test_type:unit']);
    expect(unit.code, unit.stdout + unit.stderr).toBe(0);
    expect(ids(p)).toEqual(['unit_test.shop.order_totals.totals_dict', 'unit_test.shop.priced.priced_identity']);
    expect(summary(unit)).toBe('Done. PASS=2 WARN=0 ERROR=0 SKIP=0 TOTAL=2');
    expect(unit.stdout).not.toContain('switched_off');

    const byType = p.tsql(['test', '--select', 'resource_type:unit_test']);
    expect(byType.code, byType.stdout + byType.stderr).toBe(0);
    expect(ids(p)).toEqual(['unit_test.shop.order_totals.totals_dict', 'unit_test.shop.priced.priced_identity']);

    const tagged = p.tsql(['test', '--select', 'tag:nightly']);
    expect(tagged.code, tagged.stdout + tagged.stderr).toBe(0);
    expect(ids(p)).toEqual(['unit_test.shop.order_totals.totals_dict']);

    const all = p.tsql(['test']);
    expect(all.code, all.stdout + all.stderr).toBe(0);
    expect(ids(p).map((id) => id.split('.').slice(0, 3).join('.'))).toEqual(['test.shop.not_null_orders_id', 'unit_test.shop.order_totals', 'unit_test.shop.priced']);
    expect(ids(p).filter((id) => id.startsWith('unit_test.'))).toEqual(['unit_test.shop.order_totals.totals_dict', 'unit_test.shop.priced.priced_identity']);

    const dataOnly = p.tsql(['test', '--exclude', 'test_type:unit']);
    expect(dataOnly.code, dataOnly.stdout + dataOnly.stderr).toBe(0);
    expect(ids(p)).toHaveLength(1);
    expect(ids(p)[0]).toMatch(/^test\.shop\.not_null_orders_id\b/);
  });
});

// ---------------------------------------------------------------- errors before anything runs

/** The CLI stopped with exit 2 and printed exactly `line` (one line) on stderr, before running anything. */
function expectUserError(r: CliResult, line: string): void {
  expect(r.code, r.stdout + r.stderr).toBe(2);
  expect(r.stderr).toBe(`${line}\n`);
  expect(r.stdout).not.toMatch(/START/);
}

describe('unit test errors (exit 2, nothing runs)', () => {
  it('a model reading an input that is not given', async () => {
    const yml = `version: 2
unit_tests:
  - name: complete
    model: priced
    given:
      - input: ref('orders')
        rows: [{id: 1, amount: 1}]
    expect:
      rows: [{id: 1, amount: 1}]
  - name: orders_forgotten
    model: order_totals
    given:
      - input: ref('customers')
        rows:
          - {id: 1, name: ann}
    expect:
      rows:
        - {customer_id: 1, total: 0}
`;
    const p = project({ ...MODELS, 'models/unit_tests.yml': yml });
    for (const args of [['test'], ['build']]) {
      const r = p.tsql(args);
      expectUserError(
        r,
        `error: models/unit_tests.yml:${lineOf(yml, 'name: orders_forgotten')}: unit test 'orders_forgotten': model 'order_totals' reads ref('orders'), which is not given (add each input under given: with its rows (rows: [] for none))`,
      );
    }
    expect(existsSync(join(p.dir, 'target/run_results.json'))).toBe(false);
    expect(await relations(p)).toEqual([]);
  });

  it('given rows with a column the existing input relation does not have', async () => {
    const yml = `version: 2
unit_tests:
  - name: fine
    model: priced
    given:
      - input: ref('orders')
        rows: [{id: 1, amount: 1}]
    expect:
      rows: [{id: 1, amount: 1}]
  - name: typo_in_given
    model: recent_customers
    given:
      - input: ref('customers')
        rows:
          - {id: 1, nme: ann, signup_date: "2024-03-01"}
    expect:
      rows:
        - {id: 1}
`;
    const p = project({ ...MODELS, 'models/unit_tests.yml': yml });
    const run = p.tsql(['run', '--select', 'customers', 'orders']);
    expect(run.code, run.stdout + run.stderr).toBe(0);

    const r = p.tsql(['test']);
    expectUserError(
      r,
      `error: models/unit_tests.yml:${lineOf(yml, 'name: typo_in_given')}: unit test 'typo_in_given': the given rows of ref('customers') have column nme, which the input does not have (did you mean 'name'?)`,
    );
    // run_results.json is still the one of `tsql run`
    expect(runResults(p).args.which).toBe('run');
  });

  it('a unit test for a model that does not exist', () => {
    const yml = `version: 2
unit_tests:
  - name: lost
    model: order_total
    given:
      - input: ref('orders')
        rows: [{id: 1}]
    expect:
      rows: [{id: 1}]
`;
    const p = project({ ...MODELS, 'models/unit_tests.yml': yml });
    const r = p.tsql(['test']);
    expectUserError(r, `error: models/unit_tests.yml:3: unit test 'lost': model 'order_total' does not exist (did you mean 'order_totals'?)`);
    expect(existsSync(join(p.dir, 'target/run_results.json'))).toBe(false);
  });
});

describe('generic test on a column the model does not have', () => {
  it('tsql test exits 2 naming the test, the column and the model, with a suggestion', () => {
    const schema = `version: 2
models:
  - name: orders
    columns:
      - name: id
        data_tests: [not_null]
      - name: amout
        data_tests:
          - not_null
`;
    const p = project({ ...MODELS, 'models/schema.yml': schema });
    const run = p.tsql(['run', '--select', 'orders']);
    expect(run.code, run.stdout + run.stderr).toBe(0);

    const r = p.tsql(['test']);
    expectUserError(r, `error: models/schema.yml:${lineOf(schema, '- not_null')}: test 'not_null' is on column 'amout', which model 'orders' does not have (did you mean 'amount'?)`);
    expect(runResults(p).args.which).toBe('run');

    // fixed, the same tests run and pass
    p.write({ 'models/schema.yml': schema.replace('amout', 'amount') });
    const ok = p.tsql(['test']);
    expect(ok.stderr).toBe('');
    expect(ok.code, ok.stdout).toBe(0);
    expect(summary(ok)).toBe('Done. PASS=2 WARN=0 ERROR=0 SKIP=0 TOTAL=2');
  });
});
