import { normalizeConfigKey } from './config-keys.js';

export type Config = Record<string, unknown>;

/**
 * Merges `over` into `base` with dbt's rules: tags are unioned, meta and
 * column_types are merged key by key, hooks accumulate, anything else is
 * overridden by the more specific level. Grants are merged per privilege: a
 * more specific level's grantees replace the inherited ones, and a privilege
 * written `+select` adds to them (dbt's rule).
 */
export function mergeConfig(base: Config, over: Config): Config {
  const out: Config = { ...base };
  for (const [rawKey, value] of Object.entries(over)) {
    const key = normalizeConfigKey(rawKey);
    if (value === undefined) continue;
    switch (key) {
      case 'tags': {
        const merged = new Set([...asStringList(out.tags), ...asStringList(value)]);
        out.tags = [...merged];
        break;
      }
      case 'meta':
      case 'column_types':
      case 'params':
      case 'docs':
      case 'persist_docs':
        out[key] = isPlainObject(out[key]) && isPlainObject(value) ? { ...(out[key] as Config), ...(value as Config) } : value;
        break;
      case 'grants':
        out[key] = mergeGrants(out[key], value);
        break;
      case 'pre_hook':
      case 'post_hook':
        out[key] = [...asHookList(out[key]), ...asHookList(value)];
        break;
      default:
        out[key] = value;
    }
  }
  return out;
}

export function asStringList(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.map(String);
  return [String(v)];
}

export function asHookList(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  const items = Array.isArray(v) ? v : [v];
  return items.map((h) => (isPlainObject(h) && 'sql' in (h as Config) ? String((h as Config).sql) : String(h)));
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * dbt's merge of `grants`: per privilege, the more specific grantees replace
 * the inherited ones, unless the privilege is written with a `+` (`'+select':
 * ['bi']`), which adds them. A value that is not a mapping replaces what was
 * there (and is reported by the config checks).
 */
export function mergeGrants(base: unknown, over: unknown): unknown {
  if (!isPlainObject(over)) return over;
  const out: Record<string, unknown> = {};
  if (isPlainObject(base)) for (const [k, v] of Object.entries(base)) out[k.replace(/^\+/, '')] = v;
  for (const [k, v] of Object.entries(over)) {
    const privilege = k.replace(/^\+/, '');
    const inherited = out[privilege];
    out[privilege] = k.startsWith('+') && inherited !== undefined && isGranteeList(inherited) && isGranteeList(v) ? [...new Set([...asStringList(inherited), ...asStringList(v)])] : v;
  }
  return out;
}

function isGranteeList(v: unknown): boolean {
  return typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string'));
}
