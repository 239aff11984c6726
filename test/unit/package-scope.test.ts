import { describe, expect, it } from 'vitest';
import { hooksInRunOrder, layeredConfig, varsFor, withRootOverride } from '../../src/compiler/package-scope.js';
import { missingRefError, refSearchOrder, resolveAmong, sourceSearchOrder } from '../../src/compiler/ref-resolution.js';
import { FolderConfig } from '../../src/project/folder-config.js';

interface Node {
  packageName: string;
  id: string;
  enabled?: boolean;
}
const node = (packageName: string, enabled = true): Node => ({ packageName, id: `model.${packageName}.m`, enabled });
const enabled = (n: Node) => n.enabled !== false;
const ref = (candidates: Node[], from: string, only?: string) => resolveAmong(candidates, { order: refSearchOrder(from, 'shop'), only, enabled });

describe('ref() resolution across the project and its packages', () => {
  it("a one-argument ref in the project reads the project's node, even when packages define the name", () => {
    expect(ref([node('pkg_a'), node('shop'), node('pkg_b')], 'shop')).toEqual({ found: node('shop') });
  });

  it("a one-argument ref in a package reads its own package's node first, then the project's", () => {
    expect(ref([node('shop'), node('pkg_a')], 'pkg_a')).toEqual({ found: node('pkg_a') });
    expect(ref([node('shop'), node('pkg_b')], 'pkg_a')).toEqual({ found: node('shop') });
  });

  it('a name only one other package defines is read from it; defined by two, the ref is ambiguous', () => {
    expect(ref([node('pkg_b')], 'shop')).toEqual({ found: node('pkg_b') });
    expect(ref([node('pkg_b')], 'pkg_a')).toEqual({ found: node('pkg_b') });
    expect(ref([node('pkg_a'), node('pkg_b')], 'shop')).toEqual({ ambiguous: [node('pkg_a'), node('pkg_b')] });
    expect(ref([node('pkg_a'), node('pkg_b'), node('pkg_c')], 'pkg_c')).toEqual({ found: node('pkg_c') });
  });

  it('a two-argument ref reads that package only', () => {
    expect(ref([node('shop'), node('pkg_a')], 'shop', 'pkg_a')).toEqual({ found: node('pkg_a') });
    expect(ref([node('shop')], 'pkg_a', 'shop')).toEqual({ found: node('shop') });
    expect(ref([node('shop')], 'shop', 'pkg_a')).toEqual({ missing: true });
  });

  it('disabled nodes are no candidates: the next in order is read, and two packages are no longer ambiguous', () => {
    expect(ref([node('shop', false), node('pkg_a')], 'shop')).toEqual({ found: node('pkg_a') });
    expect(ref([node('pkg_a', false), node('pkg_b')], 'shop')).toEqual({ found: node('pkg_b') });
    expect(ref([node('pkg_a', false)], 'shop', 'pkg_a')).toEqual({ missing: true });
    expect(ref([], 'shop')).toEqual({ missing: true });
  });

  it('asks whether a candidate is enabled lazily, in search order', () => {
    const asked: string[] = [];
    resolveAmong([node('pkg_b'), node('shop'), node('pkg_a')], { order: refSearchOrder('pkg_a', 'shop'), enabled: (n) => (asked.push(n.packageName), true) });
    expect(asked).toEqual(['pkg_a']);
  });

  it("source() looks in the project first, then the node's package (dbt's order)", () => {
    const src = (candidates: Node[], from: string) => resolveAmong(candidates, { order: sourceSearchOrder(from, 'shop'), enabled });
    expect(src([node('pkg_a'), node('shop')], 'pkg_a')).toEqual({ found: node('shop') });
    expect(src([node('pkg_a')], 'pkg_a')).toEqual({ found: node('pkg_a') });
    expect(src([node('pkg_a')], 'shop')).toEqual({ found: node('pkg_a') });
  });
});

describe("a package node's config", () => {
  // the package's own project file, and the root project's (which configures the package under its name)
  const pkgTree = new FolderConfig({ pkg_a: { '+materialized': 'view', '+tags': ['pkg'], staging: { '+schema': 'stg', '+post-hook': 'select 1' } } }, 'model');
  const rootTree = new FolderConfig({ '+tags': ['all'], shop: { '+materialized': 'incremental' }, pkg_a: { staging: { '+materialized': 'table', '+post-hook': 'select 2' } } }, 'model');
  const fqn = ['pkg_a', 'staging', 'orders'];

  it("layers defaults, the package's folders, YAML, config() and then the project's folders, which win", () => {
    const c = layeredConfig({
      defaults: { materialized: 'view' },
      folder: pkgTree.resolve(fqn),
      properties: { schema: 'from_yaml', tags: ['yaml'] },
      inline: { materialized: 'ephemeral', alias: 'orders_v' },
      root: rootTree.resolve(fqn),
    });
    expect(c).toEqual({
      materialized: 'table',
      schema: 'from_yaml',
      alias: 'orders_v',
      tags: ['pkg', 'yaml', 'all'],
      post_hook: ['select 1', 'select 2'],
    });
  });

  it("the project's folder config for its own nodes does not reach a package's, nor the other way", () => {
    expect(rootTree.resolve(['pkg_a', 'marts', 'x'])).toEqual({ tags: ['all'] });
    expect(pkgTree.resolve(['shop', 'x'])).toEqual({});
  });

  it('without a root override the config is the own one; config() calls keep the override on top', () => {
    const own = { materialized: 'view' };
    expect(withRootOverride(own, undefined)).toBe(own);
    expect(withRootOverride(own, {})).toBe(own);
    expect(withRootOverride({ materialized: 'incremental', enabled: true }, { enabled: false })).toEqual({ materialized: 'incremental', enabled: false });
  });
});

describe("var() in a package's node", () => {
  const root = { name: 'shop', vars: { start: '2024-01-01', shared: 'root', pkg_a: { shared: 'root-for-a', only_a: 1 }, shop: { mine: true } } };
  const pkg = { name: 'pkg_a', vars: { shared: 'pkg', own: 'pkg-own', start: 'pkg-start', pkg_a: { scoped_in_pkg: 2 } } };

  it("takes the package's own vars, the project's globals over them, the project's vars for the package over those, --vars over all", () => {
    expect(varsFor('pkg_a', root, pkg, {})).toEqual({ shared: 'root-for-a', own: 'pkg-own', start: '2024-01-01', scoped_in_pkg: 2, only_a: 1, shop: { mine: true } });
    expect(varsFor('pkg_a', root, pkg, { shared: 'cli' }).shared).toBe('cli');
  });

  it("in the project: its globals and its own scope, not a package's", () => {
    const v = varsFor('shop', root, undefined, {});
    expect(v).toEqual({ start: '2024-01-01', shared: 'root', pkg_a: { shared: 'root-for-a', only_a: 1 }, mine: true });
  });
});

describe('messages and order', () => {
  it("a two-argument ref to a name another package has says where it is; a disabled node says which file to enable", () => {
    const packagesOf = new Map([['orders', ['pkg_b']], ['customers', ['pkg_a']]]);
    expect(missingRefError("ref('pkg_a', 'orders')", 'orders', 'pkg_a', undefined, packagesOf, { file: 'models/x.sql', line: 3 }).format()).toBe(
      "models/x.sql:3: ref('pkg_a', 'orders') does not match any model or seed of package 'pkg_a' ('orders' is in pkg_b, not in 'pkg_a')",
    );
    expect(missingRefError("ref('ordrs')", 'ordrs', undefined, undefined, packagesOf, { file: 'models/x.sql' }).format()).toBe("models/x.sql: ref('ordrs') does not match any model or seed (did you mean 'orders'?)");
    expect(missingRefError("ref('old')", 'old', undefined, { id: 'model.pkg_a.old', file: 'dbt_packages/pkg_a/models/old.sql' }, packagesOf, { file: 'models/x.sql' }).format()).toBe(
      "models/x.sql: ref('old') points to a disabled model (enable dbt_packages/pkg_a/models/old.sql or remove the ref)",
    );
  });

  it("on-run-end hooks run the packages' first, by name, then the project's", () => {
    const project = (name: string, onRunEnd: string[]) => ({ name, settings: { file: `${name}.yml`, onRunStart: [], onRunEnd, yaml: { lineOf: () => 4 } } });
    const hooks = hooksInRunOrder([project('shop', ['root 1', 'root 2']), project('pkg_z', ['z']), project('pkg_a', ['a'])], 'shop', 'on-run-end');
    expect(hooks.map((h) => `${h.pkg}: ${h.sql}`)).toEqual(['pkg_a: a', 'pkg_z: z', 'shop: root 1', 'shop: root 2']);
    expect(hooks[0]).toEqual({ pkg: 'pkg_a', sql: 'a', file: 'pkg_a.yml', line: 4 });
  });
});
