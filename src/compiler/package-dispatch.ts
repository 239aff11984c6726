import type nunjucks from 'nunjucks';
import { UserError } from '../errors.js';
import type { MacroEntry, MacroRegistry } from '../templating/macros.js';

/**
 * `adapter.dispatch(name, macro_namespace)` as dbt resolves it: the project
 * file's `dispatch:` gives, per namespace, the projects and packages to search
 * in order (default: the namespace itself; for `dbt`, the project and then
 * tsql's built-ins). In each, `<engine>__name`, the parent engine's, then
 * `default__name`; the first found wins.
 */
export function dispatchInNamespace(
  macros: MacroRegistry,
  rootName: string,
  searchOrders: Record<string, string[]>,
  name: string,
  namespace: string,
  engines: string[],
): MacroEntry {
  const order = searchOrders[namespace] ?? (namespace === 'dbt' ? [rootName, 'dbt'] : [namespace]);
  for (const where of order) {
    const m = where === rootName
      ? macros.dispatchIn({ root: true }, name, engines)
      : where === 'dbt'
        ? macros.dispatchIn({ builtin: true }, name, engines)
        : macros.dispatchIn({ pkg: where }, name, engines);
    if (m) return m;
  }
  const unknown = order.filter((p) => p !== rootName && p !== 'dbt' && !macros.packages.has(p));
  const looked = [...engines.map((e) => `${e}__${name}`), `default__${name}`].join(', ');
  throw new UserError(`adapter.dispatch('${name}', '${namespace}') found no implementation (looked for ${looked} in ${order.join(', ')})`, {}, {
    hint: unknown.length ? `${unknown.join(', ')} ${unknown.length > 1 ? 'are' : 'is'} not an installed package: run tsql deps` : undefined,
  });
}

/** `pkg.macro(...)`: one global object per installed package (and one for the project, unless the name is taken). */
export function installNamespaces(env: nunjucks.Environment, macros: MacroRegistry, rootName: string, rootMacros: MacroEntry[]): void {
  const globals = (env as unknown as { globals: Record<string, unknown> }).globals;
  for (const [pkg, entries] of macros.packages) {
    globals[pkg] = Object.fromEntries([...entries].map(([n, e]) => [n, e.fn]));
  }
  if (!(rootName in globals)) globals[rootName] = Object.fromEntries(rootMacros.map((e) => [e.name, e.fn]));
}

/**
 * An unqualified macro call in a package's node reads the package's own macro
 * first (dbt's rule), then the project's, tsql's or another package's. Names
 * only one place defines need nothing; for a name a package shares with
 * another, the global becomes a getter that asks which package's node is
 * rendering. An assignment (a unit test replacing a macro) wins over both
 * until the previous value is put back.
 */
export function installPackageLocalMacros(env: nunjucks.Environment, macros: MacroRegistry, renderingPackage: () => string | undefined): void {
  const globals = (env as unknown as { globals: Record<string, unknown> }).globals;
  const shared = new Map<string, Map<string, MacroEntry['fn']>>();
  for (const [pkg, entries] of macros.packages) {
    for (const [name, entry] of entries) {
      if (macros.get(name) === entry) continue;
      if (!shared.has(name)) shared.set(name, new Map());
      shared.get(name)!.set(pkg, entry.fn);
    }
  }
  for (const [name, byPackage] of shared) {
    const original = globals[name];
    let current = original;
    Object.defineProperty(globals, name, {
      configurable: true,
      enumerable: true,
      get: () => (current !== original ? current : (byPackage.get(renderingPackage() ?? '') ?? current)),
      set: (v: unknown) => {
        current = v;
      },
    });
  }
}
