import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, useProjects } from '../helpers/project.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';

const project = useProjects();

describe('macros, dispatch, naming and hooks', () => {
  it('macros are callable without import; adapter.dispatch picks duckdb__ then default__', async () => {
    const p = project({
      'macros/money.sql': `{% macro cents_to_dollars(col, scale=2) -%}
  round({{ col }} / 100.0, {{ scale }})
{%- endmacro %}
{% macro greeting() %}{{ return(adapter.dispatch('greeting')()) }}{% endmacro %}
{% macro default__greeting() %}'hello from default'{% endmacro %}
{% macro duckdb__greeting() %}'hello from duckdb'{% endmacro %}
{% macro only_default() %}{{ return(adapter.dispatch('only_default')()) }}{% endmacro %}
{% macro default__only_default() %}'default only'{% endmacro %}
{% macro listy() %}{{ return([1, 2, 3]) }}{% endmacro %}`,
      'models/a.sql': `select {{ cents_to_dollars('1234') }} as dollars, {{ greeting() }} as g, {{ only_default() }} as d, {{ listy() | length }} as n`,
    });
    const r = p.tsql(['run']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(await p.query('select * from main.a')).toEqual([{ dollars: 12.34, g: 'hello from duckdb', d: 'default only', n: 3 }]);
  });

  it('schema and alias config, and a project override of generate_schema_name', async () => {
    const p = project({
      'models/a.sql': `{{ config(schema='analytics', alias='renamed') }} select 1 as x`,
      'models/b.sql': `select * from {{ ref('a') }}`,
    });
    expect(p.tsql(['run']).code).toBe(0);
    expect(await p.query('select * from main_analytics.renamed')).toEqual([{ x: 1 }]);
    p.write({
      'macros/schema.sql': `{% macro generate_schema_name(custom_schema_name, node) -%}
{%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}`,
    });
    expect(p.tsql(['run']).code).toBe(0);
    expect(await p.query('select * from analytics.renamed')).toEqual([{ x: 1 }]);
    const compiled = readFileSync(join(p.dir, 'target/compiled/shop/models/b.sql'), 'utf8');
    expect(compiled).toContain('"warehouse"."analytics"."renamed"');
  });

  it('pre/post hooks per model and on-run-start/on-run-end', async () => {
    const p = project({
      'tsql_project.yml': `name: shop
profile: shop
on-run-start:
  - "create table if not exists main.audit (event varchar)"
  - "insert into main.audit values ('start')"
on-run-end: "insert into main.audit values ('end')"
models:
  shop:
    +post-hook: "insert into main.audit values ('post {{ this.name }}')"
`,
      'models/a.sql': `{{ config(materialized='table', pre_hook="insert into main.audit values ('pre a')") }} select 1 as x`,
    });
    const r = p.tsql(['run']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect((await p.query('select event from main.audit')).map((x) => x.event)).toEqual(['start', 'pre a', 'post a', 'end']);
  });

  it('vars from the project and --vars, env_var with default, target and this', async () => {
    const p = project({
      'tsql_project.yml': `name: shop\nprofile: shop\nvars:\n  country: France\n  shop:\n    limit_rows: 5\n`,
      'models/a.sql': `select '{{ var("country") }}' as country, {{ var('limit_rows') }} as lim, '{{ env_var("TSQL_TEST_COLOR", "blue") }}' as color,
  '{{ target.name }}' as target_name, '{{ target.type }}' as target_type, '{{ this }}' as me, '{{ var("missing", "dflt") }}' as d`,
    });
    const r = p.tsql(['run', '--vars', '{country: Germany}'], { TSQL_TEST_COLOR: 'red' });
    expect(r.code).toBe(0);
    expect(await p.query('select * from main.a')).toEqual([
      { country: 'Germany', lim: 5, color: 'red', target_name: 'dev', target_type: 'duckdb', me: '"warehouse"."main"."a"', d: 'dflt' },
    ]);
  });

  it('disabled models are left out; seeds honour column_types', async () => {
    const p = project({
      'tsql_project.yml': `name: shop\nprofile: shop\nseeds:\n  shop:\n    codes:\n      +column_types:\n        code: varchar\n`,
      'seeds/codes.csv': 'code,amount\n007,1.50\n010,2.25\n',
      'models/off.sql': `{{ config(enabled=false) }} select 1`,
      'models/on.sql': `select * from {{ ref('codes') }}`,
    });
    const r = p.tsql(['build']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/TOTAL=2/);
    expect(await p.query(`select code, amount from main.codes order by code`)).toEqual([
      { code: '007', amount: '1.50' },
      { code: '010', amount: '2.25' },
    ]);
    const types = await p.query(`select column_name, data_type from information_schema.columns where table_name = 'codes' order by ordinal_position`);
    expect(types).toEqual([
      { column_name: 'code', data_type: 'VARCHAR' },
      { column_name: 'amount', data_type: 'DECIMAL(3,2)' },
    ]);
  });

  it('seed values are bound, never spliced into SQL', async () => {
    const p = project({ 'seeds/tricky.csv': `id,text\n1,"it's ""quoted""; drop table x; --"\n2,\n` });
    expect(p.tsql(['seed']).code).toBe(0);
    expect(await p.query('select id, text from main.tricky order by id')).toEqual([
      { id: 1, text: `it's "quoted"; drop table x; --` },
      { id: 2, text: null },
    ]);
  });

  it('never writes a credential into artifacts or output', () => {
    const p = project(
      { 'models/a.sql': `select '{{ target.type }}' as t, '{{ target.settings }}' as s` },
      {
        profile: `shop:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: warehouse.duckdb
      settings:
        s3_secret_access_key: "{{ env_var('TSQL_TEST_SECRET') }}"
`,
      },
    );
    const secret = 'sup3r-s3cret-value';
    const env = { TSQL_TEST_SECRET: secret };
    const c = p.tsql(['compile'], env);
    expect(c.code, c.stderr).toBe(0);
    const ls = p.tsql(['ls', '--output', 'json'], env);
    expect(ls.code).toBe(0);
    // debug shows the (masked) settings; connecting needs the httpfs extension, which may be unavailable: either outcome is fine here.
    const d = p.tsql(['debug'], env);
    expect(d.stdout).toMatch(/s3_secret_access_key/);
    expect(d.stdout).toMatch(/\*\*\*\*/);
    const compiled = readFileSync(join(p.dir, 'target/compiled/shop/models/a.sql'), 'utf8');
    for (const text of [c.stdout, c.stderr, ls.stdout, d.stdout, d.stderr, compiled, readFileSync(join(p.dir, 'target/manifest.json'), 'utf8')]) {
      expect(text).not.toContain(secret);
    }
  });

  it('compile renders without building; clean removes target/', () => {
    const p = project({ 'models/a.sql': 'select 1 as x', 'models/b.sql': "select * from {{ ref('a') }}" });
    const r = p.tsql(['compile', '--select', 'b']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('select * from "warehouse"."main"."a"');
    expect(existsSync(join(p.dir, 'target/manifest.json'))).toBe(true);
    expect(existsSync(p.dbPath)).toBe(false);
    const c = p.tsql(['clean']);
    expect(c.code).toBe(0);
    expect(existsSync(join(p.dir, 'target'))).toBe(false);
  });

  it('clean exits 0, also with nothing left to clean', () => {
    const p = project({ 'models/a.sql': 'select 1 as x' });
    expect(p.tsql(['compile']).code).toBe(0);
    for (let i = 0; i < 2; i++) {
      const c = p.tsql(['clean']);
      expect(c.code, c.stderr).toBe(0);
      expect(c.stdout).toMatch(/Finished cleaning\./);
    }
  });

  it('debug says when the project does not compile, with each error at its file and line (exit 2)', () => {
    const p = project({ 'models/a.sql': 'select 1 as x', 'models/b.sql': "select 1 as id\nfrom {{ ref('nope') }}" });
    const d = p.tsql(['debug']);
    expect(d.code, d.stdout + d.stderr).toBe(2);
    expect(d.stdout).toMatch(/connection: duckdb .* \[OK connection ok\]/);
    expect(d.stdout).toMatch(/project: \[ERROR\] the project does not compile \(1 error; other connections not checked\)/);
    expect(d.stdout).not.toMatch(/All checks passed/);
    expect(d.stderr).toMatch(/^error: models\/b\.sql:2: ref\('nope'\) does not match any model or seed/m);
    p.write({ 'models/b.sql': "select * from {{ ref('a') }}" });
    const ok = p.tsql(['debug']);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/project: \[OK compiles\] 2 models/);
    expect(ok.stdout).toMatch(/All checks passed!/);
  });

  it('init scaffolds a project that builds', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'tsql-init-'));
    try {
      const r = runCli(['init', 'my_shop'], parent);
      expect(r.code).toBe(0);
      const b = runCli(['build'], join(parent, 'my_shop'));
      expect(b.stderr).toBe('');
      expect(b.code).toBe(0);
      expect(b.stdout).toMatch(/PASS=5 WARN=0 ERROR=0 SKIP=0 TOTAL=5/);
      expect(runCli(['init', 'my_shop'], parent).code).toBe(2);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });
});

describe('render once', () => {
  it('renders each model exactly once, however many models ref it', () => {
    const files: Record<string, string> = {
      'models/base.sql': `{{ log('rendering base', info=true) }}select 1 as id`,
    };
    for (let i = 0; i < 5; i++) files[`models/user_${i}.sql`] = `{{ log('rendering user_${i}', info=true) }}select * from {{ ref('base') }}`;
    const p = project(files);
    const r = p.tsql(['compile']);
    expect(r.code).toBe(0);
    expect(r.stdout.match(/rendering base/g)).toHaveLength(1);
    for (let i = 0; i < 5; i++) expect(r.stdout.match(new RegExp(`rendering user_${i}`, 'g'))).toHaveLength(1);
  });

  it('a changed template is recompiled even with a warm cache', () => {
    const p = project({ 'models/a.sql': `select 1 as v` });
    expect(p.tsql(['compile']).code).toBe(0);
    p.write({ 'models/a.sql': `select 2 as v` });
    expect(p.tsql(['compile', '--select', 'a']).stdout).toContain('select 2 as v');
    p.write({ 'models/a.sql': `select {{ 1 + 2 }} as v` });
    expect(p.tsql(['compile', '--select', 'a']).stdout).toContain('select 3 as v');
  });
});
