import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useProjects, type CliResult, type TempProject } from '../helpers/project.js';
import { CUSTOMERS, ORDERS } from '../fixtures/orders.js';
import { expectUserError } from '../helpers/assert.js';

const project = useProjects();

interface Result {
  unique_id: string;
  status: string;
  failures: number | null;
  compiled_path: string | null;
  message: string;
}

/** run_results.json entries keyed by node name (tests) or unique_id (everything else). */
function results(p: TempProject): Record<string, Result> {
  const json = JSON.parse(readFileSync(join(p.dir, 'target/run_results.json'), 'utf8'));
  const out: Record<string, Result> = {};
  for (const r of json.results as Result[]) {
    const parts = r.unique_id.split('.');
    out[parts[0] === 'test' ? parts[2] : r.unique_id] = r;
  }
  return out;
}

/** Test names in run_results.json. */
function testNames(p: TempProject): string[] {
  return Object.entries(results(p))
    .filter(([, r]) => r.unique_id.startsWith('test.'))
    .map(([name]) => name)
    .sort();
}

/** The result line for one test (not its START line): `N of M PASS test x`, `FAIL 3 test x`, `WARN 3 test x`. */
function lineFor(r: CliResult, name: string): string {
  const lines = r.stdout.split('\n').filter((l) => new RegExp(`\\d+ of \\d+ (?:PASS|FAIL|WARN|ERROR|SKIP)(?: \\d+)? test ${name} `).test(l));
  expect(lines, `one console line for test ${name}`).toHaveLength(1);
  return lines[0];
}

function expectLine(r: CliResult, name: string, word: 'PASS' | 'FAIL' | 'WARN', failures?: number): void {
  const line = lineFor(r, name);
  const head = word === 'PASS' ? 'PASS' : `${word} ${failures}`;
  expect(line).toMatch(new RegExp(`\\d+ of \\d+ ${head} test ${name} .*\\[${head} in \\d+\\.\\d\\ds\\]$`));
}

function summary(r: CliResult): string {
  const m = /Done\. PASS=\d+ WARN=\d+ ERROR=\d+ SKIP=\d+ TOTAL=\d+/.exec(r.stdout);
  expect(m, r.stdout + r.stderr).not.toBeNull();
  return m![0];
}

// ---------------------------------------------------------------- built-ins

const builtins = {
  'models/orders.sql': ORDERS,
  'models/customers.sql': CUSTOMERS,
  'models/vip.sql': `select * from (values (1), (2), (2)) as t(customer_id)\n`,
  'models/empty_model.sql': `{{ config(materialized='table') }}\nselect 1 as id where false\n`,
  'models/schema.yml': `version: 2
models:
  - name: orders
    data_tests:
      - dbt_utils.unique_combination_of_columns:
          arguments:
            combination_of_columns: [id, customer_id]
      - expression_is_true:
          expression: "amount >= 0"
    columns:
      - name: id
        data_tests: [not_null, unique]
      - name: status
        data_tests:
          - not_null
          - accepted_values:
              values: [placed, shipped]
      - name: customer_id
        data_tests:
          - relationships:
              to: ref('customers')
              field: id
      - name: priority
        data_tests:
          - accepted_values:
              arguments:
                values: [1, 2, 3]
                quote: false
  - name: customers
    tests:
      - not_empty
      - dbt_utils.expression_is_true:
          arguments:
            expression: "id > 0"
      - unique_combination_of_columns:
          combination_of_columns: [id, name]
    columns:
      - name: id
        tests: [unique, not_null]
      - name: tier
        tests:
          - accepted_values: {values: [1, 2], quote: false}
      - name: name
        tests:
          - accepted_values: {values: [ann, bob, cy]}
  - name: vip
    columns:
      - name: customer_id
        tests:
          - relationships: {to: "ref('customers')", field: id}
  - name: empty_model
    tests: [not_empty]
`,
};

describe('built-in generic tests', () => {
  it('each built-in passes on good data and fails with the exact count on bad data', () => {
    const p = project(builtins);
    const r = p.tsql(['build']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);

    const failing: Record<string, number> = {
      not_null_orders_id: 1, // one null id
      unique_orders_id: 2, // 2 and 3 are duplicated (5 rows, 2 values)
      accepted_values_orders_status__placed__shipped: 2, // 'lost' (twice) and 'pending': distinct values
      relationships_orders_customer_id__id__ref_customers_: 4, // 9, 9, 8, 7 are orphans; null is not
      expression_is_true_orders_amount_0: 3, // -5, -1, -2
      dbt_utils_unique_combination_of_columns_orders_id__customer_id: 1, // (3, 9) twice
      accepted_values_orders_priority__False__1__2__3: 3, // 7, 8, 9
      not_empty_empty_model_: 1,
    };
    const passing = [
      'not_null_orders_status',
      'not_empty_customers_',
      'dbt_utils_expression_is_true_customers_id_0',
      'unique_combination_of_columns_customers_id__name',
      'unique_customers_id',
      'not_null_customers_id',
      'accepted_values_customers_tier__False__1__2',
      'accepted_values_customers_name__ann__bob__cy',
      'relationships_vip_customer_id__id__ref_customers_',
    ];
    expect(testNames(p)).toEqual([...Object.keys(failing), ...passing].sort());

    const res = results(p);
    for (const [name, n] of Object.entries(failing)) {
      expect(res[name], name).toMatchObject({ status: 'fail', failures: n, message: `Got ${n} result${n === 1 ? '' : 's'}, configured to fail if != 0` });
      expectLine(r, name, 'FAIL', n);
    }
    for (const name of passing) {
      expect(res[name], name).toMatchObject({ status: 'pass', failures: 0 });
      expectLine(r, name, 'PASS');
    }
    // 4 models + 9 passing tests; 8 failing tests count as errors
    expect(summary(r)).toBe('Done. PASS=13 WARN=0 ERROR=8 SKIP=0 TOTAL=21');
    expect(r.stdout).toMatch(/Failure in test not_null_orders_id \(models\/schema\.yml\)\n.*Got 1 result, configured to fail if != 0/);
  });

  it('run_results.json records status, failures, message and a compiled_path that exists', () => {
    const p = project(builtins);
    p.tsql(['run']);
    const r = p.tsql(['test', '--select', 'orders']);
    expect(r.code).toBe(1);
    const res = results(p);
    const t = res.expression_is_true_orders_amount_0;
    expect(t.status).toBe('fail');
    expect(t.failures).toBe(3);
    expect(t.message).toBe('Got 3 results, configured to fail if != 0');
    expect(t.compiled_path).toBe('target/compiled/shop/models/schema.yml/expression_is_true_orders_amount_0.sql');
    const compiled = readFileSync(join(p.dir, t.compiled_path!), 'utf8');
    expect(compiled).toMatch(/where not \(amount >= 0\)/);
    expect(compiled).toMatch(/"main"\."orders"/);
    // the quote: false form renders bare integers
    const priority = readFileSync(join(p.dir, res.accepted_values_orders_priority__False__1__2__3.compiled_path!), 'utf8');
    expect(priority).toMatch(/not in \(1, 2, 3\)/);
    const status = readFileSync(join(p.dir, res.accepted_values_orders_status__placed__shipped.compiled_path!), 'utf8');
    expect(status).toMatch(/not in \('placed', 'shipped'\)/);
    for (const r of Object.values(res)) {
      expect(r.compiled_path).not.toBeNull();
      expect(existsSync(join(p.dir, r.compiled_path!)), r.compiled_path!).toBe(true);
    }
    expect(res.not_null_orders_status).toMatchObject({ status: 'pass', failures: 0 });
    // `--select orders` picks the tests attached to orders, not those of customers
    expect(testNames(p)).toEqual([
      'accepted_values_orders_priority__False__1__2__3',
      'accepted_values_orders_status__placed__shipped',
      'dbt_utils_unique_combination_of_columns_orders_id__customer_id',
      'expression_is_true_orders_amount_0',
      'not_null_orders_id',
      'not_null_orders_status',
      'relationships_orders_customer_id__id__ref_customers_',
      'unique_orders_id',
    ]);
    expect(summary(r)).toBe('Done. PASS=1 WARN=0 ERROR=7 SKIP=0 TOTAL=8');
  });
});

// ---------------------------------------------------------------- singular, custom, dispatch, selection

const people = {
  'models/people.sql': `{{ config(materialized='table') }}
select * from (values
  (1, 'a@x.com', 'a.com', 20),
  (2, '',        'b.com', 130),
  (3, null,      'c.org', -1),
  (4, 'd@x.org', 'd.com', 200),
  (5, 'e@x.com', 'e.com', 30)
) as t(id, email, site, age)
`,
  'macros/in_range.sql': `{% test in_range(model, column_name, low, high) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} < {{ low }} or {{ column_name }} > {{ high }}
{% endtest %}
`,
  'tests/generic/has_suffix.sql': `{% test has_suffix(model, column_name, suffix) %}
select {{ column_name }}
from {{ model }}
where not ends_with({{ column_name }}, '{{ suffix }}')
{% endtest %}
`,
  // The project's own engine-specific not_null also treats empty strings as missing.
  'macros/not_null_override.sql': `{% macro duckdb__test_not_null(model, column_name) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} is null or trim(cast({{ column_name }} as varchar)) = ''
{% endmacro %}
`,
  'tests/assert_ages_are_plausible.sql': `select id, age
from {{ ref('people') }}
where age < 0 or age > 150
`,
  'tests/assert_people_exist.sql': `select n from (select count(*) as n from {{ ref('people') }}) as c where n = 0
`,
  'models/schema.yml': `version: 2
models:
  - name: people
    columns:
      - name: id
        tests: [not_null]
      - name: email
        tests: [not_null]
      - name: age
        tests:
          - in_range:
              low: 0
              high: 120
      - name: site
        tests:
          - has_suffix:
              arguments:
                suffix: .com
`,
};

describe('singular tests, custom generic tests and dispatch overrides', () => {
  it('runs them with the right counts, and selection by test_type / test_name runs exactly those', () => {
    const p = project(people);
    const all = p.tsql(['build']);
    expect(all.stderr).toBe('');
    expect(all.code).toBe(1);
    const res = results(p);
    expect(testNames(p)).toEqual([
      'assert_ages_are_plausible',
      'assert_people_exist',
      'has_suffix_people_site___com',
      'in_range_people_age__120__0',
      'not_null_people_email',
      'not_null_people_id',
    ]);
    // singular test with ref(): -1 and 200
    expect(res.assert_ages_are_plausible).toMatchObject({ status: 'fail', failures: 2, message: 'Got 2 results, configured to fail if != 0' });
    expect(res.assert_ages_are_plausible.compiled_path).toBe('target/compiled/shop/tests/assert_ages_are_plausible.sql');
    expect(readFileSync(join(p.dir, res.assert_ages_are_plausible.compiled_path!), 'utf8')).toMatch(/from "warehouse"\."main"\."people"\nwhere age < 0 or age > 150/);
    expect(res.assert_people_exist).toMatchObject({ status: 'pass', failures: 0 });
    // custom generic test from macros/ with two extra arguments: 130, -1, 200
    expect(res.in_range_people_age__120__0).toMatchObject({ status: 'fail', failures: 3 });
    // custom generic test from tests/generic/ with an extra argument: c.org
    expect(res.has_suffix_people_site___com).toMatchObject({ status: 'fail', failures: 1 });
    // duckdb__test_not_null in the project wins over the built-in: null and '' → 2, not 1
    expect(res.not_null_people_email).toMatchObject({ status: 'fail', failures: 2 });
    expect(res.not_null_people_id).toMatchObject({ status: 'pass', failures: 0 });
    expectLine(all, 'assert_ages_are_plausible', 'FAIL', 2);
    expectLine(all, 'not_null_people_email', 'FAIL', 2);
    expectLine(all, 'in_range_people_age__120__0', 'FAIL', 3);
    expectLine(all, 'has_suffix_people_site___com', 'FAIL', 1);
    expect(summary(all)).toBe('Done. PASS=3 WARN=0 ERROR=4 SKIP=0 TOTAL=7');

    const singular = p.tsql(['test', '--select', 'test_type:singular']);
    expect(singular.stderr).toBe('');
    expect(singular.code).toBe(1);
    expect(testNames(p)).toEqual(['assert_ages_are_plausible', 'assert_people_exist']);
    expect(Object.keys(results(p))).toHaveLength(2);
    expectLine(singular, 'assert_ages_are_plausible', 'FAIL', 2);
    expectLine(singular, 'assert_people_exist', 'PASS');
    expect(singular.stdout).not.toMatch(/not_null_people/);
    expect(summary(singular)).toBe('Done. PASS=1 WARN=0 ERROR=1 SKIP=0 TOTAL=2');

    const byName = p.tsql(['test', '--select', 'test_name:not_null']);
    expect(byName.stderr).toBe('');
    expect(byName.code).toBe(1);
    expect(testNames(p)).toEqual(['not_null_people_email', 'not_null_people_id']);
    expect(Object.keys(results(p))).toHaveLength(2);
    expectLine(byName, 'not_null_people_email', 'FAIL', 2);
    expectLine(byName, 'not_null_people_id', 'PASS');
    expect(summary(byName)).toBe('Done. PASS=1 WARN=0 ERROR=1 SKIP=0 TOTAL=2');

    const generic = p.tsql(['test', '--select', 'test_type:generic', '--exclude', 'test_name:not_null']);
    expect(generic.code).toBe(1);
    expect(testNames(p)).toEqual(['has_suffix_people_site___com', 'in_range_people_age__120__0']);
  });
});

// ---------------------------------------------------------------- config

const EVENTS = (rows: string) => `{{ config(materialized='table') }}
select * from (values
${rows}
) as t(id, code, n, grp)
`;

const config = {
  'models/events.sql': EVENTS(`  (1, 'a', -1, 'x'),
  (2, 'b', -2, 'x'),
  (3, 'c', -3, 'y'),
  (4, 'd',  4, 'y'),
  (5, null, 5, 'y'),
  (6, null, 6, 'y')`),
  'models/schema.yml': `version: 2
models:
  - name: events
    tests:
      - expression_is_true:
          expression: "n > 0"
      - expression_is_true:
          name: warn_severity
          arguments:
            expression: "n > 0"
          config:
            severity: warn
            tags: [warnings_only]
      - expression_is_true:
          name: error_if_gt2_with_3
          expression: "n > 0"
          config:
            error_if: ">2"
      - expression_is_true:
          name: warn_if_gt1_error_if_gt5
          expression: "n > 0"
          warn_if: ">1"
          error_if: ">5"
          tags: [warnings_only]
      - expression_is_true:
          name: where_grp_x
          expression: "n > 0"
          config:
            where: "grp = 'x'"
      - expression_is_true:
          name: limit_1
          expression: "n > 0"
          config:
            limit: 1
    columns:
      - name: code
        tests:
          - not_null:
              config:
                error_if: ">2"
          - not_null:
              name: error_if_gt2_with_2
              config:
                error_if: ">2"
                warn_if: ">2"
          - accepted_values:
              values: [a, b]
              config:
                store_failures: true
      - name: grp
        tests:
          - unique:
              config:
                enabled: false
`,
};

describe('test config', () => {
  it('severity, error_if / warn_if, where, limit, store_failures and enabled', async () => {
    const p = project(config);
    const r = p.tsql(['build']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const res = results(p);
    // enabled: false removes the unique test on grp
    expect(testNames(p)).toEqual([
      'accepted_values_events_code__a__b',
      'error_if_gt2_with_2',
      'error_if_gt2_with_3',
      'expression_is_true_events_n_0',
      'limit_1',
      'not_null_events_code',
      'warn_if_gt1_error_if_gt5',
      'warn_severity',
      'where_grp_x',
    ]);
    expect(r.stdout).not.toMatch(/unique_events_grp/);

    expect(res.expression_is_true_events_n_0).toMatchObject({ status: 'fail', failures: 3, message: 'Got 3 results, configured to fail if != 0' });
    expectLine(r, 'expression_is_true_events_n_0', 'FAIL', 3);
    // severity: warn
    expect(res.warn_severity).toMatchObject({ status: 'warn', failures: 3, message: 'Got 3 results, configured to warn if != 0' });
    expectLine(r, 'warn_severity', 'WARN', 3);
    // error_if '>2': 3 failures fail, 2 failures pass
    expect(res.error_if_gt2_with_3).toMatchObject({ status: 'fail', failures: 3, message: 'Got 3 results, configured to fail if > 2' });
    expectLine(r, 'error_if_gt2_with_3', 'FAIL', 3);
    expect(res.error_if_gt2_with_2).toMatchObject({ status: 'pass', failures: 2, message: 'PASS' });
    expectLine(r, 'error_if_gt2_with_2', 'PASS');
    // as in dbt, warn_if keeps its default ('!=0') when only error_if is set: 2 failures warn
    expect(res.not_null_events_code).toMatchObject({ status: 'warn', failures: 2, message: 'Got 2 results, configured to warn if != 0' });
    expectLine(r, 'not_null_events_code', 'WARN', 2);
    // warn_if '>1' and error_if '>5' with 3 failures
    expect(res.warn_if_gt1_error_if_gt5).toMatchObject({ status: 'warn', failures: 3, message: 'Got 3 results, configured to warn if > 1' });
    expectLine(r, 'warn_if_gt1_error_if_gt5', 'WARN', 3);
    // where restricts the rows tested: only -1 and -2 are in grp x
    expect(res.where_grp_x).toMatchObject({ status: 'fail', failures: 2 });
    expectLine(r, 'where_grp_x', 'FAIL', 2);
    // limit 1 caps the failures
    expect(res.limit_1).toMatchObject({ status: 'fail', failures: 1, message: 'Got 1 result, configured to fail if != 0' });
    expectLine(r, 'limit_1', 'FAIL', 1);
    // store_failures: c and d
    expect(res.accepted_values_events_code__a__b).toMatchObject({ status: 'fail', failures: 2 });
    // 1 model + 1 passing test; 3 warnings; 5 failures
    expect(summary(r)).toBe('Done. PASS=2 WARN=3 ERROR=5 SKIP=0 TOTAL=10');

    const stored = () => p.query('select value_field, n_records from main_tsql_test__audit.accepted_values_events_code__a__b order by value_field');
    expect(await stored()).toEqual([
      { value_field: 'c', n_records: '1' },
      { value_field: 'd', n_records: '1' },
    ]);
    // only the test with store_failures writes to the audit schema
    const audit = await p.query(`select table_name from information_schema.tables where table_schema = 'main_tsql_test__audit' order by 1`);
    expect(audit).toEqual([{ table_name: 'accepted_values_events_code__a__b' }]);

    // A second run replaces the stored rows rather than appending to them.
    p.write({
      'models/events.sql': EVENTS(`  (1, 'a', 1, 'x'),
  (2, 'z', 2, 'y'),
  (3, 'z', 3, 'z')`),
    });
    const again = p.tsql(['build']);
    expect(again.code).toBe(1);
    expect(results(p).accepted_values_events_code__a__b).toMatchObject({ status: 'fail', failures: 1 });
    expect(results(p).expression_is_true_events_n_0).toMatchObject({ status: 'pass', failures: 0 });
    expect(summary(again)).toBe('Done. PASS=9 WARN=0 ERROR=1 SKIP=0 TOTAL=10');
    expect(await stored()).toEqual([{ value_field: 'z', n_records: '2' }]);
  });

  it('warnings alone exit 0', () => {
    const p = project(config);
    expect(p.tsql(['run']).code).toBe(0);
    const r = p.tsql(['test', '--select', 'tag:warnings_only']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(testNames(p)).toEqual(['warn_if_gt1_error_if_gt5', 'warn_severity']);
    expectLine(r, 'warn_severity', 'WARN', 3);
    expectLine(r, 'warn_if_gt1_error_if_gt5', 'WARN', 3);
    expect(r.stdout).toMatch(/Completed with 2 warnings:/);
    expect(r.stdout).toMatch(/Warning in test warn_severity \(.+\)\n.*Got 3 results, configured to warn if != 0/);
    expect(summary(r)).toBe('Done. PASS=0 WARN=2 ERROR=0 SKIP=0 TOTAL=2');
  });
});

// ---------------------------------------------------------------- build

describe('tsql build with failing tests', () => {
  const dag = {
    'models/base.sql': `{{ config(materialized='table') }}\nselect * from (values (1), (null), (null)) as t(id)\n`,
    'models/child.sql': `select id from {{ ref('base') }}\n`,
    'models/grandchild.sql': `select id from {{ ref('child') }}\n`,
    'models/base2.sql': `{{ config(materialized='table') }}\nselect * from (values (1), (1)) as t(id)\n`,
    'models/child2.sql': `select id from {{ ref('base2') }}\n`,
    'models/other.sql': `select 1 as id\n`,
    'models/schema.yml': `version: 2
models:
  - name: base
    columns:
      - name: id
        tests: [not_null]
  - name: base2
    columns:
      - name: id
        tests:
          - unique:
              config:
                severity: warn
`,
  };

  it('an error-severity failure skips the model’s descendants; a warning does not', async () => {
    const p = project(dag);
    const r = p.tsql(['build']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const res = results(p);
    expect(res.not_null_base_id).toMatchObject({ status: 'fail', failures: 2 });
    expect(res.unique_base2_id).toMatchObject({ status: 'warn', failures: 1 });
    expect(res['model.shop.base'].status).toBe('success');
    expect(res['model.shop.child'].status).toBe('skipped');
    expect(res['model.shop.grandchild'].status).toBe('skipped');
    expect(res['model.shop.base2'].status).toBe('success');
    expect(res['model.shop.child2'].status).toBe('success');
    expect(res['model.shop.other'].status).toBe('success');
    expectLine(r, 'not_null_base_id', 'FAIL', 2);
    expectLine(r, 'unique_base2_id', 'WARN', 1);
    expect(r.stdout).toMatch(/\d+ of \d+ SKIP .*model main\.child .*\[SKIP\]/);
    expect(r.stdout).toMatch(/\d+ of \d+ SKIP .*model main\.grandchild .*\[SKIP\]/);
    // base, base2, child2, other; unique warns; not_null fails; child and grandchild skipped
    expect(summary(r)).toBe('Done. PASS=4 WARN=1 ERROR=1 SKIP=2 TOTAL=8');
    // the skipped models were never created
    const made = await p.query(`select table_name from information_schema.tables where table_schema = 'main' order by 1`);
    expect(made.map((t) => t.table_name)).toEqual(['base', 'base2', 'child2', 'other']);
    // the tests ran before the children: the failing test comes before the SKIP lines
    const lines = r.stdout.split('\n');
    expect(lines.findIndex((l) => / FAIL 2 test not_null_base_id /.test(l))).toBeLessThan(lines.findIndex((l) => /SKIP .*main\.child /.test(l)));
    expect(lines.findIndex((l) => / WARN 1 test unique_base2_id /.test(l))).toBeLessThan(lines.findIndex((l) => /START .*main\.child2 /.test(l)));

    const warnOnly = p.tsql(['build', '--select', 'base2+']);
    expect(warnOnly.stderr).toBe('');
    expect(warnOnly.code).toBe(0);
    expectLine(warnOnly, 'unique_base2_id', 'WARN', 1);
    expect(results(p)['model.shop.child2'].status).toBe('success');
    expect(summary(warnOnly)).toBe('Done. PASS=2 WARN=1 ERROR=0 SKIP=0 TOTAL=3');
  });
});

// ---------------------------------------------------------------- bad input

describe('bad test declarations stop before anything runs', () => {

  const model = { 'models/orders.sql': 'select 1 as id', 'models/customers.sql': 'select 1 as id' };

  it('an unknown test name suggests the closest', () => {
    const p = project({
      ...model,
      'models/schema.yml': `version: 2
models:
  - name: orders
    columns:
      - name: id
        tests:
          - unique
          - not_nul
`,
    });
    expectUserError(p, /^error: models\/schema\.yml:8: unknown test 'not_nul' \(did you mean 'not_null'\?\)$/);
    expectUserError(p, /^error: models\/schema\.yml:8: unknown test 'not_nul'/, ['test']);
  });

  it('a malformed error_if names the file and line', () => {
    const p = project({
      ...model,
      'models/schema.yml': `version: 2
models:
  - name: orders
    columns:
      - name: id
        tests:
          - not_null
          - unique:
              config:
                error_if: ">>1"
`,
    });
    expectUserError(p, /^error: models\/schema\.yml:8: test 'unique_orders_id': malformed error_if '>>1' \(use a comparison with a number, like '>10', '>=1' or '!=0'\)$/);
    expectUserError(p, /^error: models\/schema\.yml:8: .*malformed error_if '>>1'/, ['test']);
  });

  it('relationships to a model that does not exist suggests the closest', () => {
    const p = project({
      ...model,
      'models/schema.yml': `version: 2
models:
  - name: orders
    columns:
      - name: id
        tests:
          - relationships:
              to: ref('customer')
              field: id
`,
    });
    expectUserError(p, /^error: models\/schema\.yml:7: relationships test: 'to: ref\('customer'\)' does not resolve to a model, seed or source \(did you mean 'customers'\?\)$/);
  });
});
