import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { queryDuckDB, useProjects, type CliResult, type TempProject } from '../helpers/project.js';
import { ok, prodAndCiDuckProfile, prodAndPr as sharedProdAndPr } from '../helpers/state.js';
import { pgConnection, pgProfile, pgQuery, uniqueSchema } from '../helpers/pg-server.js';

/**
 * The pull-request check: production builds into its own database and its
 * target/ is saved as the state; a copy of the project (the PR) changes one
 * model's SQL, one config, one macro, one seed row, adds a model, and has an
 * env-only difference. `state:modified+` must select exactly what changed and
 * what is below it; `--defer` builds that in the PR's database reading
 * production's unchanged parents; `--empty` builds the same with zero rows.
 */

const project = useProjects();

const PROD_FILES: Record<string, string> = {
  'tsql_project.yml': `name: shop
profile: shop
models:
  shop:
    +materialized: table
`,
  'seeds/raw_orders.csv': `id,customer_id,amount
1,10,12.50
2,10,7.25
3,11,100.00
`,
  'seeds/raw_customers.csv': `id,name
1,Ada
2,Grace
`,
  'macros/money.sql': `{% macro cents(col) %}cast({{ col }} * 100 as integer){% endmacro %}

{% macro untouched_macro() %}1{% endmacro %}
`,
  'models/stg_orders.sql': `select id, customer_id, amount from {{ ref('raw_orders') }}
`,
  'models/stg_customers.sql': `select id, name from {{ ref('raw_customers') }}
`,
  'models/order_cents.sql': `select stg_orders.id, {{ cents('amount') }} as cents from {{ ref('stg_orders') }}
`,
  'models/orders_by_customer.sql': `select stg_orders.customer_id, count(*) as orders from {{ ref('stg_orders') }} group by 1
`,
  'models/big_orders.sql': `select * from {{ ref('stg_orders') }} as o where o.amount > 10
`,
  'models/customer_report.sql': `select c.name, o.cents from {{ ref('stg_customers') }} c join {{ ref('order_cents') }} as o on o.id = c.id
`,
  // the env-only difference: the alias comes from env_var(), a column from target.name
  'models/env_model.sql': `{{ config(alias=env_var('TSQL_ENV_ALIAS', 'env_model'), tags=['env_' ~ target.name]) }}
select '{{ target.name }}' as built_for, count(*) as n from {{ ref('stg_orders') }}
`,
  'models/untouched.sql': `select id from {{ ref('stg_orders') }}
`,
  'models/schema.yml': `version: 2
models:
  - name: big_orders
    config:
      materialized: view
  - name: stg_orders
    columns:
      - name: id
        data_tests: [not_null]
  - name: orders_by_customer
    columns:
      - name: customer_id
        data_tests: [not_null]
`,
};

/** The pull request: one SQL change, one config change, one macro change, one seed row, one new model. */
const PR_CHANGES: Record<string, string> = {
  'models/orders_by_customer.sql': `select stg_orders.customer_id, count(*) as orders, sum(stg_orders.amount) as total from {{ ref('stg_orders') }} group by 1
`,
  'models/schema.yml': PROD_FILES['models/schema.yml'].replace('materialized: view', 'materialized: table'),
  'macros/money.sql': PROD_FILES['macros/money.sql'].replace('* 100 as integer', '* 1000 as integer'),
  'seeds/raw_customers.csv': `id,name
1,Ada
2,Grace Hopper
`,
  'models/new_model.sql': `select count(*) as n from {{ ref('untouched') }}
`,
};

/** What `state:modified+` selects in the PR: models, seeds and tests. */
const EXPECTED_MODIFIED_PLUS = [
  'big_orders', // config (YAML)
  'customer_report', // below stg_customers and order_cents
  'new_model', // new
  'not_null_orders_by_customer_customer_id', // test of a modified model
  'order_cents', // macro
  'orders_by_customer', // SQL
  'raw_customers', // seed row
  'stg_customers', // below the seed
];



const lines = (r: CliResult) => r.stdout.split('\n').filter(Boolean).sort();

function prodAndPr(profileOf: (prod: TempProject) => string, env: { prod: Record<string, string>; ci: Record<string, string> }) {
  return sharedProdAndPr(project, { prod: PROD_FILES, pr: PR_CHANGES }, profileOf, env);
}

interface RunResult {
  unique_id: string;
  status: string;
}

/** A node's name from its unique id (tests: test.<project>.<name>.<hash>). */
function nameOf(uniqueId: string): string {
  const parts = uniqueId.split('.');
  return parts[0] === 'test' ? parts[2] : parts[parts.length - 1];
}

function runResults(p: TempProject): RunResult[] {
  return JSON.parse(readFileSync(join(p.dir, 'target', 'run_results.json'), 'utf8')).results as RunResult[];
}

describe('state:modified, --defer and --empty on DuckDB', () => {
  const ENV = { prod: { TSQL_ENV_ALIAS: 'env_prod' }, ci: { TSQL_ENV_ALIAS: 'env_ci' } };

  it('selects exactly what the PR changed, and what is below it; env-only differences select nothing', () => {
    const { pr, ci } = prodAndPr((prod) => prodAndCiDuckProfile(join(prod.dir, 'prod.duckdb')), ENV);
    const ls = (sel: string) => lines(ok(ci(['ls', '--select', sel, '--state', 'prod-artifacts', '--output', 'name'])));

    expect(ls('state:modified+')).toEqual(EXPECTED_MODIFIED_PLUS);
    // the tests of selected models come along (indirect selection), as with any selector
    expect(ls('state:modified')).toEqual(['big_orders', 'new_model', 'not_null_orders_by_customer_customer_id', 'order_cents', 'orders_by_customer', 'raw_customers']);
    expect(ls('state:modified.body')).toEqual(['not_null_orders_by_customer_customer_id', 'orders_by_customer', 'raw_customers']);
    expect(ls('state:modified.configs')).toEqual(['big_orders']);
    expect(ls('state:modified.macros')).toEqual(['order_cents']);
    expect(ls('state:new')).toEqual(['new_model']);
    // the env-only model is unmodified, though its alias, tag and text render differently on ci
    expect(ls('state:unmodified,env_model')).toEqual(['env_model']);
    expect(ls('state:modified.relation')).toEqual([]);
    // graph operators and set operations, as with every method
    expect(ls('+state:modified.configs')).toEqual(['big_orders', 'not_null_stg_orders_id', 'raw_orders', 'stg_orders']);
    expect(ls('state:modified,resource_type:seed')).toEqual(['raw_customers']);
    expect(lines(ok(ci(['ls', '--select', 'state:modified+', '--exclude', 'customer_report', '--state', 'prod-artifacts', '--resource-type', 'model', '--output', 'name'])))).toEqual(['big_orders', 'new_model', 'order_cents', 'orders_by_customer', 'stg_customers']);

    // an env-only difference alone selects nothing: the PR without its changes
    for (const f of Object.keys(PR_CHANGES)) pr.write({ [f]: PROD_FILES[f] ?? '' });
    pr.remove('models/new_model.sql');
    expect(ls('state:modified+')).toEqual([]);
  });

  it('builds the modified nodes in the PR database, reading production for unchanged parents; --empty builds them with 0 rows', async () => {
    const { prod, pr, ci } = prodAndPr((p) => prodAndCiDuckProfile(join(p.dir, 'prod.duckdb')), ENV);
    const r = ok(ci(['build', '--select', 'state:modified+', '--defer', '--state', 'prod-artifacts']));
    expect(r.stdout).toContain('Deferred model.shop.stg_orders to --state prod-artifacts: "prod"."main"."stg_orders"');

    expect(runResults(pr).map((x) => nameOf(x.unique_id)).sort()).toEqual(EXPECTED_MODIFIED_PLUS);
    expect(runResults(pr).every((x) => x.status === 'success' || x.status === 'pass')).toBe(true);

    // stg_orders was not built in the PR database: the models below it read production's
    const ciDb = join(pr.dir, 'ci.duckdb');
    const prTables = (await queryDuckDB(ciDb, "select table_name from information_schema.tables where table_schema = 'pr' order by 1")).map((x) => x.table_name);
    expect(prTables).toEqual(['big_orders', 'customer_report', 'new_model', 'order_cents', 'orders_by_customer', 'raw_customers', 'stg_customers']);
    expect(await queryDuckDB(ciDb, 'select id::int as id, cents from pr.order_cents order by id')).toEqual([
      { id: 1, cents: 12500 },
      { id: 2, cents: 7250 },
      { id: 3, cents: 100000 },
    ]);
    // stg_customers is rebuilt in the PR from the PR's seed, and customer_report joins the two PR tables
    expect(await queryDuckDB(ciDb, 'select name, cents from pr.customer_report order by name')).toEqual([
      { name: 'Ada', cents: 12500 },
      { name: 'Grace Hopper', cents: 7250 },
    ]);
    expect(await queryDuckDB(ciDb, 'select customer_id::int as customer_id, total::double as total from pr.orders_by_customer order by 1')).toEqual([
      { customer_id: 10, total: 19.75 },
      { customer_id: 11, total: 100 },
    ]);
    // new_model reads untouched, which the PR did not build either
    expect(await queryDuckDB(ciDb, 'select n from pr.new_model')).toEqual([{ n: '3' }]);
    const compiled = readFileSync(join(pr.dir, 'target/compiled/shop/models/order_cents.sql'), 'utf8');
    expect(compiled).toContain('from "prod"."main"."stg_orders"');
    const manifest = JSON.parse(readFileSync(join(pr.dir, 'target/manifest.json'), 'utf8'));
    expect(manifest.nodes['model.shop.stg_orders'].defer_relation.relation_name).toBe('"prod"."main"."stg_orders"');
    expect(manifest.deferred['model.shop.untouched']).toBe('"prod"."main"."untouched"');
    expect(manifest.deferred['model.shop.order_cents']).toBeUndefined();
    // production is untouched
    expect(await queryDuckDB(join(prod.dir, 'prod.duckdb'), 'select cents from main.order_cents order by id')).toEqual([{ cents: 1250 }, { cents: 725 }, { cents: 10000 }]);

    // --empty: the same nodes, every model with its columns and no rows; tests still run
    const e = ok(ci(['build', '--select', 'state:modified+', '--defer', '--state', 'prod-artifacts', '--empty']));
    expect(e.stdout).toMatch(/not_null_orders_by_customer_customer_id .*PASS/);
    for (const t of ['order_cents', 'orders_by_customer', 'stg_customers', 'customer_report', 'big_orders']) {
      expect(await queryDuckDB(ciDb, `select count(*) as n from pr.${t}`), t).toEqual([{ n: '0' }]);
    }
    const cols = await queryDuckDB(ciDb, "select column_name from information_schema.columns where table_schema = 'pr' and table_name = 'orders_by_customer' order by ordinal_position");
    expect(cols.map((c) => c.column_name)).toEqual(['customer_id', 'orders', 'total']);
    // the seed itself still loads its rows
    expect(await queryDuckDB(ciDb, 'select count(*) as n from pr.raw_customers')).toEqual([{ n: '2' }]);
    const emptySql = readFileSync(join(pr.dir, 'target/compiled/shop/models/customer_report.sql'), 'utf8');
    expect(emptySql).toContain('from (select * from "ci"."pr"."stg_customers" where false limit 0) c join (select * from "ci"."pr"."order_cents" where false limit 0) as o');
    expect(readFileSync(join(pr.dir, 'target/compiled/shop/models/order_cents.sql'), 'utf8')).toContain('(select * from "prod"."main"."stg_orders" where false limit 0) stg_orders');
  });

  it('tsql retry reruns a failed deferred build as one: the same state, deferred again', () => {
    const { pr, ci } = prodAndPr((p) => prodAndCiDuckProfile(join(p.dir, 'prod.duckdb')), ENV);
    const good = readFileSync(join(pr.dir, 'models/order_cents.sql'), 'utf8');
    pr.write({ 'models/order_cents.sql': `select stg_orders.id, error('boom') as cents from {{ ref('stg_orders') }}\n` });
    const failed = ci(['build', '--select', 'state:modified+', '--defer', '--state', 'prod-artifacts']);
    expect(failed.code, failed.stdout + failed.stderr).toBe(1);
    const args = JSON.parse(readFileSync(join(pr.dir, 'target', 'run_results.json'), 'utf8')).args;
    expect(args).toMatchObject({ state: join(pr.dir, 'prod-artifacts'), defer: true, favor_state: false, empty: false });
    pr.write({ 'models/order_cents.sql': good });
    // stg_orders is not in the PR database: only a deferred retry can build order_cents and what reads it
    const r = pr.tsql(['retry'], ENV.ci);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(runResults(pr).map((x) => nameOf(x.unique_id))).toEqual(expect.arrayContaining(['order_cents', 'customer_report']));
    expect(readFileSync(join(pr.dir, 'target/compiled/shop/models/order_cents.sql'), 'utf8')).toContain('from "prod"."main"."stg_orders"');
  });

  it('--favor-state reads production even when the relation exists here; without it, the local one', () => {
    const { ci, pr } = prodAndPr((p) => prodAndCiDuckProfile(join(p.dir, 'prod.duckdb')), ENV);
    ok(ci(['build', '--select', '+stg_orders']));
    const compiled = () => readFileSync(join(pr.dir, 'target/compiled/shop/models/order_cents.sql'), 'utf8');
    ok(ci(['compile', '--select', 'order_cents', '--defer', '--state', 'prod-artifacts']));
    expect(compiled()).toContain('from "ci"."pr"."stg_orders"');
    ok(ci(['compile', '--select', 'order_cents', '--defer', '--favor-state', '--state', 'prod-artifacts']));
    expect(compiled()).toContain('from "prod"."main"."stg_orders"');
  });

  it('mistakes are one line, exit 2, and nothing runs', () => {
    const { pr, ci } = prodAndPr((p) => prodAndCiDuckProfile(join(p.dir, 'prod.duckdb')), ENV);
    const cases: Array<[string[], RegExp]> = [
      [['build', '--select', 'state:modified', '--state', 'no-such-dir'], /^error: --state no-such-dir: no such folder/],
      [['build', '--select', 'state:modified', '--state', 'models'], /^error: --state models: there is no manifest.json in .*models \(copy production's target\/manifest.json there/],
      [['build', '--defer'], /^error: --defer needs --state DIR/],
      [['run', '--select', 'state:modified'], /^error: selector 'state:modified' compares with production's artifacts: pass --state DIR/],
      [['ls', '--select', 'state:modifed', '--state', 'prod-artifacts'], /unknown state 'modifed'.*did you mean 'modified'/],
      [['run', '--favor-state', '--state', 'prod-artifacts'], /^error: --favor-state goes with --defer/],
      [['ls', '--select', 'result:failed', '--state', 'prod-artifacts'], /unknown result 'failed'/],
    ];
    for (const [args, want] of cases) {
      const r = ci(args);
      expect(r.code, args.join(' ') + r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(want);
      expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
    }
    expect(existsSync(join(pr.dir, 'ci.duckdb'))).toBe(false);
  });

  it('a pull request that changes no node has nothing to build: exit 0, not an empty-selection error', () => {
    const prod = project(PROD_FILES, { profile: null });
    prod.write({ 'profiles.yml': prodAndCiDuckProfile(join(prod.dir, 'prod.duckdb')) });
    ok(prod.tsql(['build', '--target', 'prod'], ENV.prod));
    const pr = project({ ...PROD_FILES, 'profiles.yml': prodAndCiDuckProfile(join(prod.dir, 'prod.duckdb')), 'README.md': 'only the docs changed\n' }, { profile: null });
    cpSync(join(prod.dir, 'target'), join(pr.dir, 'prod-artifacts'), { recursive: true });
    const r = ok(pr.tsql(['build', '--select', 'state:modified+', '--defer', '--state', 'prod-artifacts', '--target', 'ci'], ENV.prod));
    expect(r.stdout).toMatch(/nothing to build: no node matches --select 'state:modified\+' against --state prod-artifacts/);
    // a name that matches nothing is still a mistake
    const typo = pr.tsql(['build', '--select', 'stg_ordrs', '--target', 'ci'], ENV.prod);
    expect(typo.code).toBe(2);
  });

  it('result: selects from the state run_results.json', () => {
    const { pr, ci } = prodAndPr((p) => prodAndCiDuckProfile(join(p.dir, 'prod.duckdb')), ENV);
    const results = JSON.parse(readFileSync(join(pr.dir, 'prod-artifacts/run_results.json'), 'utf8'));
    for (const r of results.results) if (r.unique_id === 'model.shop.stg_orders') r.status = 'error';
    pr.write({ 'prod-artifacts/run_results.json': JSON.stringify(results) });
    const ls = (sel: string) => lines(ok(ci(['ls', '--select', sel, '--state', 'prod-artifacts', '--output', 'name', '--resource-type', 'model'])));
    expect(ls('result:error')).toEqual(['stg_orders']);
    expect(ls('result:error+').length).toBe(8);
    expect(ls('result:success').includes('stg_orders')).toBe(false);
  });
});

describe('state: for sources, tests, contracts and documentation', () => {
  const files: Record<string, string> = {
    'seeds/raw_events.csv': 'id,kind\n1,a\n2,b\n',
    'models/events.sql': "select id, kind from {{ source('app', 'raw_events') }}\n",
    'models/contracted.sql': 'select id from {{ ref(\'events\') }}\n',
    'models/documented.sql': 'select kind from {{ ref(\'events\') }}\n',
    'tests/assert_ids.sql': "select * from {{ ref('events') }} where id < 0\n",
    'models/schema.yml': `version: 2
sources:
  - name: app
    schema: main
    tables:
      - name: raw_events
        columns:
          - name: id
            data_type: integer
models:
  - name: contracted
    config:
      contract: {enforced: true}
    columns:
      - name: id
        data_type: integer
  - name: documented
    description: Kinds of events
    config:
      meta: {owner: ana}
  - name: events
    columns:
      - name: kind
        data_tests:
          - accepted_values:
              arguments:
                values: [a, b]
`,
  };
  const profile = `shop:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: warehouse.duckdb
      schema: main
`;

  it('a source, a test, a contract and a singular test are modified when their definition changes; descriptions and meta are not', () => {
    const p = project({ ...files, 'profiles.yml': profile }, { profile: null });
    ok(p.tsql(['compile']));
    cpSync(join(p.dir, 'target'), join(p.dir, 'prod-artifacts'), { recursive: true });
    const ls = (sel: string) => lines(ok(p.tsql(['ls', '--select', sel, '--state', 'prod-artifacts', '--output', 'name'])));

    p.write({
      'models/schema.yml': files['models/schema.yml']
        .replace('Kinds of events', 'The kinds of events')
        .replace('owner: ana', 'owner: bo')
        .replace('values: [a, b]', 'values: [a, b, c]'),
    });
    expect(ls('state:modified')).toEqual(['accepted_values_events_kind__a__b__c']);

    p.write({ 'models/schema.yml': files['models/schema.yml'].replace(/data_type: integer\nmodels/, 'data_type: bigint\nmodels') });
    expect(ls('state:modified')).toEqual(['raw_events']);
    expect(lines(ok(p.tsql(['ls', '--select', 'state:modified+', '--resource-type', 'model', '--state', 'prod-artifacts', '--output', 'name'])))).toEqual(['contracted', 'documented', 'events']);

    p.write({ 'models/schema.yml': files['models/schema.yml'].replace(/data_type: integer\n  - name: documented/, 'data_type: bigint\n  - name: documented') });
    expect(ls('state:modified.contract')).toEqual(['contracted']);
    expect(ls('state:modified.configs')).toEqual([]);

    p.write({ 'models/schema.yml': files['models/schema.yml'], 'tests/assert_ids.sql': "select * from {{ ref('events') }} where id <= 0\n" });
    expect(ls('state:modified')).toEqual(['assert_ids']);
  });
});

describe('source_status:fresher', () => {
  it('selects the sources whose newest row is newer than in the state sources.json, and what reads them', () => {
    const p = project({
      'seeds/raw_a.csv': 'id,loaded_at\n1,2024-01-02 00:00:00\n',
      'seeds/raw_b.csv': 'id,loaded_at\n1,2024-01-02 00:00:00\n',
      'models/from_a.sql': "select * from {{ source('app', 'raw_a') }}\n",
      'models/from_b.sql': "select * from {{ source('app', 'raw_b') }}\n",
      'models/sources.yml': `version: 2
sources:
  - name: app
    schema: main
    loaded_at_field: loaded_at
    freshness: {warn_after: {count: 100000, period: day}}
    tables:
      - name: raw_a
      - name: raw_b
`,
    });
    ok(p.tsql(['seed']));
    ok(p.tsql(['source', 'freshness']));
    cpSync(join(p.dir, 'target'), join(p.dir, 'prod-artifacts'), { recursive: true });
    // production saw raw_a's newest row a day earlier; raw_b's is the same
    const file = join(p.dir, 'prod-artifacts/sources.json');
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    for (const r of doc.results) if (r.unique_id === 'source.shop.app.raw_a') r.max_loaded_at = '2024-01-01T00:00:00.000Z';
    p.write({ 'prod-artifacts/sources.json': JSON.stringify(doc) });
    const ls = (sel: string) => lines(ok(p.tsql(['ls', '--select', sel, '--state', 'prod-artifacts', '--output', 'name'])));
    expect(ls('source_status:fresher')).toEqual(['raw_a']);
    expect(ls('source_status:fresher+')).toEqual(['from_a', 'raw_a']);
  });
});

describe('state:modified and --defer on PostgreSQL (prod and pr schemas in one database)', () => {
  const PASSWORD_ENV = 'TSQL_TEST_PG_PASSWORD';
  const schemas: string[] = [];
  afterEach(async () => {
    const drop = schemas.splice(0);
    if (drop.length) await pgQuery(drop.map((s) => `drop schema if exists "${s}" cascade`).join(';\n'));
  });

  it('builds the PR schema from production for unchanged parents, and --empty builds it with 0 rows', async () => {
    const prodSchema = uniqueSchema('prod');
    const prSchema = uniqueSchema('pr');
    schemas.push(prodSchema, prSchema, `${prodSchema}_tsql_test__audit`, `${prSchema}_tsql_test__audit`);
    const c = pgConnection();
    const profile = pgProfile(prodSchema, PASSWORD_ENV, { target: 'prod', moreOutputs: { ci: prSchema } });
    const env = { [PASSWORD_ENV]: c.password };
    const { pr, ci } = prodAndPr(() => profile, { prod: { ...env, TSQL_ENV_ALIAS: 'env_prod' }, ci: { ...env, TSQL_ENV_ALIAS: 'env_ci' } });

    expect(lines(ok(ci(['ls', '--select', 'state:modified+', '--state', 'prod-artifacts', '--output', 'name'])))).toEqual(EXPECTED_MODIFIED_PLUS);

    ok(ci(['build', '--select', 'state:modified+', '--defer', '--state', 'prod-artifacts']));
    const prTables = await pgQuery(`select table_name from information_schema.tables where table_schema = '${prSchema}' order by 1`);
    expect(prTables.map((t) => t.table_name)).toEqual(['big_orders', 'customer_report', 'new_model', 'order_cents', 'orders_by_customer', 'raw_customers', 'stg_customers']);
    expect(await pgQuery(`select id::int as id, cents from "${prSchema}".order_cents order by id`)).toEqual([
      { id: 1, cents: 12500 },
      { id: 2, cents: 7250 },
      { id: 3, cents: 100000 },
    ]);
    expect(readFileSync(join(pr.dir, 'target/compiled/shop/models/order_cents.sql'), 'utf8')).toContain(`from "${c.database}"."${prodSchema}"."stg_orders"`);
    expect(await pgQuery(`select cents from "${prodSchema}".order_cents order by id`)).toEqual([{ cents: 1250 }, { cents: 725 }, { cents: 10000 }]);

    ok(ci(['build', '--select', 'state:modified+', '--defer', '--state', 'prod-artifacts', '--empty']));
    for (const t of ['order_cents', 'orders_by_customer', 'stg_customers', 'customer_report', 'big_orders']) {
      expect(await pgQuery(`select count(*)::int as n from "${prSchema}".${t}`), t).toEqual([{ n: 0 }]);
    }
  });
});
