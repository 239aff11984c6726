import { describe, it, expect } from 'vitest';
import { userError } from '../helpers/assert.js';
import {
  parseSelector,
  selectNodes,
  type SelectableNode,
  type SelectionGraph,
  type SelectOptions,
} from '../../src/graph/selector.js';

/*
 * The project graph used throughout (package 'shop', plus one node of package 'utils'):
 *
 *   seed raw_orders ──► stg_orders ──┬──► orders ──► customers
 *   seed raw_customers ► stg_customers ┴────────────────┘
 *   source retail.user_purchase ► stg_purchases ► purchase_summary (marts/finance)
 *   source retail.refunds (no children)
 *   utils: calendar (no edges)
 *
 * Tests:
 *   unique_stg_orders_id              on stg_orders
 *   not_null_orders_id                on orders
 *   relationships_orders_customers    on orders + customers
 *   relationships_stg_orders_stg_customers on stg_orders + stg_customers
 *   relationships_purchases_orders    on stg_purchases + orders
 *   assert_positive_totals (singular) on orders
 *   source_not_null_user_purchase_id  on source user_purchase
 *   test_orders_logic (unit test)     on orders
 */

type NodeInit = Omit<SelectableNode, 'packageName' | 'tags' | 'config'> &
  Partial<Pick<SelectableNode, 'packageName' | 'tags' | 'config'>>;

function node(n: NodeInit): SelectableNode {
  return { packageName: 'shop', tags: [], config: {}, ...n };
}

const NODES: SelectableNode[] = [
  node({
    uniqueId: 'seed.shop.raw_orders',
    name: 'raw_orders',
    resourceType: 'seed',
    fqn: ['shop', 'raw_orders'],
    originalFilePath: 'seeds/raw_orders.csv',
    config: { enabled: true },
  }),
  node({
    uniqueId: 'seed.shop.raw_customers',
    name: 'raw_customers',
    resourceType: 'seed',
    fqn: ['shop', 'raw_customers'],
    originalFilePath: 'seeds/raw_customers.csv',
  }),
  node({
    uniqueId: 'source.shop.retail.user_purchase',
    name: 'user_purchase',
    resourceType: 'source',
    fqn: ['shop', 'retail', 'user_purchase'],
    originalFilePath: 'models/staging/sources.yml',
    sourceName: 'retail',
  }),
  node({
    uniqueId: 'source.shop.retail.refunds',
    name: 'refunds',
    resourceType: 'source',
    fqn: ['shop', 'retail', 'refunds'],
    originalFilePath: 'models/staging/sources.yml',
    sourceName: 'retail',
  }),
  node({
    uniqueId: 'model.shop.stg_orders',
    name: 'stg_orders',
    resourceType: 'model',
    fqn: ['shop', 'staging', 'stg_orders'],
    originalFilePath: 'models/staging/stg_orders.sql',
    tags: ['nightly'],
    config: { materialized: 'view', tags: ['nightly'] },
  }),
  node({
    uniqueId: 'model.shop.stg_customers',
    name: 'stg_customers',
    resourceType: 'model',
    fqn: ['shop', 'staging', 'stg_customers'],
    originalFilePath: 'models/staging/stg_customers.sql',
    config: { materialized: 'view' },
  }),
  node({
    uniqueId: 'model.shop.stg_purchases',
    name: 'stg_purchases',
    resourceType: 'model',
    fqn: ['shop', 'staging', 'stg_purchases'],
    originalFilePath: 'models/staging/stg_purchases.sql',
    tags: ['nightly', 'hourly'],
    config: { materialized: 'view', tags: ['nightly', 'hourly'] },
  }),
  node({
    uniqueId: 'model.shop.orders',
    name: 'orders',
    resourceType: 'model',
    fqn: ['shop', 'marts', 'orders'],
    originalFilePath: 'models/marts/orders.sql',
    tags: ['nightly'],
    config: {
      materialized: 'table',
      enabled: true,
      tags: ['nightly'],
      meta: { owner: 'alice', tier: 1 },
      contract: { enforced: true },
    },
  }),
  node({
    uniqueId: 'model.shop.customers',
    name: 'customers',
    resourceType: 'model',
    fqn: ['shop', 'marts', 'customers'],
    originalFilePath: 'models/marts/customers.sql',
    tags: ['finance'],
    config: { materialized: 'table', tags: ['finance'], meta: { owner: 'bob' }, contract: { enforced: false } },
  }),
  node({
    uniqueId: 'model.shop.purchase_summary',
    name: 'purchase_summary',
    resourceType: 'model',
    fqn: ['shop', 'marts', 'finance', 'purchase_summary'],
    originalFilePath: 'models/marts/finance/purchase_summary.sql',
    tags: ['finance'],
    config: { materialized: 'incremental', tags: ['finance'] },
  }),
  node({
    uniqueId: 'model.utils.calendar',
    name: 'calendar',
    resourceType: 'model',
    packageName: 'utils',
    fqn: ['utils', 'calendar'],
    originalFilePath: 'dbt_packages/utils/models/calendar.sql',
    config: { materialized: 'ephemeral' },
  }),
  node({
    uniqueId: 'test.shop.unique_stg_orders_id.a1',
    name: 'unique_stg_orders_id',
    resourceType: 'test',
    fqn: ['shop', 'staging', 'unique_stg_orders_id'],
    originalFilePath: 'models/staging/schema.yml',
    testType: 'generic',
    testName: 'unique',
  }),
  node({
    uniqueId: 'test.shop.not_null_orders_id.b2',
    name: 'not_null_orders_id',
    resourceType: 'test',
    fqn: ['shop', 'marts', 'not_null_orders_id'],
    originalFilePath: 'models/marts/schema.yml',
    tags: ['critical'],
    testType: 'generic',
    testName: 'not_null',
  }),
  node({
    uniqueId: 'test.shop.relationships_orders_customers.c3',
    name: 'relationships_orders_customers',
    resourceType: 'test',
    fqn: ['shop', 'marts', 'relationships_orders_customers'],
    originalFilePath: 'models/marts/schema.yml',
    testType: 'generic',
    testName: 'relationships',
  }),
  node({
    uniqueId: 'test.shop.relationships_stg_orders_stg_customers.d4',
    name: 'relationships_stg_orders_stg_customers',
    resourceType: 'test',
    fqn: ['shop', 'staging', 'relationships_stg_orders_stg_customers'],
    originalFilePath: 'models/staging/schema.yml',
    testType: 'generic',
    testName: 'relationships',
  }),
  node({
    uniqueId: 'test.shop.relationships_purchases_orders.e5',
    name: 'relationships_purchases_orders',
    resourceType: 'test',
    fqn: ['shop', 'staging', 'relationships_purchases_orders'],
    originalFilePath: 'models/staging/schema.yml',
    testType: 'generic',
    testName: 'relationships',
  }),
  node({
    uniqueId: 'test.shop.assert_positive_totals',
    name: 'assert_positive_totals',
    resourceType: 'test',
    fqn: ['shop', 'assert_positive_totals'],
    originalFilePath: 'tests/assert_positive_totals.sql',
    testType: 'singular',
    testName: 'assert_positive_totals',
  }),
  node({
    uniqueId: 'test.shop.source_not_null_user_purchase_id.f6',
    name: 'source_not_null_user_purchase_id',
    resourceType: 'test',
    fqn: ['shop', 'staging', 'source_not_null_user_purchase_id'],
    originalFilePath: 'models/staging/sources.yml',
    testType: 'generic',
    testName: 'not_null',
  }),
  node({
    uniqueId: 'unit_test.shop.orders.test_orders_logic',
    name: 'test_orders_logic',
    resourceType: 'unit_test',
    fqn: ['shop', 'marts', 'orders', 'test_orders_logic'],
    originalFilePath: 'models/marts/unit_tests.yml',
    testType: 'unit',
  }),
];

/** [child, parent] edges, by node name. */
const EDGES: Array<[string, string]> = [
  ['stg_orders', 'raw_orders'],
  ['stg_customers', 'raw_customers'],
  ['stg_purchases', 'user_purchase'],
  ['orders', 'stg_orders'],
  ['orders', 'stg_customers'],
  ['customers', 'stg_customers'],
  ['customers', 'orders'],
  ['purchase_summary', 'stg_purchases'],
  ['unique_stg_orders_id', 'stg_orders'],
  ['not_null_orders_id', 'orders'],
  ['relationships_orders_customers', 'orders'],
  ['relationships_orders_customers', 'customers'],
  ['relationships_stg_orders_stg_customers', 'stg_orders'],
  ['relationships_stg_orders_stg_customers', 'stg_customers'],
  ['relationships_purchases_orders', 'stg_purchases'],
  ['relationships_purchases_orders', 'orders'],
  ['assert_positive_totals', 'orders'],
  ['source_not_null_user_purchase_id', 'user_purchase'],
  ['test_orders_logic', 'orders'],
];

function buildGraph(): SelectionGraph {
  const nodes = new Map(NODES.map((n) => [n.uniqueId, n]));
  const idOf = new Map(NODES.map((n) => [n.name, n.uniqueId]));
  const parents = new Map<string, Set<string>>();
  const children = new Map<string, Set<string>>();
  const link = (m: Map<string, Set<string>>, k: string, v: string): void => {
    if (!m.has(k)) m.set(k, new Set());
    m.get(k)!.add(v);
  };
  for (const [c, p] of EDGES) {
    const cid = idOf.get(c)!;
    const pid = idOf.get(p)!;
    link(parents, cid, pid);
    link(children, pid, cid);
  }
  return { nodes, parents, children };
}

const graph = buildGraph();
const nameOf = new Map(NODES.map((n) => [n.uniqueId, n.name]));

/** Runs a selection and returns the selected node names, sorted. */
function names(opts: SelectOptions): string[] {
  return [...selectNodes(graph, opts)].map((id) => nameOf.get(id)!).sort();
}

/** Selects with indirect selection off, so only the direct effect of the selector shows. */
function direct(...select: string[]): string[] {
  return names({ select, indirectSelection: 'empty' });
}

const ALL = NODES.map((n) => n.name).sort();
const TESTS_ON_ORDERS = [
  'assert_positive_totals',
  'not_null_orders_id',
  'relationships_orders_customers',
  'relationships_purchases_orders',
  'test_orders_logic',
];



describe('selection without --select', () => {
  it('selects every node', () => {
    expect(names({})).toEqual(ALL);
    expect(names({ select: [] })).toEqual(ALL);
    expect(names({ select: ['  '] })).toEqual(ALL);
  });

  it('restricts to resourceTypes', () => {
    expect(names({ resourceTypes: ['seed', 'source'] })).toEqual([
      'raw_customers',
      'raw_orders',
      'refunds',
      'user_purchase',
    ]);
  });

  it('excludes with greedy test exclusion', () => {
    expect(names({ resourceTypes: ['model', 'test', 'unit_test'], exclude: ['orders tag:finance'] })).toEqual([
      'calendar',
      'relationships_stg_orders_stg_customers',
      'source_not_null_user_purchase_id',
      'stg_customers',
      'stg_orders',
      'stg_purchases',
      'unique_stg_orders_id',
    ]);
  });
});

describe('bare names (fqn)', () => {
  it('matches a node name', () => {
    expect(direct('orders')).toEqual(['orders']);
  });

  it('matches a folder, with or without the package', () => {
    const staging = [
      'relationships_purchases_orders',
      'relationships_stg_orders_stg_customers',
      'source_not_null_user_purchase_id',
      'stg_customers',
      'stg_orders',
      'stg_purchases',
      'unique_stg_orders_id',
    ];
    expect(direct('staging')).toEqual(staging);
    expect(direct('shop.staging')).toEqual(staging);
  });

  it('matches a dotted fqn path', () => {
    expect(direct('staging.stg_orders')).toEqual(['stg_orders']);
    expect(direct('shop.marts.finance.purchase_summary')).toEqual(['purchase_summary']);
    expect(direct('marts.finance')).toEqual(['purchase_summary']);
    expect(direct('marts.orders')).toEqual(['orders', 'test_orders_logic']);
  });

  it('matches source fqns (source name as folder)', () => {
    expect(direct('retail')).toEqual(['refunds', 'user_purchase']);
    expect(direct('retail.refunds')).toEqual(['refunds']);
  });

  it('matches a package name alone', () => {
    expect(direct('utils')).toEqual(['calendar']);
  });

  it('supports wildcards', () => {
    expect(direct('stg_*')).toEqual(['stg_customers', 'stg_orders', 'stg_purchases']);
    expect(direct('stg_order?')).toEqual(['stg_orders']);
    expect(direct('marts.*')).toEqual([
      'customers',
      'not_null_orders_id',
      'orders',
      'purchase_summary',
      'relationships_orders_customers',
      'test_orders_logic',
    ]);
    expect(direct('staging.stg_c*')).toEqual(['stg_customers']);
  });

  it('does not treat regex characters specially', () => {
    expect(direct('stg.orders')).toEqual([]);
    expect(direct('stg_.*')).toEqual([]);
  });

  it('unknown names match nothing', () => {
    expect(direct('nope')).toEqual([]);
    expect(names({ select: ['nope'] })).toEqual([]);
  });

  it('fqn: method behaves the same', () => {
    expect(direct('fqn:staging.stg_orders')).toEqual(['stg_orders']);
    expect(direct('fqn:utils')).toEqual(['calendar']);
  });

  it('a value that looks like a path or file uses path:/file:', () => {
    expect(direct('models/marts/finance')).toEqual(['purchase_summary']);
    expect(direct('orders.sql')).toEqual(['orders']);
    expect(direct('raw_orders.csv')).toEqual(['raw_orders']);
    expect(direct('sources.yml')).toEqual(['refunds', 'source_not_null_user_purchase_id', 'user_purchase']);
  });
});

describe('graph operators', () => {
  it('+m selects m and all ancestors', () => {
    expect(direct('+customers')).toEqual([
      'customers',
      'orders',
      'raw_customers',
      'raw_orders',
      'stg_customers',
      'stg_orders',
    ]);
  });

  it('m+ selects m and all descendants', () => {
    expect(direct('stg_customers+')).toEqual([
      'customers',
      'orders',
      'relationships_orders_customers',
      'relationships_purchases_orders',
      'relationships_stg_orders_stg_customers',
      'stg_customers',
      'not_null_orders_id',
      'assert_positive_totals',
      'test_orders_logic',
    ].sort());
  });

  it('limits depth', () => {
    expect(direct('1+orders')).toEqual(['orders', 'stg_customers', 'stg_orders']);
    expect(direct('2+customers')).toEqual(['customers', 'orders', 'raw_customers', 'stg_customers', 'stg_orders']);
    expect(direct('raw_orders+1')).toEqual(['raw_orders', 'stg_orders']);
    expect(direct('raw_orders+2')).toEqual([
      'orders',
      'raw_orders',
      'relationships_stg_orders_stg_customers',
      'stg_orders',
      'unique_stg_orders_id',
    ]);
    expect(direct('0+orders+0')).toEqual(['orders']);
  });

  it('+m+ selects both directions', () => {
    expect(direct('+stg_purchases+')).toEqual([
      'purchase_summary',
      'relationships_purchases_orders',
      'stg_purchases',
      'user_purchase',
    ]);
    expect(direct('1+stg_purchases+1')).toEqual([
      'purchase_summary',
      'relationships_purchases_orders',
      'stg_purchases',
      'user_purchase',
    ]);
  });

  it('@m selects m, its descendants and their ancestors', () => {
    expect(direct('@stg_purchases')).toEqual([
      'orders',
      'purchase_summary',
      'raw_customers',
      'raw_orders',
      'relationships_purchases_orders',
      'stg_customers',
      'stg_orders',
      'stg_purchases',
      'user_purchase',
    ]);
  });

  it('operators combine with methods', () => {
    expect(direct('+tag:hourly')).toEqual(['stg_purchases', 'user_purchase']);
    expect(direct('source:retail.user_purchase+1')).toEqual([
      'source_not_null_user_purchase_id',
      'stg_purchases',
      'user_purchase',
    ]);
  });
});

describe('methods', () => {
  it('tag:', () => {
    expect(direct('tag:nightly')).toEqual(['orders', 'stg_orders', 'stg_purchases']);
    expect(direct('tag:fin*')).toEqual(['customers', 'purchase_summary']);
    expect(direct('tag:critical')).toEqual(['not_null_orders_id']);
  });

  it('path:', () => {
    expect(direct('path:models/marts')).toEqual([
      'customers',
      'not_null_orders_id',
      'orders',
      'purchase_summary',
      'relationships_orders_customers',
      'test_orders_logic',
    ]);
    expect(direct('path:models/marts/')).toEqual(direct('path:models/marts'));
    expect(direct('path:./models/marts/orders.sql')).toEqual(['orders']);
    expect(direct('path:seeds')).toEqual(['raw_customers', 'raw_orders']);
    expect(direct('path:models/*/stg_*.sql')).toEqual(['stg_customers', 'stg_orders', 'stg_purchases']);
    expect(direct('path:models/*.sql')).toEqual([]);
    expect(direct('path:models/**/*.sql')).toEqual([
      'customers',
      'orders',
      'purchase_summary',
      'stg_customers',
      'stg_orders',
      'stg_purchases',
    ]);
    expect(direct('path:models/mart')).toEqual([]);
    expect(direct('path:tests')).toEqual(['assert_positive_totals']);
  });

  it('file:', () => {
    expect(direct('file:orders.sql')).toEqual(['orders']);
    expect(direct('file:orders')).toEqual(['orders']);
    expect(direct('file:raw_*')).toEqual(['raw_customers', 'raw_orders']);
    expect(direct('file:schema.yml')).toEqual([
      'not_null_orders_id',
      'relationships_orders_customers',
      'relationships_purchases_orders',
      'relationships_stg_orders_stg_customers',
      'unique_stg_orders_id',
    ]);
  });

  it('config.<key>:', () => {
    expect(direct('config.materialized:table')).toEqual(['customers', 'orders']);
    expect(direct('config.materialized:view')).toEqual(['stg_customers', 'stg_orders', 'stg_purchases']);
    expect(direct('config.meta.owner:alice')).toEqual(['orders']);
    expect(direct('config.meta.tier:1')).toEqual(['orders']);
    expect(direct('config.tags:hourly')).toEqual(['stg_purchases']);
    expect(direct('config.enabled:true')).toEqual(['orders', 'raw_orders']);
    expect(direct('config.contract.enforced:true')).toEqual(['orders']);
    expect(direct('config.contract.enforced:false')).toEqual(['customers']);
    expect(direct('config.contract.enforced:TRUE')).toEqual(['orders']);
    expect(direct('config.materialized:tab*')).toEqual([]);
    expect(direct('config.missing.deep:x')).toEqual([]);
  });

  it('resource_type:', () => {
    expect(direct('resource_type:seed')).toEqual(['raw_customers', 'raw_orders']);
    expect(direct('resource_type:unit_test')).toEqual(['test_orders_logic']);
  });

  it('source:', () => {
    expect(direct('source:retail')).toEqual(['refunds', 'user_purchase']);
    expect(direct('source:retail.user_purchase')).toEqual(['user_purchase']);
    expect(direct('source:shop.retail.refunds')).toEqual(['refunds']);
    expect(direct('source:other.retail.refunds')).toEqual([]);
    expect(direct('source:ret*.user_*')).toEqual(['user_purchase']);
    expect(direct('source:*')).toEqual(['refunds', 'user_purchase']);
  });

  it('package:', () => {
    expect(direct('package:utils')).toEqual(['calendar']);
    expect(direct('package:shop')).toHaveLength(ALL.length - 1);
  });

  it('test_type:', () => {
    expect(direct('test_type:singular')).toEqual(['assert_positive_totals']);
    // dbt 1.8+: `data` is every data test, generic or singular (not unit tests)
    expect(direct('test_type:data')).toEqual([...direct('test_type:generic'), 'assert_positive_totals'].sort());
    expect(direct('test_type:unit')).toEqual(['test_orders_logic']);
    expect(direct('test_type:generic')).toEqual([
      'not_null_orders_id',
      'relationships_orders_customers',
      'relationships_purchases_orders',
      'relationships_stg_orders_stg_customers',
      'source_not_null_user_purchase_id',
      'unique_stg_orders_id',
    ]);
    expect(direct('test_type:schema')).toEqual(direct('test_type:generic'));
  });

  it('unit_test: by name or fqn, as in dbt', () => {
    expect(direct('unit_test:test_orders_logic')).toEqual(['test_orders_logic']);
    expect(direct('unit_test:*')).toEqual(['test_orders_logic']);
    expect(direct('unit_test:test_orders_*')).toEqual(['test_orders_logic']);
    expect(direct('unit_test:shop.marts.orders.test_orders_logic')).toEqual(['test_orders_logic']);
    expect(direct('unit_test:orders')).toEqual([]);
  });

  it('test_name:', () => {
    expect(direct('test_name:not_null')).toEqual(['not_null_orders_id', 'source_not_null_user_purchase_id']);
    expect(direct('test_name:relation*')).toEqual([
      'relationships_orders_customers',
      'relationships_purchases_orders',
      'relationships_stg_orders_stg_customers',
    ]);
    expect(direct('test_name:assert_positive_totals')).toEqual(['assert_positive_totals']);
    expect(direct('test_name:orders')).toEqual([]);
  });
});

describe('set operations', () => {
  it('whitespace is union, within and across arguments', () => {
    expect(direct('orders customers')).toEqual(['customers', 'orders']);
    expect(direct('orders', 'customers', 'orders')).toEqual(['customers', 'orders']);
    expect(direct('  orders\tcustomers ')).toEqual(['customers', 'orders']);
  });

  it('comma is intersection', () => {
    expect(direct('tag:nightly,config.materialized:table')).toEqual(['orders']);
    expect(direct('tag:nightly,staging')).toEqual(['stg_orders', 'stg_purchases']);
    expect(direct('tag:nightly,tag:finance')).toEqual([]);
  });

  it('graph operators apply per criterion before intersecting', () => {
    expect(direct('+customers,resource_type:seed')).toEqual(['raw_customers', 'raw_orders']);
    expect(direct('+orders,staging tag:finance')).toEqual(['customers', 'purchase_summary', 'stg_customers', 'stg_orders']);
  });

  it('exclude is applied after select and supports operators', () => {
    expect(names({ select: ['+customers'], exclude: ['resource_type:seed'], indirectSelection: 'empty' })).toEqual([
      'customers',
      'orders',
      'stg_customers',
      'stg_orders',
    ]);
    expect(names({ select: ['staging'], exclude: ['stg_orders+'], indirectSelection: 'empty' })).toEqual([
      'source_not_null_user_purchase_id',
      'stg_customers',
      'stg_purchases',
    ]);
    expect(names({ select: ['orders'], exclude: ['orders'] })).toEqual([]);
  });
});

describe('indirect selection', () => {
  it('eager (default) adds every test touching a selected node', () => {
    expect(names({ select: ['orders'] })).toEqual(['orders', ...TESTS_ON_ORDERS].sort());
    expect(names({ select: ['orders'], indirectSelection: 'eager' })).toEqual(names({ select: ['orders'] }));
    expect(names({ select: ['source:retail'] })).toEqual([
      'refunds',
      'source_not_null_user_purchase_id',
      'user_purchase',
    ]);
  });

  it('cautious adds only tests whose parents are all selected', () => {
    expect(names({ select: ['orders'], indirectSelection: 'cautious' })).toEqual([
      'assert_positive_totals',
      'not_null_orders_id',
      'orders',
      'test_orders_logic',
    ]);
    expect(names({ select: ['orders customers'], indirectSelection: 'cautious' })).toEqual([
      'assert_positive_totals',
      'customers',
      'not_null_orders_id',
      'orders',
      'relationships_orders_customers',
      'test_orders_logic',
    ]);
  });

  it('buildable also accepts parents that are ancestors of the selection', () => {
    // stg_purchases is not upstream of customers, so that relationship test stays out.
    expect(names({ select: ['customers'], indirectSelection: 'buildable' })).toEqual([
      'customers',
      'relationships_orders_customers',
    ]);
    expect(names({ select: ['customers'], indirectSelection: 'cautious' })).toEqual(['customers']);
    expect(names({ select: ['purchase_summary stg_customers'], indirectSelection: 'buildable' })).toEqual([
      'purchase_summary',
      'stg_customers',
    ]);
    expect(names({ select: ['stg_purchases'], indirectSelection: 'buildable' })).toEqual(['stg_purchases']);
    // relationships_orders_customers also needs customers, which is downstream: left out.
    expect(names({ select: ['stg_purchases orders'], indirectSelection: 'buildable' })).toEqual([
      'assert_positive_totals',
      'not_null_orders_id',
      'orders',
      'relationships_purchases_orders',
      'stg_purchases',
      'test_orders_logic',
    ]);
  });

  it('empty adds no tests', () => {
    expect(names({ select: ['orders+'], indirectSelection: 'empty' })).toEqual([
      'assert_positive_totals',
      'customers',
      'not_null_orders_id',
      'orders',
      'relationships_orders_customers',
      'relationships_purchases_orders',
      'test_orders_logic',
    ]);
    expect(names({ select: ['stg_orders'], indirectSelection: 'empty' })).toEqual(['stg_orders']);
  });

  it('explicitly excluded tests stay excluded', () => {
    expect(names({ select: ['orders'], exclude: ['test_type:unit test_name:not_null'] })).toEqual([
      'assert_positive_totals',
      'orders',
      'relationships_orders_customers',
      'relationships_purchases_orders',
    ]);
  });

  it('an intersection keeps the tests each of its parts selects (as dbt does)', () => {
    // each side selects the relationships test through one of its parents
    expect(names({ select: ['stg_orders,stg_customers'] })).toEqual(['relationships_stg_orders_stg_customers']);
    expect(names({ select: ['stg_orders,stg_customers'], indirectSelection: 'cautious' })).toEqual([]);
  });

  it('tests on excluded nodes are excluded', () => {
    expect(names({ select: ['stg_orders stg_customers'], exclude: ['stg_customers'] })).toEqual([
      'stg_orders',
      'unique_stg_orders_id',
    ]);
  });
});

describe('errors', () => {
  const cases: Array<[string, RegExp]> = [
    ['tag:', /^invalid selector 'tag:': missing value after 'tag:'/],
    ['++orders', /^invalid selector '\+\+orders': '\+' may appear only once before the name/],
    ['@@orders', /^invalid selector '@@orders': '@' may appear only once/],
    ['orders++', /^invalid selector 'orders\+\+': '\+' may appear only once after the name/],
    ['@+orders', /^invalid selector '@\+orders': '@' cannot be combined with the '\+' parents operator/],
    ['+@orders', /^invalid selector '\+@orders': '@' cannot be combined/],
    ['@2+orders', /^invalid selector '@2\+orders': '@' cannot be combined/],
    ['x+orders', /^invalid selector 'x\+orders': graph operator depth must be a number/],
    ['orders+x', /^invalid selector 'orders\+x': graph operator depth must be a number/],
    ['+', /^invalid selector '\+': missing node name/],
    ['orders,', /^invalid selector 'orders,': empty criterion around a comma/],
    ['tag:a,,b', /^invalid selector 'tag:a,,b': empty criterion/],
    ['tag:x,+tag:', /^invalid selector 'tag:x,\+tag:': missing value after 'tag:'/],
    ['config:table', /^invalid selector 'config:table': the config method needs a key/],
    ['config..x:1', /^invalid selector 'config\.\.x:1': empty key/],
    ['tag.x:1', /^invalid selector 'tag\.x:1': selector method 'tag' takes no key/],
    ['resource_type:modle', /^invalid selector 'resource_type:modle': unknown resource type 'modle'/],
    ['test_type:unittest', /^invalid selector 'test_type:unittest': unknown test type 'unittest'/],
    ['source:a.b.c.d', /^invalid selector 'source:a\.b\.c\.d': a source selector is/],
  ];
  for (const [text, message] of cases) {
    it(`rejects ${JSON.stringify(text)}`, () => {
      expect(userError(() => parseSelector(text)).message).toMatch(message);
      expect(userError(() => selectNodes(graph, { select: [text] })).message).toMatch(message);
      expect(userError(() => selectNodes(graph, { exclude: [text] })).message).toMatch(message);
    });
  }

  it('rejects unsupported methods by name', () => {
    expect(userError(() => parseSelector('metric:weekly')).message).toBe("selector method 'metric' is not supported");
    expect(userError(() => selectNodes(graph, { select: ['orders', 'semantic_model:finance+'] })).message).toBe("selector method 'semantic_model' is not supported");
  });

  it('state:, result: and source_status: need production\'s artifacts, and check their values', () => {
    expect(userError(() => selectNodes(graph, { select: ['orders', 'state:modified+'] })).message).toBe("selector 'state:modified+' compares with production's artifacts: pass --state DIR");
    expect(userError(() => parseSelector('state:changed')).message).toMatch(/unknown state 'changed' \(expected one of modified, modified.body/);
    expect(userError(() => parseSelector('result:failed')).hint).toBe("did you mean 'fail'?");
    expect(userError(() => parseSelector('source_status:stale')).message).toMatch(/expected one of fresher/);
  });

  it('state: works with graph operators and set operations like every method', () => {
    const modified = new Set(['model.shop.stg_orders', 'seed.shop.raw_customers']);
    const state = { matches: (method: string, value: string, id: string) => method === 'state' && (value === 'modified' ? modified.has(id) : !modified.has(id)) };
    const g: SelectionGraph = { ...graph, state };
    const pick = (select: string[], exclude: string[] = []) => [...selectNodes(g, { select, exclude, indirectSelection: 'empty' })].filter((id) => !id.startsWith('test.')).sort();
    expect(pick(['state:modified'])).toEqual(['model.shop.stg_orders', 'seed.shop.raw_customers']);
    expect(pick(['state:modified+1'])).toEqual(['model.shop.orders', 'model.shop.stg_customers', 'model.shop.stg_orders', 'seed.shop.raw_customers']);
    expect(pick(['+state:modified,resource_type:seed'])).toEqual(['seed.shop.raw_customers', 'seed.shop.raw_orders']);
    expect(pick(['state:modified'], ['resource_type:seed'])).toEqual(['model.shop.stg_orders']);
  });

  it('rejects unknown methods with a suggestion', () => {
    const e = userError(() => parseSelector('tagg:x'));
    expect(e.message).toBe("unknown selector method 'tagg' in 'tagg:x'");
    expect(e.hint).toBe("did you mean 'tag'?");
    const e2 = userError(() => parseSelector('zzzzzz:x'));
    expect(e2.message).toBe("unknown selector method 'zzzzzz' in 'zzzzzz:x'");
    expect(e2.hint).toBeUndefined();
  });

  it('suggests close values from closed sets', () => {
    expect(userError(() => parseSelector('resource_type:seeds')).hint).toBe("did you mean 'seed'?");
    expect(userError(() => parseSelector('test_type:singlar')).hint).toBe("did you mean 'singular'?");
  });
});

describe('parseSelector', () => {
  it('returns the union of intersections with operators', () => {
    expect(parseSelector(' 2+config.meta.owner:alice,tag:x+  @orders ')).toEqual({
      raw: '2+config.meta.owner:alice,tag:x+  @orders',
      terms: [
        {
          raw: '2+config.meta.owner:alice,tag:x+',
          criteria: [
            {
              raw: '2+config.meta.owner:alice',
              method: 'config',
              args: ['meta', 'owner'],
              value: 'alice',
              implicit: false,
              parentsDepth: 2,
              childrenDepth: undefined,
              childrensParents: false,
            },
            {
              raw: 'tag:x+',
              method: 'tag',
              args: [],
              value: 'x',
              implicit: false,
              parentsDepth: undefined,
              childrenDepth: Infinity,
              childrensParents: false,
            },
          ],
        },
        {
          raw: '@orders',
          criteria: [
            {
              raw: '@orders',
              method: 'fqn',
              args: [],
              value: 'orders',
              implicit: true,
              parentsDepth: undefined,
              childrenDepth: undefined,
              childrensParents: true,
            },
          ],
        },
      ],
    });
  });

  it('keeps colons in values after the method', () => {
    const c = parseSelector('config.meta.url:http://x').terms[0].criteria[0];
    expect([c.method, c.args, c.value]).toEqual(['config', ['meta', 'url'], 'http://x']);
  });
});

describe('a large graph', () => {
  // (speed is measured by bench/compile.mjs, not by a timed test)
  it('selects over 5,000 nodes', () => {
    const nodes = new Map<string, SelectableNode>();
    const parents = new Map<string, Set<string>>();
    const children = new Map<string, Set<string>>();
    const N = 5000;
    for (let i = 0; i < N; i++) {
      const id = `model.big.m${i}`;
      nodes.set(id, node({
        uniqueId: id,
        name: `m${i}`,
        resourceType: 'model',
        fqn: ['big', `f${i % 50}`, `m${i}`],
        originalFilePath: `models/f${i % 50}/m${i}.sql`,
        tags: i % 7 === 0 ? ['seven'] : [],
        config: { materialized: i % 2 ? 'table' : 'view' },
      }));
      // Each node depends on up to three earlier nodes.
      for (const p of [i - 1, i - 17, Math.floor(i / 2)]) {
        if (p >= 0 && p !== i) {
          const pid = `model.big.m${p}`;
          if (!parents.has(id)) parents.set(id, new Set());
          parents.get(id)!.add(pid);
          if (!children.has(pid)) children.set(pid, new Set());
          children.get(pid)!.add(id);
        }
      }
    }
    const big = { nodes, parents, children };
    const out = selectNodes(big, {
      select: ['+m4999 m10+ @m2500 tag:seven,config.materialized:table path:models/f3 f4.m*'],
      exclude: ['3+m4000+2'],
    });
    expect(out.size).toBeGreaterThan(4000);
    expect(out.has('model.big.m4999') && out.has('model.big.m10') && out.has('model.big.m2500')).toBe(true);
    expect(out.has('model.big.m4000')).toBe(false);
  });
});
