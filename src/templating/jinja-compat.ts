/**
 * Jinja2 compatibility layer for nunjucks 3.2.4.
 *
 * dbt projects are written in Jinja2; tsql renders them with nunjucks. This module closes
 * the gap in three places:
 *
 * 1. `preprocessJinja(source)` — a line-preserving source rewrite for lexer-level
 *    differences (Python string escapes, `{%+`/`+%}`, `}}` inside dict literals, ...).
 * 2. Process-wide patches of nunjucks' parser, compiler and runtime (installed once, the
 *    first time `installJinjaCompat` runs). nunjucks compiles templates to JS that calls
 *    `runtime.*` directly, so semantics such as Python truthiness, `~`, `==`, slicing,
 *    `str`/`list`/`dict` methods, loop scoping and printing `None`/`True` can only be
 *    changed there. nunjucks' own `installJinjaCompat()` is used for slice syntax and the
 *    `True`/`False`/`None` names; its `memberLookup` is replaced (it shadows an object's
 *    own `get`/`items` methods, slices strings into lists and its `pop(i)` returns a list).
 * 3. Per-environment filters, tests, globals and the `do`/`with` tags.
 *
 * What still differs from Jinja2 is listed in docs/jinja-differences.md.
 */
import nunjucks from 'nunjucks';

// nunjucks' parser/compiler/runtime internals are untyped.
type Any = any;
type Dict = Record<string, unknown>;

const nj = nunjucks as unknown as {
  runtime: Any;
  lib: Any;
  nodes: Any;
  lexer: Any;
  parser: { Parser: Any };
  compiler: { Compiler: Any };
  installJinjaCompat(): void;
};

const runtime = nj.runtime;
const SafeString = runtime.SafeString as new (v: string) => { val: string; length: number };

// ---------------------------------------------------------------------------
// Python value model
// ---------------------------------------------------------------------------

/** Marks arrays that came from tuple literals / `zip` / `.items()` (printed as `(a, b)`). */
const TUPLE = Symbol.for('tsql.jinja.tuple');
/** Marks `namespace()` objects (the only objects `{% set obj.attr = ... %}` may write to). */
const NAMESPACE = Symbol.for('tsql.jinja.namespace');
/** Per-loop state for `loop.changed()`. */
const LAST_CHANGED = Symbol.for('tsql.jinja.loopChanged');

/** An error named like Python's (nunjucks reports it as `Kind: message`). */
function pyError(kind: string, message: string): Error {
  const err = new Error(message);
  err.name = kind;
  return err;
}

function hasOwn(obj: object, key: PropertyKey): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

function isSafe(v: unknown): v is { val: string } {
  return v instanceof SafeString;
}

function isStrLike(v: unknown): v is string | { val: string } {
  return typeof v === 'string' || isSafe(v);
}

function isKwargs(v: unknown): boolean {
  return typeof v === 'object' && v !== null && hasOwn(v, '__keywords');
}

function isPlainObject(v: unknown): v is Dict {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function isNamespace(v: unknown): boolean {
  return typeof v === 'object' && v !== null && (v as Any)[NAMESPACE] === true;
}

/** A plain object that prints itself (e.g. a datetime-like object with its own toString). */
function hasCustomToString(v: object): boolean {
  return hasOwn(v, 'toString') && typeof (v as Any).toString === 'function';
}

/** Python dict-like: plain objects and Maps. */
function isMapping(v: unknown): boolean {
  return v instanceof Map || (isPlainObject(v) && !hasCustomToString(v));
}

export function makeTuple<T>(items: T[]): T[] {
  Object.defineProperty(items, TUPLE, { value: true, enumerable: false });
  return items;
}

export function isTuple(v: unknown): boolean {
  return Array.isArray(v) && (v as Any)[TUPLE] === true;
}

function dictKeys(d: Dict): string[] {
  return Object.keys(d).filter((k) => k !== '__keywords');
}

function splitArgs(args: unknown[]): { positional: unknown[]; kwargs: Dict } {
  const last = args[args.length - 1];
  if (args.length && isKwargs(last)) {
    const kwargs: Dict = {};
    for (const k of dictKeys(last as Dict)) kwargs[k] = (last as Dict)[k];
    return { positional: args.slice(0, -1), kwargs };
  }
  return { positional: args, kwargs: {} };
}

/** Binds positional + keyword arguments to a Python-style parameter list. */
function bindArgs(fname: string, raw: unknown[], params: string[], defaults: Dict = {}): Dict {
  const { positional, kwargs } = splitArgs(raw);
  if (positional.length > params.length) {
    throw pyError('TypeError', `${fname}() takes at most ${params.length} arguments (${positional.length} given)`);
  }
  const out: Dict = {};
  params.forEach((p, i) => {
    if (i < positional.length) out[p] = positional[i];
    else if (hasOwn(kwargs, p)) out[p] = kwargs[p];
    else out[p] = defaults[p];
  });
  for (const k of Object.keys(kwargs)) {
    if (!params.includes(k)) throw pyError('TypeError', `${fname}() got an unexpected keyword argument '${k}'`);
  }
  return out;
}

function pyTypeName(v: unknown): string {
  if (v === null) return 'NoneType';
  if (v === undefined) return 'Undefined';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (isStrLike(v)) return 'str';
  if (Array.isArray(v)) return isTuple(v) ? 'tuple' : 'list';
  if (isMapping(v)) return 'dict';
  if (typeof v === 'function') return 'function';
  return 'object';
}

/** Python truthiness: empty containers, '', 0, None and undefined are false. */
export function pyTruthy(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return v.length > 0;
  if (typeof v === 'bigint') return v !== 0n;
  if (isSafe(v)) return v.val.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof Map || v instanceof Set) return v.size > 0;
  if (isPlainObject(v) && !hasCustomToString(v)) return dictKeys(v).length > 0;
  return true;
}

function pyNumber(n: number): string {
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

function pyQuote(s: string): string {
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
      if (isPlainObject(v) && !hasCustomToString(v)) return dictRepr(v, seen);
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
  if (isPlainObject(v) && !hasCustomToString(v)) return pyRepr(v);
  return String(v);
}

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
function pyCmp(a: unknown, b: unknown): number {
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

/** Python iteration of a value into an array (dicts iterate their keys). */
export function toList(v: unknown): unknown[] {
  if (v === undefined) return [];
  if (v === null) throw pyError('TypeError', "'NoneType' object is not iterable");
  if (Array.isArray(v)) return v.slice();
  if (typeof v === 'string') return Array.from(v);
  if (isSafe(v)) return Array.from(v.val);
  if (v instanceof Map) return [...v.keys()];
  if (v instanceof Set) return [...v];
  if (isPlainObject(v) && !hasCustomToString(v)) return dictKeys(v);
  if (typeof v === 'object' && Symbol.iterator in v) return Array.from(v as Iterable<unknown>);
  throw pyError('TypeError', `'${pyTypeName(v)}' object is not iterable`);
}

interface DictAdapter {
  has(k: unknown): boolean;
  get(k: unknown): unknown;
  set(k: unknown, v: unknown): void;
  del(k: unknown): void;
  keys(): unknown[];
}

function toDictAdapter(d: unknown): DictAdapter {
  if (d instanceof Map) {
    return {
      has: (k) => d.has(k),
      get: (k) => d.get(k),
      set: (k, v) => void d.set(k, v),
      del: (k) => void d.delete(k),
      keys: () => [...d.keys()],
    };
  }
  const o = d as Dict;
  return {
    has: (k) => (typeof k === 'string' || typeof k === 'number') && k !== '__keywords' && hasOwn(o, String(k)),
    get: (k) => o[String(k)],
    set: (k, v) => {
      o[String(k)] = v;
    },
    del: (k) => {
      delete o[String(k)];
    },
    keys: () => dictKeys(o),
  };
}

/** Items of a mapping (Map or plain object) or of a list of pairs. */
function pairsOf(v: unknown): [unknown, unknown][] {
  if (isMapping(v)) {
    const d = toDictAdapter(v);
    return d.keys().map((k) => [k, d.get(k)]);
  }
  return toList(v).map((p) => {
    const pair = toList(p);
    if (pair.length !== 2) throw pyError('ValueError', 'dictionary update sequence element has wrong length');
    return [pair[0], pair[1]];
  });
}

function toInt(v: unknown, what: string): number {
  if (typeof v === 'boolean') return Number(v);
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  throw pyError('TypeError', `${what} must be an integer, not ${pyTypeName(v)}`);
}

/** Jinja's `environment.getitem`: item lookup (with negative indexes), then attribute. */
function getItem(obj: unknown, key: unknown): unknown {
  if (obj === undefined || obj === null) return undefined;
  if (obj instanceof Map) return obj.has(key) ? obj.get(key) : undefined;
  if ((Array.isArray(obj) || isStrLike(obj)) && typeof key === 'number' && Number.isInteger(key)) {
    const seq = Array.isArray(obj) ? obj : Array.from(String(obj));
    return seq[key < 0 ? seq.length + key : key];
  }
  const v = (obj as Any)[key as Any];
  if (typeof v === 'function' && !isPlainObject(obj)) return v.bind(obj);
  return v;
}

/** Jinja's `make_attrgetter`: dotted paths, integer parts index sequences. */
function attrGetter(attribute: unknown): (item: unknown) => unknown {
  const parts =
    typeof attribute === 'number'
      ? [attribute]
      : String(attribute)
          .split('.')
          .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  return (item) => parts.reduce<unknown>((o, p) => getItem(o, p), item);
}

// ---------------------------------------------------------------------------
// String formatting: str.format(), the `%` operator and the `format` filter
// ---------------------------------------------------------------------------

interface Spec {
  fill: string;
  align: string;
  sign: string;
  alt: boolean;
  zero: boolean;
  width: number;
  grouping: string;
  precision: number | undefined;
  type: string;
}

function groupDigits(intPart: string, sep: string, size: number): string {
  let out = '';
  for (let i = 0; i < intPart.length; i++) {
    if (i > 0 && (intPart.length - i) % size === 0) out += sep;
    out += intPart[i];
  }
  return out;
}

function fixedExp(n: number, digits: number, upper: boolean): string {
  const s = n.toExponential(digits).replace(/e([+-])(\d)$/, 'e$10$2');
  return upper ? s.toUpperCase() : s;
}

function generalFormat(n: number, precision: number | undefined, alt: boolean, upper: boolean): string {
  const p = precision === undefined ? 6 : precision === 0 ? 1 : precision;
  if (n === 0) return alt ? (0).toFixed(p - 1) : '0';
  const exp = Math.floor(Math.log10(Math.abs(Number(n.toExponential(p - 1)))));
  let s: string;
  if (exp >= -4 && exp < p) {
    s = n.toFixed(Math.max(0, p - 1 - exp));
    if (!alt && s.includes('.')) s = s.replace(/\.?0+$/, '');
  } else {
    s = fixedExp(n, p - 1, upper);
    if (!alt) s = s.replace(/\.?0+e/i, upper ? 'E' : 'e');
  }
  return upper ? s.toUpperCase() : s;
}

/** Formats a number per a (subset of the) Python format-spec mini-language. */
function formatNumber(value: number, spec: Spec): string {
  let type = spec.type;
  if (type === '' || type === 'n') type = Number.isInteger(value) && spec.precision === undefined ? 'd' : spec.precision === undefined ? '' : 'g';
  const neg = value < 0 || Object.is(value, -0);
  const abs = Math.abs(value);
  let body: string;
  let prefix = '';
  switch (type) {
    case 'd':
      body = String(Math.trunc(abs));
      break;
    case 'f':
    case 'F':
      body = Number.isFinite(abs) ? abs.toFixed(spec.precision ?? 6) : abs === Infinity ? 'inf' : 'nan';
      if (type === 'F') body = body.toUpperCase();
      break;
    case 'e':
    case 'E':
      body = fixedExp(abs, spec.precision ?? 6, type === 'E');
      break;
    case 'g':
    case 'G':
      body = generalFormat(abs, spec.precision, spec.alt, type === 'G');
      break;
    case '%':
      body = `${(abs * 100).toFixed(spec.precision ?? 6)}%`;
      break;
    case 'x':
    case 'X':
    case 'o':
    case 'b': {
      const base = type === 'b' ? 2 : type === 'o' ? 8 : 16;
      body = Math.trunc(abs).toString(base);
      if (type === 'X') body = body.toUpperCase();
      if (spec.alt) prefix = type === 'b' ? '0b' : type === 'o' ? '0o' : type === 'X' ? '0X' : '0x';
      break;
    }
    case 'c':
      return String.fromCodePoint(value);
    default:
      body = pyNumber(abs);
  }
  if (spec.grouping) {
    const m = /^(\d+)(.*)$/s.exec(body);
    if (m) body = groupDigits(m[1], spec.grouping, 'xXob'.includes(type) ? 4 : 3) + m[2];
  }
  const sign = neg ? '-' : spec.sign === '+' ? '+' : spec.sign === ' ' ? ' ' : '';
  return pad(sign + prefix, body, spec, '>');
}

function pad(signPart: string, body: string, spec: Spec, defaultAlign: string): string {
  const fill = spec.zero && !spec.fill ? '0' : spec.fill || ' ';
  const align = spec.align || (spec.zero && !spec.fill ? '=' : defaultAlign);
  const len = [...(signPart + body)].length;
  const missing = Math.max(0, spec.width - len);
  if (!missing) return signPart + body;
  const fillN = (n: number) => fill.repeat(n);
  switch (align) {
    case '<':
      return signPart + body + fillN(missing);
    case '^':
      return fillN(Math.floor(missing / 2)) + signPart + body + fillN(missing - Math.floor(missing / 2));
    case '=':
      return signPart + fillN(missing) + body;
    default:
      return fillN(missing) + signPart + body;
  }
}

const SPEC_RE = /^(?:([\s\S])?([<>=^]))?([-+ ])?(z)?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([bcdeEfFgGnosxX%])?$/;

function formatSpec(value: unknown, specText: string): string {
  const m = SPEC_RE.exec(specText);
  if (!m) throw pyError('ValueError', `Invalid format specifier '${specText}'`);
  const spec: Spec = {
    fill: m[1] ?? '',
    align: m[2] ?? '',
    sign: m[3] ?? '',
    alt: !!m[5],
    zero: !!m[6],
    width: m[7] ? Number(m[7]) : 0,
    grouping: m[8] ?? '',
    precision: m[9] !== undefined ? Number(m[9]) : undefined,
    type: m[10] ?? '',
  };
  if ((typeof value === 'number' || typeof value === 'boolean') && spec.type !== 's') {
    if (typeof value === 'boolean' && !spec.type) return pad('', pyStr(value), spec, '<');
    return formatNumber(Number(value), spec);
  }
  if (spec.type && spec.type !== 's') throw pyError('ValueError', `Unknown format code '${spec.type}' for object of type '${pyTypeName(value)}'`);
  let s = pyStr(value);
  if (spec.precision !== undefined) s = [...s].slice(0, spec.precision).join('');
  return pad('', s, { ...spec, zero: false, fill: spec.fill || (spec.zero ? '0' : '') }, '<');
}

/** Python `str.format`. */
function pyStrFormat(fmt: string, args: unknown[], kwargs: Dict): string {
  let out = '';
  let auto = 0;
  let i = 0;
  while (i < fmt.length) {
    const ch = fmt[i];
    if (ch === '{') {
      if (fmt[i + 1] === '{') {
        out += '{';
        i += 2;
        continue;
      }
      let depth = 1;
      let j = i + 1;
      while (j < fmt.length && depth) {
        if (fmt[j] === '{') depth++;
        else if (fmt[j] === '}') depth--;
        if (depth) j++;
      }
      if (depth) throw pyError('ValueError', "expected '}' before end of string");
      const field = fmt.slice(i + 1, j);
      i = j + 1;
      const fm = /^([^!:]*)(?:!([rsa]))?(?::([\s\S]*))?$/.exec(field);
      if (!fm) throw pyError('ValueError', `bad format field '${field}'`);
      const [, name, conv, specRaw] = fm;
      const head = /^[^.[]*/.exec(name)?.[0] ?? '';
      let value: unknown;
      if (head === '') value = args[auto++];
      else if (/^\d+$/.test(head)) value = args[Number(head)];
      else {
        if (!hasOwn(kwargs, head)) throw pyError('KeyError', pyQuote(head));
        value = kwargs[head];
      }
      const rest = name.slice(head.length);
      const accessRe = /\.([^.[]+)|\[([^\]]*)\]/g;
      let am: RegExpExecArray | null;
      while ((am = accessRe.exec(rest))) {
        value = am[1] !== undefined ? getItem(value, am[1]) : getItem(value, /^\d+$/.test(am[2]) ? Number(am[2]) : am[2]);
      }
      if (conv === 'r' || conv === 'a') value = pyRepr(value);
      else if (conv === 's') value = pyStr(value);
      const spec = specRaw ? pyStrFormat(specRaw, args.slice(auto), kwargs) : '';
      out += formatSpec(value, spec);
    } else if (ch === '}') {
      if (fmt[i + 1] !== '}') throw pyError('ValueError', "Single '}' encountered in format string");
      out += '}';
      i += 2;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

const PERCENT_RE = /%(?:\(([^)]*)\))?([#0\- +]*)(\*|\d+)?(?:\.(\*|\d+))?[hlL]?([diouxXeEfFgGcrsa%])/g;

/** Python `fmt % values` (printf-style). */
function pyPercentFormat(fmt: string, values: unknown): string {
  const mapping = isMapping(values) ? toDictAdapter(values) : undefined;
  const positional = mapping ? [] : isTuple(values) ? (values as unknown[]) : [values];
  let next = 0;
  const take = () => {
    if (next >= positional.length) throw pyError('TypeError', 'not enough arguments for format string');
    return positional[next++];
  };
  const out = fmt.replace(PERCENT_RE, (_all, key: string | undefined, flags: string, width: string | undefined, prec: string | undefined, conv: string) => {
    if (conv === '%') return '%';
    const w = width === '*' ? toInt(take(), '* width') : width ? Number(width) : 0;
    const p = prec === '*' ? toInt(take(), '* precision') : prec !== undefined ? Number(prec) : undefined;
    let value: unknown;
    if (key !== undefined) {
      if (!mapping) throw pyError('TypeError', 'format requires a mapping');
      if (!mapping.has(key)) throw pyError('KeyError', pyQuote(key));
      value = mapping.get(key);
    } else value = take();
    const spec: Spec = {
      fill: '',
      align: flags.includes('-') ? '<' : '',
      sign: flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '',
      alt: flags.includes('#'),
      zero: flags.includes('0') && !flags.includes('-'),
      width: w,
      grouping: '',
      precision: p,
      type: '',
    };
    switch (conv) {
      case 's':
      case 'r':
      case 'a': {
        let s = conv === 's' ? pyStr(value) : pyRepr(value);
        if (p !== undefined) s = s.slice(0, p);
        return pad('', s, { ...spec, zero: false }, '>');
      }
      case 'c':
        return pad('', typeof value === 'number' ? String.fromCodePoint(value) : pyStr(value), { ...spec, zero: false }, '>');
      default: {
        if (typeof value !== 'number' && typeof value !== 'boolean') {
          throw pyError('TypeError', `%${conv} format: a real number is required, not ${pyTypeName(value)}`);
        }
        const n = Number(value);
        const type = conv === 'i' || conv === 'u' ? 'd' : conv;
        if (type === 'd') return formatNumber(Math.trunc(n), { ...spec, precision: undefined, type: 'd' });
        return formatNumber(n, { ...spec, type });
      }
    }
  });
  if (!mapping && next < positional.length) throw pyError('TypeError', 'not all arguments converted during string formatting');
  return out;
}

// ---------------------------------------------------------------------------
// Python methods on str / list / dict
// ---------------------------------------------------------------------------

function stripChars(s: string, chars: unknown, left: boolean, right: boolean): string {
  if (chars === undefined || chars === null) {
    if (left) s = s.replace(/^\s+/, '');
    if (right) s = s.replace(/\s+$/, '');
    return s;
  }
  const set = new Set(Array.from(pyStr(chars)));
  const cps = Array.from(s);
  let a = 0;
  let b = cps.length;
  if (left) while (a < b && set.has(cps[a])) a++;
  if (right) while (b > a && set.has(cps[b - 1])) b--;
  return cps.slice(a, b).join('');
}

function pySplit(s: string, sep: unknown, maxsplit: number, fromRight: boolean): string[] {
  if (sep === undefined || sep === null) {
    const words: string[] = [];
    let rest = fromRight ? s.replace(/\s+$/, '') : s.replace(/^\s+/, '');
    while (rest.length) {
      if (maxsplit >= 0 && words.length >= maxsplit) {
        words.push(rest);
        break;
      }
      const m = fromRight ? /\s+(\S*)$/.exec(rest) : /^(\S*)\s+/.exec(rest);
      if (!m) {
        words.push(rest);
        break;
      }
      words.push(m[1]);
      rest = fromRight ? rest.slice(0, m.index) : rest.slice(m[0].length);
    }
    return fromRight ? words.reverse() : words;
  }
  const sp = pyStr(sep);
  if (sp === '') throw pyError('ValueError', 'empty separator');
  const parts = s.split(sp);
  if (maxsplit < 0 || parts.length <= maxsplit + 1) return parts;
  if (fromRight) return [parts.slice(0, parts.length - maxsplit).join(sp), ...parts.slice(parts.length - maxsplit)];
  return [...parts.slice(0, maxsplit), parts.slice(maxsplit).join(sp)];
}

function sliceBounds(len: number, start: unknown, end: unknown): [number, number] {
  const norm = (v: unknown, def: number) => {
    if (v === undefined || v === null) return def;
    let n = toInt(v, 'slice index');
    if (n < 0) n = Math.max(0, n + len);
    return Math.min(n, len);
  };
  return [norm(start, 0), norm(end, len)];
}

function pyTitle(s: string): string {
  return s.replace(/\p{L}+/gu, (w) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase());
}

function pyCenter(s: string, width: number, fill: string): string {
  const len = [...s].length;
  if (width <= len) return s;
  const marg = width - len;
  const left = Math.floor(marg / 2) + (marg & width & 1);
  return fill.repeat(left) + s + fill.repeat(marg - left);
}

type Method = (self: Any, args: unknown[]) => unknown;

function argStr(v: unknown, what: string): string {
  if (!isStrLike(v)) throw pyError('TypeError', `${what} must be str, not ${pyTypeName(v)}`);
  return String(isSafe(v) ? v.val : v);
}

function affix(s: string, raw: unknown[], test: (s: string, p: string) => boolean, name: string): boolean {
  const a = bindArgs(name, raw, ['prefix', 'start', 'end']);
  const [from, to] = sliceBounds(s.length, a.start, a.end);
  const sub = s.slice(from, to);
  const prefixes = Array.isArray(a.prefix) ? a.prefix : [a.prefix];
  return prefixes.some((p) => test(sub, argStr(p, `${name} arg`)));
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
  splitlines: (s: string, raw) => {
    const a = bindArgs('splitlines', raw, ['keepends'], { keepends: false });
    const parts = s.match(/[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$/g) ?? [];
    return a.keepends ? parts : parts.map((p) => p.replace(/(?:\r\n|\r|\n)$/, ''));
  },
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
        return String(isSafe(x) ? x.val : x);
      })
      .join(s),
  format: (s: string, raw) => {
    const { positional, kwargs } = splitArgs(raw);
    return pyStrFormat(s, positional, kwargs);
  },
  find: (s: string, raw) => {
    const a = bindArgs('find', raw, ['sub', 'start', 'end']);
    const [from, to] = sliceBounds(s.length, a.start, a.end);
    const i = s.slice(0, to).indexOf(argStr(a.sub, 'find() argument'), from);
    return i;
  },
  rfind: (s: string, raw) => {
    const a = bindArgs('rfind', raw, ['sub', 'start', 'end']);
    const [from, to] = sliceBounds(s.length, a.start, a.end);
    const sub = argStr(a.sub, 'rfind() argument');
    const i = s.slice(0, to).lastIndexOf(sub);
    return i >= from ? i : -1;
  },
  index: (s: string, raw) => {
    const i = STR_METHODS.find(s, raw) as number;
    if (i < 0) throw pyError('ValueError', 'substring not found');
    return i;
  },
  rindex: (s: string, raw) => {
    const i = STR_METHODS.rfind(s, raw) as number;
    if (i < 0) throw pyError('ValueError', 'substring not found');
    return i;
  },
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
  islower: (s: string) => /\p{Ll}/u.test(s) && !/[\p{Lu}\p{Lt}]/u.test(s),
  isupper: (s: string) => /\p{Lu}/u.test(s) && !/[\p{Ll}\p{Lt}]/u.test(s),
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

function pyReplace(s: string, old: string, repl: string, count: number): string {
  if (old === '') {
    const chars = Array.from(s);
    let out = '';
    let n = 0;
    for (let i = 0; i <= chars.length; i++) {
      if (count < 0 || n < count) {
        out += repl;
        n++;
      }
      if (i < chars.length) out += chars[i];
    }
    return out;
  }
  if (count < 0) return s.split(old).join(repl);
  let out = '';
  let pos = 0;
  for (let n = 0; n < count; n++) {
    const i = s.indexOf(old, pos);
    if (i < 0) break;
    out += s.slice(pos, i) + repl;
    pos = i + old.length;
  }
  return out + s.slice(pos);
}

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

/** The Python method `name` of `obj`, if obj is a str/list/tuple/dict that has one. */
function pythonMethod(obj: unknown, name: unknown, forAttribute: boolean): ((...args: unknown[]) => unknown) | undefined {
  if (typeof name !== 'string') return undefined;
  if (isStrLike(obj)) return hasOwn(STR_METHODS, name) ? bindMethod(STR_METHODS, String(isSafe(obj) ? obj.val : obj), name) : undefined;
  if (Array.isArray(obj)) {
    if (!hasOwn(LIST_METHODS, name) || (isTuple(obj) && !TUPLE_METHODS.has(name))) return undefined;
    return bindMethod(LIST_METHODS, obj, name);
  }
  if (!hasOwn(DICT_METHODS, name)) return undefined;
  if (obj instanceof Map) return bindMethod(DICT_METHODS, toDictAdapter(obj), name);
  if (isPlainObject(obj) && !hasCustomToString(obj)) {
    const own = hasOwn(obj, name) ? obj[name] : undefined;
    // A function the host put on the object is its method; data under that key is only
    // reachable as d['key'] (Jinja's getattr prefers the dict method, getitem the data).
    if (typeof own === 'function') return undefined;
    if (own !== undefined && !forAttribute) return undefined;
    return bindMethod(DICT_METHODS, toDictAdapter(obj), name);
  }
  return undefined;
}

function indexSeq(obj: unknown, key: number): unknown {
  const seq = Array.isArray(obj) ? obj : Array.from(String(isSafe(obj) ? obj.val : obj));
  return seq[key < 0 ? seq.length + key : key];
}

/** Python slicing `obj[start:stop:step]`; strings stay strings, tuples stay tuples. */
function pySlice(obj: unknown, start: unknown, stop: unknown, step: unknown): unknown {
  if (obj === undefined) return undefined;
  const isStr = isStrLike(obj);
  const seq = isStr ? Array.from(String(isSafe(obj) ? obj.val : obj)) : Array.isArray(obj) ? obj : toList(obj);
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

function pyIn(key: unknown, container: unknown): boolean {
  if (container === undefined) return false;
  if (container === null) throw pyError('TypeError', "argument of type 'NoneType' is not iterable");
  if (isStrLike(container)) {
    if (!isStrLike(key)) throw pyError('TypeError', `'in <string>' requires string as left operand, not ${pyTypeName(key)}`);
    return String(isSafe(container) ? container.val : container).includes(String(isSafe(key) ? key.val : key));
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

// ---------------------------------------------------------------------------
// Runtime helpers called from compiled templates (runtime.jinjaCompat.*)
// ---------------------------------------------------------------------------

interface MacroCall {
  varargs: unknown[];
  kwargs: Dict;
}

function loopIter(value: unknown, names: number): unknown {
  if (value === undefined || value === null) return value;
  if (isSafe(value)) return Array.from(value.val);
  if (names === 1) {
    if (value instanceof Map) return [...value.keys()];
    if (isMapping(value)) return dictKeys(value as Dict);
  }
  return value;
}

function loopFilter(src: unknown, names: number, keep: (item: unknown) => boolean): unknown {
  if (src === undefined || src === null) return src;
  if (Array.isArray(src)) return src.filter((x) => keep(x));
  if (typeof src === 'string') return Array.from(src).filter((x) => keep(x));
  if (names > 1 && isPlainObject(src)) {
    const out: Dict = {};
    for (const k of dictKeys(src)) if (keep([k, src[k]])) out[k] = src[k];
    return out;
  }
  return toList(src).filter((x) => keep(x));
}

const helpers = {
  macroStack: [] as MacroCall[],
  truthy: pyTruthy,
  or: (a: unknown, b: () => unknown) => (pyTruthy(a) ? a : b()),
  and: (a: unknown, b: () => unknown) => (pyTruthy(a) ? b() : a),
  concat: (a: unknown, b: unknown) => pyStr(a) + pyStr(b),
  add: (a: unknown, b: unknown): unknown => {
    if (Array.isArray(a) && Array.isArray(b)) {
      const r = a.concat(b);
      return isTuple(a) && isTuple(b) ? makeTuple(r) : r;
    }
    if (isSafe(a) || isSafe(b)) return (isSafe(a) ? a.val : (a as Any)) + (isSafe(b) ? b.val : (b as Any));
    return (a as Any) + (b as Any);
  },
  mul: (a: unknown, b: unknown): unknown => {
    const rep = (seq: unknown, n: number): unknown => {
      const k = Math.max(0, Math.trunc(n));
      if (isStrLike(seq)) return String(isSafe(seq) ? seq.val : seq).repeat(k);
      const arr = seq as unknown[];
      const out: unknown[] = [];
      for (let i = 0; i < k; i++) out.push(...arr);
      return isTuple(arr) ? makeTuple(out) : out;
    };
    if ((isStrLike(a) || Array.isArray(a)) && (typeof b === 'number' || typeof b === 'boolean')) return rep(a, Number(b));
    if ((isStrLike(b) || Array.isArray(b)) && (typeof a === 'number' || typeof a === 'boolean')) return rep(b, Number(a));
    return (a as Any) * (b as Any);
  },
  mod: (a: unknown, b: unknown): unknown => {
    if (isStrLike(a)) return pyPercentFormat(String(isSafe(a) ? a.val : a), b);
    const x = Number(a);
    const y = Number(b);
    if (y === 0) throw pyError('ZeroDivisionError', 'integer division or modulo by zero');
    const r = x % y;
    return r !== 0 && r < 0 !== y < 0 ? r + y : r;
  },
  compare: (first: unknown, ...rest: unknown[]): boolean => {
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
  },
  tuple: (items: unknown[]) => makeTuple(items),
  key: (k: unknown) => (typeof k === 'number' ? String(k) : pyStr(k)),
  slice: pySlice,
  getattr: (obj: unknown, key: unknown): unknown => {
    const m = obj === undefined || obj === null ? undefined : pythonMethod(obj, key, true);
    return m ?? runtime.memberLookup(obj, key);
  },
  setattr: (obj: unknown, key: unknown, value: unknown): void => {
    if (!isNamespace(obj)) throw pyError('TemplateRuntimeError', 'cannot assign attribute on non-namespace object');
    (obj as Dict)[String(key)] = value;
  },
  unpack: (value: unknown, n: number): unknown[] => {
    const items = toList(value);
    if (items.length > n) throw pyError('ValueError', `too many values to unpack (expected ${n})`);
    if (items.length < n) throw pyError('ValueError', `not enough values to unpack (expected ${n}, got ${items.length})`);
    return items;
  },
  loopIter,
  loopFilter,
  resetIteration: (frame: { variables: Dict }, keep: string[]): void => {
    for (const k of Object.keys(frame.variables)) {
      if (k !== 'loop' && !keep.includes(k) && k !== '[object Object]') delete frame.variables[k];
    }
  },
  loopItem: (arr: unknown, j: number): unknown => {
    if (typeof arr === 'string') arr = Array.from(arr);
    return Array.isArray(arr) && j >= 0 && j < arr.length ? arr[j] : undefined;
  },
  loopCycle: (i: number) =>
    function cycle(...args: unknown[]): unknown {
      const { positional } = splitArgs(args);
      if (!positional.length) throw pyError('TypeError', 'no items for cycling given');
      return positional[i % positional.length];
    },
  loopChanged: (loop: Dict | undefined) =>
    function changed(...args: unknown[]): boolean {
      const value = makeTuple(splitArgs(args).positional);
      const state = loop as Any;
      if (state && state[LAST_CHANGED] !== undefined && pyEq(state[LAST_CHANGED], value)) return false;
      if (state) Object.defineProperty(state, LAST_CHANGED, { value, writable: true, configurable: true, enumerable: false });
      return true;
    },
};

// ---------------------------------------------------------------------------
// Process-wide nunjucks patches (parser, compiler, runtime)
// ---------------------------------------------------------------------------

function installGlobalPatches(): void {
  if (runtime.jinjaCompat) return;
  runtime.jinjaCompat = helpers;
  const JC = 'runtime.jinjaCompat';
  const { nodes, lexer } = nj;

  // nunjucks' own compat layer: slice syntax (x[1:], x[::-1]) and True/False/None names.
  // Its memberLookup is discarded (see the module comment); ours is installed below.
  const memberLookupBefore = runtime.memberLookup;
  nj.installJinjaCompat();
  runtime.memberLookup = memberLookupBefore;

  // ---- runtime -----------------------------------------------------------
  const prevMemberLookup = runtime.memberLookup;
  runtime.memberLookup = function memberLookup(this: unknown, obj: unknown, key: unknown, ...rest: unknown[]) {
    if (rest.length === 2) return pySlice(obj, key, rest[0], rest[1]);
    if (obj !== undefined && obj !== null) {
      if (typeof key === 'number' && Number.isInteger(key) && (Array.isArray(obj) || isStrLike(obj))) {
        if (key < 0 || !Array.isArray(obj)) return indexSeq(obj, key);
      }
      if (obj instanceof Map && obj.has(key)) return obj.get(key);
      const m = pythonMethod(obj, key, false);
      if (m) return m;
    }
    return prevMemberLookup.call(this, obj, key);
  };

  const prevSuppress = runtime.suppressValue;
  runtime.suppressValue = function suppressValue(this: unknown, val: unknown, autoescape: boolean) {
    if (val !== undefined && typeof val !== 'string' && !isSafe(val)) val = pyStr(val);
    return prevSuppress.call(this, val, autoescape);
  };

  // None is a defined value in Jinja: with throwOnUndefined only `undefined` may fail.
  const prevEnsureDefined = runtime.ensureDefined;
  runtime.ensureDefined = function ensureDefined(this: unknown, val: unknown, lineno: number, colno: number) {
    return val === null ? val : prevEnsureDefined.call(this, val, lineno, colno);
  };

  runtime.inOperator = (key: unknown, container: unknown) => pyIn(key, container);

  // Macros: expose surplus arguments as `varargs` (tuple) and `kwargs` (dict).
  const prevMakeMacro = runtime.makeMacro;
  runtime.makeMacro = function makeMacro(this: unknown, argNames: string[], kwargNames: string[], func: unknown) {
    const macro = prevMakeMacro.call(this, argNames, kwargNames, func) as (...a: unknown[]) => unknown;
    const declared = new Set([...argNames, ...kwargNames, 'caller']);
    const wrapped = function (this: unknown, ...args: unknown[]) {
      const { positional, kwargs } = splitArgs(args);
      const extra: Dict = {};
      for (const k of Object.keys(kwargs)) if (!declared.has(k)) extra[k] = kwargs[k];
      helpers.macroStack.push({ varargs: makeTuple(positional.slice(argNames.length + kwargNames.length)), kwargs: extra });
      try {
        return macro.apply(this, args);
      } finally {
        helpers.macroStack.pop();
      }
    };
    return wrapped;
  };
  const prevLookup = runtime.contextOrFrameLookup;
  runtime.contextOrFrameLookup = function contextOrFrameLookup(this: unknown, context: unknown, frame: unknown, name: string) {
    const v = prevLookup.call(this, context, frame, name);
    if (v === undefined && (name === 'varargs' || name === 'kwargs') && helpers.macroStack.length) {
      return helpers.macroStack[helpers.macroStack.length - 1][name];
    }
    return v;
  };

  // ---- AST nodes -----------------------------------------------------------
  const def = (name: string, fields: string[], base: Any = nodes.Node) => {
    const cls = base.extend(name, { fields, jcNode: true });
    nodes[name] = cls; // lets nunjucks' transformer rebuild the node if it needs to
    return cls;
  };
  const JcTruthy = def('JcTruthy', ['target']);
  const JcTuple = nodes.NodeList.extend('JcTuple', { jcNode: true });
  nodes.JcTuple = JcTuple;
  const JcTest = def('JcTest', ['name', 'args']);
  const JcLoopIter = def('JcLoopIter', ['iter', 'cond', 'names']);
  def('JcWith', ['names', 'values', 'body']);
  def('JcDo', ['expr']);
  const JcRaw = def('JcRaw', ['code']);
  const JcSlice = def('JcSlice', ['start', 'stop', 'step']);

  // ---- parser --------------------------------------------------------------
  const P = nj.parser.Parser.prototype;

  // `a.b` vs `a['b']`: Jinja's getattr prefers Python methods, getitem prefers data.
  P.parsePostfix = function parsePostfix(this: Any, node: Any) {
    let tok = this.peekToken();
    while (tok) {
      if (tok.type === lexer.TOKEN_LEFT_PAREN) {
        node = new nodes.FunCall(tok.lineno, tok.colno, node, this.parseSignature());
      } else if (tok.type === lexer.TOKEN_LEFT_BRACKET) {
        const lookup = this.parseAggregate();
        if (lookup.children.length > 1) this.fail('invalid index');
        node = new nodes.LookupVal(tok.lineno, tok.colno, node, lookup.children[0]);
      } else if (tok.type === lexer.TOKEN_OPERATOR && tok.value === '.') {
        this.nextToken();
        const val = this.nextToken();
        if (!val || ![lexer.TOKEN_SYMBOL, lexer.TOKEN_BOOLEAN, lexer.TOKEN_NONE].includes(val.type)) {
          this.fail(`expected name as lookup value, got ${val ? val.value : 'end of file'}`, val?.lineno, val?.colno);
        }
        node = new nodes.LookupVal(tok.lineno, tok.colno, node, new nodes.Literal(val.lineno, val.colno, val.value));
        node.jcAttr = true;
      } else {
        break;
      }
      tok = this.peekToken();
    }
    return node;
  };

  // (a, b), (a,), (), [a, b,], {k: v,}, subscripts with slices x[a:b:c]; dict keys are expressions.
  P.parseAggregate = function parseAggregate(this: Any) {
    const tok = this.nextToken();
    const closers = [lexer.TOKEN_RIGHT_PAREN, lexer.TOKEN_RIGHT_BRACKET, lexer.TOKEN_RIGHT_CURLY];
    let node: Any;
    if (tok.type === lexer.TOKEN_LEFT_PAREN) node = new nodes.Group(tok.lineno, tok.colno);
    else if (tok.type === lexer.TOKEN_LEFT_BRACKET) node = new nodes.Array(tok.lineno, tok.colno);
    else if (tok.type === lexer.TOKEN_LEFT_CURLY) node = new nodes.Dict(tok.lineno, tok.colno);
    else return null;
    let trailingComma = false;
    const closes = () => closers.includes(this.peekToken().type);
    for (;;) {
      if (closes()) {
        this.nextToken();
        break;
      }
      if (node.children.length > 0) {
        if (!this.skip(lexer.TOKEN_COMMA)) this.fail('parseAggregate: expected comma after expression', tok.lineno, tok.colno);
        if (closes()) {
          this.nextToken();
          trailingComma = true;
          break;
        }
      }
      if (node instanceof nodes.Dict) {
        const key = this.parseExpression();
        if (!this.skip(lexer.TOKEN_COLON)) this.fail('parseAggregate: expected colon after dict key', tok.lineno, tok.colno);
        node.addChild(new nodes.Pair(key.lineno, key.colno, key, this.parseExpression()));
      } else if (node instanceof nodes.Array && node.children.length === 0) {
        const start = this.peekToken().type === lexer.TOKEN_COLON ? null : this.parseExpression();
        if (this.skip(lexer.TOKEN_COLON)) {
          const bound = () => ([lexer.TOKEN_COLON, lexer.TOKEN_RIGHT_BRACKET].includes(this.peekToken().type) ? null : this.parseExpression());
          const stop = bound();
          const step = this.skip(lexer.TOKEN_COLON) ? bound() : null;
          if (this.peekToken().type !== lexer.TOKEN_RIGHT_BRACKET) this.fail('parseSlice: expected ]', tok.lineno, tok.colno);
          this.nextToken();
          const lit = (v: Any) => v ?? new nodes.Literal(tok.lineno, tok.colno, null);
          node.addChild(new JcSlice(tok.lineno, tok.colno, lit(start), lit(stop), lit(step)));
          return node;
        }
        node.addChild(start);
      } else {
        node.addChild(this.parseExpression());
      }
    }
    if (node instanceof nodes.Group && (node.children.length !== 1 || trailingComma)) {
      return new JcTuple(node.lineno, node.colno, node.children);
    }
    return node;
  };

  // `x is test`, `x is test arg`, `x is test(args)`, `x is none/true/false`.
  P.parseIs = function parseIs(this: Any) {
    let node = this.parseCompare();
    if (!this.skipSymbol('is')) return node;
    const negated = this.skipSymbol('not');
    const tok = this.nextToken();
    let name: string;
    if (tok && tok.type === lexer.TOKEN_SYMBOL) name = tok.value;
    else if (tok && tok.type === lexer.TOKEN_BOOLEAN) name = tok.value;
    else if (tok && tok.type === lexer.TOKEN_NONE) name = 'none';
    else return this.fail('expected test name after "is"', tok?.lineno, tok?.colno);
    let args = new nodes.NodeList(tok.lineno, tok.colno);
    const next = this.peekToken();
    if (next && next.type === lexer.TOKEN_LEFT_PAREN) {
      args = this.parseSignature();
    } else if (
      next &&
      [lexer.TOKEN_SYMBOL, lexer.TOKEN_STRING, lexer.TOKEN_INT, lexer.TOKEN_FLOAT, lexer.TOKEN_BOOLEAN, lexer.TOKEN_NONE, lexer.TOKEN_LEFT_BRACKET, lexer.TOKEN_LEFT_CURLY].includes(next.type) &&
      !(next.type === lexer.TOKEN_SYMBOL && ['else', 'or', 'and', 'if', 'in', 'not'].includes(next.value))
    ) {
      if (next.type === lexer.TOKEN_SYMBOL && next.value === 'is') this.fail('You cannot chain multiple tests with is', next.lineno, next.colno);
      args.addChild(this.parsePrimary());
    }
    node = new nodes.Is(node.lineno, node.colno, node, new JcTest(tok.lineno, tok.colno, name, args));
    return negated ? new nodes.Not(node.lineno, node.colno, node) : node;
  };

  // `set a, b = 1, 2`, `set ns.attr = v`, `{% set x -%}`, `{% set x | upper %}...{% endset %}`.
  P.parseSet = function parseSet(this: Any) {
    const tag = this.peekToken();
    if (!this.skipSymbol('set')) this.fail('parseSet: expected set', tag.lineno, tag.colno);
    const node = new nodes.Set(tag.lineno, tag.colno, []);
    let target;
    while ((target = this.parsePrimary())) {
      node.targets.push(target);
      if (!this.skip(lexer.TOKEN_COMMA)) break;
    }
    if (this.skipValue(lexer.TOKEN_OPERATOR, '=')) {
      const first = this.parseExpression();
      if (this.peekToken().type === lexer.TOKEN_COMMA) {
        const items = [first];
        while (this.skip(lexer.TOKEN_COMMA)) {
          if (this.peekToken().type === lexer.TOKEN_BLOCK_END) break;
          items.push(this.parseExpression());
        }
        node.value = new JcTuple(first.lineno, first.colno, items);
      } else {
        node.value = first;
      }
      this.advanceAfterBlockEnd(tag.value);
      return node;
    }
    const placeholder = new JcRaw(tag.lineno, tag.colno, '""');
    const filtered = this.peekToken().type === lexer.TOKEN_PIPE ? this.parseFilter(placeholder) : null;
    const end = this.nextToken();
    if (!end || end.type !== lexer.TOKEN_BLOCK_END) this.fail('parseSet: expected = or block end in set tag', tag.lineno, tag.colno);
    if (end.value.charAt(0) === '-') this.dropLeadingWhitespace = true;
    const capture = new nodes.Capture(tag.lineno, tag.colno, this.parseUntilBlocks('endset'));
    if (filtered) {
      let f = filtered;
      while (f.args.children[0] !== placeholder) f = f.args.children[0];
      f.args.children[0] = capture;
    }
    node.body = filtered ?? capture;
    node.value = null;
    this.advanceAfterBlockEnd();
    return node;
  };

  // `for x in items if cond` (loop filtering) and Jinja loop scoping.
  const origParseFor = P.parseFor;
  P.parseFor = function parseFor(this: Any) {
    const node = origParseFor.call(this);
    let iter = node.arr;
    let cond = null;
    if (iter instanceof nodes.InlineIf && iter.else_ === null) {
      cond = iter.cond;
      iter = iter.body;
    }
    const names = node.name instanceof nodes.Array ? node.name.children.map((c: Any) => c.value) : [node.name.value];
    node.arr = new JcLoopIter(iter.lineno, iter.colno, iter, cond, names);
    return node;
  };

  // `{% raw %}` ends at the first `{% endraw %}` (as in Jinja) and honours `-` on both tags.
  P.parseRaw = function parseRaw(this: Any, tagName?: string) {
    const name = tagName || 'raw';
    const begun = this.advanceAfterBlockEnd();
    const m = this.tokens._extractRegex(new RegExp(`^([\\s\\S]*?)\\{%([-+]?)\\s*end${name}\\s*([-+]?)%\\}`));
    if (!m) this.fail(`expected end${name}`, begun.lineno, begun.colno);
    let str: string = m[1];
    if (this.dropLeadingWhitespace) {
      str = str.replace(/^\s*/, '');
      this.dropLeadingWhitespace = false;
    }
    if (m[2] === '-') str = str.replace(/\s*$/, '');
    if (m[3] === '-') this.dropLeadingWhitespace = true;
    return new nodes.Output(begun.lineno, begun.colno, [new nodes.TemplateData(begun.lineno, begun.colno, str)]);
  };

  // ---- compiler ------------------------------------------------------------
  const C = nj.compiler.Compiler.prototype;

  const origAssertType = C.assertType;
  C.assertType = function assertType(this: Any, node: Any, ...types: Any[]) {
    if (node && node.jcNode) return;
    return origAssertType.call(this, node, ...types);
  };

  const truthyNode = (n: Any) => (n && n.typename === 'JcTruthy' ? n : new JcTruthy(n.lineno, n.colno, n));

  C.compileJcTruthy = function (this: Any, node: Any, frame: Any) {
    this._emit(`${JC}.truthy(`);
    this.compile(node.target, frame);
    this._emit(')');
  };
  C.compileJcRaw = function (this: Any, node: Any) {
    this._emit(node.code);
  };
  const emitTuple = function (this: Any, node: Any, frame: Any) {
    this._emit(`${JC}.tuple(`);
    this._compileAggregate(node, frame, '[', ']');
    this._emit(')');
  };
  C.compileJcTuple = emitTuple;

  const origCompileIf = C.compileIf;
  C.compileIf = function (this: Any, node: Any, frame: Any, async?: boolean) {
    node.cond = truthyNode(node.cond);
    return origCompileIf.call(this, node, frame, async);
  };
  const origCompileInlineIf = C.compileInlineIf;
  C.compileInlineIf = function (this: Any, node: Any, frame: Any) {
    node.cond = truthyNode(node.cond);
    return origCompileInlineIf.call(this, node, frame);
  };
  const origCompileNot = C.compileNot;
  C.compileNot = function (this: Any, node: Any, frame: Any) {
    node.target = truthyNode(node.target);
    return origCompileNot.call(this, node, frame);
  };

  const lazyBinOp = (fn: string) =>
    function (this: Any, node: Any, frame: Any) {
      this._emit(`${JC}.${fn}(`);
      this.compile(node.left, frame);
      this._emit(', function() { return ');
      this.compile(node.right, frame);
      this._emit('; })');
    };
  C.compileOr = lazyBinOp('or');
  C.compileAnd = lazyBinOp('and');

  const binOp = (fn: string) =>
    function (this: Any, node: Any, frame: Any) {
      this._emit(`${JC}.${fn}(`);
      this.compile(node.left, frame);
      this._emit(', ');
      this.compile(node.right, frame);
      this._emit(')');
    };
  C.compileConcat = binOp('concat');
  C.compileAdd = binOp('add');
  C.compileMul = binOp('mul');
  C.compileMod = binOp('mod');

  C.compileCompare = function (this: Any, node: Any, frame: Any) {
    this._emit(`${JC}.compare(`);
    this.compile(node.expr, frame);
    for (const op of node.ops) {
      this._emit(`, ${JSON.stringify(op.type)}, `);
      this.compile(op.expr, frame);
    }
    this._emit(')');
  };

  // Jinja dict keys are expressions: {name: 1} uses the variable `name`.
  const origCompileDict = C.compileDict;
  C.compileDict = function (this: Any, node: Any, frame: Any) {
    if (node instanceof nodes.KeywordArgs) return origCompileDict.call(this, node, frame);
    this._emit('{');
    node.children.forEach((pair: Any, i: number) => {
      if (i > 0) this._emit(', ');
      if (pair.key instanceof nodes.Literal && typeof pair.key.value === 'string') this.compile(pair.key, frame);
      else {
        this._emit(`[${JC}.key(`);
        this._compileExpression(pair.key, frame);
        this._emit(')]');
      }
      this._emit(': ');
      this._compileExpression(pair.value, frame);
    });
    this._emit('}');
  };

  const origCompileGroup = C.compileGroup;
  C.compileGroup = function (this: Any, node: Any, frame: Any) {
    if (node.children.length > 1) return emitTuple.call(this, node, frame);
    return origCompileGroup.call(this, node, frame);
  };

  const origCompileIs = C.compileIs;
  C.compileIs = function (this: Any, node: Any, frame: Any) {
    if (!node.right || node.right.typename !== 'JcTest') return origCompileIs.call(this, node, frame);
    this._emit(`${JC}.truthy(env.getTest(${JSON.stringify(node.right.name)}).call(context, `);
    this.compile(node.left, frame);
    for (const arg of node.right.args.children) {
      this._emit(', ');
      this._compileExpression(arg, frame);
    }
    this._emit('))');
  };

  const origCompileLookupVal = C.compileLookupVal;
  C.compileLookupVal = function (this: Any, node: Any, frame: Any) {
    if (node.val && (node.val.typename === 'JcSlice' || node.val.typename === 'Slice')) {
      this._emit(`${JC}.slice((`);
      this._compileExpression(node.target, frame);
      this._emit('), ');
      this._compileExpression(node.val.start, frame);
      this._emit(', ');
      this._compileExpression(node.val.stop, frame);
      this._emit(', ');
      this._compileExpression(node.val.step, frame);
      this._emit(')');
      return;
    }
    if (node.jcAttr) {
      this._emit(`${JC}.getattr((`);
      this._compileExpression(node.target, frame);
      this._emit('), ');
      this._compileExpression(node.val, frame);
      this._emit(')');
      return;
    }
    return origCompileLookupVal.call(this, node, frame);
  };

  // Tuple unpacking and namespace attribute assignment.
  const origCompileSet = C.compileSet;
  C.compileSet = function (this: Any, node: Any, frame: Any) {
    const targets: Any[] = node.targets;
    if (targets.length === 1 && targets[0] instanceof nodes.Symbol) return origCompileSet.call(this, node, frame);
    const tmp = this._tmpid();
    this._emit(`var ${tmp} = `);
    if (node.value) this._compileExpression(node.value, frame);
    else this.compile(node.body, frame);
    this._emitLine(';');
    if (targets.length > 1) this._emitLine(`${tmp} = ${JC}.unpack(${tmp}, ${targets.length});`);
    targets.forEach((t, i) => {
      const code = targets.length > 1 ? `${tmp}[${i}]` : tmp;
      if (t instanceof nodes.LookupVal) {
        this._emit(`${JC}.setattr((`);
        this._compileExpression(t.target, frame);
        this._emit('), ');
        this._compileExpression(t.val, frame);
        this._emitLine(`, ${code});`);
      } else if (t instanceof nodes.Symbol) {
        origCompileSet.call(this, new nodes.Set(t.lineno, t.colno, [t], new JcRaw(t.lineno, t.colno, code)), frame);
      } else {
        this.fail('cannot assign to this expression', t.lineno, t.colno);
      }
    });
  };

  // for-loop iterable: Jinja scoping (no leaking `set`), dict keys, loop filtering.
  C.compileJcLoopIter = function (this: Any, node: Any, frame: Any) {
    const n = node.names.length;
    this._emit('(frame.isolateWrites = true, ');
    if (!node.cond) {
      this._emit(`${JC}.loopIter(`);
      this._compileExpression(node.iter, frame);
      this._emit(`, ${n}))`);
      return;
    }
    const item = this._tmpid();
    this._emit(`${JC}.loopFilter(${JC}.loopIter(`);
    this._compileExpression(node.iter, frame);
    this._emit(`, ${n}), ${n}, function(${item}) { frame = frame.push(); `);
    const inner = frame.push();
    node.names.forEach((name: string, k: number) => {
      const id = this._tmpid();
      inner.set(name, id);
      this._emit(`var ${id} = ${n > 1 ? `${item}[${k}]` : item}; frame.set(${JSON.stringify(name)}, ${id}); `);
    });
    const res = this._tmpid();
    this._emit(`var ${res} = ${JC}.truthy(`);
    this._compileExpression(node.cond, inner);
    this._emit(`); frame = frame.pop(); return ${res}; }))`);
  };

  const origEmitLoopBindings = C._emitLoopBindings;
  C._emitLoopBindings = function (this: Any, node: Any, arr: string, i: string, len: string) {
    origEmitLoopBindings.call(this, node, arr, i, len);
    // Jinja starts every iteration from the outer scope: drop what `set` stored last time.
    const names = node.name instanceof nodes.Array ? node.name.children.map((c: Any) => c.value) : [node.name.value];
    this._emitLine(`${JC}.resetIteration(frame, ${JSON.stringify(names)});`);
    this._emitLine(`frame.set("loop.previtem", ${JC}.loopItem(${arr}, ${i} - 1));`);
    this._emitLine(`frame.set("loop.nextitem", ${JC}.loopItem(${arr}, ${i} + 1));`);
    this._emitLine('frame.set("loop.depth", 1);');
    this._emitLine('frame.set("loop.depth0", 0);');
    this._emitLine(`frame.set("loop.cycle", ${JC}.loopCycle(${i}));`);
    this._emitLine(`frame.set("loop.changed", ${JC}.loopChanged(frame.variables.loop));`);
  };

  // {% with a=1, b=a %}...{% endwith %}: values are evaluated in the outer scope.
  C.compileJcWith = function (this: Any, node: Any, frame: Any) {
    const ids = node.values.children.map((value: Any) => {
      const id = this._tmpid();
      this._emit(`var ${id} = `);
      this._compileExpression(value, frame);
      this._emitLine(';');
      return id;
    });
    this._emitLine('frame = frame.push(true);');
    const inner = frame.push(true);
    node.names.forEach((name: string, k: number) => {
      inner.set(name, ids[k]);
      this._emitLine(`frame.set(${JSON.stringify(name)}, ${ids[k]});`);
    });
    this.compile(node.body, inner);
    this._emitLine('frame = frame.pop();');
  };

  C.compileJcDo = function (this: Any, node: Any, frame: Any) {
    this._compileExpression(node.expr, frame);
    this._emitLine(';');
  };
}

// ---------------------------------------------------------------------------
// Tag extensions
// ---------------------------------------------------------------------------

const doExtension = {
  tags: ['do'],
  parse(parser: Any, nodes: Any) {
    const tok = parser.nextToken();
    const expr = parser.parseExpression();
    parser.advanceAfterBlockEnd(tok.value);
    return new nodes.JcDo(tok.lineno, tok.colno, expr);
  },
};

const withExtension = {
  tags: ['with'],
  parse(parser: Any, nodes: Any, lexer: Any) {
    const tok = parser.nextToken();
    const names: string[] = [];
    const values = new nodes.NodeList(tok.lineno, tok.colno);
    while (parser.peekToken().type !== lexer.TOKEN_BLOCK_END) {
      if (names.length && !parser.skip(lexer.TOKEN_COMMA)) parser.fail('with: expected comma between assignments', tok.lineno, tok.colno);
      const name = parser.parsePrimary(true);
      if (!(name instanceof nodes.Symbol)) parser.fail('with: expected a variable name', name.lineno, name.colno);
      if (!parser.skipValue(lexer.TOKEN_OPERATOR, '=')) parser.fail('with: expected "=" after the variable name', name.lineno, name.colno);
      names.push(name.value);
      values.addChild(parser.parseExpression());
    }
    parser.advanceAfterBlockEnd(tok.value);
    const body = parser.parseUntilBlocks('endwith');
    parser.advanceAfterBlockEnd();
    return new nodes.JcWith(tok.lineno, tok.colno, names, values, body);
  },
};

// ---------------------------------------------------------------------------
// Filters
// ---------------------------------------------------------------------------

interface FilterContext {
  env: nunjucks.Environment;
}

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

function toIntFilter(value: unknown, def: unknown, base: number): unknown {
  if (typeof value === 'boolean') return Number(value);
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : def;
  if (isStrLike(value)) {
    const s = String(isSafe(value) ? value.val : value);
    const i = strictInt(s, base);
    if (i !== undefined) return i;
    const f = strictFloat(s);
    return f !== undefined && Number.isFinite(f) ? Math.trunc(f) : def;
  }
  return def;
}

function toFloatFilter(value: unknown, def: unknown): unknown {
  if (typeof value === 'boolean') return Number(value);
  if (typeof value === 'number') return value;
  if (isStrLike(value)) {
    const f = strictFloat(String(isSafe(value) ? value.val : value));
    return f === undefined ? def : f;
  }
  return def;
}

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

/** Python `json.dumps(value, sort_keys=True, indent=indent)` (Jinja's tojson policy). */
function pyJsonDumps(value: unknown, indent: string | undefined, level = 0, seen: Set<unknown> = new Set()): string {
  if (value === undefined || value === null) return 'null';
  if (value === true) return 'true';
  if (value === false) return 'false';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : value === Infinity ? 'Infinity' : value === -Infinity ? '-Infinity' : String(value);
  if (typeof value === 'bigint') return String(value);
  if (isStrLike(value)) return jsonString(String(isSafe(value) ? value.val : value));
  if (value instanceof Date) return jsonString(value.toISOString());
  if (typeof value !== 'object') return 'null';
  if (seen.has(value)) throw pyError('ValueError', 'Circular reference detected');
  const toJSON = (value as { toJSON?: () => unknown }).toJSON;
  if (typeof toJSON === 'function') return pyJsonDumps(toJSON.call(value), indent, level, seen);
  seen.add(value);
  try {
    const nl = indent === undefined ? '' : `\n${indent.repeat(level + 1)}`;
    const close = indent === undefined ? '' : `\n${indent.repeat(level)}`;
    const sep = indent === undefined ? ', ' : ',';
    if (Array.isArray(value) || value instanceof Set) {
      const items = [...value].map((x) => pyJsonDumps(typeof x === 'function' ? null : x, indent, level + 1, seen));
      return items.length ? `[${nl}${items.join(sep + nl)}${close}]` : '[]';
    }
    const entries: [string, unknown][] =
      value instanceof Map
        ? [...value.entries()].map(([k, v]) => [pyStr(k), v])
        : Object.keys(value)
            .filter((k) => k !== '__keywords' && typeof (value as Dict)[k] !== 'function')
            .map((k) => [k, (value as Dict)[k]]);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const items = entries.map(([k, v]) => `${jsonString(k)}: ${pyJsonDumps(v, indent, level + 1, seen)}`);
    return items.length ? `{${nl}${items.join(sep + nl)}${close}}` : '{}';
  } finally {
    seen.delete(value);
  }
}

function testFn(ctx: FilterContext, name: unknown): (...a: unknown[]) => unknown {
  return (ctx.env as unknown as { getTest(n: string): (...a: unknown[]) => unknown }).getTest(String(name));
}

function selectOrReject(select: boolean, byAttr: boolean) {
  return function (this: FilterContext, seq: unknown, ...raw: unknown[]) {
    const { positional, kwargs } = splitArgs(raw);
    const getter = byAttr ? attrGetter(positional.shift()) : (x: unknown) => x;
    const testName = positional.shift();
    const args = positional;
    const test =
      testName === undefined
        ? (v: unknown) => pyTruthy(v)
        : (v: unknown) => {
            const fn = testFn(this, testName);
            return pyTruthy(fn.call(this, v, ...args, ...(Object.keys(kwargs).length ? [runtime.makeKeywordArgs({ ...kwargs })] : [])));
          };
    return toList(seq).filter((item) => test(getter(item)) === select);
  };
}

function keyFor(caseSensitive: boolean, attribute: unknown): (x: unknown) => unknown {
  const getter = attribute === undefined || attribute === null ? (x: unknown) => x : attrGetter(attribute);
  return (x) => {
    const v = getter(x);
    return !caseSensitive && isStrLike(v) ? String(isSafe(v) ? v.val : v).toLowerCase() : v;
  };
}

function minMax(wantMax: boolean, fname: string) {
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
  if (isStrLike(v)) return `s:${String(isSafe(v) ? v.val : v)}`;
  if (v === null || v === undefined) return `z:${String(v)}`;
  return `o:${pyRepr(v)}`;
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

function pyRound(value: number, precision: number, method: string): number {
  const factor = 10 ** precision;
  if (method === 'ceil') return Math.ceil(value * factor) / factor;
  if (method === 'floor') return Math.floor(value * factor) / factor;
  if (method === 'common') return pyRoundHalfEven(value, precision);
  throw pyError('FilterArgumentError', 'method must be common, ceil or floor');
}

function buildFilters(): Record<string, (this: FilterContext, ...args: Any[]) => unknown> {
  const str = (v: unknown) => pyStr(v);
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
      const kw = Object.keys(kwargs).length ? [runtime.makeKeywordArgs({ ...kwargs })] : [];
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
      const getter = a.attribute === undefined || a.attribute === null ? (x: unknown) => x : attrGetter(a.attribute);
      return toList(value).reduce<unknown>((acc, x) => helpers.add(acc, getter(x)), a.start);
    },
    default(value: unknown, ...raw: unknown[]) {
      const a = bindArgs('default', raw, ['default_value', 'boolean'], { default_value: '', boolean: false });
      if (value === undefined || (pyTruthy(a.boolean) && !pyTruthy(value))) return a.default_value;
      return value;
    },
    list: (value: unknown) => toList(value),
    string: (value: unknown) => (isSafe(value) ? value : str(value)),
    int(value: unknown, ...raw: unknown[]) {
      const a = bindArgs('int', raw, ['default', 'base'], { default: 0, base: 10 });
      return toIntFilter(value, a.default, toInt(a.base, 'base'));
    },
    float(value: unknown, ...raw: unknown[]) {
      const a = bindArgs('float', raw, ['default'], { default: 0.0 });
      return toFloatFilter(value, a.default);
    },
    join(value: unknown, ...raw: unknown[]) {
      const a = bindArgs('join', raw, ['d', 'attribute'], { d: '' });
      let items = toList(value);
      if (a.attribute !== undefined && a.attribute !== null) items = items.map(attrGetter(a.attribute));
      return items.map(str).join(str(a.d));
    },
    first(value: unknown) {
      return toList(value)[0];
    },
    last(value: unknown) {
      const items = toList(value);
      return items[items.length - 1];
    },
    lower: (value: unknown) => str(value).toLowerCase(),
    upper: (value: unknown) => str(value).toUpperCase(),
    title: (value: unknown) => pyTitle(str(value)),
    center(value: unknown, ...raw: unknown[]) {
      const a = bindArgs('center', raw, ['width'], { width: 80 });
      return pyCenter(str(value), toInt(a.width, 'width'), ' ');
    },
    trim(value: unknown, ...raw: unknown[]) {
      const a = bindArgs('trim', raw, ['chars']);
      return stripChars(str(value), a.chars, true, true);
    },
    replace(value: unknown, ...raw: unknown[]) {
      const a = bindArgs('replace', raw, ['old', 'new', 'count']);
      const count = a.count === undefined || a.count === null ? -1 : toInt(a.count, 'count');
      const out = pyReplace(str(value), str(a.old), str(a.new), count);
      return isSafe(value) ? runtime.markSafe(out) : out;
    },
    reverse(value: unknown) {
      if (isStrLike(value)) return Array.from(str(value)).reverse().join('');
      return toList(value).reverse();
    },
    attr(value: unknown, name: unknown) {
      return helpers.getattr(value, name);
    },
    format(value: unknown, ...raw: unknown[]) {
      const { positional, kwargs } = splitArgs(raw);
      if (positional.length && Object.keys(kwargs).length) throw pyError('FilterArgumentError', "can't handle positional and keyword arguments at the same time");
      return pyPercentFormat(str(value), Object.keys(kwargs).length ? kwargs : makeTuple(positional));
    },
    groupby(value: unknown, ...raw: unknown[]) {
      const a = bindArgs('groupby', raw, ['attribute', 'default', 'case_sensitive'], { case_sensitive: false });
      const getter = attrGetter(a.attribute);
      const real = (x: unknown) => {
        const v = getter(x);
        return v === undefined ? a.default : v;
      };
      const key = (x: unknown) => {
        const v = real(x);
        return !pyTruthy(a.case_sensitive) && isStrLike(v) ? str(v).toLowerCase() : v;
      };
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
      const norm = (v: unknown) => (!cs && isStrLike(v) ? str(v).toLowerCase() : v);
      const sorted = pairsOf(value).sort((x, y) => pyCmp(norm(x[pos]), norm(y[pos])));
      if (pyTruthy(a.reverse)) sorted.reverse();
      return sorted.map((p) => makeTuple(p));
    },
    indent(value: unknown, ...raw: unknown[]) {
      const a = bindArgs('indent', raw, ['width', 'first', 'blank'], { width: 4, first: false, blank: false });
      const pad = typeof a.width === 'number' ? ' '.repeat(a.width) : str(a.width);
      const lines = STR_METHODS.splitlines(`${str(value)}\n`, []) as string[];
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
      const s = str(value);
      const length = toInt(a.length, 'length');
      const end = str(a.end);
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
      return pyRound(Number(value), toInt(a.precision, 'precision'), str(a.method));
    },
    // Ansible-style boolean coercion (not a Jinja2 builtin; documented as a tsql extra).
    bool(value: unknown) {
      if (typeof value === 'boolean') return value;
      if (value === undefined || value === null) return false;
      return ['yes', 'on', '1', 'true', 'y', 't'].includes(str(value).trim().toLowerCase());
    },
    // dbt's filters for native rendering; in SQL rendering dbt registers them as identity.
    as_bool: (value: unknown) => value,
    as_number: (value: unknown) => value,
    as_native: (value: unknown) => value,
    as_text: (value: unknown) => value,
    is_list: (value: unknown) => Array.isArray(value) && !isTuple(value),
  };
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

function buildTests(): Record<string, (this: FilterContext, ...args: Any[]) => boolean> {
  return {
    none: (v: unknown) => v === null,
    boolean: (v: unknown) => typeof v === 'boolean',
    true: (v: unknown) => v === true,
    false: (v: unknown) => v === false,
    integer: (v: unknown) => typeof v === 'number' && Number.isInteger(v),
    float: (v: unknown) => typeof v === 'number' && !Number.isInteger(v),
    // Python's bool is a Number subclass, so `true is number` holds in Jinja.
    number: (v: unknown) => typeof v === 'number' || typeof v === 'boolean',
    string: (v: unknown) => isStrLike(v),
    mapping: (v: unknown) => isMapping(v),
    iterable: (v: unknown) => {
      if (v === undefined) return true; // Jinja's Undefined iterates as empty
      if (v === null || typeof v !== 'object') return typeof v === 'string';
      return Array.isArray(v) || isMapping(v) || isSafe(v) || Symbol.iterator in v;
    },
    sequence: (v: unknown) => isStrLike(v) || Array.isArray(v) || isMapping(v) || v instanceof Set,
    in: (v: unknown, container: unknown) => pyIn(v, container),
    sameas: (v: unknown, other: unknown) => v === other,
    eq: (v: unknown, other: unknown) => pyEq(v, other),
    equalto: (v: unknown, other: unknown) => pyEq(v, other),
    ne: (v: unknown, other: unknown) => !pyEq(v, other),
    lower: (v: unknown) => STR_METHODS.islower(pyStr(v), []) as boolean,
    upper: (v: unknown) => STR_METHODS.isupper(pyStr(v), []) as boolean,
    filter(this: FilterContext, v: unknown) {
      try {
        this.env.getFilter(String(v));
        return true;
      } catch {
        return false;
      }
    },
    test(this: FilterContext, v: unknown) {
      try {
        testFn(this, v);
        return true;
      } catch {
        return false;
      }
    },
  };
}

// ---------------------------------------------------------------------------
// Globals
// ---------------------------------------------------------------------------

function toDict(args: unknown[], fname: string): Dict {
  const { positional, kwargs } = splitArgs(args);
  if (positional.length > 1) throw pyError('TypeError', `${fname} expected at most 1 argument, got ${positional.length}`);
  const out: Dict = {};
  if (positional.length) for (const [k, v] of pairsOf(positional[0])) out[pyStr(k)] = v;
  return Object.assign(out, kwargs);
}

function buildGlobals(): Dict {
  return {
    namespace(...args: unknown[]) {
      const ns = toDict(args, 'namespace');
      Object.defineProperty(ns, NAMESPACE, { value: true, enumerable: false });
      Object.defineProperty(ns, 'toString', { value: () => `<Namespace ${pyRepr({ ...ns })}>`, enumerable: false });
      return ns;
    },
    dict: (...args: unknown[]) => toDict(args, 'dict'),
    zip(...args: unknown[]) {
      const lists = splitArgs(args).positional.map(toList);
      if (!lists.length) return [];
      const n = Math.min(...lists.map((l) => l.length));
      return Array.from({ length: n }, (_, i) => makeTuple(lists.map((l) => l[i])));
    },
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

// ---------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------

/** Installs filters, tests, globals and tag extensions on an environment. Called once per environment. */
export function installJinjaCompat(env: nunjucks.Environment): void {
  installGlobalPatches();
  const e = env as unknown as {
    addFilter(n: string, f: unknown): void;
    addTest(n: string, f: unknown): void;
    addGlobal(n: string, v: unknown): void;
    addExtension(n: string, ext: unknown): void;
    getFilter(n: string): unknown;
  };
  const filters = buildFilters();
  for (const [name, fn] of Object.entries(filters)) e.addFilter(name, fn);
  e.addFilter('d', filters.default);
  e.addFilter('count', e.getFilter('length'));
  const tests = buildTests();
  for (const [name, fn] of Object.entries(tests)) e.addTest(name, fn);
  const t = e as unknown as { getTest(n: string): unknown };
  const aliases: Record<string, unknown> = {
    '==': tests.eq,
    '!=': tests.ne,
    '<': t.getTest('lt'),
    '<=': t.getTest('le'),
    '>': t.getTest('gt'),
    '>=': t.getTest('ge'),
  };
  for (const [name, fn] of Object.entries(aliases)) e.addTest(name, fn);
  for (const [name, value] of Object.entries(buildGlobals())) e.addGlobal(name, value);
  e.addExtension('JinjaCompatDo', doExtension);
  e.addExtension('JinjaCompatWith', withExtension);
}

// ---------------------------------------------------------------------------
// Source preprocessing
// ---------------------------------------------------------------------------

const IDENT = /[A-Za-z0-9_]/;

function isIdentChar(ch: string | undefined): boolean {
  return ch !== undefined && IDENT.test(ch);
}

/**
 * Re-encodes a Python string literal (at src[start]) for nunjucks' lexer, which only knows
 * \n \t \r. A backslash-newline (a line continuation in Python) becomes `("a" ~⏎"b")` so the
 * newline stays in the source but not in the value.
 */
function convertString(src: string, start: number): [string, number] {
  const q = src[start];
  const segments: string[] = [];
  const breaks: string[] = [];
  let out = '';
  let p = start + 1;
  const emitChar = (c: string) => {
    if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\\') out += '\\\\';
    else if (c === q) out += `\\${q}`;
    else out += c;
  };
  const finish = (): string => {
    segments.push(out);
    if (segments.length === 1) return `${q}${out}${q}`;
    return `(${segments.map((seg, i) => `${i ? breaks[i - 1] : ''}${q}${seg}${q}`).join(' ~')})`;
  };
  while (p < src.length) {
    const ch = src[p];
    if (ch === q) return [finish(), p + 1];
    if (ch !== '\\') {
      out += ch;
      p++;
      continue;
    }
    const nx = src[p + 1];
    if (nx === undefined) {
      out += '\\';
      p++;
      continue;
    }
    const hex = (n: number) => {
      const h = src.slice(p + 2, p + 2 + n);
      return new RegExp(`^[0-9a-fA-F]{${n}}$`).test(h) ? h : undefined;
    };
    switch (nx) {
      case '\\':
      case "'":
      case '"':
      case 'n':
      case 't':
      case 'r':
        out += `\\${nx}`;
        p += 2;
        break;
      case '\n':
      case '\r': {
        const nl = nx === '\r' && src[p + 2] === '\n' ? '\r\n' : nx;
        segments.push(out);
        breaks.push(nl);
        out = '';
        p += 1 + nl.length;
        break;
      }
      case 'a':
        emitChar('\x07');
        p += 2;
        break;
      case 'b':
        emitChar('\b');
        p += 2;
        break;
      case 'f':
        emitChar('\f');
        p += 2;
        break;
      case 'v':
        emitChar('\v');
        p += 2;
        break;
      case 'x':
      case 'u':
      case 'U': {
        const n = nx === 'x' ? 2 : nx === 'u' ? 4 : 8;
        const h = hex(n);
        if (h === undefined) {
          out += `\\\\${nx}`;
          p += 2;
        } else {
          emitChar(String.fromCodePoint(parseInt(h, 16)));
          p += 2 + n;
        }
        break;
      }
      default: {
        const oct = /^[0-7]{1,3}/.exec(src.slice(p + 1, p + 4));
        if (oct) {
          emitChar(String.fromCodePoint(parseInt(oct[0], 8)));
          p += 1 + oct[0].length;
        } else {
          // Python keeps unknown escapes verbatim ('\d' is backslash + d).
          out += `\\\\${nx}`;
          p += 2;
        }
      }
    }
  }
  // Unterminated: a syntax error either way; leave it for nunjucks to report.
  return [src.slice(start), src.length];
}

const NUMBER_RE = /^\d[\d_]*(?:\.\d[\d_]*)?(?:[eE][+-]?\d+)?/;

/**
 * Rewrites the inside of one `{{ ... }}` / `{% ... %}` tag starting at `k` (just after the
 * opening delimiter). Returns the rewritten code including the closing delimiter.
 */
function convertTagBody(src: string, k: number, isBlock: boolean): [string, number] {
  let out = '';
  let depth = 0;
  while (k < src.length) {
    const ch = src[k];
    if (ch === '"' || ch === "'") {
      const [lit, next] = convertString(src, k);
      out += lit;
      k = next;
      continue;
    }
    if (isBlock && ch === '%' && src[k + 1] === '}') return [`${out}%}`, k + 2];
    if (isBlock && (ch === '-' || ch === '+') && src.startsWith('%}', k + 1)) return [`${out}${ch === '-' ? '-' : ' '}%}`, k + 3];
    if (ch === '}') {
      if (depth > 0) {
        depth--;
        out += '}';
        k++;
        // nunjucks' lexer would read `}}` as the end of the tag.
        if (src[k] === '}') out += ' ';
        continue;
      }
      if (src[k + 1] === '}') return [`${out}}}`, k + 2];
      out += '}';
      k++;
      continue;
    }
    if (ch === '-' && depth === 0 && src.startsWith('}}', k + 1)) return [`${out}-}}`, k + 3];
    if (ch === '{') {
      depth++;
      out += '{';
      k++;
      continue;
    }
    if (ch === '.' && /[0-9]/.test(src[k + 1] ?? '') && /[A-Za-z0-9_)\]]/.test(src[k - 1] ?? '')) {
      // `items.0` (Jinja integer attribute) -> `items[0]`; nunjucks' lexer reads `.0` as a float.
      const digits = /^\d+/.exec(src.slice(k + 1))?.[0] ?? '';
      out += `[${digits}]`;
      k += 1 + digits.length;
      continue;
    }
    if (ch === 'r' && src[k + 1] === '/' && !isIdentChar(src[k - 1])) {
      // nunjucks reads `r/.../` as a regex literal; Jinja has none (`r / x` is division).
      out += 'r /';
      k += 2;
      continue;
    }
    if (ch >= '0' && ch <= '9' && !isIdentChar(src[k - 1]) && src[k - 1] !== '.') {
      const m = NUMBER_RE.exec(src.slice(k, k + 80));
      if (m && !isIdentChar(src[k + m[0].length]) && /[_eE]/.test(m[0])) {
        const v = Number(m[0].replace(/_/g, ''));
        const text = String(v);
        if (Number.isFinite(v) && !/e/i.test(text)) {
          out += text;
          k += m[0].length;
          continue;
        }
      }
      if (m) {
        out += m[0];
        k += m[0].length;
        continue;
      }
    }
    out += ch;
    k++;
  }
  return [out, k];
}

const RAW_OPEN = /\s*(raw|verbatim)\s*([-+]?)%\}/y;

/**
 * Source-level rewrite applied to every template (models, macros, hooks) before nunjucks
 * compiles it. Must preserve line numbers exactly (never add or remove newlines) so error
 * lines stay right.
 *
 * Only the inside of `{{ }}` / `{% %}` tags is changed (never SQL text, comments or
 * `{% raw %}` content): Python string escapes are re-encoded for nunjucks, `{%+`, `{{+`
 * and `+%}` (Jinja's lstrip/trim toggles, no-ops without lstrip_blocks/trim_blocks) become
 * plain delimiters, `}}` that closes a dict literal is split so it doesn't end the tag,
 * `r/` is spaced so it isn't read as a regex, and `1_000` / `1e3` become plain numbers.
 */
export function preprocessJinja(source: string): string {
  let out = '';
  let i = 0;
  const n = source.length;
  while (i < n) {
    const j = source.indexOf('{', i);
    if (j < 0) {
      out += source.slice(i);
      break;
    }
    out += source.slice(i, j);
    const c = source[j + 1];
    if (c === '#') {
      const end = source.indexOf('#}', j + 2);
      const stop = end < 0 ? n : end + 2;
      out += source.slice(j, stop);
      i = stop;
      continue;
    }
    if (c !== '%' && c !== '{') {
      out += '{';
      i = j + 1;
      continue;
    }
    const isBlock = c === '%';
    let k = j + 2;
    let head = source.slice(j, k);
    if (source[k] === '+') {
      head += ' ';
      k++;
    } else if (source[k] === '-') {
      head += '-';
      k++;
    }
    if (isBlock) {
      RAW_OPEN.lastIndex = k;
      const raw = RAW_OPEN.exec(source);
      if (raw) {
        const tagEnd = RAW_OPEN.lastIndex;
        out += head + source.slice(k, tagEnd - 2 - raw[2].length) + (raw[2] === '-' ? '-' : raw[2] ? ' ' : '') + '%}';
        const closeRe = new RegExp(`\\{%([-+]?)(\\s*end${raw[1]}\\s*)([-+]?)%\\}`, 'g');
        closeRe.lastIndex = tagEnd;
        const close = closeRe.exec(source);
        if (!close) {
          out += source.slice(tagEnd);
          break;
        }
        out += source.slice(tagEnd, close.index);
        const mod = (s: string) => (s === '-' ? '-' : s === '+' ? ' ' : '');
        out += `{%${mod(close[1])}${close[2]}${mod(close[3])}%}`;
        i = close.index + close[0].length;
        continue;
      }
    }
    const [body, next] = convertTagBody(source, k, isBlock);
    out += head + body;
    i = next;
  }
  return out;
}
