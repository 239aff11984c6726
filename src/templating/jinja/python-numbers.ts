/**
 * Python number conversions: `int(text, base)` and `float(text)` with Python's literal
 * syntax (`0x1A`, `1_000`, `inf`, `nan`), and `round()`, which rounds the exact binary
 * value half-to-even.
 *
 * parseInt/parseFloat accept trailing garbage and Math.round rounds half up; the `int`,
 * `float` and `round` filters need Python's behaviour.
 */
import { isStrLike, pyError, strValue } from './python-values.js';

function strictInt(text: string, base: number): number | undefined {
  let s = text.trim().replace(/(?<=[0-9a-zA-Z])_(?=[0-9a-zA-Z])/g, '');
  let sign = 1;
  if (s[0] === '+' || s[0] === '-') {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  const prefixes: Record<number, RegExp> = { 16: /^0x/i, 8: /^0o/i, 2: /^0b/i };
  let b = base;
  if (b === 0) {
    b = /^0x/i.test(s) ? 16 : /^0o/i.test(s) ? 8 : /^0b/i.test(s) ? 2 : 10;
    if (b === 10 && /^0\d/.test(s)) return undefined;
  }
  if (prefixes[b]) s = s.replace(prefixes[b], '');
  const digits = '0123456789abcdefghijklmnopqrstuvwxyz'.slice(0, b);
  if (!s || ![...s.toLowerCase()].every((c) => digits.includes(c))) return undefined;
  return sign * parseInt(s, b);
}

function strictFloat(text: string): number | undefined {
  const s = text.trim().replace(/(?<=\d)_(?=\d)/g, '');
  if (/^[+-]?(inf|infinity)$/i.test(s)) return s[0] === '-' ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(s)) return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return undefined;
  return Number(s);
}

/** The `int` filter: a number, or `def` when `value` is not one. */
export function toPyInt(value: unknown, def: unknown, base: number): unknown {
  if (typeof value === 'boolean') return Number(value);
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : def;
  if (isStrLike(value)) {
    const s = strValue(value);
    const i = strictInt(s, base);
    if (i !== undefined) return i;
    const f = strictFloat(s);
    return f !== undefined && Number.isFinite(f) ? Math.trunc(f) : def;
  }
  return def;
}

/** The `float` filter: a number, or `def` when `value` is not one. */
export function toPyFloat(value: unknown, def: unknown): unknown {
  if (typeof value === 'boolean') return Number(value);
  if (typeof value === 'number') return value;
  if (isStrLike(value)) {
    const f = strictFloat(strValue(value));
    return f === undefined ? def : f;
  }
  return def;
}

/** Python's round(): works on the exact binary value, ties go to the even neighbour. */
function pyRoundHalfEven(value: number, precision: number): number {
  if (!Number.isFinite(value) || precision > 20) return value;
  if (precision < 0) {
    const f = 10 ** -precision;
    return pyRoundHalfEven(value / f, 0) * f;
  }
  const digits = Math.abs(value).toFixed(Math.min(100, precision + 40));
  const [intPart, frac = ''] = digits.split('.');
  const rest = frac.slice(precision);
  let n = BigInt(intPart + frac.slice(0, precision));
  if (/^50*$/.test(rest)) {
    if (n % 2n === 1n) n += 1n;
  } else if (rest[0] >= '5') n += 1n;
  const r = Number(n) / 10 ** precision;
  return value < 0 ? -r : r;
}

export function pyRound(value: number, precision: number, method: string): number {
  const factor = 10 ** precision;
  if (method === 'ceil') return Math.ceil(value * factor) / factor;
  if (method === 'floor') return Math.floor(value * factor) / factor;
  if (method === 'common') return pyRoundHalfEven(value, precision);
  throw pyError('FilterArgumentError', 'method must be common, ceil or floor');
}
