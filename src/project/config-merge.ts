import { normalizeConfigKey } from './config-keys.js';

export type Config = Record<string, unknown>;

/**
 * Merges `over` into `base` with dbt's rules: tags are unioned, meta and
 * column_types are merged key by key, hooks accumulate, anything else is
 * overridden by the more specific level.
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
