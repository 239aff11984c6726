/**
 * Jinja's built-in filters where nunjucks' differ or are missing: Python values in and
 * out (`join`, `string`, `list`, `sort` keys), keyword arguments (`map(attribute=...)`,
 * `default(boolean=true)`, `round(method=...)`), tests as arguments (`select('odd')`),
 * tuples from `items`/`dictsort`/`groupby`, Python `tojson`, plus dbt's `as_*` filters.
 */
import { jinjaGetattr } from './runtime-helpers.js';
import { lookupTest, runtime, type Any, type FilterContext } from './nunjucks-internals.js';
import { bindArgs, forwardKwargs, splitArgs } from './python-args.js';
import { pyPercentFormat } from './python-format.js';
import { pyJsonDumps } from './python-json.js';
import { pyRound, toPyFloat, toPyInt } from './python-numbers.js';
import { pyAdd, pyCmp, pyEq } from './python-operators.js';
import { pyRepr, pyStr } from './python-repr.js';
import { pyCenter, pyReplace, pySplitlines, pyTitle, stripChars } from './python-strings.js';
import {
  attrGetter,
  hasOwn,
  isMapping,
  isSafe,
  isStrLike,
  isTuple,
  makeTuple,
  optionalAttrGetter,
  pairsOf,
  pyError,
  pyTruthy,
  strValue,
  toInt,
  toList,
} from './python-values.js';

type Filter = (this: FilterContext, ...args: Any[]) => unknown;

/** A sort/compare key: str values lower-cased unless comparing case-sensitively. */
function foldCase(v: unknown, caseSensitive: boolean): unknown {
  return !caseSensitive && isStrLike(v) ? strValue(v).toLowerCase() : v;
}

function keyFor(caseSensitive: boolean, attribute: unknown): (x: unknown) => unknown {
  const getter = optionalAttrGetter(attribute);
  return (x) => foldCase(getter(x), caseSensitive);
}

function selectOrReject(select: boolean, byAttr: boolean): Filter {
  return function (this: FilterContext, seq: unknown, ...raw: unknown[]) {
    const { positional, kwargs } = splitArgs(raw);
    const getter = byAttr ? attrGetter(positional.shift()) : (x: unknown) => x;
    const testName = positional.shift();
    const args = positional;
    const test =
      testName === undefined
        ? (v: unknown) => pyTruthy(v)
        : (v: unknown) => {
            const fn = lookupTest(this, testName);
            return pyTruthy(fn.call(this, v, ...args, ...forwardKwargs(kwargs)));
          };
    return toList(seq).filter((item) => test(getter(item)) === select);
  };
}

function minMax(wantMax: boolean, fname: string): Filter {
  return function (this: FilterContext, value: unknown, ...raw: unknown[]) {
    const a = bindArgs(fname, raw, ['case_sensitive', 'attribute'], { case_sensitive: false });
    const items = toList(value);
    if (!items.length) return undefined;
    const key = keyFor(pyTruthy(a.case_sensitive), a.attribute);
    let best = items[0];
    for (const x of items.slice(1)) {
      const c = pyCmp(key(x), key(best));
      if (wantMax ? c > 0 : c < 0) best = x;
    }
    return best;
  };
}

function uniqueKey(v: unknown): string {
  if (typeof v === 'boolean' || typeof v === 'number') return `n:${Number(v)}`;
  if (isStrLike(v)) return `s:${strValue(v)}`;
  if (v === null || v === undefined) return `z:${String(v)}`;
  return `o:${pyRepr(v)}`;
}

export function buildFilters(): Record<string, Filter> {
  return {
    tojson(value: unknown, ...raw: unknown[]) {
      const a = bindArgs('tojson', raw, ['indent']);
      const indent = a.indent === undefined || a.indent === null ? undefined : typeof a.indent === 'number' ? ' '.repeat(a.indent) : pyStr(a.indent);
      const json = pyJsonDumps(value, indent).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/'/g, '\\u0027');
      return runtime.markSafe(json);
    },
    map(this: FilterContext, seq: unknown, ...raw: unknown[]) {
      const { positional, kwargs } = splitArgs(raw);
      const items = toList(seq);
      if (!positional.length) {
        if (!hasOwn(kwargs, 'attribute')) throw pyError('FilterArgumentError', 'map requires a filter argument');
        const getter = attrGetter(kwargs.attribute);
        const def = kwargs.default;
        return items.map((x) => {
          const v = getter(x);
          return v === undefined ? def : v;
        });
      }
      const [name, ...args] = positional;
      const filter = this.env.getFilter(String(name));
      const kw = forwardKwargs(kwargs);
      return items.map((x) => filter.call(this, x, ...args, ...kw));
    },
    select: selectOrReject(true, false),
    reject: selectOrReject(false, false),
    selectattr: selectOrReject(true, true),
    rejectattr: selectOrReject(false, true),
    unique(value: unknown, ...raw: unknown[]) {
      const a = bindArgs('unique', raw, ['case_sensitive', 'attribute'], { case_sensitive: false });
      const key = keyFor(pyTruthy(a.case_sensitive), a.attribute);
      const seen = new Set<string>();
      return toList(value).filter((x) => {
        const k = uniqueKey(key(x));
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
      });
    },
    items(value: unknown) {
      if (value === undefined) return [];
      if (!isMapping(value)) throw pyError('TypeError', 'Can only get item pairs from a mapping.');
      return pairsOf(value).map((p) => makeTuple(p));
    },
    min: minMax(false, 'min'),
    max: minMax(true, 'max'),
    sum(value: unknown, ...raw: unknown[]) {
      const a = bindArgs('sum', raw, ['attribute', 'start'], { start: 0 });
      const getter = optionalAttrGetter(a.attribute);
      return toList(value).reduce<unknown>((acc, x) => pyAdd(acc, getter(x)), a.start);
    },
    default(value: unknown, ...raw: unknown[]) {
      const a = bindArgs('default', raw, ['default_value', 'boolean'], { default_value: '', boolean: false });
      if (value === undefined || (pyTruthy(a.boolean) && !pyTruthy(value))) return a.default_value;
      return value;
    },
    list: (value: unknown) => toList(value),
    string: (value: unknown) => (isSafe(value) ? value : pyStr(value)),
    int(value: unknown, ...raw: unknown[]) {
      const a = bindArgs('int', raw, ['default', 'base'], { default: 0, base: 10 });
      return toPyInt(value, a.default, toInt(a.base, 'base'));
    },
    float(value: unknown, ...raw: unknown[]) {
      const a = bindArgs('float', raw, ['default'], { default: 0.0 });
      return toPyFloat(value, a.default);
    },
    join(value: unknown, ...raw: unknown[]) {
      const a = bindArgs('join', raw, ['d', 'attribute'], { d: '' });
      let items = toList(value);
      if (a.attribute !== undefined && a.attribute !== null) items = items.map(attrGetter(a.attribute));
      return items.map((x) => pyStr(x)).join(pyStr(a.d));
    },
    first(value: unknown) {
      return toList(value)[0];
    },
    last(value: unknown) {
      const items = toList(value);
      return items[items.length - 1];
    },
    lower: (value: unknown) => pyStr(value).toLowerCase(),
    upper: (value: unknown) => pyStr(value).toUpperCase(),
    title: (value: unknown) => pyTitle(pyStr(value)),
    center(value: unknown, ...raw: unknown[]) {
      const a = bindArgs('center', raw, ['width'], { width: 80 });
      return pyCenter(pyStr(value), toInt(a.width, 'width'), ' ');
    },
    trim(value: unknown, ...raw: unknown[]) {
      const a = bindArgs('trim', raw, ['chars']);
      return stripChars(pyStr(value), a.chars, true, true);
    },
    replace(value: unknown, ...raw: unknown[]) {
      const a = bindArgs('replace', raw, ['old', 'new', 'count']);
      const count = a.count === undefined || a.count === null ? -1 : toInt(a.count, 'count');
      const out = pyReplace(pyStr(value), pyStr(a.old), pyStr(a.new), count);
      return isSafe(value) ? runtime.markSafe(out) : out;
    },
    reverse(value: unknown) {
      if (isStrLike(value)) return Array.from(pyStr(value)).reverse().join('');
      return toList(value).reverse();
    },
    attr(value: unknown, name: unknown) {
      return jinjaGetattr(value, name);
    },
    format(value: unknown, ...raw: unknown[]) {
      const { positional, kwargs } = splitArgs(raw);
      if (positional.length && Object.keys(kwargs).length) throw pyError('FilterArgumentError', "can't handle positional and keyword arguments at the same time");
      return pyPercentFormat(pyStr(value), Object.keys(kwargs).length ? kwargs : makeTuple(positional));
    },
    groupby(value: unknown, ...raw: unknown[]) {
      const a = bindArgs('groupby', raw, ['attribute', 'default', 'case_sensitive'], { case_sensitive: false });
      const getter = attrGetter(a.attribute);
      const real = (x: unknown) => {
        const v = getter(x);
        return v === undefined ? a.default : v;
      };
      const key = (x: unknown) => foldCase(real(x), pyTruthy(a.case_sensitive));
      const sorted = toList(value).sort((x, y) => pyCmp(key(x), key(y)));
      const groups: unknown[][] = [];
      for (const item of sorted) {
        const last = groups[groups.length - 1];
        if (last && pyEq(key(last[0]), key(item))) last.push(item);
        else groups.push([item]);
      }
      return groups.map((list) => {
        const g = makeTuple([real(list[0]), list]);
        Object.defineProperty(g, 'grouper', { value: g[0], enumerable: false });
        Object.defineProperty(g, 'list', { value: list, enumerable: false });
        return g;
      });
    },
    dictsort(value: unknown, ...raw: unknown[]) {
      const a = bindArgs('dictsort', raw, ['case_sensitive', 'by', 'reverse'], { case_sensitive: false, by: 'key', reverse: false });
      if (a.by !== 'key' && a.by !== 'value') throw pyError('FilterArgumentError', 'You can only sort by either "key" or "value"');
      const pos = a.by === 'key' ? 0 : 1;
      const cs = pyTruthy(a.case_sensitive);
      const sorted = pairsOf(value).sort((x, y) => pyCmp(foldCase(x[pos], cs), foldCase(y[pos], cs)));
      if (pyTruthy(a.reverse)) sorted.reverse();
      return sorted.map((p) => makeTuple(p));
    },
    indent(value: unknown, ...raw: unknown[]) {
      const a = bindArgs('indent', raw, ['width', 'first', 'blank'], { width: 4, first: false, blank: false });
      const pad = typeof a.width === 'number' ? ' '.repeat(a.width) : pyStr(a.width);
      const lines = pySplitlines(`${pyStr(value)}\n`, false);
      let rv: string;
      if (pyTruthy(a.blank)) rv = lines.join(`\n${pad}`);
      else {
        rv = lines.shift() ?? '';
        if (lines.length) rv += `\n${lines.map((l) => (l ? pad + l : l)).join('\n')}`;
      }
      return pyTruthy(a.first) ? pad + rv : rv;
    },
    truncate(value: unknown, ...raw: unknown[]) {
      const a = bindArgs('truncate', raw, ['length', 'killwords', 'end', 'leeway'], { length: 255, killwords: false, end: '...', leeway: 5 });
      const s = pyStr(value);
      const length = toInt(a.length, 'length');
      const end = pyStr(a.end);
      const leeway = a.leeway === null ? 5 : toInt(a.leeway, 'leeway');
      if (length < end.length) throw pyError('AssertionError', 'expected length >= len(end)');
      if (leeway < 0) throw pyError('AssertionError', 'expected leeway >= 0');
      if (s.length <= length + leeway) return s;
      if (pyTruthy(a.killwords)) return s.slice(0, length - end.length) + end;
      const cut = s.slice(0, length - end.length);
      const sp = cut.lastIndexOf(' ');
      return (sp < 0 ? cut : cut.slice(0, sp)) + end;
    },
    round(value: unknown, ...raw: unknown[]) {
      const a = bindArgs('round', raw, ['precision', 'method'], { precision: 0, method: 'common' });
      return pyRound(Number(value), toInt(a.precision, 'precision'), pyStr(a.method));
    },
    // Ansible-style boolean coercion (not a Jinja2 builtin; documented as a tsql extra).
    bool(value: unknown) {
      if (typeof value === 'boolean') return value;
      if (value === undefined || value === null) return false;
      return ['yes', 'on', '1', 'true', 'y', 't'].includes(pyStr(value).trim().toLowerCase());
    },
    // dbt's filters for native rendering; in SQL rendering dbt registers them as identity.
    as_bool: (value: unknown) => value,
    as_number: (value: unknown) => value,
    as_native: (value: unknown) => value,
    as_text: (value: unknown) => value,
    is_list: (value: unknown) => Array.isArray(value) && !isTuple(value),
  };
}
