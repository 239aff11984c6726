/**
 * The Python value model templates see: which JS values count as str, list, tuple, dict and
 * namespace, Python truthiness and iteration, and Jinja's item/attribute lookup.
 *
 * Jinja evaluates expressions with Python semantics (empty containers are false, dicts
 * iterate their keys, `x[-1]` indexes from the end); nunjucks uses JavaScript's. JS arrays
 * stand for both lists and tuples, so tuples carry a hidden marker.
 */
import { SafeString, type Any, type Dict } from './nunjucks-internals.js';
import { assertAssignable, sandboxedMember } from './sandbox.js';

/** Marks arrays that came from tuple literals / `zip` / `.items()` (printed as `(a, b)`). */
const TUPLE = Symbol.for('tsql.jinja.tuple');
/** Marks `namespace()` objects (the only objects `{% set obj.attr = ... %}` may write to). */
const NAMESPACE = Symbol.for('tsql.jinja.namespace');

/** An error named like Python's (nunjucks reports it as `Kind: message`). */
export function pyError(kind: string, message: string): Error {
  const err = new Error(message);
  err.name = kind;
  return err;
}

export function hasOwn(obj: object, key: PropertyKey): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

export function isSafe(v: unknown): v is { val: string } {
  return v instanceof SafeString;
}

export function isStrLike(v: unknown): v is string | { val: string } {
  return typeof v === 'string' || isSafe(v);
}

/** The text of a str-like value (a string or a SafeString). */
export function strValue(v: string | { val: string }): string {
  return typeof v === 'string' ? v : v.val;
}

export function isPlainObject(v: unknown): v is Dict {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** A plain object that prints itself (e.g. a datetime-like object with its own toString). */
function hasCustomToString(v: object): boolean {
  return hasOwn(v, 'toString') && typeof (v as Any).toString === 'function';
}

/** A plain object that stands for a Python dict (not one that prints itself). */
export function isDictObject(v: unknown): v is Dict {
  return isPlainObject(v) && !hasCustomToString(v);
}

/**
 * Marks a class whose objects dbt code treats as mappings (`x is mapping`, `x.get('k')`), as
 * dbt's Relation objects are; they still print and compare as themselves.
 */
export const MAPPING_LIKE = Symbol('tsql.mappingLike');

/** An object of a class marked MAPPING_LIKE. */
export function isMappingLike(v: unknown): boolean {
  return typeof v === 'object' && v !== null && (v as Any)[MAPPING_LIKE] === true;
}

/** Python dict-like: plain objects and Maps. */
export function isMapping(v: unknown): boolean {
  return v instanceof Map || isDictObject(v);
}

export function makeNamespace(ns: Dict, toString: () => string): Dict {
  Object.defineProperty(ns, NAMESPACE, { value: true, enumerable: false });
  Object.defineProperty(ns, 'toString', { value: toString, enumerable: false });
  return ns;
}

export function isNamespace(v: unknown): boolean {
  return typeof v === 'object' && v !== null && (v as Any)[NAMESPACE] === true;
}

export function makeTuple<T>(items: T[]): T[] {
  Object.defineProperty(items, TUPLE, { value: true, enumerable: false });
  return items;
}

export function isTuple(v: unknown): boolean {
  return Array.isArray(v) && (v as Any)[TUPLE] === true;
}

/** A dict's keys, without nunjucks' keyword-arguments marker. */
export function dictKeys(d: Dict): string[] {
  return Object.keys(d).filter((k) => k !== '__keywords');
}

export function pyTypeName(v: unknown): string {
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
  if (isDictObject(v)) return dictKeys(v).length > 0;
  return true;
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
  if (isDictObject(v)) return dictKeys(v);
  if (typeof v === 'object' && Symbol.iterator in v) return Array.from(v as Iterable<unknown>);
  throw pyError('TypeError', `'${pyTypeName(v)}' object is not iterable`);
}

export function toInt(v: unknown, what: string): number {
  if (typeof v === 'boolean') return Number(v);
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  throw pyError('TypeError', `${what} must be an integer, not ${pyTypeName(v)}`);
}

/** One interface over the two dict representations (Map and plain object). */
export interface DictAdapter {
  has(k: unknown): boolean;
  get(k: unknown): unknown;
  set(k: unknown, v: unknown): void;
  del(k: unknown): void;
  keys(): unknown[];
}

export function toDictAdapter(d: unknown): DictAdapter {
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
      assertAssignable(k);
      o[String(k)] = v;
    },
    del: (k) => {
      delete o[String(k)];
    },
    keys: () => dictKeys(o),
  };
}

/** Items of a mapping (Map or plain object) or of a list of pairs. */
export function pairsOf(v: unknown): [unknown, unknown][] {
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

/** `seq[key]` on a list or str, with Python's negative indexes. */
export function indexSeq(obj: unknown, key: number): unknown {
  const seq = Array.isArray(obj) ? obj : Array.from(String(isSafe(obj) ? obj.val : obj));
  return seq[key < 0 ? seq.length + key : key];
}

/** Jinja's `environment.getitem`: item lookup (with negative indexes), then attribute. */
export function getItem(obj: unknown, key: unknown): unknown {
  if (obj === undefined || obj === null) return undefined;
  if (obj instanceof Map) return obj.has(key) ? obj.get(key) : undefined;
  if ((Array.isArray(obj) || isStrLike(obj)) && typeof key === 'number' && Number.isInteger(key)) return indexSeq(obj, key);
  return sandboxedMember(obj, key);
}

/** Jinja's `make_attrgetter`: dotted paths, integer parts index sequences. */
export function attrGetter(attribute: unknown): (item: unknown) => unknown {
  const parts =
    typeof attribute === 'number'
      ? [attribute]
      : String(attribute)
          .split('.')
          .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  return (item) => parts.reduce<unknown>((o, p) => getItem(o, p), item);
}

/** `attrGetter(attribute)`, or the identity when no attribute is given. */
export function optionalAttrGetter(attribute: unknown): (item: unknown) => unknown {
  return attribute === undefined || attribute === null ? (x: unknown) => x : attrGetter(attribute);
}
