import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCAL_ENGINES, output, useEngineProjects } from '../helpers/engines.js';

/**
 * Properties and folder config dbt reads for analyses, singular tests and
 * unit tests: `analyses:` and top-level `data_tests:` in properties files,
 * and the project file's `analyses:` and `unit_tests:` trees. On DuckDB and PostgreSQL.
 */

const engineProject = useEngineProjects('props');

const PROJECT = `name: shop
profile: shop
analyses:
  shop:
    +tags: [adhoc]
    finance:
      +enabled: false
unit_tests:
  shop:
    +tags: [unit]
    marts:
      orders_total:
        +enabled: false
`;

const FILES = {
  'tsql_project.yml': PROJECT,
  'models/orders.sql': `select 1 as id, 10 as amount union all select 2, -5`,
  'models/marts/orders_total.sql': `select sum(amount) as total from {{ ref('orders') }}`,
  'analyses/revenue.sql': `select sum(amount) as revenue from {{ ref('orders') }}`,
  'analyses/finance/margins.sql': `select 1 as margin`,
  'tests/assert_amount_positive.sql': `select * from {{ ref('orders') }} where amount < 0`,
  'models/props.yml': `analyses:
  - name: revenue
    description: Revenue to date
    config:
      tags: [finance]
    columns:
      - name: revenue
        description: the sum of amounts
data_tests:
  - name: assert_amount_positive
    description: no order has a negative amount
    config:
      severity: warn
      tags: [money]
unit_tests:
  - name: sums_amounts
    model: orders_total
    given:
      - input: ref('orders')
        rows: [{amount: 1}, {amount: 2}]
    expect:
      rows: [{total: 3}]
  - name: sums_nothing
    model: orders_total
    config: {enabled: true}
    given:
      - input: ref('orders')
        rows: [{amount: 4}]
    expect:
      rows: [{total: 4}]
`,
};

for (const engine of LOCAL_ENGINES) {
  describe(`analyses, data_tests and unit_tests properties and folder config on ${engine}`, () => {
    it('apply: descriptions, columns, config from YAML and from the project file\'s trees', () => {
      const w = engineProject(engine, FILES);
      const r = w.tsql(['build']);
      expect(r.code, output(r)).toBe(0);
      // no config is warned about (the closing lines list the one test that warns)
      expect(output(r)).not.toMatch(/is ignored|\bwarning: /);
      // the singular test's severity came from its properties: a warning, not a failure
      expect(output(r)).toMatch(/WARN 1 test assert_amount_positive/);
      expect(output(r)).toMatch(/Completed with 1 warning:/);
      expect(output(r)).not.toContain('sums_amounts');
      expect(output(r)).toMatch(/PASS unit test orders_total::sums_nothing/);
      const manifest = JSON.parse(readFileSync(join(w.p.dir, 'target/manifest.json'), 'utf8'));
      const revenue = manifest.nodes['analysis.shop.revenue'];
      expect(revenue.description).toBe('Revenue to date');
      expect(revenue.columns.revenue.description).toBe('the sum of amounts');
      expect(revenue.tags.sort()).toEqual(['adhoc', 'finance']);
      expect(manifest.nodes['analysis.shop.margins']).toBeUndefined();
      const test = manifest.nodes['test.shop.assert_amount_positive'];
      expect(test.description).toBe('no order has a negative amount');
      expect(test.config.severity).toBe('warn');
      expect(test.tags).toEqual(['money']);
      expect(manifest.nodes['unit_test.shop.orders_total.sums_nothing'].tags).toEqual(['unit']);
      expect(manifest.nodes['unit_test.shop.orders_total.sums_amounts']).toBeUndefined();
      const ls = w.tsql(['ls', '--select', 'tag:adhoc']);
      expect(ls.stdout.trim()).toBe('shop.revenue');
    });

    it('a data_tests entry naming no singular test warns with its line; unknown keys are errors with their line', () => {
      const w = engineProject(engine, {
        'models/orders.sql': 'select 1 as id',
        'tests/assert_one.sql': 'select 1 as x where false',
        'models/props.yml': `data_tests:\n  - name: assert_onee\n    description: typo\n`,
      });
      const r = w.tsql(['compile']);
      expect(r.code, output(r)).toBe(0);
      expect(output(r)).toContain("models/props.yml:2: properties for singular test 'assert_onee', but no such test file (generic tests are declared under a model, seed, source or column) (did you mean 'assert_one'?)");
      w.p.write({ 'models/props.yml': `data_tests:\n  - name: assert_one\n    config:\n      severty: warn\nanalyses:\n  - name: nothing\n    colour: red\n` });
      const bad = w.tsql(['compile']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain("models/props.yml:4: unknown test config key 'severty'");
      expect(bad.stderr).toContain("models/props.yml:7: unknown key 'colour' in analysis 'nothing'");
      w.p.write({ 'models/props.yml': '', 'tsql_project.yml': `name: shop\nprofile: shop\nunit_tests:\n  +colour: red\n` });
      const badTree = w.tsql(['compile']);
      expect(badTree.code).toBe(2);
      expect(badTree.stderr).toContain("tsql_project.yml:4: unknown unit_test config key '+colour'");
    });
  });
}
