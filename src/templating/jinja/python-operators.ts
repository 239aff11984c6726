/**
 * Python semantics of the expression operators: `==`, ordering, `in`, `+`, `*`, `%` and
 * slicing.
 *
 * nunjucks compiles these to the JavaScript operators, so `[1] == [1]` is false,
 * `'ab' * 2` is NaN and `-7 % 3` is -1; Jinja compares by value, repeats sequences,
 * formats strings with `%` and takes the sign of the divisor.
 */
import type { Any } from './nunjucks-internals.js';
import { pyPercentFormat } from './python-format.js';
import { isMapping, isSafe, isStrLike, isTuple, makeTuple, pyError, pyTypeName, strValue, toDictAdapter, toInt, toList } from './python-values.js';

/** Python `==`. */
export function pyEq(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isSafe(a)) a = a.val;
  if (isSafe(b)) b = b.val;
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  const numLike = (x: unknown) => typeof x === 'number' || typeof x === 'boolean';
  if (numLike(a) && numLike(b)) return Number(a) === Number(b);
  if (a === undefined || b === undefined || a === null || b === null) return a === b;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (isTuple(a) !== isTuple(b) || a.length !== b.length) return false;
    return a.every((x, i) => pyEq(x, b[i]));
  }
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (isMapping(a) && isMapping(b)) {
    const da = toDictAdapter(a);
    const db = toDictAdapter(b);
    const ka = da.keys();
    if (ka.length !== db.keys().length) return false;
    return ka.every((k) => db.has(k) && pyEq(da.get(k), db.get(k)));
  }
  if (a instanceof Set && b instanceof Set) return a.size === b.size && [...a].every((x) => b.has(x));
  return false;
}

/** Python ordering (-1/0/1) for sort/min/max; sequences compare lexicographically. */
export function pyCmp(a: unknown, b: unknown): number {
  if (isSafe(a)) a = a.val;
  if (isSafe(b)) b = b.val;
  if (typeof a === 'boolean') a = Number(a);
  if (typeof b === 'boolean') b = Number(b);
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const c = pyCmp(a[i], b[i]);
      if (c !== 0) return c;
    }
    return a.length - b.length === 0 ? 0 : a.length < b.length ? -1 : 1;
  }
  const x = a as Any;
  const y = b as Any;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** A chained comparison `a < b == c`: `rest` alternates operator and operand. */
export function pyCompare(first: unknown, ...rest: unknown[]): boolean {
  let left = first;
  for (let i = 0; i < rest.length; i += 2) {
    const op = rest[i] as string;
    const right = rest[i + 1];
    let ok: boolean;
    switch (op) {
      case '==':
        ok = pyEq(left, right);
        break;
      case '!=':
        ok = !pyEq(left, right);
        break;
      case '===':
        ok = left === right;
        break;
      case '!==':
        ok = left !== right;
        break;
      default: {
        const arrays = Array.isArray(left) && Array.isArray(right);
        const l = arrays ? pyCmp(left, right) : (left as Any);
        const r = arrays ? 0 : (right as Any);
        ok = op === '<' ? l < r : op === '>' ? l > r : op === '<=' ? l <= r : l >= r;
      }
    }
    if (!ok) return false;
    left = right;
  }
  return true;
}

/** Python `key in container`. */
export function pyIn(key: unknown, container: unknown): boolean {
  if (container === undefined) return false;
  if (container === null) throw pyError('TypeError', "argument of type 'NoneType' is not iterable");
  if (isStrLike(container)) {
    if (!isStrLike(key)) throw pyError('TypeError', `'in <string>' requires string as left operand, not ${pyTypeName(key)}`);
    return strValue(container).includes(strValue(key));
  }
  if (Array.isArray(container)) return container.some((x) => pyEq(x, key));
  if (container instanceof Set) return container.has(key) || [...container].some((x) => pyEq(x, key));
  if (isMapping(container)) return toDictAdapter(container).has(isSafe(key) ? key.val : key);
  if (typeof container === 'object' || typeof container === 'function') {
    if (Symbol.iterator in (container as object)) return Array.from(container as Iterable<unknown>).some((x) => pyEq(x, key));
    return String(key) in (container as object);
  }
  throw pyError('TypeError', `argument of type '${pyTypeName(container)}' is not iterable`);
}

/** Python `a + b`: lists and tuples concatenate. */
export function pyAdd(a: unknown, b: unknown): unknown {
  if (Array.isArray(a) && Array.isArray(b)) {
    const r = a.concat(b);
    return isTuple(a) && isTuple(b) ? makeTuple(r) : r;
  }
  if (isSafe(a) || isSafe(b)) return (isSafe(a) ? a.val : (a as Any)) + (isSafe(b) ? b.val : (b as Any));
  return (a as Any) + (b as Any);
}

/** Python `a * b`: a str, list or tuple times an int repeats it. */
export function pyMul(a: unknown, b: unknown): unknown {
  const rep = (seq: unknown, n: number): unknown => {
    const k = Math.max(0, Math.trunc(n));
    if (isStrLike(seq)) return strValue(seq).repeat(k);
    const arr = seq as unknown[];
    const out: unknown[] = [];
    for (let i = 0; i < k; i++) out.push(...arr);
    return isTuple(arr) ? makeTuple(out) : out;
  };
  if ((isStrLike(a) || Array.isArray(a)) && (typeof b === 'number' || typeof b === 'boolean')) return rep(a, Number(b));
  if ((isStrLike(b) || Array.isArray(b)) && (typeof a === 'number' || typeof a === 'boolean')) return rep(b, Number(a));
  return (a as Any) * (b as Any);
}

/** Python `a % b`: printf-style formatting on a str, else a modulo with the divisor's sign. */
export function pyMod(a: unknown, b: unknown): unknown {
  if (isStrLike(a)) return pyPercentFormat(strValue(a), b);
  const x = Number(a);
  const y = Number(b);
  if (y === 0) throw pyError('ZeroDivisionError', 'integer division or modulo by zero');
  const r = x % y;
  return r !== 0 && r < 0 !== y < 0 ? r + y : r;
}

/** Python slicing `obj[start:stop:step]`; strings stay strings, tuples stay tuples. */
export function pySlice(obj: unknown, start: unknown, stop: unknown, step: unknown): unknown {
  if (obj === undefined) return undefined;
  const isStr = isStrLike(obj);
  const seq = isStr ? Array.from(strValue(obj)) : Array.isArray(obj) ? obj : toList(obj);
  const st = step === undefined || step === null ? 1 : toInt(step, 'slice step');
  if (st === 0) throw pyError('ValueError', 'slice step cannot be zero');
  const len = seq.length;
  const norm = (v: unknown, def: number, lo: number, hi: number) => {
    if (v === undefined || v === null) return def;
    let n = toInt(v, 'slice indices');
    if (n < 0) n = Math.max(lo, n + len);
    else n = Math.min(n, hi);
    return n;
  };
  const out: unknown[] = [];
  if (st > 0) {
    const a = norm(start, 0, 0, len);
    const b = norm(stop, len, 0, len);
    for (let i = a; i < b; i += st) out.push(seq[i]);
  } else {
    const a = norm(start, len - 1, -1, len - 1);
    const b = norm(stop, -1, -1, len - 1);
    for (let i = a; i > b; i += st) out.push(seq[i]);
  }
  if (isStr) return out.join('');
  return isTuple(obj) ? makeTuple(out) : out;
}
