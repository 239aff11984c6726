/**
 * Which node `ref()` and `source()` read when several projects define the
 * name: the root project and each installed package may each have a model
 * (or seed) `m`, or a source table `s.t`.
 *
 * - `ref('pkg', 'm')` reads package `pkg`'s `m`, and nothing else.
 * - `ref('m')` in a package's node reads its own package's `m`, then the root
 *   project's (dbt's `require_ref_prefers_node_package_to_root`, the behaviour
 *   dbt is moving to); in the root project, the root's.
 * - `source('s', 't')` looks in the root project first, then in the node's
 *   package (dbt's order: a project can stand in for a package's source).
 * - Otherwise a name defined by exactly one other package is read from it;
 *   defined by several, the reference is ambiguous and names them all.
 *
 * A node that turns out disabled (its config says so, possibly only once it
 * is rendered) is not a candidate: `enabled` is asked lazily, in search order.
 */
export interface Candidate {
  packageName: string;
}

export type Resolution<T> = { found: T } | { ambiguous: T[] } | { missing: true };

/** The packages a one-argument ref() searches before all others, in order. */
export function refSearchOrder(fromPackage: string, rootPackage: string): string[] {
  return [...new Set([fromPackage, rootPackage])];
}

/** The packages source() searches before all others, in order. */
export function sourceSearchOrder(fromPackage: string, rootPackage: string): string[] {
  return [...new Set([rootPackage, fromPackage])];
}

/**
 * The candidate a reference reads: the first enabled one of the packages in
 * `order`; with `only` (a two-argument ref), that package's or none; else the
 * one enabled candidate of any other package.
 */
export function resolveAmong<T extends Candidate>(candidates: readonly T[], opts: { order: string[]; only?: string; enabled: (c: T) => boolean }): Resolution<T> {
  const order = opts.only !== undefined ? [opts.only] : opts.order;
  for (const pkg of order) {
    const hit = candidates.find((c) => c.packageName === pkg);
    if (hit && opts.enabled(hit)) return { found: hit };
  }
  if (opts.only !== undefined) return { missing: true };
  const others = candidates.filter((c) => !order.includes(c.packageName) && opts.enabled(c));
  if (others.length === 1) return { found: others[0] };
  if (others.length > 1) return { ambiguous: others };
  return { missing: true };
}
