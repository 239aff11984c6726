import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { useProjects } from '../helpers/project.js';
import { expectUserError } from '../helpers/assert.js';

const project = useProjects();


describe('user errors', () => {
  it('YAML syntax error names the file and line', () => {
    const p = project({ 'models/a.sql': 'select 1', 'models/schema.yml': 'version: 2\nmodels:\n  - name: a\n    columns: [\n' });
    expectUserError(p, /^error: models\/schema\.yml:\d+(:\d+)?: invalid YAML: /);
  });

  it('unknown config key in the project file suggests the closest key', () => {
    const p = project({
      'tsql_project.yml': 'name: shop\nprofile: shop\nmodels:\n  shop:\n    +materialised: table\n',
      'models/a.sql': 'select 1',
    });
    expectUserError(p, /^error: tsql_project\.yml:5: unknown model config key '\+materialised' \(did you mean '\+materialized'\?\)$/);
  });

  it('unknown config key in config() suggests the closest key', () => {
    const p = project({ 'models/a.sql': "\n{{ config(materialzed='table') }}\nselect 1" });
    expectUserError(p, /^error: models\/a\.sql:2: unknown model config key 'materialzed' \(did you mean 'materialized'\?\)$/);
  });

  it('unknown materialization, incremental_strategy and on_schema_change values suggest the closest', () => {
    const p = project({
      'models/a.sql': "{{ config(materialized='incremental', unique_key='id', incremental_strategy='delete_insert', on_schema_change='append_new_column') }}\nselect 1 as id",
      'models/b.sql': "{{ config(materialized='tabel') }}\nselect 1 as id",
    });
    const err = expectUserError(p, /^error: models\/a\.sql:1: unknown incremental_strategy 'delete_insert' \(did you mean 'delete\+insert'\?\)$/);
    expect(err).toMatch(/models\/a\.sql:1: unknown on_schema_change 'append_new_column' \(did you mean 'append_new_columns'\?\)/);
    expect(err).toMatch(/models\/b\.sql:1: unknown materialization 'tabel' \(did you mean 'table'\?\)/);
    expect(err).toMatch(/3 errors; nothing was run/);
  });

  it('quoting: an unknown key or a value that is not true/false names its line', () => {
    const p = project({ 'tsql_project.yml': 'name: shop\nprofile: shop\nquoting:\n  identifer: true\n', 'models/a.sql': 'select 1' });
    expectUserError(p, /^error: tsql_project\.yml:4: unknown quoting key 'identifer' \(did you mean 'identifier'\?\)$/);
    const q = project({
      'models/sources.yml': 'version: 2\nsources:\n  - name: raw\n    quoting:\n      schema: yes please\n    tables:\n      - name: t\n        quoting: {idenifier: true}\n',
      'models/a.sql': "select * from {{ source('raw', 't') }}",
    });
    const err = expectUserError(q, /models\/sources\.yml:5: 'quoting' takes database, schema and identifier set to true or false/);
    expect(err).toMatch(/models\/sources\.yml:8: unknown quoting key 'idenifier' \(did you mean 'identifier'\?\)/);
  });

  it('engine config values of the wrong kind, or ones tsql cannot act on, are errors before anything runs', () => {
    const p = project({
      'models/a.sql': "{{ config(materialized='table', transient='yes', cluster_by=[1]) }}\nselect 1 as id",
      'models/b.sql': "{{ config(materialized='table', table_format='iceberg', automatic_clustering=true) }}\nselect 1 as id",
    });
    const err = expectUserError(p, /models\/a\.sql:1: transient must be true or false, not "yes"/);
    expect(err).toMatch(/models\/a\.sql:1: cluster_by must be a string or a list of strings, not \[1\]/);
    expect(err).toMatch(/models\/b\.sql:1: table_format 'iceberg' is not supported by tsql yet/);
    expect(err).toMatch(/models\/b\.sql:1: automatic_clustering needs cluster_by/);
  });

  it('unknown top-level key in the project file', () => {
    const p = project({ 'tsql_project.yml': 'name: shop\nprofile: shop\nmodel_paths: [models]\n', 'models/a.sql': 'select 1' });
    expectUserError(p, /^error: tsql_project\.yml:3: unknown key 'model_paths' \(did you mean 'model-paths'\?\)$/);
  });

  it('ref to a model that does not exist suggests the closest name', () => {
    const p = project({ 'models/orders.sql': 'select 1 as id', 'models/b.sql': 'select *\nfrom {{ ref("order") }}' });
    expectUserError(p, /^error: models\/b\.sql:2: ref\('order'\) does not match any model or seed \(did you mean 'orders'\?\)$/);
  });

  it('source that is not declared suggests the closest', () => {
    const p = project({
      'models/sources.yml': 'version: 2\nsources:\n  - name: retail\n    tables:\n      - name: user_purchase\n',
      'models/b.sql': "select * from {{ source('retail', 'user_purchases') }}",
    });
    expectUserError(p, /^error: models\/b\.sql:1: source\('retail', 'user_purchases'\) is not defined in any properties file \(did you mean 'user_purchase'\?\)$/);
  });

  it('a cycle is printed as a -> b -> c -> a', () => {
    const p = project({
      'models/a.sql': "select * from {{ ref('c') }}",
      'models/b.sql': "select * from {{ ref('a') }}",
      'models/c.sql': "select * from {{ ref('b') }}",
    });
    expectUserError(p, /^error: models\/a\.sql:1: dependency cycle: a -> c -> b -> a/);
  });

  it('template syntax error gives the line', () => {
    const p = project({ 'models/a.sql': 'select 1\n{% if true %}\nfrom x\n' });
    expectUserError(p, /^error: models\/a\.sql:\d+: template syntax error: /);
  });

  it('an undefined variable is named', () => {
    const p = project({ 'models/a.sql': 'select 1\nwhere x = {{ undefined_thing }}' });
    expectUserError(p, /^error: models\/a\.sql:2: 'undefined_thing' is undefined/);
  });

  it('an undefined macro is named', () => {
    const p = project({ 'models/a.sql': 'select\n  {{ cents_to_dollars("amount") }}' });
    expectUserError(p, /^error: models\/a\.sql:2: 'cents_to_dollars' is not a macro or function/);
  });

  it('a missing var without default names the var', () => {
    const p = project({ 'models/a.sql': "select {{ var('start_date') }}" });
    expectUserError(p, /^error: models\/a\.sql:1: var\('start_date'\) is not set and has no default/);
  });

  it('raise_compiler_error from a macro gives its message and the model line', () => {
    const p = project({
      'macros/check.sql': "{% macro check(x) %}{% if x < 0 %}{{ exceptions.raise_compiler_error('x must not be negative') }}{% endif %}{{ x }}{% endmacro %}",
      'models/a.sql': 'select\n{{ check(-1) }} as v',
    });
    expectUserError(p, /^error: models\/a\.sql:2: x must not be negative$/);
  });

  it('missing profile: the project file line that names it, or --profile', () => {
    const p = project({ 'tsql_project.yml': 'name: shop\nversion: 1.0.0\nprofile: shopp\n', 'models/a.sql': 'select 1' });
    expectUserError(p, /^error: tsql_project\.yml:3: profile 'shopp' not found in profiles\.yml \(did you mean 'shop'\?\)$/);
    expectUserError(p, /^error: tsql_project\.yml:3: profile 'shopp' not found in profiles\.yml \(did you mean 'shop'\?\)$/, ['debug']);
    // no profile: the project's name is the profile's
    p.write({ 'tsql_project.yml': 'version: 1.0.0\nname: shopp\n' });
    expectUserError(p, /^error: tsql_project\.yml:2: profile 'shopp' not found in profiles\.yml \(did you mean 'shop'\?\)$/);
    const q = project({ 'models/a.sql': 'select 1' });
    expectUserError(q, /^error: --profile 'shopp': no such profile in profiles\.yml \(did you mean 'shop'\?\)$/, ['build', '--profile', 'shopp']);
    expectUserError(q, /^error: --profile 'nothing_like_it': no such profile in profiles\.yml \(profiles in profiles\.yml: shop\)$/, ['run', '--profile', 'nothing_like_it']);
  });

  it('missing target', () => {
    const p = project({ 'models/a.sql': 'select 1' });
    expectUserError(p, /^error: profiles\.yml:\d+: target 'prod' not found in profile 'shop' \(did you mean|targets: dev/, ['build', '--target', 'prod']);
  });

  it('no profiles.yml at all', () => {
    const p = project({ 'models/a.sql': 'select 1' }, { profile: null });
    const r = p.tsql(['build', '--profiles-dir', p.dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: no profiles\.yml found in /);
  });

  it('a seed CSV with a ragged row gives its line number', () => {
    const p = project({ 'seeds/s.csv': 'a,b\n1,2\n3,4,5\n', 'models/a.sql': "select * from {{ ref('s') }}" });
    expectUserError(p, /^error: seeds\/s\.csv:3: row has 3 fields but the header has 2 columns/);
  });

  it('collects several errors before stopping', () => {
    const p = project({ 'models/a.sql': "select * from {{ ref('nope') }}", 'models/b.sql': "select * from {{ ref('nada') }}" });
    const r = p.tsql(['build']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/models\/a\.sql:1: ref\('nope'\)/);
    expect(r.stderr).toMatch(/models\/b\.sql:1: ref\('nada'\)/);
    expect(r.stderr).toMatch(/2 errors; nothing was run/);
  });

  it('bad command-line values exit 2', () => {
    const p = project({ 'models/a.sql': 'select 1' });
    expect(p.tsql(['run', '--threads', 'many']).code).toBe(2);
    expect(p.tsql(['run', '--vars', '[1, 2]']).stderr).toMatch(/--vars must be a mapping/);
    expect(p.tsql(['run', '--select', 'tagg:x']).stderr).toMatch(/unknown selector method 'tagg'.*did you mean 'tag'/);
    const unknown = p.tsql(['run', '--selct', 'a']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe("error: unknown option '--selct' (did you mean --select?)\n");
    expect(p.tsql(['frobnicate']).code).toBe(2);
  });

  it('run-operation with an argument the macro does not take names the line of its definition', () => {
    const p = project({ 'macros/ops.sql': "{% macro first() %}{% endmacro %}\n\n{# grants #}\n{%- macro my_macro(schema_name, dry_run=false) -%}\n  {{ log(schema_name) }}\n{%- endmacro %}\n" });
    const r = p.tsql(['run-operation', 'my_macro', '--args', '{unknown_arg: 1}']);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toBe("error: macros/ops.sql:4: run-operation: macro 'my_macro' has no argument 'unknown_arg' (its arguments: schema_name, dry_run)\n");
    expect(p.tsql(['run-operation', 'my_macro', '--args', '{schema_nam: x}']).stderr).toBe("error: macros/ops.sql:4: run-operation: macro 'my_macro' has no argument 'schema_nam' (did you mean 'schema_name'?)\n");
  });

  it('an unknown adapter type in the profile suggests a known one', () => {
    const p = project({ 'models/a.sql': 'select 1' }, { profile: 'shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckbd\n' });
    expectUserError(p, /^error: profiles\.yml:5: unknown adapter type 'duckbd' \(did you mean 'duckdb'\?\)$/);
  });
});

describe('unload models', () => {
  it('a ref() to an unload model is a compile error pointing to external sources', () => {
    const p = project({
      'models/out.sql': `{{ config(materialized='unload', location='stage/out/' ~ ds ~ '/out.csv') }} select 1 as id`,
      'models/reader.sql': `select *\nfrom {{ ref('out') }}`,
    });
    expectUserError(p, /^error: models\/reader\.sql:2: ref\('out'\) points to an unload model, which writes files to the lake, not a table \(read its files through a source with an external: block/, ['build', '--ds', '2024-01-01']);
  });

  it('an unload model without a location, and an external source without typed columns', () => {
    const p = project({
      'models/out.sql': `{{ config(materialized='unload') }} select 1 as id`,
      'models/lake.yml': `version: 2
sources:
  - name: lake
    tables:
      - name: t
        external:
          location: stage/t/
          file_format: orc
        columns:
          - name: id
`,
    });
    const r = p.tsql(['build']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/models\/lake\.yml:5: external table lake\.t: file format 'orc' is not supported \(use csv or parquet\)/);
    expect(r.stderr).toMatch(/models\/lake\.yml:5: external table lake\.t: column id needs a data_type/);
    expect(r.stderr).toMatch(/models\/out\.sql:1: unload model 'out' needs a location/);
  });
});
