import { isAbsolute, join, resolve } from 'node:path';

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
