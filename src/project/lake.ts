import { isAbsolute, join, resolve } from 'node:path';
import { isInside, realPath } from './paths.js';

/** `s3://…`, `gs://…`, `https://…`, or a Snowflake stage (`@stage/path`): a location tsql does not touch through the local filesystem. */
export function isRemote(location: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(location) || location.startsWith('@');
}

/**
 * The data lake's root for a target: the output's `lake_root`, or `lake/`
 * inside the project. Local roots are absolute paths; remote ones stay URLs.
 */
export function lakeRoot(output: Record<string, unknown>, projectDir: string): string {
  const raw = typeof output.lake_root === 'string' && output.lake_root ? output.lake_root : 'lake';
  if (isRemote(raw)) return raw.replace(/\/+$/, '');
  return isAbsolute(raw) ? raw.replace(/\/+$/, '') : resolve(projectDir, raw);
}

/** A location from a model or source, relative to the lake root unless absolute or remote. */
export function lakeLocation(root: string, location: string): string {
  if (isRemote(location) || isAbsolute(location)) return location;
  if (isRemote(root)) return `${root}/${location.replace(/^\/+/, '')}`;
  const joined = join(root, location);
  return location.endsWith('/') && !joined.endsWith('/') ? joined + '/' : joined;
}

/** True when `inner` is `outer` or lies below it. */
export function isWithin(outer: string, inner: string): boolean {
  const o = outer.replace(/\/+$/, '');
  return inner === o || inner.startsWith(o + '/');
}

/**
 * Why a location (already joined to the lake root, see lakeLocation) is not
 * inside the lake root, or undefined when it is. A local root is compared
 * after following symlinks of the part that exists; a remote root (s3://,
 * `@stage`) is a prefix, and no `..` segment may appear.
 */
export function outsideLake(root: string, location: string): string | undefined {
  if (isRemote(root)) {
    if (location.split('/').some((s) => s === '..')) return `'..' is not allowed in a location under ${root}`;
    return isWithin(root, location.replace(/\/+$/, '')) ? undefined : `it is not below the lake root ${root}`;
  }
  if (isRemote(location)) return `it is not below the lake root ${root}`;
  const real = realPath(location);
  return isInside(realPath(root), real) ? undefined : `it resolves to ${real}, outside the lake root ${root}`;
}

/** The output key that lets a local lake root lie outside the project directory. */
export const ALLOW_LAKE_OUTSIDE_PROJECT = 'allow_lake_outside_project';

/**
 * Why an output's local lake root may not be used: it lies outside the
 * project directory (after following symlinks) and the output does not say
 * `allow_lake_outside_project: true`. Remote roots are not checked here.
 */
export function lakeRootOutsideProject(output: Record<string, unknown>, projectDir: string): string | undefined {
  const root = lakeRoot(output, projectDir);
  if (isRemote(root) || output[ALLOW_LAKE_OUTSIDE_PROJECT] === true) return undefined;
  const real = realPath(root);
  if (isInside(realPath(projectDir), real)) return undefined;
  return `lake_root ${root} is outside the project directory${real !== root ? ` (it resolves to ${real})` : ''}`;
}
