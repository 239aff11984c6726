import { UserError } from '../errors.js';
import { didYouMean } from '../util/suggest.js';
import type { YamlFile } from '../util/yaml-file.js';
import { configKeysFor, normalizeConfigKey, type ConfigResource } from './config-keys.js';
import { isPlainObject, mergeConfig, type Config } from './config-merge.js';
import { configValueProblems } from './config-values.js';
import { checkUnsupported, UNSUPPORTED_CONFIG } from './unsupported.js';

/** Keys whose values are dicts: without a `+` they are still configs, not folder names. */
const OBJECT_VALUED = new Set(['meta', 'column_types', 'docs', 'persist_docs', 'params', 'freshness', 'options', 'grants', 'contract', 'quoting', 'partition_by', 'snapshot_meta_column_names']);

/**
 * Folder-level config from the project file (`models:` / `seeds:` trees with
 * `+key` entries), resolved for a node's fqn. dbt's rule: a key with `+` is
 * always a config; a known config key without `+` is a config too; any other
 * key with a mapping value is a folder (or node) name.
 */
export class FolderConfig {
  private readonly levelCache = new WeakMap<object, { configs: Config; children: Map<string, Record<string, unknown>> }>();

  constructor(
    private readonly tree: Record<string, unknown>,
    private readonly resource: ConfigResource,
  ) {}

  private level(obj: Record<string, unknown>) {
    let cached = this.levelCache.get(obj);
    if (cached) return cached;
    const keys = configKeysFor(this.resource);
    const configs: Config = {};
    const children = new Map<string, Record<string, unknown>>();
    for (const [k, v] of Object.entries(obj)) {
      if (k.startsWith('+')) configs[normalizeConfigKey(k.slice(1))] = v;
      else if (keys.has(normalizeConfigKey(k)) && (!isPlainObject(v) || OBJECT_VALUED.has(k))) configs[normalizeConfigKey(k)] = v;
      else if (isPlainObject(v)) children.set(k, v);
    }
    cached = { configs, children };
    this.levelCache.set(obj, cached);
    return cached;
  }

  /** Config for fqn = [package, ...folders, name]; deeper levels win. */
  resolve(fqn: readonly string[]): Config {
    let node = this.level(this.tree);
    let cfg: Config = { ...node.configs };
    for (const part of fqn) {
      const next = node.children.get(part);
      if (!next) break;
      node = this.level(next);
      cfg = mergeConfig(cfg, node.configs);
    }
    return cfg;
  }

  /**
   * Checks every key in the tree. Unknown `+keys` and scalar keys that are
   * neither configs nor folders are errors; folders that match nothing are warnings.
   */
  validate(yaml: YamlFile, base: string[], knownPaths: Set<string>): { errors: UserError[]; warnings: string[] } {
    const errors: UserError[] = [];
    const warnings: string[] = [];
    const keys = configKeysFor(this.resource);
    const checkValue = (key: string, v: unknown, yamlPath: string[], level: Record<string, unknown>) => {
      // a value with Jinja is rendered for each node, and checked then (see yaml-jinja.ts)
      const rendered = typeof v === 'string' && /\{\{|\{%/.test(v);
      if (!rendered) for (const p of configValueProblems({ [key]: v }, this.resource, { alone: true })) errors.push(yaml.error(p.message, yamlPath, p.hint));
      checkUnsupported(UNSUPPORTED_CONFIG, key, v, `${this.resource} config`, () => ({ file: yaml.relPath, line: yaml.lineOf(yamlPath) }), { warnings, errors }, this.resource, Object.fromEntries(Object.entries(level).map(([k, x]) => [normalizeConfigKey(k.replace(/^\+/, '')), x])));
    };
    const walk = (obj: Record<string, unknown>, path: string[], fqnPrefix: string[]) => {
      for (const [k, v] of Object.entries(obj)) {
        const yamlPath = [...base, ...path, k];
        if (k.startsWith('+')) {
          const key = normalizeConfigKey(k.slice(1));
          if (!keys.has(key)) errors.push(yaml.error(`unknown ${this.resource} config key '${k}'`, yamlPath, hintFor(k.slice(1), keys, '+')));
          else checkValue(key, v, yamlPath, obj);
          continue;
        }
        if (keys.has(normalizeConfigKey(k)) && (!isPlainObject(v) || OBJECT_VALUED.has(k))) {
          checkValue(normalizeConfigKey(k), v, yamlPath, obj);
          continue;
        }
        if (isPlainObject(v)) {
          const prefix = [...fqnPrefix, k];
          if (!knownPaths.has(prefix.join('.'))) {
            const suggestion = closestPath(prefix, knownPaths);
            warnings.push(
              `${yaml.relPath}:${yaml.lineOf(yamlPath) ?? '?'}: config path '${[...base, ...path, k].join('.')}' matches no ${this.resource}${suggestion ? ` (did you mean '${suggestion}'?)` : ''}`,
            );
          }
          walk(v, [...path, k], prefix);
          continue;
        }
        errors.push(yaml.error(`unknown ${this.resource} config key '${k}'`, yamlPath, hintFor(k, keys, '+')));
      }
    };
    walk(this.tree, [], []);
    return { errors, warnings };
  }
}

function hintFor(key: string, keys: Set<string>, prefix: string): string | undefined {
  const d = didYouMean(key, keys);
  return d ? d.replace(/'([^']+)'/, `'${prefix}$1'`) : undefined;
}

function closestPath(prefix: string[], known: Set<string>): string | undefined {
  const parent = prefix.slice(0, -1).join('.');
  const siblings = [...known].filter((p) => {
    const i = p.lastIndexOf('.');
    return (i < 0 ? '' : p.slice(0, i)) === parent;
  });
  const last = prefix[prefix.length - 1];
  const hit = didYouMean(last, siblings.map((s) => s.split('.').pop()!));
  return hit ? hit.match(/'([^']+)'/)?.[1] : undefined;
}
