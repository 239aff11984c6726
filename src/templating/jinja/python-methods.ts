/**
 * The Python methods of str, list, tuple, dict and set values (set methods: python-sets.ts) (`s.upper()`, `l.append(x)`,
 * `d.items()`...).
 *
 * In Jinja these come with the Python objects; in nunjucks a value only has its JavaScript
 * methods (and a plain object none), so attribute lookup finds them here instead.
 */
import type { Any, Dict } from './nunjucks-internals.js';
import { bindArgs, splitArgs } from './python-args.js';
import { pyStrFormat } from './python-format.js';
import { pyCmp, pyEq } from './python-operators.js';
import { pyRepr, pyStr } from './python-repr.js';
import { setMethod } from './python-sets.js';
import { pyCenter, pyIsLower, pyIsUpper, pyReplace, pySplit, pySplitlines, pyTitle, sliceBounds, stripChars } from './python-strings.js';
import {
  hasOwn,
  isDictObject,
  isStrLike,
  isTuple,
  makeTuple,
  pairsOf,
  pyError,
  pyTruthy,
  pyTypeName,
  strValue,
  toDictAdapter,
  toInt,
  toList,
  type DictAdapter,
} from './python-values.js';

type Method = (self: Any, args: unknown[]) => unknown;

function argStr(v: unknown, what: string): string {
  if (!isStrLike(v)) throw pyError('TypeError', `${what} must be str, not ${pyTypeName(v)}`);
  return strValue(v);
}

function affix(s: string, raw: unknown[], test: (s: string, p: string) => boolean, name: string): boolean {
  const a = bindArgs(name, raw, ['prefix', 'start', 'end']);
  const [from, to] = sliceBounds(s.length, a.start, a.end);
  const sub = s.slice(from, to);
  const prefixes = Array.isArray(a.prefix) ? a.prefix : [a.prefix];
  return prefixes.some((p) => test(sub, argStr(p, `${name} arg`)));
}

/** The found index (or -1) of `str.find`/`str.index` and `str.rfind`/`str.rindex`. */
function findSub(s: string, raw: unknown[], name: string, fromRight: boolean): number {
  const a = bindArgs(name, raw, ['sub', 'start', 'end']);
  const [from, to] = sliceBounds(s.length, a.start, a.end);
  const sub = argStr(a.sub, `${name}() argument`);
  if (!fromRight) return s.slice(0, to).indexOf(sub, from);
  const i = s.slice(0, to).lastIndexOf(sub);
  return i >= from ? i : -1;
}

function foundOrRaise(i: number): number {
  if (i < 0) throw pyError('ValueError', 'substring not found');
  return i;
}

const STR_METHODS: Record<string, Method> = {
  upper: (s: string) => s.toUpperCase(),
  lower: (s: string) => s.toLowerCase(),
  casefold: (s: string) => s.toLowerCase(),
  swapcase: (s: string) => Array.from(s, (c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join(''),
  title: (s: string) => pyTitle(s),
  capitalize: (s: string) => s.charAt(0).toUpperCase() + s.slice(1).toLowerCase(),
  strip: (s: string, a) => stripChars(s, a[0], true, true),
  lstrip: (s: string, a) => stripChars(s, a[0], true, false),
  rstrip: (s: string, a) => stripChars(s, a[0], false, true),
  split: (s: string, raw) => {
    const a = bindArgs('split', raw, ['sep', 'maxsplit'], { maxsplit: -1 });
    return pySplit(s, a.sep, toInt(a.maxsplit, 'maxsplit'), false);
  },
  rsplit: (s: string, raw) => {
    const a = bindArgs('rsplit', raw, ['sep', 'maxsplit'], { maxsplit: -1 });
    return pySplit(s, a.sep, toInt(a.maxsplit, 'maxsplit'), true);
  },
  splitlines: (s: string, raw) => pySplitlines(s, bindArgs('splitlines', raw, ['keepends'], { keepends: false }).keepends),
  replace: (s: string, raw) => {
    const a = bindArgs('replace', raw, ['old', 'new', 'count'], { count: -1 });
    return pyReplace(s, argStr(a.old, 'replace() argument 1'), argStr(a.new, 'replace() argument 2'), toInt(a.count, 'count'));
  },
  startswith: (s: string, raw) => affix(s, raw, (x, p) => x.startsWith(p), 'startswith'),
  endswith: (s: string, raw) => affix(s, raw, (x, p) => x.endsWith(p), 'endswith'),
  removeprefix: (s: string, a) => {
    const p = argStr(a[0], 'removeprefix() argument');
    return s.startsWith(p) ? s.slice(p.length) : s;
  },
  removesuffix: (s: string, a) => {
    const p = argStr(a[0], 'removesuffix() argument');
    return p && s.endsWith(p) ? s.slice(0, -p.length) : s;
  },
  join: (s: string, a) =>
    toList(a[0])
      .map((x, i) => {
        if (!isStrLike(x)) throw pyError('TypeError', `sequence item ${i}: expected str instance, ${pyTypeName(x)} found`);
        return strValue(x);
      })
      .join(s),
  format: (s: string, raw) => {
    const { positional, kwargs } = splitArgs(raw);
    return pyStrFormat(s, positional, kwargs);
  },
  find: (s: string, raw) => findSub(s, raw, 'find', false),
  rfind: (s: string, raw) => findSub(s, raw, 'rfind', true),
  index: (s: string, raw) => foundOrRaise(findSub(s, raw, 'find', false)),
  rindex: (s: string, raw) => foundOrRaise(findSub(s, raw, 'rfind', true)),
  count: (s: string, raw) => {
    const a = bindArgs('count', raw, ['sub', 'start', 'end']);
    const [from, to] = sliceBounds(s.length, a.start, a.end);
    const sub = argStr(a.sub, 'count() argument');
    const part = s.slice(from, to);
    return sub === '' ? part.length + 1 : part.split(sub).length - 1;
  },
  isdigit: (s: string) => /^\d+$/u.test(s),
  isdecimal: (s: string) => /^\d+$/u.test(s),
  isnumeric: (s: string) => /^\p{N}+$/u.test(s),
  isalpha: (s: string) => /^\p{L}+$/u.test(s),
  isalnum: (s: string) => /^[\p{L}\p{N}]+$/u.test(s),
  isspace: (s: string) => /^\s+$/.test(s),
  islower: (s: string) => pyIsLower(s),
  isupper: (s: string) => pyIsUpper(s),
  zfill: (s: string, a) => {
    const width = toInt(a[0], 'width');
    const sign = s[0] === '-' || s[0] === '+' ? s[0] : '';
    const body = sign ? s.slice(1) : s;
    return sign + body.padStart(Math.max(0, width - sign.length), '0');
  },
  ljust: (s: string, a) => s.padEnd(toInt(a[0], 'width'), a[1] === undefined ? ' ' : pyStr(a[1])),
  rjust: (s: string, a) => s.padStart(toInt(a[0], 'width'), a[1] === undefined ? ' ' : pyStr(a[1])),
  center: (s: string, a) => pyCenter(s, toInt(a[0], 'width'), a[1] === undefined ? ' ' : pyStr(a[1])),
  partition: (s: string, a) => {
    const sep = argStr(a[0], 'partition() argument');
    const i = s.indexOf(sep);
    return makeTuple(i < 0 ? [s, '', ''] : [s.slice(0, i), sep, s.slice(i + sep.length)]);
  },
  rpartition: (s: string, a) => {
    const sep = argStr(a[0], 'rpartition() argument');
    const i = s.lastIndexOf(sep);
    return makeTuple(i < 0 ? ['', '', s] : [s.slice(0, i), sep, s.slice(i + sep.length)]);
  },
};

function listIndex(arr: unknown[], raw: unknown[], name: string): number {
  const a = bindArgs(name, raw, ['value', 'start', 'end']);
  const [from, to] = sliceBounds(arr.length, a.start, a.end);
  for (let i = from; i < to; i++) if (pyEq(arr[i], a.value)) return i;
  return -1;
}

const LIST_METHODS: Record<string, Method> = {
  append: (arr: unknown[], a) => {
    arr.push(a[0]);
    return null;
  },
  extend: (arr: unknown[], a) => {
    arr.push(...toList(a[0]));
    return null;
  },
  insert: (arr: unknown[], a) => {
    let i = toInt(a[0], 'index');
    if (i < 0) i = Math.max(0, i + arr.length);
    arr.splice(Math.min(i, arr.length), 0, a[1]);
    return null;
  },
  remove: (arr: unknown[], a) => {
    const i = arr.findIndex((x) => pyEq(x, a[0]));
    if (i < 0) throw pyError('ValueError', 'list.remove(x): x not in list');
    arr.splice(i, 1);
    return null;
  },
  pop: (arr: unknown[], a) => {
    if (!arr.length) throw pyError('IndexError', 'pop from empty list');
    let i = a[0] === undefined ? arr.length - 1 : toInt(a[0], 'index');
    if (i < 0) i += arr.length;
    if (i < 0 || i >= arr.length) throw pyError('IndexError', 'pop index out of range');
    return arr.splice(i, 1)[0];
  },
  index: (arr: unknown[], raw) => {
    const i = listIndex(arr, raw, 'index');
    if (i < 0) throw pyError('ValueError', `${pyRepr(raw[0])} is not in list`);
    return i;
  },
  count: (arr: unknown[], a) => arr.filter((x) => pyEq(x, a[0])).length,
  clear: (arr: unknown[]) => {
    arr.length = 0;
    return null;
  },
  copy: (arr: unknown[]) => arr.slice(),
  sort: (arr: unknown[], raw) => {
    const { positional, kwargs } = splitArgs(raw);
    if (positional.length) throw pyError('TypeError', 'sort() takes no positional arguments');
    if (kwargs.key !== undefined && kwargs.key !== null) throw pyError('TypeError', 'sort(key=...) is not supported in templates');
    const reverse = pyTruthy(kwargs.reverse);
    const sorted = arr.slice().sort((x, y) => (reverse ? pyCmp(y, x) : pyCmp(x, y)));
    arr.splice(0, arr.length, ...sorted);
    return null;
  },
  reverse: (arr: unknown[]) => {
    arr.reverse();
    return null;
  },
};
const TUPLE_METHODS = new Set(['index', 'count']);

const DICT_METHODS: Record<string, Method> = {
  items: (d: DictAdapter) => d.keys().map((k) => makeTuple([k, d.get(k)])),
  keys: (d: DictAdapter) => d.keys(),
  values: (d: DictAdapter) => d.keys().map((k) => d.get(k)),
  get: (d: DictAdapter, a) => (d.has(a[0]) ? d.get(a[0]) : a.length > 1 ? a[1] : null),
  update: (d: DictAdapter, raw) => {
    const { positional, kwargs } = splitArgs(raw);
    if (positional.length > 1) throw pyError('TypeError', `update expected at most 1 argument, got ${positional.length}`);
    if (positional.length) for (const [k, v] of pairsOf(positional[0])) d.set(k, v);
    for (const k of Object.keys(kwargs)) d.set(k, kwargs[k]);
    return null;
  },
  pop: (d: DictAdapter, a) => {
    if (d.has(a[0])) {
      const v = d.get(a[0]);
      d.del(a[0]);
      return v;
    }
    if (a.length > 1) return a[1];
    throw pyError('KeyError', pyRepr(a[0]));
  },
  popitem: (d: DictAdapter) => {
    const keys = d.keys();
    if (!keys.length) throw pyError('KeyError', "'popitem(): dictionary is empty'");
    const k = keys[keys.length - 1];
    const v = d.get(k);
    d.del(k);
    return makeTuple([k, v]);
  },
  setdefault: (d: DictAdapter, a) => {
    if (!d.has(a[0])) d.set(a[0], a.length > 1 ? a[1] : null);
    return d.get(a[0]);
  },
  copy: (d: DictAdapter) => {
    const out: Dict = {};
    for (const k of d.keys()) out[String(k)] = d.get(k);
    return out;
  },
  clear: (d: DictAdapter) => {
    for (const k of d.keys()) d.del(k);
    return null;
  },
};

function bindMethod(table: Record<string, Method>, self: unknown, name: string): (...args: unknown[]) => unknown {
  const m = table[name];
  const fn = (...args: unknown[]) => m(self, args);
  Object.defineProperty(fn, 'name', { value: name });
  return fn;
}

/**
 * The Python method `name` of `obj`, if obj is a str/list/tuple/dict/set that has one.
 * `forAttribute`: looked up as `obj.name` (Jinja's getattr) rather than `obj['name']`.
 */
export function pythonMethod(obj: unknown, name: unknown, forAttribute: boolean): ((...args: unknown[]) => unknown) | undefined {
  if (typeof name !== 'string') return undefined;
  if (isStrLike(obj)) return hasOwn(STR_METHODS, name) ? bindMethod(STR_METHODS, strValue(obj), name) : undefined;
  if (Array.isArray(obj)) {
    if (!hasOwn(LIST_METHODS, name) || (isTuple(obj) && !TUPLE_METHODS.has(name))) return undefined;
    return bindMethod(LIST_METHODS, obj, name);
  }
  if (obj instanceof Set) return setMethod(obj, name);
  if (!hasOwn(DICT_METHODS, name)) return undefined;
  if (obj instanceof Map) return bindMethod(DICT_METHODS, toDictAdapter(obj), name);
  if (isDictObject(obj)) {
    const own = hasOwn(obj, name) ? obj[name] : undefined;
    // A function the host put on the object is its method; data under that key is only
    // reachable as d['key'] (Jinja's getattr prefers the dict method, getitem the data).
    if (typeof own === 'function') return undefined;
    if (own !== undefined && !forAttribute) return undefined;
    return bindMethod(DICT_METHODS, toDictAdapter(obj), name);
  }
  return undefined;
}
