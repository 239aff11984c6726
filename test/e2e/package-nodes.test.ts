import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCliAsync, useProjects, type TempProject } from '../helpers/project.js';
import { pgConnection, pgProfile, pgQuery, uniqueSchema } from '../helpers/pg-server.js';
import { commitRepo } from '../helpers/packages.js';

const project = useProjects();
const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'packages');
const scratch: string[] = [];
afterAll(() => scratch.forEach((d) => rmSync(d, { recursive: true, force: true })));

/**
 * A reports package in a git repository (tagged v1.0.0): a model reading
 * pkg_staging's with a two-argument ref, a `calendar` model (pkg_staging has
 * one too), a test, its own vars and an on-run-end hook using them.
 */
function reportsRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tsql-pkg-reports-'));
  scratch.push(dir);
  commitRepo(
    dir,
    {
      'dbt_project.yml': [
        'name: pkg_reports',
        "version: '1.0.0'",
        'config-version: 2',
        'models:',
        '  pkg_reports:',
        '    +materialized: view',
        '    +schema: reports',
        'vars:',
        '  report_title: package default',
        'on-run-end:',
        `  - "create table if not exists {{ target.schema }}.pkg_reports_ran as select '{{ var('report_title') }}' as title"`,
        '',
      ].join('\n'),
      'models/order_summary.sql': "select customer_id, sum(amount_cents) as total_cents, '{{ var(\"report_title\") }}' as title\nfrom {{ ref('pkg_staging', 'stg_orders') }}\ngroup by customer_id\n",
      'models/calendar.sql': "select 1 as day_number, 'pkg_reports' as made_in\n",
      'models/schema.yml': 'models:\n  - name: order_summary\n    columns:\n      - name: customer_id\n        data_tests: [not_null, unique]\n',
    },
    'v1.0.0',
  );
  return `file://${dir}`;
}

/** The root project: raw data as seeds, overrides of both packages' config and vars, a model reading both. */
function shopFiles(reportsUrl: string): Record<string, string> {
  return {
    'tsql_project.yml': [
      'name: shop',
      'profile: shop',
      'models:',
      '  pkg_staging:',
      '    staging:',
      '      stg_customers:',
      '        +materialized: table # the model says view in its config(): the project wins',
      '    marts:',
      '      +materialized: table # the package says view',
      '    optional:',
      '      dropped_by_project:',
      '        +enabled: false',
      '  pkg_reports:',
      '    +schema: analytics # the package says reports',
      'vars:',
      '  report_title: from the project',
      '  pkg_staging:',
      '    currency_label: project-scoped',
      '',
    ].join('\n'),
    'packages.yml': `packages:\n  - local: vendor/pkg_staging\n  - git: "${reportsUrl}"\n    revision: v1.0.0\n`,
    'seeds/raw_orders.csv': 'id,customer_id,amount\n1,10,12.5\n2,10,3.25\n3,20,8\n',
    'seeds/customers_src.csv': 'id,name,country\n10,Ann,NL\n20,Bob,FR\n',
    // dbt's source overrides: this project's raw customers table has another name, and one more test
    'models/sources.yml': 'sources:\n  - name: shop_raw\n    overrides: pkg_staging\n    tables:\n      - name: customers\n        identifier: customers_src\n        columns:\n          - name: id\n            data_tests: [unique]\n',
    // the project's naming macro applies to the packages' nodes too; its made_by() does not replace the package's own
    'macros/naming.sql': [
      '{% macro generate_schema_name(custom_schema_name, node) -%}',
      '  {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ target.schema }}__{{ custom_schema_name | trim }}{%- endif -%}',
      '{%- endmacro %}',
      "{% macro made_by() %}'shop'{% endmacro %}",
      '',
    ].join('\n'),
    'models/order_report.sql': "select s.customer_id, s.total_cents, s.title, c.name, {{ made_by() }} as made_by\nfrom {{ ref('order_summary') }} s\njoin {{ ref('pkg_staging', 'stg_customers') }} c on c.customer_id = s.customer_id\n",
  };
}

async function shopProject(extra: Record<string, string> = {}): Promise<TempProject> {
  const p = project({ ...shopFiles(reportsRepo()), ...extra });
  cpSync(join(FIXTURES, 'pkg_staging'), join(p.dir, 'vendor', 'pkg_staging'), { recursive: true });
  const deps = await runCliAsync(['deps'], p.dir);
  expect(deps.stderr).toBe('');
  expect(deps.code).toBe(0);
  return p;
}

const ORDERS = [
  { order_id: 1, customer_id: 10, amount_cents: 1250, made_by: 'pkg_staging', label: 'project-scoped' },
  { order_id: 2, customer_id: 10, amount_cents: 325, made_by: 'pkg_staging', label: 'project-scoped' },
  { order_id: 3, customer_id: 20, amount_cents: 800, made_by: 'pkg_staging', label: 'project-scoped' },
];
const REPORT = [
  { customer_id: 10, total_cents: 1575, title: 'from the project', name: 'Ann', made_by: 'shop' },
  { customer_id: 20, total_cents: 800, title: 'from the project', name: 'Bob', made_by: 'shop' },
];
/** schema.relation → table or view, as the project's overrides make them (target schema `s`) */
function expectedRelations(s: string): Record<string, string> {
  return {
    [`${s}__stg.stg_orders`]: 'table',
    [`${s}__stg.stg_customers`]: 'table',
    [`${s}__stg.calendar`]: 'table',
    [`${s}.customer_orders`]: 'table',
    [`${s}.days`]: 'table',
    [`${s}__ref_data.country_codes`]: 'table',
    [`${s}__analytics.order_summary`]: 'view',
    [`${s}__analytics.calendar`]: 'view',
    [`${s}.order_report`]: 'view',
  };
}

describe("a package's models, seeds and tests", () => {
  it('build with the project: package ids and paths, ref rules, the project overriding config and vars', async () => {
    const p = await shopProject();
    const r = await runCliAsync(['build'], p.dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/PASS test assert_no_negative_amounts/);
    expect(r.stdout).toMatch(/PASS test source_not_null_shop_raw_orders_id/);
    expect(r.stdout).toMatch(/PASS test source_unique_shop_raw_customers_id/);
    expect(r.stdout).toMatch(/OK loaded seed file main__ref_data\.country_codes/);
    expect(r.stdout).toMatch(/OK on-run-end hook/);

    const kinds = await p.query("select table_schema || '.' || table_name as rel, case table_type when 'VIEW' then 'view' else 'table' end as kind from information_schema.tables where table_schema like 'main%'");
    const built = Object.fromEntries(kinds.map((k) => [k.rel, k.kind]));
    for (const [rel, kind] of Object.entries(expectedRelations('main'))) expect([rel, built[rel]]).toEqual([rel, kind]);
    // disabled by config(enabled=var(...)) and by the project file: not built, and their refs to missing models are no error
    expect(built['main__stg.legacy_orders'] ?? built['main.legacy_orders']).toBeUndefined();
    expect(Object.keys(built).some((k) => k.endsWith('.dropped_by_project'))).toBe(false);

    // macros: the package's own made_by() in its models, the project's in the project's; vars: the project's scoped var wins
    expect(await p.query('select * from main__stg.stg_orders order by order_id')).toEqual(ORDERS);
    expect(await p.query('select customer_id, cast(total_cents as integer) as total_cents, title, name, made_by from main.order_report order by customer_id')).toEqual(REPORT);
    expect(await p.query('select * from main.days')).toEqual([{ day_number: 1, made_in: 'pkg_staging' }]);
    expect(await p.query('select * from main.customer_orders order by customer_id')).toEqual([
      { customer_id: 10, name: 'Ann', country_name: 'Netherlands', orders: '2', amount_cents: '1575' },
      { customer_id: 20, name: 'Bob', country_name: 'France', orders: '1', amount_cents: '800' },
    ]);
    expect(await p.query('select * from main.pkg_reports_ran')).toEqual([{ title: 'from the project' }]);

    const manifest = JSON.parse(readFileSync(join(p.dir, 'target', 'manifest.json'), 'utf8'));
    const stg = manifest.nodes['model.pkg_staging.stg_orders'];
    expect(stg).toMatchObject({
      package_name: 'pkg_staging',
      fqn: ['pkg_staging', 'staging', 'stg_orders'],
      original_file_path: 'models/staging/stg_orders.sql',
      compiled_path: 'target/compiled/pkg_staging/models/staging/stg_orders.sql',
      schema: 'main__stg',
      materialized: 'table',
    });
    expect(stg.depends_on.nodes).toEqual(['source.pkg_staging.shop_raw.orders']);
    // a package's doc blocks: doc('order_id') in its YAML resolves to its own block
    expect(stg.columns.order_id.description).toBe("The shop's order number, **unique** per order.");
    expect(manifest.docs['doc.pkg_staging.order_id']).toMatchObject({ package_name: 'pkg_staging', name: 'order_id' });
    expect(stg.depends_on.macros).toEqual(expect.arrayContaining(['macro.pkg_staging.made_by', 'macro.pkg_staging.to_cents', 'macro.shop.generate_schema_name']));
    expect(manifest.nodes['model.pkg_reports.order_summary'].depends_on.nodes).toEqual(['model.pkg_staging.stg_orders']);
    expect(manifest.nodes['model.shop.order_report'].depends_on.nodes.sort()).toEqual(['model.pkg_reports.order_summary', 'model.pkg_staging.stg_customers']);
    expect(manifest.nodes['model.pkg_staging.days'].depends_on.nodes).toEqual(['model.pkg_staging.calendar']);
    expect(manifest.nodes['seed.pkg_staging.country_codes']).toMatchObject({ package_name: 'pkg_staging', schema: 'main__ref_data' });
    expect(manifest.nodes['test.pkg_staging.assert_no_negative_amounts']).toMatchObject({ package_name: 'pkg_staging', compiled_path: 'target/compiled/pkg_staging/tests/assert_no_negative_amounts.sql' });
    expect(manifest.nodes['analysis.pkg_staging.order_count'].package_name).toBe('pkg_staging');
    expect(manifest.sources['source.pkg_staging.shop_raw.orders']).toMatchObject({ package_name: 'pkg_staging', schema: 'main', identifier: 'raw_orders' });
    expect(manifest.sources['source.pkg_staging.shop_raw.customers']).toMatchObject({ package_name: 'pkg_staging', identifier: 'customers_src' });
    expect(manifest.macros['macro.pkg_staging.made_by'].package_name).toBe('pkg_staging');
    expect(manifest.macros['macro.shop.made_by'].package_name).toBe('shop');
    // disabled in the model's config(), by the package's project file (Jinja, rendered) and by the project's
    expect(manifest.disabled).toEqual(expect.arrayContaining(['model.pkg_staging.legacy_orders', 'model.pkg_staging.debug_orders', 'model.pkg_staging.dropped_by_project']));
    expect(existsSync(join(p.dir, 'target', 'run', 'pkg_staging', 'models', 'staging', 'stg_orders.sql'))).toBe(true);
    expect(existsSync(join(p.dir, 'target', 'run', 'pkg_reports', 'models', 'order_summary.sql'))).toBe(true);
    expect(existsSync(join(p.dir, 'target', 'compiled', 'pkg_staging', 'analyses', 'order_count.sql'))).toBe(true);

    // --vars beats every project file; a package's own var applies without it
    const filtered = await runCliAsync(['run', '--select', 'stg_orders', 'debug_orders', '--vars', '{min_amount: 5, pkg_staging_debug: true}'], p.dir);
    expect(filtered.stderr).toBe('');
    expect(filtered.code).toBe(0);
    expect(await p.query('select order_id from main__stg.stg_orders order by order_id')).toEqual([{ order_id: 1 }, { order_id: 3 }]);
    expect(await p.query('select order_id from main.debug_orders')).toEqual([{ order_id: 1 }]);
  });

  it('are selected by package:, by their fqn and with graph operators; ls names their package', async () => {
    const p = await shopProject();
    const ls = async (...args: string[]) => {
      const r = await runCliAsync(['ls', ...args], p.dir);
      expect(r.stderr).toBe('');
      return r.stdout.trim().split('\n');
    };
    expect(await ls('--select', 'package:pkg_reports', '--resource-type', 'model')).toEqual(['pkg_reports.calendar', 'pkg_reports.order_summary']);
    expect(await ls('--select', 'pkg_staging.staging', '--resource-type', 'model')).toEqual(['pkg_staging.staging.calendar', 'pkg_staging.staging.stg_customers', 'pkg_staging.staging.stg_orders']);
    expect(await ls('--select', 'pkg_staging', '--resource-type', 'seed')).toEqual(['pkg_staging.country_codes']);
    expect(await ls('--select', '+order_report', '--resource-type', 'model', 'seed', '--output', 'path')).toEqual([
      'dbt_packages/pkg_reports/models/order_summary.sql',
      'dbt_packages/pkg_staging/models/staging/stg_customers.sql',
      'dbt_packages/pkg_staging/models/staging/stg_orders.sql',
      'models/order_report.sql',
      'seeds/customers_src.csv',
      'seeds/raw_orders.csv',
    ]);
    const json = (await ls('--select', 'order_summary', '--resource-type', 'model', '--output', 'json')).map((l) => JSON.parse(l));
    expect(json).toEqual([expect.objectContaining({ unique_id: 'model.pkg_reports.order_summary', package_name: 'pkg_reports', original_file_path: 'models/order_summary.sql' })]);

    // build a package and what it needs: its tests run, the rest of the project stays unbuilt
    // (--exclude: a test on a model outside the selection would be picked up too, as in dbt)
    const b = await runCliAsync(['build', '--select', '+package:pkg_reports', '--exclude', 'stg_customers'], p.dir);
    expect(b.stderr).toBe('');
    expect(b.code).toBe(0);
    expect(b.stdout).toMatch(/OK created sql view model main__analytics\.order_summary/);
    expect(b.stdout).toMatch(/PASS test unique_order_summary_customer_id/);
    expect(b.stdout).not.toMatch(/order_report|customer_orders/);

    // state: a changed package model is state:modified, with what reads it
    cpSync(join(p.dir, 'target'), join(p.dir, 'prod'), { recursive: true });
    p.write({ 'dbt_packages/pkg_staging/models/staging/stg_customers.sql': "{{ config(materialized='view', tags=['pii']) }}\nselect id as customer_id, upper(name) as name, country from {{ source('shop_raw', 'customers') }}\n" });
    expect(await ls('--select', 'state:modified+', '--state', 'prod', '--resource-type', 'model')).toEqual(['pkg_staging.marts.customer_orders', 'pkg_staging.staging.stg_customers', 'shop.order_report']);
  });

  it('a one-argument ref two packages answer is an error naming both; a relation two nodes would build is refused', async () => {
    const p = await shopProject({ 'models/amb.sql': 'select *\nfrom {{ ref(\'calendar\') }}\n' });
    const amb = await runCliAsync(['compile'], p.dir);
    expect(amb.code).toBe(2);
    expect(amb.stderr).toBe(
      "error: models/amb.sql:2: ref('calendar') is ambiguous: model.pkg_staging.calendar (dbt_packages/pkg_staging/models/staging/calendar.sql) and model.pkg_reports.calendar (dbt_packages/pkg_reports/models/calendar.sql) (name the package: ref('pkg_staging', 'calendar') or ref('pkg_reports', 'calendar'))\n",
    );

    // the project's own model of that name wins a one-argument ref in the project; the two-argument form reads a package's
    p.write({ 'models/calendar.sql': "select 0 as day_number, 'shop' as made_in\n", 'models/amb.sql': "select a.made_in as mine, b.made_in as theirs from {{ ref('calendar') }} a, {{ ref('pkg_reports', 'calendar') }} b\n" });
    const ok = await runCliAsync(['run', '--select', 'amb', 'calendar', 'pkg_reports.calendar'], p.dir);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(await p.query('select * from main.amb')).toEqual([{ mine: 'shop', theirs: 'pkg_reports' }]);

    p.write({ 'models/amb.sql': "select * from {{ ref('pkg_staging', 'calender') }}\n" });
    const typo = await runCliAsync(['compile'], p.dir);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toBe("error: models/amb.sql:1: ref('pkg_staging', 'calender') does not match any model or seed of package 'pkg_staging' (did you mean 'calendar'?)\n");

    p.write({ 'models/sources.yml': 'sources:\n  - name: shop_raw\n    overrides: pkg_stagin\n    schema: raw\n' });
    const badOverride = await runCliAsync(['compile'], p.dir);
    expect(badOverride.code).toBe(2);
    expect(badOverride.stderr).toBe("error: models/sources.yml:2: source 'shop_raw' overrides package 'pkg_stagin', which is not installed (did you mean 'pkg_staging'?)\n");
    p.remove('models/sources.yml');

    // a project model that would build the package's relation (same schema and alias)
    p.remove('models/amb.sql');
    p.write({ 'models/stg_orders.sql': "{{ config(schema='stg') }}\nselect 1 as x\n" });
    const clash = await runCliAsync(['compile'], p.dir);
    expect(clash.code).toBe(2);
    expect(clash.stderr).toMatch(/^error: models\/stg_orders\.sql: model\.shop\.stg_orders and model\.pkg_staging\.stg_orders \(dbt_packages\/pkg_staging\/models\/staging\/stg_orders\.sql\) would both build "warehouse"\."main__stg"\."stg_orders" \(give one another alias or schema, or disable model\.pkg_staging\.stg_orders \(models: pkg_staging: staging: stg_orders: \+enabled: false in the project file\)\)\n$/);
  });

  it('the same project builds on PostgreSQL', async () => {
    const schema = uniqueSchema('pkgn');
    const p = await shopProject({ 'profiles.yml': pgProfile(schema, 'TSQL_TEST_PG_PASSWORD') });
    const env = { TSQL_TEST_PG_PASSWORD: pgConnection().password };
    try {
      const r = await runCliAsync(['build'], p.dir, env);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const rels = await pgQuery(
        `select table_schema || '.' || table_name as rel, case table_type when 'VIEW' then 'view' else 'table' end as kind from information_schema.tables where table_schema like '${schema}%'`,
      );
      const built = Object.fromEntries(rels.map((k) => [k.rel, k.kind]));
      for (const [rel, kind] of Object.entries(expectedRelations(schema))) expect([rel, built[rel]]).toEqual([rel, kind]);
      expect(await pgQuery(`select * from "${schema}__stg".stg_orders order by order_id`)).toEqual(ORDERS);
      expect(await pgQuery(`select customer_id, cast(total_cents as integer) as total_cents, title, name, made_by from "${schema}".order_report order by customer_id`)).toEqual(REPORT);
      expect(await pgQuery(`select * from "${schema}".pkg_reports_ran`)).toEqual([{ title: 'from the project' }]);
    } finally {
      const schemas = await pgQuery(`select nspname from pg_namespace where nspname like '${schema}%'`);
      for (const s of schemas) await pgQuery(`drop schema if exists "${String(s.nspname)}" cascade`);
    }
  });
});
