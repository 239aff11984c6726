/**
 * Python `json.dumps(value, sort_keys=True, indent=...)`, as Jinja's `tojson` filter uses it.
 *
 * JSON.stringify differs in what Jinja output shows: key order (Python sorts), separators
 * (`", "` and `": "`), non-ASCII escaping, NaN/Infinity, Maps, Sets and SafeStrings.
 */
import type { Dict } from './nunjucks-internals.js';
import { pyStr } from './python-repr.js';
import { isStrLike, pyError, strValue } from './python-values.js';

function jsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    const code = s.charCodeAt(i);
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** Python `json.dumps(value, sort_keys=True, indent=indent)` (Jinja's tojson policy; dbt's `tojson()` keeps the keys' order: `sortKeys` false). */
export function pyJsonDumps(value: unknown, indent: string | undefined, level = 0, seen: Set<unknown> = new Set(), sortKeys = true): string {
  if (value === undefined || value === null) return 'null';
  if (value === true) return 'true';
  if (value === false) return 'false';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : value === Infinity ? 'Infinity' : value === -Infinity ? '-Infinity' : String(value);
  if (typeof value === 'bigint') return String(value);
  if (isStrLike(value)) return jsonString(strValue(value));
  if (value instanceof Date) return jsonString(value.toISOString());
  if (typeof value !== 'object') return 'null';
  if (seen.has(value)) throw pyError('ValueError', 'Circular reference detected');
  const toJSON = (value as { toJSON?: () => unknown }).toJSON;
  if (typeof toJSON === 'function') return pyJsonDumps(toJSON.call(value), indent, level, seen, sortKeys);
  seen.add(value);
  try {
    const nl = indent === undefined ? '' : `\n${indent.repeat(level + 1)}`;
    const close = indent === undefined ? '' : `\n${indent.repeat(level)}`;
    const sep = indent === undefined ? ', ' : ',';
    if (Array.isArray(value) || value instanceof Set) {
      const items = [...value].map((x) => pyJsonDumps(typeof x === 'function' ? null : x, indent, level + 1, seen, sortKeys));
      return items.length ? `[${nl}${items.join(sep + nl)}${close}]` : '[]';
    }
    const entries: [string, unknown][] =
      value instanceof Map
        ? [...value.entries()].map(([k, v]) => [pyStr(k), v])
        : Object.keys(value)
            .filter((k) => k !== '__keywords' && typeof (value as Dict)[k] !== 'function')
            .map((k) => [k, (value as Dict)[k]]);
    if (sortKeys) entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const items = entries.map(([k, v]) => `${jsonString(k)}: ${pyJsonDumps(v, indent, level + 1, seen, sortKeys)}`);
    return items.length ? `{${nl}${items.join(sep + nl)}${close}}` : '{}';
  } finally {
    seen.delete(value);
  }
}
