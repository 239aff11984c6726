/**
 * The template sandbox: what a template can reach through `a.b`, `a[b]`, names and calls.
 *
 * nunjucks compiles `a.b` to a plain JavaScript property read, so without this a template
 * reaches `''.constructor.constructor('return process')()` and from there the file system
 * and the environment. Jinja in dbt cannot. Here every member lookup goes through
 * `sandboxedMember`, which only returns
 * - own properties of plain objects, arrays, strings, Maps and functions (data or getters
 *   the host defined), and
 * - methods of the classes tsql registers for templates (`allowTemplateClass`, e.g. relations);
 * the Python methods of the compatibility layer are found before this (python-methods.ts).
 * Names such as `constructor`, `__proto__` and `prototype` are refused everywhere, as is
 * anything inherited from JavaScript's built-in prototypes (`[].map`, `''.toString`).
 * A refused lookup throws a UserError: "'x' is not available in templates".
 */
import { createRequire } from 'node:module';
import nunjucks from 'nunjucks';
import { UserError } from '../../errors.js';

/** Names never readable or writable from a template. */
const BLOCKED = new Set([
  'constructor',
  '__proto__',
  'prototype',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
  'caller',
  'callee',
  'arguments',
]);

/** Prototypes of classes whose inherited members templates may use (methods and getters). */
const TEMPLATE_PROTOTYPES = new WeakSet<object>();

/** Functions a template must never call, however it got hold of them. */
const NEVER_CALLABLE = new Set<unknown>([Function, eval, Object.getPrototypeOf(async function () {}).constructor, Object.getPrototypeOf(function* () {}).constructor, Reflect.construct, Reflect.apply, Object.defineProperty, Object.setPrototypeOf]);

/** Lets templates use the methods and getters of instances of `cls` (tsql's own classes only). */
export function allowTemplateClass(cls: { prototype: object }): void {
  TEMPLATE_PROTOTYPES.add(cls.prototype);
}

export function refused(key: unknown): UserError {
  return new UserError(`'${String(key)}' is not available in templates`, {}, { hint: 'templates see only the documented context, not JavaScript objects' });
}

/** True for a name that must never be read or assigned. */
export function isBlockedName(key: unknown): boolean {
  return typeof key === 'string' && BLOCKED.has(key);
}

/** Throws unless `key` may be assigned on a template value (dict keys, namespace attributes). */
export function assertAssignable(key: unknown): void {
  if (isBlockedName(String(key))) throw refused(key);
}

function isPlainContainer(obj: object): boolean {
  if (Array.isArray(obj) || obj instanceof Map) return true;
  const proto = Object.getPrototypeOf(obj);
  return proto === Object.prototype || proto === null;
}

/** Whether `key` exists on `obj` at all (own or inherited). */
function exists(obj: object, key: PropertyKey): boolean {
  try {
    return key in obj;
  } catch {
    return false;
  }
}

type Found = { ok: true; value: unknown; bindTo?: object } | { ok: false; present: boolean };

/** The property `key` of `obj` under the sandbox's rules (see the module comment). */
function find(obj: unknown, key: string | number): Found {
  if (typeof obj === 'string') {
    if (typeof key === 'number' || key === 'length' || /^\d+$/.test(key)) return { ok: true, value: (obj as unknown as Record<string, unknown>)[key] };
    return { ok: false, present: exists(Object(obj), key) };
  }
  if (typeof obj !== 'object' && typeof obj !== 'function') return { ok: false, present: exists(Object(obj), key) };
  const o = obj as object;
  if (Object.prototype.hasOwnProperty.call(o, key)) return { ok: true, value: (o as Record<string, unknown>)[key as string], bindTo: o };
  if (typeof o === 'function' || isPlainContainer(o)) return { ok: false, present: exists(o, key) };
  for (let p = Object.getPrototypeOf(o); p; p = Object.getPrototypeOf(p)) {
    if (!Object.prototype.hasOwnProperty.call(p, key)) continue;
    if (TEMPLATE_PROTOTYPES.has(p)) return { ok: true, value: (o as Record<string, unknown>)[key as string], bindTo: o };
    return { ok: false, present: true };
  }
  return { ok: false, present: false };
}

/**
 * `obj[key]` as a template may see it: the value, `undefined` when there is no such
 * member, or a UserError when the member exists but is not for templates. A method comes
 * back bound to its object.
 */
export function sandboxedMember(obj: unknown, key: unknown): unknown {
  if (obj === undefined || obj === null) return undefined;
  if (typeof key === 'symbol') throw refused(key.toString());
  if (typeof key !== 'string' && typeof key !== 'number') return undefined;
  if (typeof key === 'string' && BLOCKED.has(key)) throw refused(key);
  const found = find(obj, key);
  if (!found.ok) {
    if (found.present) throw refused(key);
    return undefined;
  }
  const v = found.value;
  if (typeof v === 'function' && found.bindTo) {
    const self = found.bindTo;
    const fn = v as (...a: unknown[]) => unknown;
    const bound = function (this: unknown, ...args: unknown[]) {
      return fn.apply(self, args);
    };
    // a function's own members stay reachable (`modules.datetime.datetime.now()`)
    return Object.assign(bound, fn);
  }
  return v;
}

/** Throws when a template tries to call one of the functions that build code or change prototypes. */
export function assertCallable(fn: unknown, name: unknown): void {
  if (NEVER_CALLABLE.has(fn)) throw refused(name);
}

/** Names of Object.prototype: a name lookup finding one of these must have found an own property. */
export const OBJECT_PROTOTYPE_NAMES = new Set(Object.getOwnPropertyNames(Object.prototype));

/**
 * The lookups nunjucks makes by a name a template chose, outside member access: filters and
 * tests by name (`map('name')`, `select('name')`) and attribute paths of its own filters
 * (`sort(attribute=…)`). Each finds only what was registered, never Object.prototype's members.
 */
export function patchNunjucksLookups(): void {
  const E = nunjucks.Environment.prototype as unknown as Record<string, (this: { filters: object; tests: object }, name: string) => unknown>;
  const getFilter = E.getFilter;
  E.getFilter = function (name: string) {
    if (!Object.prototype.hasOwnProperty.call(this.filters, name)) throw new Error(`filter not found: ${name}`);
    return getFilter.call(this, name);
  };
  const getTest = E.getTest;
  E.getTest = function (name: string) {
    if (!Object.prototype.hasOwnProperty.call(this.tests, name)) throw new Error(`test not found: ${name}`);
    return getTest.call(this, name);
  };
  const lib = createRequire(import.meta.url)('nunjucks/src/lib.js') as { getAttrGetter(a: unknown): (item: unknown) => unknown };
  const getAttrGetter = lib.getAttrGetter;
  lib.getAttrGetter = function (attribute: unknown) {
    for (const part of String(attribute).split('.')) if (BLOCKED.has(part)) throw refused(part);
    return getAttrGetter(attribute);
  };
}
