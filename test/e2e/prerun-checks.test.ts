/**
 * Mistakes that used to fail at run time (or, worse, work once): each is now
 * found before anything runs, as one line with the file and line, exit 2.
 * Names over the engine's identifier limit are one of them (PostgreSQL
 * truncates at 63 bytes: the first build worked, every later run failed).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { useProjects, type CliResult, type TempProject } from '../helpers/project.js';
import { pgConnection, pgProfile, pgQuery, uniqueSchema } from '../helpers/pg-server.js';

const project = useProjects();

function userError(r: CliResult, line: string): void {
  expect(r.code, r.stdout + r.stderr).toBe(2);
  expect(r.stderr.split('\n')[0]).toBe(line);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stdout).not.toContain('START');
}

function nothingRan(p: TempProject): void {
  expect(existsSync(join(p.dir, 'target/run_results.json'))).toBe(false);
}

function lineOf(text: string, needle: string): number {
  return text.slice(0, text.indexOf(needle)).split('\n').length;
}

const ORDERS = { 'models/orders.sql': "select 1 as id, 'placed' as status\n" };

describe('data test arguments', () => {
  for (const [what, args, message] of [
    ['without values', '{}', "accepted_values test on column 'status' needs 'values:', the list of accepted values (e.g. accepted_values: {values: ['placed', 'shipped']})"],
    ['with values not a list', "{values: 'placed'}", `accepted_values test on column 'status': 'values' must be a non-empty list, not "placed" (e.g. values: ['placed', 'shipped'])`],
  ] as const) {
    it(`accepted_values ${what}`, () => {
      const yml = `version: 2\nmodels:\n  - name: orders\n    columns:\n      - name: status\n        tests:\n          - accepted_values: ${args}\n`;
      const p = project({ ...ORDERS, 'models/schema.yml': yml });
      for (const cmd of ['build', 'test']) userError(p.tsql([cmd]), `error: models/schema.yml:${lineOf(yml, 'accepted_values')}: ${message}`);
      nothingRan(p);
    });
  }
});

describe('config values', () => {
  for (const [config, message] of [
    ["unique_key=123, materialized='incremental'", 'unique_key must be a string or a list of strings, not 123'],
    ["materialized=['table']", 'materialized must be a non-empty string, not ["table"]'],
  ] as const) {
    it(config, () => {
      const p = project({ 'models/m.sql': `{{ config(${config}) }}\nselect 1 as id\n` });
      userError(p.tsql(['build']), `error: models/m.sql:1: ${message}`);
      nothingRan(p);
    });
  }

  it('column_types that is not a mapping, or with a value that is not a string', () => {
    const seeds = { 'seeds/codes.csv': 'id,code\n1,a\n' };
    const notMap = `version: 2\nseeds:\n  - name: codes\n    config:\n      column_types: [id]\n`;
    const p = project({ ...seeds, 'seeds/schema.yml': notMap });
    userError(p.tsql(['build']), `error: seeds/schema.yml:3: column_types must be a mapping of column name to SQL type, e.g. {amount: 'numeric(10,2)'}, not ["id"]`);
    nothingRan(p);
    p.write({ 'seeds/schema.yml': `version: 2\nseeds:\n  - name: codes\n    config:\n      column_types: {id: 5}\n` });
    userError(p.tsql(['seed']), `error: seeds/schema.yml:3: column_types 'id' must be a SQL type as a string, e.g. 'id': 'varchar', not 5`);
    nothingRan(p);
  });

  it('an invalid materialization in the project file names tsql_project.yml and its line', () => {
    const projectFile = `name: shop\nprofile: shop\nmodels:\n  shop:\n    +materialized: tabel\n`;
    const p = project({ ...ORDERS, 'tsql_project.yml': projectFile, 'models/schema.yml': 'version: 2\nmodels:\n  - name: orders\n    description: the orders\n' });
    userError(p.tsql(['build']), "error: tsql_project.yml:5: unknown materialization 'tabel' (did you mean 'table'?)");
    nothingRan(p);
  });

  it('threads over 256 in a profile', () => {
    const p = project(ORDERS, { profile: 'shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: warehouse.duckdb\n      threads: 1000000000\n' });
    const r = p.tsql(['build']);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^error: profiles\.yml:7.*threads.*at most 256/);
    nothingRan(p);
  });
});

describe('tests on columns under build', () => {
  const yml = `version: 2\nmodels:\n  - name: orders\n    columns:\n      - name: stauts\n        tests:\n          - not_null\n`;

  it('a data test on a column the existing relation does not have: exit 2 before anything runs', () => {
    const p = project({ ...ORDERS });
    expect(p.tsql(['run']).code).toBe(0);
    p.write({ 'models/schema.yml': yml });
    const r = p.tsql(['test']);
    userError(r, `error: models/schema.yml:${lineOf(yml, 'not_null')}: test 'not_null' is on column 'stauts', which model 'orders' does not have (did you mean 'status'?)`);
  });

  it('under build, a model it rebuilds is checked against the columns its SQL selects: exit 2 before anything runs', () => {
    const p = project({ ...ORDERS, 'models/schema.yml': yml });
    for (let i = 0; i < 2; i++) {
      const r = p.tsql(['build']);
      userError(r, `error: models/schema.yml:${lineOf(yml, 'not_null')}: test 'not_null' is on column 'stauts', which model 'orders' does not have (did you mean 'status'?)`);
      nothingRan(p);
    }
  });

  it('through select *, CTEs, joins and aliases, down to a seed rebuilt in the same build; a seed\'s own columns come from its CSV', () => {
    const tests = `version: 2
seeds:
  - name: raw_orders
    columns:
      - name: amont
        tests: [not_null]
models:
  - name: enriched
    columns:
      - name: amount
        tests: [not_null]
      - name: label
        tests: [not_null]
      - name: customer
        tests: [not_null]
`;
    const p = project({
      'seeds/raw_orders.csv': 'id,amount,customer_id\n1,10,7\n',
      'models/staged.sql': "with o as (select * from {{ ref('raw_orders') }}) select o.*, 'x' as label from o\n",
      'models/enriched.sql': "select s.* exclude (customer_id), c.name as customer from {{ ref('staged') }} s join (select 7 as id, 'ann' as name) c on c.id = s.customer_id\n",
      'models/schema.yml': tests,
    });
    const r = p.tsql(['build']);
    userError(r, `error: models/schema.yml:${lineOf(tests, 'tests: [not_null]')}: test 'not_null' is on column 'amont', which seed 'raw_orders' does not have (did you mean 'amount'?)`);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    nothingRan(p);
    // the same project with the seed's column right: everything the SQL selects is found, nothing is refused
    p.write({ 'models/schema.yml': tests.replace('amont', 'amount') });
    const ok = p.tsql(['build']);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/PASS=\d+ WARN=0 ERROR=0/);
  });

  it('never refuses what it cannot be sure of: such a model is checked once built, before its tests run', () => {
    const cases: Array<[string, Record<string, string>]> = [
      // an expression without an alias: each engine names its column its own way
      ['an unaliased expression', { 'models/orders.sql': "select 1 as id, lower('PLACED')\n" }],
      // select * over a relation tsql does not know the columns of
      ['select * over a table function', { 'models/orders.sql': "select * from (select 1 as id, 'placed' as status) o, range(1) r\n" }],
      // a post-hook may change the table
      ['a post-hook', { 'models/orders.sql': "{{ config(materialized='table', post_hook=\"alter table {{ this }} add column stauts varchar default 'x'\") }}\nselect 1 as id, 'placed' as status\n" }],
    ];
    for (const [what, files] of cases) {
      const p = project({ ...files, 'models/schema.yml': yml });
      const r = p.tsql(['build']);
      if (what === 'a post-hook') {
        // the hook added the column: the test runs and passes (it found no null)
        expect(r.code, what + r.stdout + r.stderr).toBe(0);
        continue;
      }
      expect(r.code, what + r.stdout + r.stderr).toBe(1);
      expect(r.stdout, what).toMatch(/OK created sql (view|table) model .*orders/);
      expect(r.stdout + r.stderr, what).toContain(`models/schema.yml:${lineOf(yml, 'not_null')}: test 'not_null' is on column 'stauts', which model 'orders' does not have`);
    }
  });

  it('an incremental model keeps the columns of its table: a column its SQL no longer selects is not refused', () => {
    const p = project({ 'models/orders.sql': "{{ config(materialized='incremental') }}\nselect 1 as id, 'placed' as stauts\n" });
    expect(p.tsql(['run']).code).toBe(0);
    p.write({ 'models/orders.sql': "{{ config(materialized='incremental') }}\nselect 2 as id, 'placed' as status\n", 'models/schema.yml': yml });
    const r = p.tsql(['build']);
    expect(r.code, r.stdout + r.stderr).not.toBe(2);
    expect(r.stdout).toContain('START sql incremental model');
  });
});

describe('unit-test rows under build', () => {
  const models = {
    'models/customers.sql': "select 1 as id, 'ann' as name\n",
    'models/named.sql': "select id, name from {{ ref('customers') }}\n",
  };
  const yml = `version: 2
unit_tests:
  - name: typo_in_given
    model: named
    given:
      - input: ref('customers')
        rows:
          - {id: 1, nme: ann}
    expect:
      rows:
        - {id: 1, name: ann}
`;

  it('a given column the input does not have is an error before anything runs, on the first build and the next', () => {
    const p = project({ ...models, 'models/unit_tests.yml': yml });
    const message = `error: models/unit_tests.yml:${lineOf(yml, 'name: typo_in_given')}: unit test 'typo_in_given': the given rows of ref('customers') have column nme, which the input does not have (did you mean 'name'?)`;
    for (let i = 0; i < 2; i++) {
      userError(p.tsql(['build']), message);
      nothingRan(p);
    }
  });

  it('an input whose columns cannot be known is checked once it is built', () => {
    const p = project({ ...models, 'models/customers.sql': "select 1 as id, upper('ann')\n", 'models/unit_tests.yml': yml });
    const r = p.tsql(['build']);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout + r.stderr).toContain("unit test 'typo_in_given': the given rows of ref('customers') have column nme, which the input does not have");
  });
});

describe('identifier length (PostgreSQL: 63 bytes)', () => {
  const PASSWORD_ENV = 'TSQL_TEST_PG_PASSWORD';
  const schemas: string[] = [];
  afterEach(async () => {
    const drop = schemas.splice(0);
    if (drop.length) await pgQuery(drop.map((s) => `drop schema if exists "${s}" cascade`).join(';\n'));
  });

  it('a model name over the limit is a compile error naming the model and file, on every run', () => {
    const c = pgConnection();
    const schema = uniqueSchema('ident');
    schemas.push(schema);
    const profile = pgProfile(schema, PASSWORD_ENV, { threads: 4 });
    const long = 'customer_lifetime_value_by_acquisition_channel_and_cohort_month_a';
    expect(long.length).toBe(65);
    const p = project({ [`models/${long}.sql`]: 'select 1 as id\n', 'models/short.sql': `{{ config(alias='${'x'.repeat(70)}') }}\nselect 1 as id\n` }, { profile });
    const env = { [PASSWORD_ENV]: c.password };
    for (let i = 0; i < 2; i++) {
      const r = p.tsql(['build'], env);
      expect(r.code, r.stdout + r.stderr).toBe(2);
      expect(r.stderr).toContain(`error: models/${long}.sql: model '${long}': its relation name '${long}' is 65 bytes, over postgres's limit of 63`);
      expect(r.stderr).toContain(`error: models/short.sql: model 'short': its relation name '${'x'.repeat(70)}' is 70 bytes, over postgres's limit of 63`);
      expect(r.stdout).not.toContain('START');
    }
  });

  it('DuckDB takes the same names (its limit is far higher)', () => {
    const long = 'customer_lifetime_value_by_acquisition_channel_and_cohort_month_a';
    const p = project({ [`models/${long}.sql`]: 'select 1 as id\n' });
    for (let i = 0; i < 2; i++) expect(p.tsql(['build']).code).toBe(0);
  });
});
