/**
 * Python sets in templates (dbt's `set()` and `set_strict()`): a JS Set holding each value
 * once as Python counts them (1, 1.0 and True are one value, so are 'a' and a safe 'a', and
 * equal tuples), in the order first seen; lists, dicts and sets cannot be members
 * (unhashable, as in Python). Iteration, `in`, `length`, truthiness, printing (`{1, 2}`,
 * `set()`) and equality already treat a JS Set as a Python set; this adds building one and
 * the set methods (`s.add(x)`, `a.union(b)`, `a.issubset(b)`...).
 */
import { pyRepr } from './python-repr.js';
import { isMapping, isSafe, isTuple, pyError, toList } from './python-values.js';

/** What makes two members the same member (Python's hash and ==, for hashable template values). */
function memberKey(v: unknown): unknown {
  if (isSafe(v)) return v.val;
  if (typeof v === 'boolean') return Number(v);
  if (Array.isArray(v)) {
    if (!isTuple(v)) throw pyError('TypeError', "unhashable type: 'list'");
    // a tuple is hashable when its items are; equal items make equal tuples
    return `\u0000tuple(${v.map((x) => keyText(memberKey(x))).join(',')})`;
  }
  if (v instanceof Set) throw pyError('TypeError', "unhashable type: 'set'");
  if (isMapping(v)) throw pyError('TypeError', "unhashable type: 'dict'");
  return v;
}

function keyText(k: unknown): string {
  if (typeof k === 'string') return JSON.stringify(k);
  if (typeof k === 'number') return String(k);
  return pyRepr(k);
}

/** Python `set(iterable)`: a TypeError when `value` is not iterable or holds an unhashable item. */
export function makeSet(value: unknown): Set<unknown> {
  const byKey = new Map<unknown, unknown>();
  for (const item of toList(value)) {
    const key = memberKey(item);
    if (!byKey.has(key)) byKey.set(key, item);
  }
  return new Set(byKey.values());
}

function keysOf(s: Set<unknown>): Set<unknown> {
  return new Set([...s].map(memberKey));
}

/** The members of every argument, as sets (`a.union([1], 'xy')`). */
function others(args: unknown[]): Set<unknown>[] {
  return args.map((a) => makeSet(a));
}

type SetMethod = (self: Set<unknown>, args: unknown[]) => unknown;

function removeMember(s: Set<unknown>, v: unknown): boolean {
  const key = memberKey(v);
  for (const x of s) {
    if (memberKey(x) === key) return s.delete(x);
  }
  return false;
}

const SET_METHODS: Record<string, SetMethod> = {
  add: (s, a) => {
    if (!keysOf(s).has(memberKey(a[0]))) s.add(a[0]);
    return null;
  },
  update: (s, a) => {
    const keys = keysOf(s);
    for (const o of others(a)) for (const x of o) if (!keys.has(memberKey(x))) s.add(x);
    return null;
  },
  discard: (s, a) => {
    removeMember(s, a[0]);
    return null;
  },
  remove: (s, a) => {
    if (!removeMember(s, a[0])) throw pyError('KeyError', pyRepr(a[0]));
    return null;
  },
  pop: (s) => {
    if (!s.size) throw pyError('KeyError', "'pop from an empty set'");
    const first = s.values().next().value;
    s.delete(first);
    return first;
  },
  clear: (s) => {
    s.clear();
    return null;
  },
  copy: (s) => new Set(s),
  union: (s, a) => makeSet([...s, ...others(a).flatMap((o) => [...o])]),
  intersection: (s, a) => {
    const keys = others(a).map(keysOf);
    return new Set([...s].filter((x) => keys.every((k) => k.has(memberKey(x)))));
  },
  difference: (s, a) => {
    const keys = others(a).map(keysOf);
    return new Set([...s].filter((x) => !keys.some((k) => k.has(memberKey(x)))));
  },
  symmetric_difference: (s, a) => {
    const [o] = others(a.slice(0, 1));
    const mine = keysOf(s);
    const theirs = keysOf(o);
    return new Set([...[...s].filter((x) => !theirs.has(memberKey(x))), ...[...o].filter((x) => !mine.has(memberKey(x)))]);
  },
  issubset: (s, a) => {
    const theirs = keysOf(makeSet(a[0]));
    return [...s].every((x) => theirs.has(memberKey(x)));
  },
  issuperset: (s, a) => {
    const mine = keysOf(s);
    return [...makeSet(a[0])].every((x) => mine.has(memberKey(x)));
  },
  isdisjoint: (s, a) => {
    const mine = keysOf(s);
    return ![...makeSet(a[0])].some((x) => mine.has(memberKey(x)));
  },
};

/** The Python method `name` of a set, if sets have one. */
export function setMethod(s: Set<unknown>, name: string): ((...args: unknown[]) => unknown) | undefined {
  if (!Object.prototype.hasOwnProperty.call(SET_METHODS, name)) return undefined;
  const m = SET_METHODS[name];
  const fn = (...args: unknown[]) => m(s, args);
  Object.defineProperty(fn, 'name', { value: name });
  return fn;
}

/** dbt's `set(value, default=None)`: the set of `value`'s items, or `default` when it has none (not iterable, or unhashable items). */
export function setOrDefault(value: unknown, dflt: unknown = null): unknown {
  try {
    return makeSet(value);
  } catch (e) {
    if ((e as Error).name === 'TypeError') return dflt;
    throw e;
  }
}
