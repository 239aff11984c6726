import { describe, expect, it } from 'vitest';
import { userError } from '../helpers/assert.js';
import { selectNodes, type SelectableNode, type SelectionGraph } from '../../src/graph/selector.js';
import { chooseSelector, parseSelectors } from '../../src/graph/yaml-selectors.js';
import { parseYaml } from '../../src/util/yaml-file.js';

/*
 *   seed raw ──► stg ──► orders ──► report
 *                 └────► customers
 * tests: not_null_stg (stg), rel_orders_customers (orders + customers), unique_report (report)
 */
function node(uniqueId: string, extra: Partial<SelectableNode> = {}): SelectableNode {
  const [type, , name] = uniqueId.split('.');
  return { uniqueId, name, resourceType: type as SelectableNode['resourceType'], packageName: 'shop', fqn: ['shop', name], originalFilePath: `models/${name}.sql`, tags: [], config: {}, ...extra };
}
const NODES = [
  node('seed.shop.raw', { originalFilePath: 'seeds/raw.csv' }),
  node('model.shop.stg', { tags: ['nightly'], fqn: ['shop', 'staging', 'stg'], originalFilePath: 'models/staging/stg.sql' }),
  node('model.shop.orders', { tags: ['nightly'], config: { materialized: 'table' } }),
  node('model.shop.customers', { config: { materialized: 'table' } }),
  node('model.shop.report', { tags: ['nightly'] }),
  node('test.shop.not_null_stg', { testType: 'generic', testName: 'not_null' }),
  node('test.shop.rel_orders_customers', { testType: 'generic', testName: 'relationships' }),
  node('test.shop.unique_report', { testType: 'generic', testName: 'unique' }),
];
const EDGES: Array<[string, string]> = [
  ['model.shop.stg', 'seed.shop.raw'],
  ['model.shop.orders', 'model.shop.stg'],
  ['model.shop.customers', 'model.shop.stg'],
  ['model.shop.report', 'model.shop.orders'],
  ['test.shop.not_null_stg', 'model.shop.stg'],
  ['test.shop.rel_orders_customers', 'model.shop.orders'],
  ['test.shop.rel_orders_customers', 'model.shop.customers'],
  ['test.shop.unique_report', 'model.shop.report'],
];
function graph(): SelectionGraph {
  const parents = new Map<string, Set<string>>();
  const children = new Map<string, Set<string>>();
  for (const [c, p] of EDGES) {
    if (!parents.has(c)) parents.set(c, new Set());
    if (!children.has(p)) children.set(p, new Set());
    parents.get(c)!.add(p);
    children.get(p)!.add(c);
  }
  return { nodes: new Map(NODES.map((n) => [n.uniqueId, n])), parents, children };
}

function selectors(text: string) {
  return parseSelectors(parseYaml(text, 'selectors.yml'));
}

/** The names a selector of `text` selects. */
function run(text: string, name: string, indirectSelection?: 'eager' | 'cautious' | 'buildable' | 'empty'): string[] {
  const chosen = chooseSelector(selectors(text), { name, cliSelection: false })!;
  return [...selectNodes(graph(), { spec: chosen.spec, indirectSelection })].map((id) => id.split('.')[2]).sort();
}

function mistake(text: string): string {
  return userError(() => selectors(text)).format();
}

describe('selectors.yml', () => {
  it('a CLI-style string, with graph and set operators', () => {
    const y = `selectors:\n  - name: s\n    definition: '+orders,tag:nightly report'\n`;
    expect(run(y, 's')).toEqual(['not_null_stg', 'orders', 'rel_orders_customers', 'report', 'stg', 'unique_report']);
  });

  it('the key-value form, and a full criterion with parents, children and depths', () => {
    expect(run(`selectors:\n  - name: s\n    definition:\n      tag: nightly\n`, 's', 'empty')).toEqual(['orders', 'report', 'stg']);
    const full = `selectors:\n  - name: s\n    definition:\n      method: fqn\n      value: orders\n      parents: true\n      parents_depth: 1\n      children: true\n      indirect_selection: empty\n`;
    // children reach tests too (they are in the graph), as `orders+` does
    expect(run(full, 's')).toEqual(['orders', 'rel_orders_customers', 'report', 'stg', 'unique_report']);
    const at = `selectors:\n  - name: s\n    definition:\n      method: fqn\n      value: orders\n      childrens_parents: true\n      indirect_selection: empty\n`;
    expect(run(at, 's')).toEqual(['customers', 'orders', 'raw', 'rel_orders_customers', 'report', 'stg', 'unique_report']);
  });

  it('union, intersection and exclude nest', () => {
    const y = `selectors:
  - name: s
    definition:
      union:
        - intersection:
            - tag: nightly
            - config.materialized: table
        - method: path
          value: models/staging
        - exclude:
            - method: test_name
              value: not_null
`;
    expect(run(y, 's')).toEqual(['orders', 'rel_orders_customers', 'stg']);
    const crit = `selectors:\n  - name: s\n    definition:\n      method: tag\n      value: nightly\n      exclude:\n        - report\n`;
    expect(run(crit, 's', 'empty')).toEqual(['orders', 'stg']);
  });

  it("indirect_selection of a criterion applies to it; the command's mode to the rest", () => {
    const y = `selectors:
  - name: s
    definition:
      union:
        - method: fqn
          value: orders
          indirect_selection: cautious
        - customers
`;
    // the union selects both parents of the relationships test, so cautious takes it in
    expect(run(y, 's')).toEqual(['customers', 'orders', 'rel_orders_customers']);
    expect(run(y, 's', 'empty')).toEqual(['customers', 'orders']);
  });

  it('method: selector reuses a selector defined above', () => {
    const y = `selectors:
  - name: base
    definition: stg
  - name: s
    definition:
      union:
        - method: selector
          value: base
        - report
`;
    expect(run(y, 's', 'empty')).toEqual(['report', 'stg']);
  });

  it('the default selector applies only when the command line selects nothing', () => {
    const list = selectors(`selectors:\n  - name: a\n    definition: stg\n  - name: b\n    default: true\n    definition: orders\n`);
    expect(chooseSelector(list, { cliSelection: false })?.name).toBe('b');
    expect(chooseSelector(list, { cliSelection: true })).toBeUndefined();
    expect(chooseSelector(list, { name: 'a', cliSelection: false })?.name).toBe('a');
    expect(userError(() => chooseSelector(list, { name: 'bb', cliSelection: false })).format()).toBe("--selector 'bb' is not defined in selectors.yml (did you mean 'b'?)");
    expect(userError(() => chooseSelector([], { name: 'a', cliSelection: false })).format()).toMatch(/^--selector 'a': the project has no selectors.yml/);
  });

  it('mistakes name the file and line', () => {
    expect(mistake(`selectors:\n  - name: a\n    definition: stg\n    defualt: true\n`)).toBe("selectors.yml:4: unknown key 'defualt' in a selector (did you mean 'default'?)");
    expect(mistake(`selectors:\n  - name: a\n    default: true\n    definition: stg\n  - name: b\n    default: true\n    definition: stg\n`)).toMatch(/^selectors.yml:6: selectors 'a' and 'b' are both default: true/);
    expect(mistake(`selectors:\n  - name: a\n    definition:\n      method: tg\n      value: x\n`)).toMatch(/^selectors.yml:5: selector 'a': unknown selector method 'tg'/);
    expect(mistake(`selectors:\n  - name: a\n    definition:\n      method: tag\n      value: x\n      parent: true\n`)).toMatch(/^selectors.yml:6: selector 'a': unknown key 'parent' \(did you mean 'parents'\?\)/);
    expect(mistake(`selectors:\n  - name: a\n    definition:\n      method: selector\n      value: later\n  - name: later\n    definition: stg\n`)).toMatch(/^selectors.yml:5: selector 'a': selector 'later' is not defined above it/);
    expect(mistake(`selectors:\n  - name: a\n    definition:\n      union:\n        - stg\n        - exclude: [orders]\n        - exclude: [report]\n`)).toMatch(/^selectors.yml:7: selector 'a': one 'exclude' per 'union'/);
    expect(mistake(`selectors:\n  - name: a\n    definition:\n      method: tag\n      value: x\n      indirect_selection: eagre\n`)).toMatch(/^selectors.yml:6: selector 'a': unknown indirect_selection 'eagre'/);
    expect(mistake(`selectors:\n  - name: a\n    definition: 'tag:'\n`)).toMatch(/^selectors.yml:3: selector 'a': invalid selector 'tag:'/);
    expect(mistake(`selector:\n  - name: a\n`)).toMatch(/^selectors.yml(:\d+)?: selectors.yml must hold a list 'selectors:'/);
  });
});
