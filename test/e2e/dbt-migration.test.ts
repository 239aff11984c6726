/**
 * What a dbt user's existing project writes, run as it is: the idioms found by
 * running a dbt-shaped project (dbt_project.yml, packages, snapshots, tests
 * with configs) through the real CLI.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useProjects, type TempProject } from '../helpers/project.js';
import { expectUserError } from '../helpers/assert.js';

const project = useProjects();

/** A properties file for model `orders` with these column entries (YAML, indented for `columns:`). */
function ordersProperties(columns: string): string {
  return `version: 2\nmodels:\n  - name: orders\n    columns:\n${columns}`;
}

/** run_results.json statuses keyed by node name. */
function statuses(p: TempProject): Record<string, string> {
  const json = JSON.parse(readFileSync(join(p.dir, 'target/run_results.json'), 'utf8'));
  return Object.fromEntries((json.results as Array<{ unique_id: string; status: string }>).map((r) => [r.unique_id.split('.')[2], r.status]));
}

describe('Jinja call syntax dbt accepts', () => {
  it('takes a trailing comma in a call and in a macro signature, as Jinja does', async () => {
    const p = project(
      {
        'models/orders.sql': "{{\n  config(\n    materialized='table',\n    tags=['a',],\n  )\n}}\nselect {{ add(1, 2,) }} as n\n",
        'macros/add.sql': '{% macro add(a, b,) %}{{ a + b }}{% endmacro %}\n',
        'snapshots/orders_snapshot.sql':
          "{% snapshot orders_snapshot %}\n{{\n  config(\n    target_schema='snapshots',\n    unique_key='n',\n    strategy='check',\n    check_cols=['n'],\n    invalidate_hard_deletes=True,\n  )\n}}\nselect * from {{ ref('orders') }}\n{% endsnapshot %}\n",
      },
      { projectFile: 'dbt_project.yml' },
    );
    const r = p.tsql(['build']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(await p.query('select n from main.orders')).toEqual([{ n: 3 }]);
    expect(await p.query('select n from snapshots.orders_snapshot')).toEqual([{ n: 3 }]);
  });
});

describe('relationships with a where config', () => {
  const files = {
    'models/customers.sql': 'select 1 as id union all select 2\n',
    'models/orders.sql': "select 10 as order_id, 1 as customer_id, 'completed' as status union all select 11, 7, 'placed' union all select 12, 8, 'shipped'\n",
    'models/schema.yml': ordersProperties(`      - name: customer_id
        data_tests:
          - relationships: {arguments: {to: ref('customers'), field: id}, config: {where: "status != 'placed'"}}
`),
  };

  it('checks only the filtered rows of the model', () => {
    const p = project(files);
    const r = p.tsql(['build']);
    // customer 8 (shipped) has no customer; customer 7 (placed) is filtered out
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/FAIL 1 test relationships_orders_customer_id__id__ref_customers_ /);
    p.write({ 'models/orders.sql': "select 10 as order_id, 1 as customer_id, 'completed' as status union all select 11, 7, 'placed'\n" });
    const again = p.tsql(['build']);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(statuses(p).relationships_orders_customer_id__id__ref_customers_).toBe('pass');
  });
});

describe("Jinja in a generic test's arguments and config", () => {
  const files = {
    'dbt_project.yml': "name: shop\nprofile: shop\nvars:\n  statuses: ['completed', 'shipped']\n  start: '2024-01-02'\n",
    'models/orders.sql': "select 1 as id, 'completed' as status, date '2024-01-01' as day union all select 2, 'returned', date '2024-01-03'\n",
    'models/schema.yml': ordersProperties(`      - name: status
        data_tests:
          - accepted_values:
              values: "{{ var('statuses') }}"
              config:
                where: "day >= '{{ var('start') }}'"
                severity: "{{ 'warn' if target.name == 'dev' else 'error' }}"
      - name: id
        data_tests:
          - accepted_values:
              arguments:
                values: ["{{ var('first_id', 1) }}", 2]
                quote: false
`),
  };

  it('renders them as dbt does: a lone expression keeps its value, other text becomes a string', () => {
    const p = project(files, { projectFile: 'dbt_project.yml' });
    const r = p.tsql(['build']);
    // the returned row (day 2024-01-03) is inside the where; the target is dev, so the test warns
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/WARN 1 test accepted_values_orders_status___var_statuses_ /);
    expect(statuses(p).accepted_values_orders_id__False___var_first_id_1___2).toBe('pass');
    const manifest = JSON.parse(readFileSync(join(p.dir, 'target/manifest.json'), 'utf8'));
    const test = Object.values(manifest.nodes as Record<string, { name: string; config: { severity: string; where: string }; test_metadata: { kwargs: { values: unknown } } }>).find((n) => n.name === 'accepted_values_orders_status___var_statuses_')!;
    expect(test.test_metadata.kwargs.values).toEqual(['completed', 'shipped']);
    expect(test.config).toMatchObject({ severity: 'warn', where: "day >= '2024-01-02'" });

    // narrowed by --vars, the where leaves no returned row
    const later = p.tsql(['test', '--vars', '{start: "2024-01-04"}']);
    expect(later.code, later.stdout + later.stderr).toBe(0);
    expect(statuses(p).accepted_values_orders_status___var_statuses_).toBe('pass');
  });

  it('reports a variable that is not set on the test line, once', () => {
    const p = project({ ...files, 'dbt_project.yml': 'name: shop\nprofile: shop\n' }, { projectFile: 'dbt_project.yml' });
    const err = expectUserError(p, /^error: models\/schema\.yml:7: var\('statuses'\) is not set and has no default/);
    expect(err).not.toMatch(/must be a non-empty list/);
  });
});

describe("on-run-end's results and schemas", () => {
  it('gives the hooks the run results and the schemas built, as dbt does', async () => {
    const p = project(
      {
        'dbt_project.yml': `name: shop
profile: shop
models:
  shop:
    marts:
      +schema: marts
on-run-end:
  - "create or replace table main.run_log as select * from (values {% for r in results %}('{{ r.node.unique_id }}', '{{ r.status }}', '{{ r.node.schema }}'){% if not loop.last %}, {% endif %}{% endfor %}) t(id, status, schema_name)"
  - "{{ built_schemas(schemas) }}"
`,
        'macros/built_schemas.sql': `{% macro built_schemas(schemas) %}
create or replace table main.schemas_log as select * from (values {% for s in schemas | sort %}('{{ s }}'){% if not loop.last %}, {% endif %}{% endfor %}) t(s)
{% endmacro %}
`,
        'models/stg_orders.sql': 'select 1 as id\n',
        'models/marts/orders.sql': "select * from {{ ref('stg_orders') }}\n",
        'models/schema.yml': 'version: 2\nmodels:\n  - name: stg_orders\n    columns:\n      - name: id\n        data_tests: [unique]\n',
      },
      { projectFile: 'dbt_project.yml' },
    );
    const r = p.tsql(['build']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(await p.query('select id, status, schema_name from main.run_log order by id')).toEqual([
      { id: 'model.shop.orders', status: 'success', schema_name: 'main_marts' },
      { id: 'model.shop.stg_orders', status: 'success', schema_name: 'main' },
      { id: expect.stringMatching(/^test\.shop\.unique_stg_orders_id\./), status: 'pass', schema_name: 'None' },
    ]);
    expect(await p.query('select s from main.schemas_log')).toEqual([{ s: 'main' }, { s: 'main_marts' }]);
  });
});

describe('custom materializations', () => {
  it('are refused with what tsql does instead, on the line of the block', () => {
    const p = project({
      'macros/materializations.sql': "-- a project's own materialization\n{% materialization my_view, default %}\n  {{ return({'relations': [this]}) }}\n{% endmaterialization %}\n",
      'models/orders.sql': 'select 1 as id\n',
    });
    const err = expectUserError(p, /^error: macros\/materializations\.sql:2: custom materializations \(\{% materialization %\}\) are not supported \(tsql builds view, table, incremental, ephemeral and unload models itself/);
    expect(err).not.toMatch(/syntax error/);
  });
});

describe("generic tests' names, as dbt gives them", () => {
  it("puts a package's name before source_, and starts a long test's table name with the test and model names", async () => {
    const p = project({
      'seeds/raw_orders.csv': 'id,kind\n1,a\n',
      'models/orders.sql': "select 1 as id, 'a' as kind, 'completed' as status\n",
      'models/schema.yml': `version: 2
sources:
  - name: raw
    schema: main
    tables:
      - name: raw_orders
        data_tests:
          - dbt_utils.unique_combination_of_columns:
              combination_of_columns: ['id', 'kind']
models:
  - name: orders
    columns:
      - name: status
        data_tests:
          - accepted_values:
              values: ['placed', 'shipped', 'returned', 'return_pending']
              config:
                store_failures: true
`,
    });
    const r = p.tsql(['build']);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(statuses(p)).toMatchObject({ dbt_utils_source_unique_combination_of_columns_raw_raw_orders_id__kind: 'pass' });
    const full = 'accepted_values_orders_status__placed__shipped__returned__return_pending';
    const table = `accepted_values_orders_${createHash('md5').update(full).digest('hex')}`;
    expect(await p.query(`select value_field from main_tsql_test__audit.${table}`)).toEqual([{ value_field: 'completed' }]);
  });
});

describe("dbt's graph and tojson() in templates", () => {
  it('gives graph the whole project when the model runs, and tojson keeps the keys in order', async () => {
    const p = project({
      'seeds/countries.csv': 'code\nFR\n',
      'models/orders.sql': 'select 1 as id\n',
      'models/project_stats.sql': `select
  {{ graph.nodes.values() | selectattr('resource_type', 'equalto', 'seed') | list | length }} as seeds,
  '{{ (graph.nodes.values() | selectattr('resource_type', 'equalto', 'model') | map(attribute='name') | sort | join(',')) }}' as models,
  '{{ tojson({'b': 1, 'a': [1, 'x']}) }}' as j
`,
    });
    const r = p.tsql(['build']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(await p.query('select * from main.project_stats')).toEqual([{ seeds: 1, models: 'orders,project_stats', j: '{"b": 1, "a": [1, "x"]}' }]);
  });

  it('Jinja in a list of the project file (+tags) and in a properties file\'s config (alias, enabled) is rendered, as dbt renders it', () => {
    const p = project({
      'tsql_project.yml': "name: shop\nprofile: shop\nmodels:\n  shop:\n    +tags: [\"{{ env_var('TSQL_TEAM', 'core') }}\", fixed]\n    +sql_header: \"set threads = {{ var('build_threads', 2) }}\"\n",
      'models/orders.sql': 'select 1 as id\n',
      'models/legacy.sql': 'select 2 as id\n',
      'models/schema.yml': "version: 2\nmodels:\n  - name: orders\n    config:\n      alias: \"{{ var('orders_alias', 'orders_v2') }}\"\n      pre-hook: \"select '{{ this }}' as hooked\"\n  - name: legacy\n    config:\n      enabled: \"{{ target.name == 'prod' }}\"\n",
    });
    const r = p.tsql(['build'], { TSQL_TEAM: 'growth' });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const m = JSON.parse(readFileSync(join(p.dir, 'target', 'manifest.json'), 'utf8')) as { nodes: Record<string, { tags: string[]; alias: string }> };
    expect(m.nodes['model.shop.orders'].tags).toEqual(['growth', 'fixed']);
    expect(m.nodes['model.shop.orders'].alias).toBe('orders_v2');
    // sql_header is rendered when the file is read, as dbt does (it ran before the model: the build passed)
    expect((m.nodes['model.shop.orders'] as unknown as { config: { sql_header: string } }).config.sql_header).toBe('set threads = 2');
    // a hook is rendered when its node is, where `this` is the node's relation
    expect((m.nodes['model.shop.orders'] as unknown as { pre_hook: string[] }).pre_hook).toEqual(['select \'"warehouse"."main"."orders_v2"\' as hooked']);
    expect(m.nodes['model.shop.legacy']).toBeUndefined();
  });
});
