/**
 * Python `str()` and `repr()` of template values: what `{{ value }}` prints.
 *
 * Jinja prints `None`, `True`, `['a', 1]`, `{'k': 'v'}`, `(1,)` and Python floats; nunjucks
 * would print `null`, `true`, `a,1` and `[object Object]`.
 */
import type { Dict } from './nunjucks-internals.js';
import { dictKeys, isDictObject, isNamespace, isSafe, isTuple } from './python-values.js';

/** Python `str()` of a number (`nan`, `inf`, `1e-05`). */
export function pyNumber(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  if (!Number.isInteger(n) && n !== 0 && Math.abs(n) < 1e-4) {
    // Python switches to exponent notation below 1e-4 and pads the exponent to 2 digits.
    return n.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  }
  return String(n);
}

function pyDate(d: Date): string {
  const pad = (x: number, w = 2) => String(x).padStart(w, '0');
  const base = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  const ms = d.getUTCMilliseconds();
  return `${base}${ms ? `.${pad(ms * 1000, 6)}` : ''}+00:00`;
}

/** Python `repr()` of a str. */
export function pyQuote(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = q;
  for (const ch of s) {
    const code = ch.codePointAt(0) as number;
    if (ch === '\\') out += '\\\\';
    else if (ch === q) out += `\\${q}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + q;
}

/** Python `repr()` of a template value. */
export function pyRepr(v: unknown, seen: Set<unknown> = new Set()): string {
  if (typeof v === 'string') return pyQuote(v);
  if (isSafe(v)) return pyQuote(v.val);
  if (v === undefined) return '';
  if (typeof v === 'object' && v !== null) {
    if (seen.has(v)) return Array.isArray(v) ? '[...]' : '{...}';
    seen.add(v);
    try {
      if (Array.isArray(v)) {
        const items = v.map((x) => pyRepr(x, seen));
        if (isTuple(v)) return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
        return `[${items.join(', ')}]`;
      }
      if (v instanceof Map) return `{${[...v.entries()].map(([k, x]) => `${pyRepr(k, seen)}: ${pyRepr(x, seen)}`).join(', ')}}`;
      if (v instanceof Set) return v.size ? `{${[...v].map((x) => pyRepr(x, seen)).join(', ')}}` : 'set()';
      if (isNamespace(v)) return `<Namespace ${dictRepr(v as Dict, seen)}>`;
      if (isDictObject(v)) return dictRepr(v, seen);
    } finally {
      seen.delete(v);
    }
  }
  return pyStr(v);
}

function dictRepr(d: Dict, seen: Set<unknown>): string {
  return `{${dictKeys(d)
    .map((k) => `${pyQuote(k)}: ${pyRepr(d[k], seen)}`)
    .join(', ')}}`;
}

/** Python `str()` of a template value (what Jinja prints for `{{ value }}`). */
export function pyStr(v: unknown): string {
  if (v === undefined) return '';
  if (v === null) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return pyNumber(v);
  if (isSafe(v)) return v.val;
  if (typeof v === 'function') return `<function ${(v as { name?: string }).name || 'anonymous'}>`;
  if (v instanceof Date) return pyDate(v);
  if (Array.isArray(v) || v instanceof Map || v instanceof Set || isNamespace(v)) return pyRepr(v);
  if (isDictObject(v)) return pyRepr(v);
  return String(v);
}
