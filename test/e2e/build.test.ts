import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useProjects } from '../helpers/project.js';

const project = useProjects();

const shop = {
  'tsql_project.yml': `name: shop
profile: shop
models:
  shop:
    +materialized: view
    marts:
      +materialized: table
`,
  'seeds/raw_orders.csv': `id,customer_id,status,amount,ordered_at
1,10,placed,12.50,2024-01-01
2,10,shipped,7.25,2024-01-02
3,11,returned,100.00,2024-01-02
4,12,shipped,3.00,2024-01-03
`,
  'seeds/raw_customers.csv': `id,name
10,Ada
11,Grace
12,Linus
`,
  'models/staging/stg_orders.sql': `select id as order_id, customer_id, status, amount, cast(ordered_at as date) as ordered_at
from {{ ref('raw_orders') }}
`,
  'models/staging/completed_orders.sql': `{{ config(materialized='ephemeral') }}
select * from {{ ref('stg_orders') }} where status != 'returned'
`,
  'models/marts/customers.sql': `with totals as (
    select customer_id, sum(amount) as total, count(*) as orders
    from {{ ref('completed_orders') }}
    group by 1
)
select c.id as customer_id, c.name, coalesce(t.total, 0) as total, coalesce(t.orders, 0) as orders
from {{ ref('raw_customers') }} c left join totals t on t.customer_id = c.id
`,
  'models/schema.yml': `version: 2
models:
  - name: customers
    description: One row per customer
    columns:
      - name: customer_id
        data_tests: [unique, not_null]
      - name: name
        tests:
          - accepted_values:
              arguments:
                values: [Ada, Grace, Linus]
`,
};

describe('tsql build on DuckDB', () => {
  it('loads seeds, builds views, tables and ephemeral CTEs in dependency order', async () => {
    const p = project(shop);
    const r = p.tsql(['build']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/START seed file main\.raw_orders/);
    expect(r.stdout).toMatch(/OK created sql table model main\.customers/);
    expect(r.stdout).toMatch(/Done\. PASS=7 WARN=0 ERROR=0 SKIP=0 TOTAL=7/);
    const rows = await p.query('select customer_id, name, total, orders from main.customers order by customer_id');
    expect(rows).toEqual([
      { customer_id: 10, name: 'Ada', total: '19.75', orders: '2' },
      { customer_id: 11, name: 'Grace', total: '0.00', orders: '0' },
      { customer_id: 12, name: 'Linus', total: '3.00', orders: '1' },
    ]);
    const kinds = await p.query(`select table_name, table_type from information_schema.tables where table_schema = 'main' order by 1`);
    expect(kinds).toEqual([
      { table_name: 'customers', table_type: 'BASE TABLE' },
      { table_name: 'raw_customers', table_type: 'BASE TABLE' },
      { table_name: 'raw_orders', table_type: 'BASE TABLE' },
      { table_name: 'stg_orders', table_type: 'VIEW' },
    ]);
    // The ephemeral model is inlined as a CTE and spliced into the model's own WITH.
    const compiled = readFileSync(join(p.dir, 'target/compiled/shop/models/marts/customers.sql'), 'utf8');
    expect(compiled).toMatch(/^with __tsql__cte__completed_orders as \(/);
    expect(compiled).toMatch(/\),\ntotals as \(/);
    const runSql = readFileSync(join(p.dir, 'target/run/shop/models/marts/customers.sql'), 'utf8');
    expect(runSql).toMatch(/create table "warehouse"\."main"\."customers__tsql_tmp" as/);
    expect(runSql).toMatch(/rename to "customers"/);
  });

  it('writes manifest.json and run_results.json with schema versions, checksums and timings', () => {
    const p = project(shop);
    expect(p.tsql(['build']).code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(p.dir, 'target/manifest.json'), 'utf8'));
    expect(manifest.metadata.tsql_schema_version).toBe(1);
    const customers = manifest.nodes['model.shop.customers'];
    expect(customers.depends_on.nodes.sort()).toEqual(['model.shop.completed_orders', 'seed.shop.raw_customers']);
    expect(customers.checksum.name).toBe('sha256');
    expect(customers.checksum.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(customers.config.materialized).toBe('table');
    expect(customers.compiled_path).toBe('target/compiled/shop/models/marts/customers.sql');
    const tests = Object.values(manifest.nodes).filter((n: any) => n.resource_type === 'test') as any[];
    expect(tests.map((t) => t.name).sort()).toEqual(['accepted_values_customers_name__Ada__Grace__Linus', 'not_null_customers_customer_id', 'unique_customers_customer_id']);
    expect(tests.every((t) => t.depends_on.nodes[0] === 'model.shop.customers')).toBe(true);
    const results = JSON.parse(readFileSync(join(p.dir, 'target/run_results.json'), 'utf8'));
    expect(results.metadata.tsql_schema_version).toBe(1);
    const byId = Object.fromEntries(results.results.map((r: any) => [r.unique_id, r]));
    expect(byId['seed.shop.raw_orders'].status).toBe('success');
    expect(byId['seed.shop.raw_orders'].rows_affected).toBe(4);
    expect(byId['model.shop.customers'].rows_affected).toBe(3);
    expect(byId['model.shop.customers'].timing[0].name).toBe('execute');
    expect(byId['model.shop.completed_orders']).toBeUndefined();
  });

  it('reads an unmodified dbt project (dbt_project.yml, schema.yml, Jinja control flow)', async () => {
    const p = project(
      {
        'dbt_project.yml': `name: 'jaffle'
version: '1.0.0'
config-version: 2
profile: 'jaffle'
model-paths: ["models"]
seed-paths: ["seeds"]
vars:
  payment_methods: ['credit_card', 'coupon', 'bank_transfer']
models:
  jaffle:
    +materialized: table
    staging:
      +materialized: view
`,
        'seeds/raw_payments.csv': `id,order_id,payment_method,amount\n1,1,credit_card,1000\n2,1,coupon,100\n3,2,bank_transfer,2500\n`,
        'models/staging/stg_payments.sql': `{#- amounts are stored in cents -#}
select id as payment_id, order_id, payment_method, amount / 100 as amount
from {{ ref('raw_payments') }}
`,
        'models/orders.sql': `{% set payment_methods = var('payment_methods') %}
select
    order_id,
    {% for payment_method in payment_methods -%}
    sum(case when payment_method = '{{ payment_method }}' then amount else 0 end) as {{ payment_method }}_amount,
    {% endfor -%}
    sum(amount) as total_amount
from {{ ref('stg_payments') }}
group by order_id
{%- if target.name == 'dev' %}
order by order_id
{%- endif %}
`,
        'models/schema.yml': `version: 2
models:
  - name: orders
    description: "{{ doc('orders') if false else 'Orders with payment totals' }}"
    columns:
      - name: order_id
        tests: [unique, not_null]
`,
      },
      { name: 'jaffle', projectFile: 'dbt_project.yml' },
    );
    p.remove('tsql_project.yml');
    const r = p.tsql(['build']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rows = await p.query('select * from main.orders order by order_id');
    expect(rows).toEqual([
      { order_id: 1, credit_card_amount: 10, coupon_amount: 1, bank_transfer_amount: 0, total_amount: 11 },
      { order_id: 2, credit_card_amount: 0, coupon_amount: 0, bank_transfer_amount: 25, total_amount: 25 },
    ]);
  });

  it('keeps the previous table and its rows when a rebuild fails', async () => {
    const p = project({
      'models/t.sql': `{{ config(materialized='table') }}\nselect 1 as id union all select 2`,
      'models/v.sql': `select * from {{ ref('t') }}`,
    });
    expect(p.tsql(['run']).code).toBe(0);
    p.write({ 'models/t.sql': `{{ config(materialized='table') }}\nselect 1 as id union all select 'not a number'::integer` });
    const r = p.tsql(['run']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/ERROR creating|ERROR sql table model main\.t/);
    expect(r.stdout).toMatch(/SKIP=1/);
    expect(r.stdout).toMatch(/Failure in model t \(models\/t\.sql\)/);
    expect(await p.query('select id from main.t order by id')).toEqual([{ id: 1 }, { id: 2 }]);
    const leftovers = await p.query(`select table_name from information_schema.tables where table_name like '%tsql%'`);
    expect(leftovers).toEqual([]);
  });

  it('replaces a view with a table and a table with a view', async () => {
    const p = project({ 'models/m.sql': `select 1 as x` });
    expect(p.tsql(['run']).code).toBe(0);
    p.write({ 'models/m.sql': `{{ config(materialized='table') }} select 2 as x` });
    expect(p.tsql(['run']).code).toBe(0);
    expect(await p.query(`select table_type from information_schema.tables where table_name = 'm'`)).toEqual([{ table_type: 'BASE TABLE' }]);
    p.write({ 'models/m.sql': `select 3 as x` });
    expect(p.tsql(['run']).code).toBe(0);
    expect(await p.query(`select table_type, (select x from main.m) as x from information_schema.tables where table_name = 'm'`)).toEqual([{ table_type: 'VIEW', x: 3 }]);
  });

  it('skips the descendants of a failed node and runs everything else', async () => {
    const p = project({
      'models/a.sql': `select 1 as id`,
      'models/bad.sql': `select * from no_such_table`,
      'models/child.sql': `select * from {{ ref('bad') }}`,
      'models/grandchild.sql': `select * from {{ ref('child') }}`,
      'models/other.sql': `select * from {{ ref('a') }}`,
    });
    const r = p.tsql(['run', '--threads', '1']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/PASS=2 WARN=0 ERROR=1 SKIP=2 TOTAL=5/);
    const results = JSON.parse(readFileSync(join(p.dir, 'target/run_results.json'), 'utf8')).results;
    const status = Object.fromEntries(results.map((x: any) => [x.unique_id.split('.').pop(), x.status]));
    expect(status).toEqual({ a: 'success', bad: 'error', child: 'skipped', grandchild: 'skipped', other: 'success' });
    expect(await p.query('select * from main.other')).toEqual([{ id: 1 }]);
  });

  it('stops at the first failure with --fail-fast', () => {
    const p = project({
      'models/bad.sql': `select * from no_such_table`,
      'models/z1.sql': `select 1 as id`,
      'models/z2.sql': `select 2 as id`,
    });
    const r = p.tsql(['run', '--threads', '1', '--fail-fast']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/ERROR=1 SKIP=2 TOTAL=3/);
  });

  it('runs models in parallel threads while respecting dependencies', async () => {
    const files: Record<string, string> = { 'models/root.sql': 'select 1 as n' };
    for (let i = 0; i < 12; i++) files[`models/m${i}.sql`] = `{{ config(materialized='table') }} select n + ${i} as n from {{ ref('root') }}`;
    files['models/final.sql'] = `select sum(n) as s from (${Array.from({ length: 12 }, (_, i) => `select n from {{ ref('m${i}') }}`).join(' union all ')})`;
    const p = project(files);
    const r = p.tsql(['run', '--threads', '4']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/PASS=14/);
    expect(await p.query('select s from main.final')).toEqual([{ s: '78' }]);
  });

  it('selects with --select/--exclude graph operators and methods', () => {
    const p = project(shop);
    expect(p.tsql(['build']).code).toBe(0);
    const ls = (args: string[]) => p.tsql(['ls', '--output', 'name', ...args]).stdout.trim().split('\n').filter(Boolean).sort();
    expect(ls(['--select', '+customers', '--resource-type', 'model', 'seed'])).toEqual(['completed_orders', 'customers', 'raw_customers', 'raw_orders', 'stg_orders']);
    expect(ls(['--select', 'raw_orders+', '--exclude', 'customers', '--resource-type', 'model'])).toEqual(['completed_orders', 'stg_orders']);
    expect(ls(['--select', 'config.materialized:table', '--resource-type', 'model'])).toEqual(['customers']);
    expect(ls(['--select', 'path:models/staging', '--resource-type', 'model'])).toEqual(['completed_orders', 'stg_orders']);
    expect(ls(['--select', 'resource_type:test'])).toHaveLength(3);
    const r = p.tsql(['run', '--select', 'stg_orders']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/TOTAL=1/);
  });

  it('lists nodes as JSON', () => {
    const p = project(shop);
    const r = p.tsql(['ls', '--resource-type', 'seed', '--output', 'json']);
    expect(r.code).toBe(0);
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(rows.map((x) => x.unique_id)).toEqual(['seed.shop.raw_customers', 'seed.shop.raw_orders']);
    expect(rows[0].resource_type).toBe('seed');
    // ls neither creates nor opens a warehouse.
    expect(existsSync(p.dbPath)).toBe(false);
  });

  it('prints JSON log lines with --log-format json', () => {
    const p = project({ 'models/a.sql': 'select 1 as id' });
    const r = p.tsql(['run', '--log-format', 'json']);
    expect(r.code).toBe(0);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(events.some((e) => e.type === 'node_end' && e.status === 'success' && e.uniqueId === 'model.shop.a')).toBe(true);
    expect(events[events.length - 1]).toMatchObject({ type: 'done', pass: 1, error: 0, total: 1 });
  });
});

describe('sources', () => {
  it('resolves source() through database/schema/identifier and records the dependency', async () => {
    const p = project({
      'tsql_project.yml': `name: shop\nprofile: shop\non-run-start:\n  - "create schema if not exists raw"\n  - "create or replace table raw.purchases_v2 as select 1 as id, 'FR' as country"\n`,
      'models/sources.yml': `version: 2
sources:
  - name: retail
    schema: raw
    tables:
      - name: user_purchase
        identifier: purchases_v2
        loaded_at_field: loaded_at
        columns:
          - name: id
            data_tests: [not_null]
`,
      'models/purchases.sql': `select * from {{ source('retail', 'user_purchase') }}`,
    });
    const r = p.tsql(['run']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(await p.query('select * from main.purchases')).toEqual([{ id: 1, country: 'FR' }]);
    const manifest = JSON.parse(readFileSync(join(p.dir, 'target/manifest.json'), 'utf8'));
    expect(manifest.nodes['model.shop.purchases'].depends_on.nodes).toEqual(['source.shop.retail.user_purchase']);
    expect(manifest.sources['source.shop.retail.user_purchase']).toMatchObject({
      relation_name: '"warehouse"."raw"."purchases_v2"',
      loaded_at_field: 'loaded_at',
      source_name: 'retail',
    });
    expect(p.tsql(['ls', '--select', 'source:retail+', '--output', 'name']).stdout.trim().split('\n').sort()).toEqual(['purchases', 'source_not_null_retail_user_purchase_id', 'user_purchase']);
  });
});

describe('ephemeral models in tests', () => {
  it('a singular test that refs an ephemeral model gets its CTE', () => {
    const p = project({
      'models/base.sql': `{{ config(materialized='table') }} select 1 as id union all select -1`,
      'models/positive.sql': `{{ config(materialized='ephemeral') }} select * from {{ ref('base') }} where id > 0`,
      'tests/assert_positive_ids.sql': `select * from {{ ref('positive') }} where id <= 0`,
    });
    const r = p.tsql(['build']);
    expect(r.stdout).toMatch(/PASS test assert_positive_ids/);
    expect(r.code).toBe(0);
    const compiled = readFileSync(join(p.dir, 'target/compiled/shop/tests/assert_positive_ids.sql'), 'utf8');
    expect(compiled).toMatch(/^with __tsql__cte__positive as \(/);
    const manifest = JSON.parse(readFileSync(join(p.dir, 'target/manifest.json'), 'utf8'));
    expect(manifest.nodes['test.shop.assert_positive_ids'].raw_code).toBe(`select * from {{ ref('positive') }} where id <= 0`);
  });
});
