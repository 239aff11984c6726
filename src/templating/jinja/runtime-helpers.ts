/**
 * The helpers compiled templates call as `runtime.jinjaCompat.*` (see nunjucks-internals' JC):
 * Python truthiness for `if`/`not`/`and`/`or`, the Python operators, tuples, dict-literal
 * keys, slicing, attribute lookup, namespace assignment, unpacking and the loop helpers.
 *
 * nunjucks emits JavaScript operators and lookups for these; the patched compiler emits
 * calls to this table instead.
 */
import { loopHelpers } from './loops.js';
import { nameMacro } from './runtime-patches.js';
import { callArgs } from './star-args.js';
import { runtime, type Dict } from './nunjucks-internals.js';
import { pythonMethod } from './python-methods.js';
import { pyAdd, pyCompare, pyMod, pyMul, pySlice } from './python-operators.js';
import { pyStr } from './python-repr.js';
import { assertAssignable } from './sandbox.js';
import { isNamespace, makeTuple, pyError, pyTruthy, toList } from './python-values.js';

/** `obj.key` (Jinja's getattr): a Python method of a str/list/dict first, then the member. */
export function jinjaGetattr(obj: unknown, key: unknown): unknown {
  const m = obj === undefined || obj === null ? undefined : pythonMethod(obj, key, true);
  return m ?? runtime.memberLookup(obj, key);
}

/** Where `privateMacro` records a file's `_name` macros while `collectPrivateMacros` runs. */
let privateMacros: Record<string, unknown> | undefined;

/** Runs `load` (which renders a macro file's top level) and returns its result and the file's `_name` macros. */
export function collectPrivateMacros<T>(load: () => T): { result: T; privateMacros: Record<string, unknown> } {
  const outer = privateMacros;
  const found: Record<string, unknown> = {};
  privateMacros = found;
  try {
    return { result: load(), privateMacros: found };
  } finally {
    privateMacros = outer;
  }
}

export const helpers = {
  truthy: pyTruthy,
  or: (a: unknown, b: () => unknown) => (pyTruthy(a) ? a : b()),
  and: (a: unknown, b: () => unknown) => (pyTruthy(a) ? b() : a),
  concat: (a: unknown, b: unknown) => pyStr(a) + pyStr(b),
  add: pyAdd,
  mul: pyMul,
  mod: pyMod,
  compare: pyCompare,
  tuple: (items: unknown[]) => makeTuple(items),
  key: (k: unknown) => (typeof k === 'number' ? String(k) : pyStr(k)),
  slice: pySlice,
  getattr: jinjaGetattr,
  setattr: (obj: unknown, key: unknown, value: unknown): void => {
    if (!isNamespace(obj)) throw pyError('TemplateRuntimeError', 'cannot assign attribute on non-namespace object');
    assertAssignable(key);
    (obj as Dict)[String(key)] = value;
  },
  unpack: (value: unknown, n: number): unknown[] => {
    const items = toList(value);
    if (items.length > n) throw pyError('ValueError', `too many values to unpack (expected ${n})`);
    if (items.length < n) throw pyError('ValueError', `not enough values to unpack (expected ${n}, got ${items.length})`);
    return items;
  },
  nameMacro,
  privateMacro: (name: string, fn: unknown): void => {
    if (privateMacros) privateMacros[name] = fn;
  },
  callArgs,
  ...loopHelpers,
};
