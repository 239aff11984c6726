import { UserError } from '../errors.js';
import { didYouMean } from '../util/suggest.js';
import type { YamlFile, YamlPath } from '../util/yaml-file.js';
import { isPlainObject, type Config } from './config-merge.js';

/**
 * The checks every parser of a properties file makes of its lists of named
 * entries (models:, sources:, columns:, macros:, groups:, exposures: …): each
 * mistake an error naming the file and line, all of them collected.
 */
export class YamlEntries {
  readonly errors: UserError[] = [];
  constructor(readonly yaml: YamlFile) {}

  /** Each key of `obj` not in `allowed`: `unknown key 'k' in <what>`, with the nearest allowed key as a hint. */
  keys(obj: Record<string, unknown>, allowed: readonly string[], path: YamlPath, what: string): void {
    for (const k of Object.keys(obj)) {
      if (!allowed.includes(k)) this.errors.push(this.yaml.error(`unknown key '${k}' in ${what}`, [...path, k], didYouMean(k, allowed)));
    }
  }

  /** The list at `path` (none when absent); anything else is an error naming its key. */
  list(v: unknown, path: YamlPath): unknown[] {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      this.errors.push(this.yaml.error(`'${String(path.at(-1))}' must be a list`, path));
      return [];
    }
    return v;
  }

  /** Each entry of the list at `path` that is a mapping with a name; the others are errors. */
  each(v: unknown, path: YamlPath, fn: (entry: Record<string, unknown>, path: YamlPath, name: string) => void): void {
    const what = String(path.at(-1));
    this.list(v, path).forEach((raw, i) => {
      const p = [...path, i];
      if (!isPlainObject(raw)) this.errors.push(this.yaml.error(`each entry of '${what}' must be a mapping with a name`, p));
      else if (typeof raw.name !== 'string' || !raw.name) this.errors.push(this.yaml.error(`an entry of '${what}' has no name`, p));
      else fn(raw, p, raw.name);
    });
  }

  /** A `config:` mapping (empty when absent). */
  config(v: unknown, path: YamlPath): Config {
    if (v === undefined || v === null) return {};
    if (!isPlainObject(v)) {
      this.errors.push(this.yaml.error(`'config' must be a mapping`, path));
      return {};
    }
    return v;
  }
}

/** A value written as one item or a list of them. */
export function asList(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

/** `meta:` of an entry with its `config: {meta: …}` over it. */
export function metaOf(props: Record<string, unknown>, config: Config): Record<string, unknown> {
  return { ...(isPlainObject(props.meta) ? props.meta : {}), ...(isPlainObject(config.meta) ? config.meta : {}) };
}

/**
 * Keeps the first of each key in `seen`; a second is an error at its own
 * place naming the first: `group 'finance' is defined twice (also in …)`.
 */
export function addOnce<T extends { file: string; line?: number }>(seen: Map<string, T>, key: string, x: T, label: string, verb: 'defined' | 'described', report: (e: UserError) => void): void {
  const prev = seen.get(key);
  if (prev) report(new UserError(`${label} is ${verb} twice (also in ${prev.file}:${prev.line ?? '?'})`, { file: x.file, line: x.line }));
  else seen.set(key, x);
}
