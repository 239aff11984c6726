/**
 * A corpus of malformed projects: one mistake each in the project file, the
 * profile, properties YAML, a model, a macro, a seed or the command line.
 * Every one must be a user error: exit 2, the first line names the file (and
 * line) where there is one, no stack trace, nothing run and no warehouse file
 * created (expectUserError).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectUserError } from '../helpers/assert.js';
import { useProjects } from '../helpers/project.js';

const project = useProjects();

const BASE: Record<string, string> = {
  'tsql_project.yml': 'name: shop\nprofile: shop\nmodels:\n  shop:\n    +materialized: view\n',
  'models/orders.sql': "{{ config(materialized='table') }}\nselect 1 as id, 'placed' as status\n",
  'models/by_status.sql': "select status, count(*) as n from {{ ref('orders') }} group by status\n",
  'models/schema.yml': 'version: 2\nmodels:\n  - name: orders\n    columns:\n      - name: id\n        data_tests: [not_null, unique]\n',
  'macros/cents.sql': '{% macro cents(x) %}({{ x }} * 100){% endmacro %}\n',
  'seeds/customers.csv': 'id,name\n1,ann\n2,bob\n',
};

interface Case {
  name: string;
  files: Record<string, string>;
  /** the first line of stderr */
  expect: RegExp;
  args?: string[];
}

const cases: Case[] = [];
const add = (name: string, files: Record<string, string>, expect: RegExp, args?: string[]) => cases.push({ name, files, expect, args });

// ------------------------------------------------------------ the project file
for (const key of ['model_paths', 'seed-path', 'macro_paths', 'tagret-path', 'clean_targets', 'on_run_start', 'profle', 'varz']) {
  add(`project file: unknown key ${key}`, { 'tsql_project.yml': `name: shop\nprofile: shop\n${key}: x\n` }, /^error: tsql_project\.yml:3: unknown key/);
}
for (const key of ['+materialised', '+tag', '+schemma', '+enabeld', '+post_hok', '+unique_keys', '+on_schema_changes', '+alais']) {
  add(`project file: unknown model config ${key}`, { 'tsql_project.yml': `name: shop\nprofile: shop\nmodels:\n  shop:\n    ${key}: x\n` }, /^error: tsql_project\.yml:5: unknown model config key/);
}
for (const mat of ['tabel', 'views', 'incremntal', 'ephemral', 'snapshot_table']) {
  add(`project file: materialization ${mat}`, { 'tsql_project.yml': `name: shop\nprofile: shop\nmodels:\n  shop:\n    +materialized: ${mat}\n` }, /^error: .*unknown materialization/);
}
for (const [label, text] of [
  ['no name', 'profile: shop\n'],
  ['name is a list', 'name: [shop]\nprofile: shop\n'],
  ['model-paths is a number', 'name: shop\nprofile: shop\nmodel-paths: 3\n'],
  ['vars is a list', 'name: shop\nprofile: shop\nvars: [1, 2]\n'],
  ['unclosed bracket', 'name: shop\nprofile: shop\nmodel-paths: [models\n'],
  ['tab indentation', 'name: shop\nprofile: shop\nmodels:\n\tshop: {}\n'],
  ['duplicate key', 'name: shop\nname: other\nprofile: shop\n'],
  ['not a mapping', '- name: shop\n'],
] as const) {
  add(`project file: ${label}`, { 'tsql_project.yml': text }, /^error: tsql_project\.yml(:\d+)*: /);
}

// ------------------------------------------------------------ the profile
for (const [label, text, line] of [
  ['unknown target', 'shop:\n  target: prod\n  outputs:\n    dev:\n      type: duckdb\n      path: w.duckdb\n', /^error: profiles\.yml(:\d+)?: target 'prod' not found/],
  ['no outputs', 'shop:\n  target: dev\n', /^error: profiles\.yml:\d+: profile 'shop' has no outputs/],
  ['no type', 'shop:\n  target: dev\n  outputs:\n    dev:\n      path: w.duckdb\n', /^error: profiles\.yml:\d+: output 'dev' has no 'type'/],
  ['adapter typo', 'shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckbd\n      path: w.duckdb\n', /^error: profiles\.yml:5: unknown adapter type 'duckbd'/],
  ['postgres typo', 'shop:\n  target: dev\n  outputs:\n    dev:\n      type: postgress\n', /^error: profiles\.yml:5: unknown adapter type/],
  ['duckdb key typo', 'shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      pth: w.duckdb\n', /^error: profiles\.yml:6: unknown key 'pth'/],
  ['threads zero', 'shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: w.duckdb\n      threads: 0\n', /^error: profiles\.yml:\d+: /],
  ['threads text', 'shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: w.duckdb\n      threads: many\n', /^error: profiles\.yml:\d+: /],
  ['postgres without user', 'shop:\n  target: dev\n  outputs:\n    dev:\n      type: postgres\n      dbname: d\n', /^error: profiles\.yml:\d+: /],
  ['postgres sslmode', 'shop:\n  target: dev\n  outputs:\n    dev:\n      type: postgres\n      user: u\n      dbname: d\n      sslmode: always\n', /^error: profiles\.yml:\d+: /],
  ['redshift both cluster and workgroup', 'shop:\n  target: dev\n  outputs:\n    dev:\n      type: redshift\n      method: data_api\n      cluster_identifier: c\n      workgroup_name: w\n      database: d\n', /^error: profiles\.yml:\d+: /],
  ['redshift method typo', 'shop:\n  target: dev\n  outputs:\n    dev:\n      type: redshift\n      method: data-api\n      database: d\n', /^error: profiles\.yml:\d+: /],
  ['snowflake without password', 'shop:\n  target: dev\n  outputs:\n    dev:\n      type: snowflake\n      account: a\n      user: u\n      database: d\n', /^error: profiles\.yml:\d+: .*password/],
  ['snowflake local lake', 'shop:\n  target: dev\n  outputs:\n    dev:\n      type: snowflake\n      account: a\n      user: u\n      password: p\n      database: d\n      lake_root: lake\n', /^error: profiles\.yml:\d+: .*lake_root/],
  ['snowflake missing key file', 'shop:\n  target: dev\n  outputs:\n    dev:\n      type: snowflake\n      account: a\n      user: u\n      private_key_path: /no/such/key.p8\n      database: d\n', /^error: profiles\.yml:\d+: .*no such file/],
  ['snowflake authenticator typo', 'shop:\n  target: dev\n  outputs:\n    dev:\n      type: snowflake\n      account: a\n      user: u\n      authenticator: sso\n      database: d\n', /^error: profiles\.yml:\d+: /],
  ['env_var not set', "shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: \"{{ env_var('TSQL_FUZZ_NOT_SET') }}\"\n", /^error: profiles\.yml:6: environment variable 'TSQL_FUZZ_NOT_SET' is not set/],
  ['profile not a mapping', '- shop\n', /^error: profiles\.yml:1: /],
  ['invalid YAML', 'shop:\n  target: dev\n  outputs: [\n', /^error: profiles\.yml:\d+(:\d+)?: invalid YAML/],
  ['other profile only', 'other:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n', /^error: tsql_project\.yml:2: profile 'shop' not found in profiles\.yml/],
] as const) {
  add(`profile: ${label}`, { 'profiles.yml': text }, line);
}

// ------------------------------------------------------------ properties YAML
for (const key of ['colums', 'descripton', 'data_test', 'confg', 'tags_']) {
  add(`schema.yml: unknown model key ${key}`, { 'models/schema.yml': `version: 2\nmodels:\n  - name: orders\n    ${key}: x\n` }, /^error: models\/schema\.yml:4: /);
}
for (const key of ['severty', 'wher', 'limt', 'store_failure', 'error_iff']) {
  add(`schema.yml: unknown test config ${key}`, { 'models/schema.yml': `version: 2\nmodels:\n  - name: orders\n    columns:\n      - name: id\n        data_tests:\n          - not_null:\n              config:\n                ${key}: x\n` }, /^error: models\/schema\.yml:9: unknown test config key/);
}
for (const [label, text] of [
  ['top-level key typo', 'version: 2\nmodel:\n  - name: orders\n'],
  ['models not a list', 'version: 2\nmodels:\n  name: orders\n'],
  ['model without name', 'version: 2\nmodels:\n  - description: x\n'],
  ['source without tables list', 'version: 2\nsources:\n  - name: raw\n    tables: events\n'],
  ['source table key typo', 'version: 2\nsources:\n  - name: raw\n    tables:\n      - name: events\n        identifer: e\n'],
  ['test that is a number', 'version: 2\nmodels:\n  - name: orders\n    data_tests: [1]\n'],
  ['external not a mapping', 'version: 2\nsources:\n  - name: lake\n    tables:\n      - name: t\n        external: yes\n'],
  ['quoting value', 'version: 2\nsources:\n  - name: raw\n    quoting:\n      identifier: maybe\n    tables:\n      - name: t\n'],
  ['invalid YAML', 'version: 2\nmodels:\n  - name: orders\n    columns: [\n'],
  ['unit test not a list', 'version: 2\nunit_tests:\n  name: t\n'],
] as const) {
  add(`schema.yml: ${label}`, { 'models/schema.yml': text }, /^error: models\/schema\.yml(:\d+)+: /);
}

// ------------------------------------------------------------ models and macros
for (const key of ['materialzed', 'tag', 'schemaa', 'unique', 'incremental_strat']) {
  add(`model: unknown config key ${key}`, { 'models/orders.sql': `{{ config(${key}='x') }}\nselect 1 as id\n` }, /^error: models\/orders\.sql:1: unknown model config key/);
}
for (const [label, text, first] of [
  ['ref to a missing model', "select * from {{ ref('order') }}\n", /^error: models\/by_status\.sql:1: ref\('order'\) does not match any model or seed/],
  ['ref with three names', "select * from {{ ref('a', 'b', 'c') }}\n", /^error: models\/by_status\.sql:1: /],
  ['undeclared source', "select * from {{ source('raw', 'events') }}\n", /^error: models\/by_status\.sql:1: source\('raw', 'events'\)/],
  ['unclosed block', "{% if true %}\nselect 1 as id\n", /^error: models\/by_status\.sql(:\d+)?: /],
  ['unknown tag', "{% frobnicate %}\nselect 1 as id\n", /^error: models\/by_status\.sql:1: /],
  ['unclosed expression', "select {{ 1 + as id\n", /^error: models\/by_status\.sql:1: /],
  ['undefined macro', "select {{ dollars('x') }} as id\n", /^error: models\/by_status\.sql:1: /],
  ['undefined var', "select {{ var('region') }} as id\n", /^error: models\/by_status\.sql:1: /],
  ['raise_compiler_error', "{{ exceptions.raise_compiler_error('no, not like this') }}\nselect 1 as id\n", /^error: models\/by_status\.sql:1: no, not like this/],
  ['unknown filter', "select {{ 'x' | frobnicate }} as id\n", /^error: models\/by_status\.sql:1: /],
  ['cycle', "select * from {{ ref('orders') }}\n", /^error: /],
  ['config materialized typo', "{{ config(materialized='tabel') }}\nselect 1 as id\n", /^error: models\/by_status\.sql:1: unknown materialization 'tabel'/],
  ['incremental strategy typo', "{{ config(materialized='incremental', unique_key='id', incremental_strategy='merge_into') }}\nselect 1 as id\n", /^error: models\/by_status\.sql:1: unknown incremental_strategy/],
  ['on_schema_change typo', "{{ config(materialized='incremental', on_schema_change='append') }}\nselect 1 as id\n", /^error: models\/by_status\.sql:1: unknown on_schema_change/],
  ['delete+insert without key', "{{ config(materialized='incremental', incremental_strategy='delete+insert') }}\nselect 1 as id\n", /^error: models\/by_status\.sql: incremental model 'by_status' uses the 'delete\+insert' strategy but sets no unique_key/],
  ['transient not a boolean', "{{ config(materialized='table', transient='no') }}\nselect 1 as id\n", /^error: models\/by_status\.sql:1: transient must be true or false/],
  ['table_format iceberg', "{{ config(materialized='table', table_format='iceberg') }}\nselect 1 as id\n", /^error: models\/by_status\.sql:1: table_format 'iceberg'/],
  ['cluster_by a number', "{{ config(materialized='table', cluster_by=3) }}\nselect 1 as id\n", /^error: models\/by_status\.sql:1: cluster_by must be/],
  ['unload without location', "{{ config(materialized='unload') }}\nselect 1 as id\n", /^error: models\/by_status\.sql(:\d+)?: /],
  ['unload format typo', "{{ config(materialized='unload', location='x/', format='parket') }}\nselect 1 as id\n", /^error: models\/by_status\.sql(:\d+)?: /],
] as const) {
  const files: Record<string, string> = { 'models/by_status.sql': text };
  // the cycle: orders reads by_status, which reads orders
  if (label === 'cycle') files['models/orders.sql'] = "select * from {{ ref('by_status') }}\n";
  add(`model: ${label}`, files, first);
}
for (const [label, text] of [
  ['macro syntax error', '{% macro cents(x) %}({{ x }} * 100)\n'],
  ['macro with an unknown tag', '{% macro cents(x) %}{% frob %}{% endmacro %}\n'],
  ['endmacro without macro', '{% endmacro %}\n'],
] as const) {
  add(`macro: ${label}`, { 'macros/cents.sql': text }, /^error: macros\/cents\.sql(:\d+)?: /);
}

// ------------------------------------------------------------ seeds
for (const [label, csv] of [
  ['ragged row', 'id,name\n1,ann\n2\n'],
  ['too many fields', 'id,name\n1,ann,extra\n'],
  ['unclosed quote', 'id,name\n1,"ann\n'],
  ['duplicate header', 'id,id\n1,2\n'],
  ['empty header name', 'id,\n1,2\n'],
] as const) {
  add(`seed: ${label}`, { 'seeds/customers.csv': csv }, /^error: seeds\/customers\.csv(:\d+)*: /);
}
for (const [label, yml] of [
  ['column_types names a missing column', 'version: 2\nseeds:\n  - name: customers\n    config:\n      column_types:\n        idd: integer\n'],
  ['column_types not a mapping', 'version: 2\nseeds:\n  - name: customers\n    config:\n      column_types: [integer]\n'],
] as const) {
  add(`seed: ${label}`, { 'seeds/schema.yml': yml }, /^error: seeds\/schema\.yml(:\d+)?: /);
}

// ------------------------------------------------------------ paths and file contents
for (const [label, files, first, args] of [
  ['target-path outside the project', { 'tsql_project.yml': 'name: shop\nprofile: shop\ntarget-path: ../elsewhere\n' }, /^error: tsql_project\.yml:3: /],
  ['model-paths outside the project', { 'tsql_project.yml': 'name: shop\nprofile: shop\nmodel-paths: [../models]\n' }, /^error: tsql_project\.yml:3: /],
  ['seed-paths absolute', { 'tsql_project.yml': 'name: shop\nprofile: shop\nseed-paths: [/tmp]\n' }, /^error: tsql_project\.yml:3: /],
  ['clean-targets outside the project', { 'tsql_project.yml': 'name: shop\nprofile: shop\nclean-targets: [../victim]\n' }, /^error: tsql_project\.yml:3: /, ['clean']],
  ['both project files', { 'dbt_project.yml': 'name: shop\nprofile: shop\n' }, /^error: .*tsql_project\.yml.*dbt_project\.yml|^error: .*dbt_project\.yml.*tsql_project\.yml/],
  ['an empty model file', { 'models/by_status.sql': '' }, /^error: models\/by_status\.sql(:\d+)*: /],
  ['a comment-only model', { 'models/by_status.sql': '{# nothing here yet #}\n-- not even this\n' }, /^error: models\/by_status\.sql(:\d+)*: /],
  ['a binary model file', { 'models/by_status.sql': 'select 1\u0000\u0001\u0002' }, /^error: models\/by_status\.sql(:\d+)*: /],
  ['an unload location leaving the lake', { 'models/by_status.sql': "{{ config(materialized='unload', location='../../x.csv') }}\nselect 1 as id\n" }, /^error: models\/by_status\.sql(:\d+)*: /],
  ['an unload location that is absolute', { 'models/by_status.sql': "{{ config(materialized='unload', location='/tmp/x.csv') }}\nselect 1 as id\n" }, /^error: models\/by_status\.sql(:\d+)*: /],
] as const) {
  add(`paths: ${label}`, files as Record<string, string>, first, args ? [...args] : undefined);
}

// ------------------------------------------------------------ the command line (no file to name)
for (const [label, args, first] of [
  ['--ds not a date', ['build', '--ds', '2024-13-01'], /^error: /],
  ['--ds in another form', ['build', '--ds', '03/01/2024'], /^error: /],
  ['--start after --end', ['build', '--start', '2024-01-05', '--end', '2024-01-01'], /^error: /],
  ['--vars not a mapping', ['build', '--vars', '[1, 2]'], /^error: --vars must be a mapping/],
  ['--vars not YAML', ['build', '--vars', '{a: [}'], /^error: --vars is not valid YAML or JSON/],
  ['--threads zero', ['build', '--threads', '0'], /^error: /],
  ['--threads text', ['build', '--threads', 'many'], /^error: /],
  ['unknown option', ['build', '--selekt', 'orders'], /^error: /],
  ['unknown command', ['biuld'], /^error: /],
  ['selector method typo', ['build', '--select', 'tga:nightly'], /^error: /],
  ['selection matching nothing', ['build', '--select', 'ordrs'], /^error: --select 'ordrs' matches no node \(did you mean 'orders'\?\)/],
  ['--log-format typo', ['build', '--log-format', 'jsno'], /^error: /],
  ['--output typo for ls', ['ls', '--output', 'nmae'], /^error: /],
  ['--defer without --state', ['build', '--defer'], /^error: /],
  ['--state folder missing', ['build', '--state', 'no-such-folder'], /^error: /],
] as const) {
  add(`command line: ${label}`, {}, first, [...args]);
}

describe('a corpus of malformed projects: each is exit 2, one line naming the file, nothing run', () => {
  it('has at least 100 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(100);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const p = project({ ...BASE, ...c.files });
    expectUserError(p, c.expect, c.args ?? ['build']);
  });

  it('invalid UTF-8 in a model names the file and the byte offset', () => {
    const p = project(BASE);
    writeFileSync(join(p.dir, 'models/by_status.sql'), Buffer.concat([Buffer.from('select 1 as id -- caf'), Buffer.from([0xc3, 0x28]), Buffer.from('\n')]));
    expectUserError(p, /^error: models\/by_status\.sql: not valid UTF-8: byte 0xc3 at byte offset 21 \(save the file as UTF-8\)$/);
  });
});
