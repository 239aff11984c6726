/**
 * Jinja's global functions nunjucks lacks or has differently: `namespace()` (the one object
 * `{% set ns.attr = %}` may write to), `dict()`, `cycler()` and `joiner()`; and the Python
 * builtins dbt adds to its context: `zip()`, `zip_strict()`, `set()` and `set_strict()`.
 */
import type { Dict } from './nunjucks-internals.js';
import { bindArgs, splitArgs } from './python-args.js';
import { assertAssignable } from './sandbox.js';
import { pyRepr, pyStr } from './python-repr.js';
import { makeSet, setOrDefault } from './python-sets.js';
import { makeNamespace, makeTuple, pairsOf, pyError, toInt, toList } from './python-values.js';

/** Python `dict(mapping_or_pairs, **kwargs)`. */
function toDict(args: unknown[], fname: string): Dict {
  const { positional, kwargs } = splitArgs(args);
  if (positional.length > 1) throw pyError('TypeError', `${fname} expected at most 1 argument, got ${positional.length}`);
  const out: Dict = {};
  if (positional.length) {
    for (const [k, v] of pairsOf(positional[0])) {
      assertAssignable(pyStr(k));
      out[pyStr(k)] = v;
    }
  }
  for (const k of Object.keys(kwargs)) assertAssignable(k);
  return Object.assign(out, kwargs);
}

/** The longest list `range()` builds (Jinja's sandbox allows 100,000). */
const MAX_RANGE = 10_000_000;

/** Python's `range(stop)` / `range(start, stop[, step])`, as a list. */
function range(...args: unknown[]): number[] {
  const nums = splitArgs(args).positional.map((a) => toInt(a, 'range() argument'));
  const [start, stop, step] = nums.length === 1 ? [0, nums[0], 1] : [nums[0], nums[1], nums[2] ?? 1];
  if (step === 0) throw pyError('ValueError', 'range() arg 3 must not be zero');
  const n = Math.max(0, Math.ceil((stop - start) / step));
  if (n > MAX_RANGE) throw pyError('OverflowError', `range() of ${n} items is longer than the ${MAX_RANGE} templates may build`);
  return Array.from({ length: n }, (_, i) => start + i * step);
}

/** Python `zip(*iterables)`, as a list of tuples. */
function zipLists(args: unknown[]): unknown[][] {
  const lists = args.map(toList);
  if (!lists.length) return [];
  const n = Math.min(...lists.map((l) => l.length));
  return Array.from({ length: n }, (_, i) => makeTuple(lists.map((l) => l[i])));
}

export function buildGlobals(): Dict {
  return {
    range,
    namespace(...args: unknown[]) {
      const ns = toDict(args, 'namespace');
      return makeNamespace(ns, () => `<Namespace ${pyRepr({ ...ns })}>`);
    },
    dict: (...args: unknown[]) => toDict(args, 'dict'),
    // dbt's zip(*args, default=None): `default` when an argument is not iterable
    zip(...args: unknown[]) {
      const { positional, kwargs } = splitArgs(args);
      try {
        return zipLists(positional);
      } catch (e) {
        if ((e as Error).name === 'TypeError') return kwargs.default ?? null;
        throw e;
      }
    },
    zip_strict: (...args: unknown[]) => zipLists(splitArgs(args).positional),
    // dbt's set(value, default=None): `default` when value is not iterable or holds lists or dicts
    set(...args: unknown[]) {
      const a = bindArgs('set', args, ['value', 'default']);
      return setOrDefault(a.value, a.default ?? null);
    },
    set_strict: (...args: unknown[]) => makeSet(bindArgs('set_strict', args, ['value']).value),
    cycler(...args: unknown[]) {
      const items = splitArgs(args).positional;
      if (!items.length) throw pyError('RuntimeError', 'at least one item has to be provided');
      let pos = 0;
      return {
        get current() {
          return items[pos];
        },
        next() {
          const v = items[pos];
          pos = (pos + 1) % items.length;
          return v;
        },
        reset() {
          pos = 0;
          return null;
        },
      };
    },
    joiner(sep: unknown = ', ') {
      let used = false;
      return () => {
        if (!used) {
          used = true;
          return '';
        }
        return pyStr(sep);
      };
    },
  };
}
