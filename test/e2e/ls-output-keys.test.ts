import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useProjects } from '../helpers/project.js';
import { expectUserError } from '../helpers/assert.js';

const project = useProjects();

const FILES: Record<string, string> = {
  'seeds/raw_orders.csv': 'id,amount\n1,10\n',
  'models/orders.sql': `{{ config(materialized='table', tags=['daily']) }}\nselect * from {{ ref('raw_orders') }} join {{ source('app', 'users') }} on true`,
  'models/sources.yml': 'version: 2\nsources:\n  - name: app\n    schema: main\n    tables:\n      - name: users\n        description: who signs in\n',
};

function jsonLines(stdout: string): Record<string, unknown>[] {
  return stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('tsql ls --output json', () => {
  it("prints dbt's ls keys, a source's source_name among them; --output-keys chooses any key of the node's JSON", () => {
    const p = project(FILES);
    const all = p.tsql(['ls', '--output', 'json']);
    expect(all.code, all.stderr).toBe(0);
    const [orders, seed, users] = jsonLines(all.stdout);
    expect(Object.keys(orders)).toEqual(['name', 'resource_type', 'package_name', 'original_file_path', 'unique_id', 'alias', 'config', 'tags', 'depends_on']);
    expect(orders).toMatchObject({ name: 'orders', resource_type: 'model', alias: 'orders', tags: ['daily'], depends_on: { nodes: ['seed.shop.raw_orders', 'source.shop.app.users'] } });
    expect(seed).toMatchObject({ unique_id: 'seed.shop.raw_orders', original_file_path: 'seeds/raw_orders.csv' });
    expect(users).toMatchObject({ name: 'users', resource_type: 'source', source_name: 'app', unique_id: 'source.shop.app.users', original_file_path: 'models/sources.yml' });

    // comma- or space-separated, in the order asked; a key of another kind of node is left out
    const keys = p.tsql(['ls', '--output', 'json', '--output-keys', 'name,resource_type', 'source_name description']);
    expect(keys.code, keys.stderr).toBe(0);
    expect(jsonLines(keys.stdout)).toEqual([
      { name: 'orders', resource_type: 'model', description: '' },
      { name: 'raw_orders', resource_type: 'seed', description: '' },
      { name: 'users', resource_type: 'source', source_name: 'app', description: 'who signs in' },
    ]);
    // any key of manifest.json's node: materialized, relation_name, fqn …
    const model = jsonLines(p.tsql(['ls', '-s', 'orders', '--resource-type', 'model', '--output', 'json', '--output-keys', 'materialized', 'fqn']).stdout);
    expect(model).toEqual([{ materialized: 'table', fqn: ['shop', 'orders'] }]);
  });

  it("tests carry dbt's alias: a singular test's name, a generic test's short name when its own is too long for a table; manifest.json too", () => {
    const values = Array.from({ length: 12 }, (_, i) => `'status_${i}'`).join(', ');
    const p = project({
      ...FILES,
      'models/orders.yml': `version: 2\nmodels:\n  - name: orders\n    columns:\n      - name: id\n        data_tests: [not_null]\n      - name: amount\n        data_tests:\n          - accepted_values:\n              values: [${values}]\n`,
      'tests/no_negative_amounts.sql': "select * from {{ ref('orders') }} where amount < 0",
    });
    const r = p.tsql(['ls', '--resource-type', 'test', '--output', 'json', '--output-keys', 'name,alias']);
    expect(r.code, r.stderr).toBe(0);
    const tests = jsonLines(r.stdout);
    const long = tests.find((t) => String(t.name).startsWith('accepted_values_orders_amount'))!;
    expect(String(long.name).length).toBeGreaterThan(63);
    expect(long.alias).toMatch(/^accepted_values_orders_\w*[0-9a-f]{32}$/);
    expect(String(long.alias).length).toBeLessThan(64);
    expect(tests.filter((t) => t !== long)).toEqual([
      { name: 'no_negative_amounts', alias: 'no_negative_amounts' },
      { name: 'not_null_orders_id', alias: 'not_null_orders_id' },
    ]);
    expect(p.tsql(['compile']).code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(p.dir, 'target', 'manifest.json'), 'utf8')) as { nodes: Record<string, { resource_type: string; alias?: string }> };
    const aliases = Object.values(manifest.nodes).filter((n) => n.resource_type === 'test').map((n) => n.alias);
    expect(aliases.sort()).toEqual([long.alias, 'no_negative_amounts', 'not_null_orders_id'].sort());
  });

  it('an unknown key, or --output-keys without --output json, is exit 2', () => {
    const p = project(FILES);
    expectUserError(p, /^error: --output-keys 'resource_typ' is not a key of any node's JSON \(did you mean 'resource_type'\?\)$/, ['ls', '--output', 'json', '--output-keys', 'name,resource_typ']);
    expectUserError(p, /^error: --output-keys chooses the keys of --output json, not of --output name/, ['ls', '--output', 'name', '--output-keys', 'name']);
  });
});
