import { UserError, type SourcePlace } from '../errors.js';
import { didYouMean } from '../util/suggest.js';

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

/** `ref('m')` that two packages (neither the node's nor the project) answer: both named, and the two-argument form. */
export function ambiguousRefError(written: string, name: string, candidates: Array<{ packageName: string; id: string; file: string }>, place: SourcePlace): UserError {
  return new UserError(`${written} is ambiguous: ${candidates.map((c) => `${c.id} (${c.file})`).join(' and ')}`, place, {
    hint: `name the package: ${candidates.map((c) => `ref('${c.packageName}', '${name}')`).join(' or ')}`,
  });
}

/**
 * A ref() nothing answers: a disabled model or seed of that name (with the
 * file to enable), or no such name, with a suggestion among the names the ref
 * could read (`packagesOf`: each model and seed name, and the packages defining it).
 */
export function missingRefError(
  written: string,
  name: string,
  only: string | undefined,
  disabled: { id: string; file?: string } | undefined,
  packagesOf: Map<string, string[]>,
  place: SourcePlace,
): UserError {
  if (disabled) return new UserError(`${written} points to a disabled ${disabled.id.split('.')[0]}`, place, { hint: disabled.file ? `enable ${disabled.file} or remove the ref` : undefined });
  const known = [...packagesOf].filter(([, pkgs]) => only === undefined || pkgs.includes(only)).map(([n]) => n);
  const elsewhere = only !== undefined ? (packagesOf.get(name) ?? []) : [];
  const hint = elsewhere.length ? `'${name}' is in ${elsewhere.join(', ')}, not in '${only}'` : didYouMean(name, known);
  return new UserError(`${written} does not match any model or seed${only !== undefined ? ` of package '${only}'` : ''}`, place, { hint });
}
