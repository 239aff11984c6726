import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { userError } from '../helpers/assert.js';
import { FolderConfig } from '../../src/project/folder-config.js';
import { mergeConfig } from '../../src/project/config-merge.js';
import { redactOutput, resolveTarget } from '../../src/project/profiles.js';
import { parseSchemaFile } from '../../src/project/schema-yaml.js';
import { parseYaml } from '../../src/util/yaml-file.js';

const dirs: string[] = [];
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});
function tempDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tsql-unit-'));
  dirs.push(dir);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}

describe('folder config (+key trees)', () => {
  const tree = {
    '+tags': ['all'],
    shop: {
      '+materialized': 'view',
      materialized: 'view',
      staging: { '+schema': 'stg', '+tags': 'staging', orders: { '+materialized': 'table' } },
      marts: { '+materialized': 'table', meta: { owner: 'bi' } },
    },
  };
  const fc = new FolderConfig(tree, 'model');

  it('applies deeper levels over shallower ones, merging tags', () => {
    expect(fc.resolve(['shop', 'staging', 'orders'])).toEqual({ tags: ['all', 'staging'], materialized: 'table', schema: 'stg' });
    expect(fc.resolve(['shop', 'staging', 'customers'])).toEqual({ tags: ['all', 'staging'], materialized: 'view', schema: 'stg' });
    expect(fc.resolve(['shop', 'marts', 'revenue'])).toEqual({ tags: ['all'], materialized: 'table', meta: { owner: 'bi' } });
  });

  it('reports unknown keys with a suggestion and unmatched folders as warnings', () => {
    const yaml = parseYaml('models:\n  shop:\n    +materialised: table\n    stagin:\n      +schema: x\n    colour: blue\n', 'tsql_project.yml');
    const bad = new FolderConfig((yaml.data as any).models, 'model');
    const { errors, warnings } = bad.validate(yaml, ['models'], new Set(['shop', 'shop.staging', 'shop.staging.orders']));
    expect(errors.map((e) => e.format())).toEqual([
      "tsql_project.yml:3: unknown model config key '+materialised' (did you mean '+materialized'?)",
      "tsql_project.yml:6: unknown model config key 'colour'",
    ]);
    expect(warnings).toEqual(["tsql_project.yml:4: config path 'models.shop.stagin' matches no model (did you mean 'staging'?)"]);
  });

  it('merges hooks by accumulating and meta by key', () => {
    expect(mergeConfig({ pre_hook: ['a'], meta: { x: 1 } }, { 'pre-hook': 'b', meta: { y: 2 } })).toEqual({ pre_hook: ['a', 'b'], meta: { x: 1, y: 2 } });
  });
});

describe('profiles', () => {
  const profile = `shop:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: "{{ env_var('TSQL_UNIT_DB', 'dev.duckdb') }}"
      threads: "{{ env_var('TSQL_UNIT_THREADS', '3') }}"
    prod:
      type: duckdb
      path: prod.duckdb
`;

  it('renders env_var, coerces numbers, and picks the named target', () => {
    const dir = tempDir({ 'profiles.yml': profile });
    process.env.TSQL_UNIT_DB = 'from_env.duckdb';
    try {
      const t = resolveTarget({ projectDir: dir, profileName: 'shop', vars: {} });
      expect(t.targetName).toBe('dev');
      expect(t.output.path).toBe('from_env.duckdb');
      expect(t.threads).toBe(3);
      expect(t.database).toBe('from_env');
      expect(resolveTarget({ projectDir: dir, profileName: 'shop', targetName: 'prod', vars: {} }).database).toBe('prod');
    } finally {
      delete process.env.TSQL_UNIT_DB;
    }
  });

  it('prefers --profiles-dir over the project directory', () => {
    const project = tempDir({ 'profiles.yml': profile });
    const other = tempDir({ 'profiles.yml': profile.replace('dev.duckdb', 'other.duckdb') });
    expect(resolveTarget({ projectDir: project, profilesDir: other, profileName: 'shop', vars: {} }).output.path).toBe('other.duckdb');
  });

  it('names a missing environment variable with file and line', () => {
    const dir = tempDir({ 'profiles.yml': 'shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: "{{ env_var(\'TSQL_UNIT_NOPE\') }}"\n' });
    const e = userError(() => resolveTarget({ projectDir: dir, profileName: 'shop', vars: {} }));
    expect(e.format()).toBe("profiles.yml:6: environment variable 'TSQL_UNIT_NOPE' is not set and has no default");
  });

  it('rejects an unknown output key with a suggestion', () => {
    const dir = tempDir({ 'profiles.yml': 'shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      pth: x.duckdb\n' });
    const e = userError(() => resolveTarget({ projectDir: dir, profileName: 'shop', vars: {} }));
    expect(e.format()).toBe("profiles.yml:6: unknown key 'pth' (did you mean 'path'?)");
  });

  it('masks credentials at any depth', () => {
    expect(redactOutput({ user: 'u', password: 'p', settings: { s3_secret_access_key: 'k', region: 'eu' }, private_key_path: '/k' })).toEqual({
      user: 'u',
      password: '********',
      settings: { s3_secret_access_key: '********', region: 'eu' },
      private_key_path: '********',
    });
  });
});

describe('schema files', () => {
  it('reads every test form: name, mapping, nested arguments, config and namespaced tests', () => {
    const { content, errors } = parseSchemaFile(
      `version: 2
models:
  - name: orders
    data_tests:
      - dbt_utils.expression_is_true:
          expression: "amount >= 0"
    columns:
      - name: id
        tests: [unique, not_null]
      - name: status
        tests:
          - accepted_values:
              arguments:
                values: [placed, shipped]
                quote: true
              config:
                severity: warn
      - name: customer_id
        data_tests:
          - relationships:
              to: ref('customers')
              field: id
              where: "customer_id is not null"
`,
      'models/schema.yml',
    );
    expect(errors).toEqual([]);
    const t = content.tests.map((x) => ({ n: x.testName, ns: x.namespace, col: x.columnName, kw: x.kwargs, cfg: x.config, line: x.line }));
    expect(t).toEqual([
      { n: 'unique', ns: undefined, col: 'id', kw: {}, cfg: {}, line: 9 },
      { n: 'not_null', ns: undefined, col: 'id', kw: {}, cfg: {}, line: 9 },
      { n: 'accepted_values', ns: undefined, col: 'status', kw: { values: ['placed', 'shipped'], quote: true }, cfg: { severity: 'warn' }, line: 12 },
      { n: 'relationships', ns: undefined, col: 'customer_id', kw: { to: "ref('customers')", field: 'id' }, cfg: { where: 'customer_id is not null' }, line: 20 },
      { n: 'expression_is_true', ns: 'dbt_utils', col: undefined, kw: { expression: 'amount >= 0' }, cfg: {}, line: 5 },
    ]);
  });

  it('collects unknown keys with suggestions', () => {
    const { errors } = parseSchemaFile('version: 2\nmodels:\n  - name: a\n    descripton: x\n    columns:\n      - name: id\n        test: [unique]\n', 'models/s.yml');
    expect(errors.map((e) => e.format())).toEqual([
      "models/s.yml:4: unknown key 'descripton' in model 'a' (did you mean 'description'?)",
      "models/s.yml:7: unknown key 'test' in column 'id' (did you mean 'tests'?)",
    ]);
  });

  it('checks the lists of macros:, groups: and exposures: as it checks models:, each mistake once with its line', () => {
    const { errors } = parseSchemaFile(
      `version: 2
models:
  - name: a
    columns: x
macros:
  - name: m
    arguments: x
    config: {meta: {a: 1}, show: true}
  - 3
  - name: n
    config:
    arguments:
      - {description: no name}
exposures: nope
groups:
  - owner: {name: x}
  - name: g
    owner: {name: x}
    ownr: y
`,
      'models/s.yml',
    );
    expect(errors.map((e) => e.format())).toEqual([
      "models/s.yml:4: 'columns' must be a list",
      "models/s.yml:8: unknown key 'show' in the config of macro 'm'",
      "models/s.yml:7: 'arguments' must be a list",
      "models/s.yml:9: each entry of 'macros' must be a mapping with a name",
      "models/s.yml:13: an entry of 'arguments' has no name",
      "models/s.yml:14: 'exposures' must be a list",
      "models/s.yml:16: an entry of 'groups' has no name",
      "models/s.yml:19: unknown key 'ownr' in group 'g' (did you mean 'owner'?)",
    ]);
  });

  it('names the exposure whose config or owner has an unknown key', () => {
    const { errors } = parseSchemaFile('exposures:\n  - name: e\n    type: dashboard\n    owner: {name: x, slack: y}\n    config: {tgs: [a]}\n', 'models/e.yml');
    expect(errors.map((e) => e.format())).toEqual(["models/e.yml:4: unknown key 'slack' in the owner of exposure 'e'", "models/e.yml:5: unknown key 'tgs' in the config of exposure 'e' (did you mean 'tags'?)"]);
  });
});
