/**
 * dbt's `modules.itertools`: Python's itertools for templates (`modules.itertools.product(a, b)`,
 * `chain`, `combinations` …). Python returns iterators; here each function returns the list
 * they would yield (tuples as tuples), which is what a template does with them: loop over them
 * or `| list`. The endless ones (`count`, `cycle`, `repeat` without a count) are refused, and a
 * result longer than MAX_ITEMS is an error, as `range()`'s is.
 */
import { bindArgs, splitArgs } from '../jinja/python-args.js';
import { makeTuple, pyError, toInt, toList } from '../jinja/python-values.js';

/** The longest list a function here builds (as `range()`). */
const MAX_ITEMS = 10_000_000;

function bounded(n: number, fname: string): void {
  if (n > MAX_ITEMS) throw pyError('OverflowError', `${fname}() of ${n} items is longer than the ${MAX_ITEMS} templates may build`);
}

/** The r-length index lists over n items, in Python's order: increasing (combinations), non-decreasing (with replacement), or all distinct (permutations). */
function indexLists(n: number, r: number, kind: 'combinations' | 'with_replacement' | 'permutations'): number[][] {
  const out: number[][] = [];
  const current: number[] = [];
  const used = new Array<boolean>(n).fill(false);
  const walk = (from: number) => {
    if (current.length === r) {
      out.push([...current]);
      return;
    }
    const start = kind === 'permutations' ? 0 : from;
    for (let i = start; i < n; i++) {
      if (kind === 'permutations' && used[i]) continue;
      current.push(i);
      used[i] = true;
      walk(kind === 'combinations' ? i + 1 : i);
      used[i] = false;
      current.pop();
    }
  };
  walk(0);
  return out;
}

function choose(n: number, r: number): number {
  let c = 1;
  for (let i = 1; i <= r; i++) c = (c * (n - r + i)) / i;
  return Math.round(c);
}

export function pythonItertools(): Record<string, unknown> {
  const chain = (...iterables: unknown[]) => iterables.flatMap((it) => toList(it));
  Object.assign(chain, { from_iterable: (iterable: unknown) => toList(iterable).flatMap((it) => toList(it)) });
  return {
    chain,
    product(...args: unknown[]) {
      const { positional, kwargs } = splitArgs(args);
      const repeat = kwargs.repeat === undefined ? 1 : toInt(kwargs.repeat, 'repeat');
      const pools = Array.from({ length: Math.max(0, repeat) }, () => positional.map((p) => toList(p))).flat();
      bounded(pools.reduce((n, p) => n * p.length, 1), 'product');
      let result: unknown[][] = [[]];
      for (const pool of pools) result = result.flatMap((prefix) => pool.map((x) => [...prefix, x]));
      return result.map((t) => makeTuple(t));
    },
    combinations(...args: unknown[]) {
      const a = bindArgs('combinations', args, ['iterable', 'r']);
      const pool = toList(a.iterable);
      const r = toInt(a.r, 'r');
      if (r < 0) throw pyError('ValueError', 'r must be non-negative');
      bounded(r > pool.length ? 0 : choose(pool.length, r), 'combinations');
      return r > pool.length ? [] : indexLists(pool.length, r, 'combinations').map((ix) => makeTuple(ix.map((i) => pool[i])));
    },
    combinations_with_replacement(...args: unknown[]) {
      const a = bindArgs('combinations_with_replacement', args, ['iterable', 'r']);
      const pool = toList(a.iterable);
      const r = toInt(a.r, 'r');
      if (r < 0) throw pyError('ValueError', 'r must be non-negative');
      if (!pool.length) return r === 0 ? [makeTuple([])] : [];
      bounded(choose(pool.length + r - 1, r), 'combinations_with_replacement');
      return indexLists(pool.length, r, 'with_replacement').map((ix) => makeTuple(ix.map((i) => pool[i])));
    },
    permutations(...args: unknown[]) {
      const a = bindArgs('permutations', args, ['iterable', 'r'], { r: null });
      const pool = toList(a.iterable);
      const r = a.r === null || a.r === undefined ? pool.length : toInt(a.r, 'r');
      if (r < 0) throw pyError('ValueError', 'r must be non-negative');
      if (r > pool.length) return [];
      let n = 1;
      for (let i = 0; i < r; i++) n *= pool.length - i;
      bounded(n, 'permutations');
      return indexLists(pool.length, r, 'permutations').map((ix) => makeTuple(ix.map((i) => pool[i])));
    },
    islice(...args: unknown[]) {
      const { positional } = splitArgs(args);
      const items = toList(positional[0]);
      const num = (v: unknown, what: string) => (v === null || v === undefined ? undefined : toInt(v, what));
      const [start, stop, step] =
        positional.length <= 2 ? [0, num(positional[1], 'stop'), 1] : [num(positional[1], 'start') ?? 0, num(positional[2], 'stop'), num(positional[3], 'step') ?? 1];
      if (start < 0 || (stop !== undefined && stop < 0) || step < 1) throw pyError('ValueError', 'Indices for islice() must be None or an integer: 0 <= x <= sys.maxsize.');
      const out: unknown[] = [];
      for (let i = start; i < Math.min(stop ?? items.length, items.length); i += step) out.push(items[i]);
      return out;
    },
    zip_longest(...args: unknown[]) {
      const { positional, kwargs } = splitArgs(args);
      const lists = positional.map((p) => toList(p));
      const n = Math.max(0, ...lists.map((l) => l.length));
      const fill = kwargs.fillvalue ?? null;
      return Array.from({ length: n }, (_, i) => makeTuple(lists.map((l) => (i < l.length ? l[i] : fill))));
    },
    groupby(...args: unknown[]) {
      const a = bindArgs('groupby', args, ['iterable', 'key'], { key: null });
      const keyOf = typeof a.key === 'function' ? (a.key as (x: unknown) => unknown) : (x: unknown) => x;
      const out: unknown[][] = [];
      let last: unknown;
      for (const x of toList(a.iterable)) {
        const k = keyOf(x);
        if (out.length && Object.is(k, last)) (out[out.length - 1][1] as unknown[]).push(x);
        else out.push(makeTuple([k, [x]]));
        last = k;
      }
      return out;
    },
    repeat(...args: unknown[]) {
      const a = bindArgs('repeat', args, ['object', 'times'], { times: null });
      if (a.times === null || a.times === undefined) throw pyError('TypeError', 'repeat() without times never ends: give it a count (templates cannot loop forever)');
      const n = Math.max(0, toInt(a.times, 'times'));
      bounded(n, 'repeat');
      return Array.from({ length: n }, () => a.object);
    },
    count() {
      throw pyError('TypeError', 'count() never ends: use range() (templates cannot loop forever)');
    },
    cycle() {
      throw pyError('TypeError', 'cycle() never ends (templates cannot loop forever)');
    },
  };
}
