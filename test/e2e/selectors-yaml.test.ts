import { describe, expect, it } from 'vitest';
import { useProjects } from '../helpers/project.js';
import { expectUserError } from '../helpers/assert.js';

const project = useProjects();

const FILES: Record<string, string> = {
  'seeds/raw_orders.csv': 'id,customer_id\n1,1\n2,1\n',
  'seeds/raw_customers.csv': 'id\n1\n',
  'models/staging/stg_orders.sql': `select * from {{ ref('raw_orders') }}`,
  'models/marts/customers.sql': `select * from {{ ref('raw_customers') }}`,
  'models/marts/orders.sql': `{{ config(tags=['nightly']) }} select * from {{ ref('stg_orders') }}`,
  'models/schema.yml': `version: 2
models:
  - name: orders
    columns:
      - name: id
        tests: [not_null]
      - name: customer_id
        tests:
          - relationships:
              to: ref('customers')
              field: id
`,
  'selectors.yml': `selectors:
  - name: nightly_marts
    definition:
      intersection:
        - tag: nightly
        - method: path
          value: models/marts
  - name: staging
    default: true
    definition: 'path:models/staging'
`,
};

function names(stdout: string): string[] {
  return stdout.trim().split('\n').filter(Boolean).sort();
}

describe('selectors.yml and indirect selection on the command line', () => {
  it('--selector picks a YAML selector; the default one applies only without --select', () => {
    const p = project(FILES);
    expect(names(p.tsql(['ls', '--selector', 'nightly_marts', '--output', 'name']).stdout)).toEqual(['not_null_orders_id', 'orders', 'relationships_orders_customer_id__id__ref_customers_']);
    expect(names(p.tsql(['ls', '--output', 'name']).stdout)).toEqual(['stg_orders']);
    expect(names(p.tsql(['ls', '--select', 'customers', '--output', 'name']).stdout)).toEqual(['customers', 'relationships_orders_customer_id__id__ref_customers_']);
    // the default selector holds no seed: `tsql seed` alone loads nothing, as dbt's does
    expect(p.tsql(['seed']).stdout).not.toMatch(/raw_orders/);
    const seed = p.tsql(['seed', '--select', 'raw_orders']);
    expect(seed.code, seed.stderr).toBe(0);
    // build without --select builds the default selector's nodes only
    const build = p.tsql(['build', '--no-progress']);
    expect(build.code, build.stdout + build.stderr).toBe(0);
    expect(build.stdout).toMatch(/TOTAL=1\b/);
  });

  it('--indirect-selection (or DBT_INDIRECT_SELECTION) chooses which tests a selected model brings', () => {
    const p = project(FILES);
    const eager = p.tsql(['ls', '-s', 'orders', '--resource-type', 'test', '--output', 'name']);
    expect(names(eager.stdout)).toEqual(['not_null_orders_id', 'relationships_orders_customer_id__id__ref_customers_']);
    const cautious = p.tsql(['ls', '-s', 'orders', '--resource-type', 'test', '--output', 'name', '--indirect-selection', 'cautious']);
    expect(names(cautious.stdout)).toEqual(['not_null_orders_id']);
    const env = p.tsql(['ls', '-s', 'orders', 'customers', '--resource-type', 'test', '--output', 'name'], { DBT_INDIRECT_SELECTION: 'cautious' });
    expect(env.stderr).not.toMatch(/ignored/);
    expect(names(env.stdout)).toEqual(['not_null_orders_id', 'relationships_orders_customer_id__id__ref_customers_']);
    expect(names(p.tsql(['ls', '-s', 'orders', '--output', 'name'], { DBT_INDIRECT_SELECTION: 'empty' }).stdout)).toEqual(['orders']);
  });

  it('test_type:data selects generic and singular data tests', () => {
    const p = project({ ...FILES, 'tests/assert_one.sql': `select * from {{ ref('orders') }} where id < 0` });
    expect(names(p.tsql(['ls', '-s', 'test_type:data', '--output', 'name']).stdout)).toEqual(['assert_one', 'not_null_orders_id', 'relationships_orders_customer_id__id__ref_customers_']);
  });

  it('a selector that selects nothing is exit 2 naming it, as an empty --select is; --allow-empty-selection runs nothing', () => {
    const p = project({
      ...FILES,
      'selectors.yml': `selectors:
  - name: typo
    definition: 'tag:nighlty'
  - name: nothing_left
    definition:
      intersection:
        - tag: nightly
        - path: models/staging
  - name: staging
    definition: 'path:models/staging'
`,
    });
    const typo = /^error: selectors.yml:3: --selector 'typo': 'tag:nighlty' matches no node \(did you mean 'tag:nightly'\?\)$/;
    expectUserError(p, typo, ['run', '--selector', 'typo']);
    expectUserError(p, typo, ['ls', '--selector', 'typo']);
    expectUserError(p, typo, ['compile', '--selector', 'typo']);
    expectUserError(p, /^error: selectors.yml:5: --selector 'nothing_left' selects no node: its intersection or exclusion leaves nothing to run \(--allow-empty-selection runs nothing instead\)$/, ['build', '--selector', 'nothing_left']);
    expectUserError(p, /^error: selectors.yml:10: --selector 'staging' matches no seed for tsql seed \(it selects only models; --allow-empty-selection runs nothing instead\)$/, ['seed', '--selector', 'staging']);
    const allowed = p.tsql(['run', '--selector', 'typo', '--allow-empty-selection']);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.stdout).toContain("nothing to run: --selector 'typo': 'tag:nighlty' matches no node (allowed by --allow-empty-selection)");
    expect(allowed.stdout).not.toMatch(/START/);

    // the default selector: a typo in it is a mistake; one that holds other kinds of node is not (tsql seed with models)
    p.write({ 'selectors.yml': "selectors:\n  - name: typo\n    default: true\n    definition: 'tag:nighlty'\n" });
    expectUserError(p, /^error: selectors.yml:4: the default selector 'typo': 'tag:nighlty' matches no node \(did you mean 'tag:nightly'\?\)$/, ['build']);
    expectUserError(p, /the default selector 'typo'/, ['ls']);
    const defaultAllowed = p.tsql(['build', '--allow-empty-selection']);
    expect(defaultAllowed.code, defaultAllowed.stderr).toBe(0);
    expect(defaultAllowed.stdout).toContain("nothing to build: the default selector 'typo'");
    p.write({ 'selectors.yml': "selectors:\n  - name: staging\n    default: true\n    definition: 'path:models/staging'\n" });
    const seed = p.tsql(['seed']);
    expect(seed.code, seed.stderr).toBe(0);
    expect(seed.stdout).toContain('nothing to seed');
  });

  it('mistakes are one line, exit 2', () => {
    const p = project(FILES);
    expectUserError(p, /^error: --selector cannot be combined with --select/, ['ls', '--selector', 'staging', '--select', 'orders']);
    expectUserError(p, /^error: --selector 'stagign' is not defined in selectors.yml \(did you mean 'staging'\?\)/, ['build', '--selector', 'stagign']);
    expectUserError(p, /^error: DBT_INDIRECT_SELECTION must be one of eager, cautious, buildable, empty, got 'all'/, ['ls'], { DBT_INDIRECT_SELECTION: 'all' });
    p.write({ 'selectors.yml': 'selectors:\n  - name: a\n    definition:\n      tag: nightly\n      value: x\n' });
    expectUserError(p, /^error: selectors.yml:4: selector 'a': unknown key 'tag'/, ['build']);
  });
});
