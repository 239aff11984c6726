/**
 * Replacements of nunjucks runtime functions that compiled templates call directly:
 * member lookup (Python methods, negative indexes, slices, Map keys), printing (`None`,
 * `True`, `[1, 2]`), `None` as a defined value, the `in` operator, and a macro's surplus
 * arguments as `varargs`/`kwargs`.
 */
import { runtime, type Dict } from './nunjucks-internals.js';
import { splitArgs } from './python-args.js';
import { pythonMethod } from './python-methods.js';
import { pyIn, pySlice } from './python-operators.js';
import { pyStr } from './python-repr.js';
import { indexSeq, isSafe, isStrLike, makeTuple } from './python-values.js';
import { isStackOverflow, tick } from './render-budget.js';
import { UserError } from '../../errors.js';
import { assertCallable, OBJECT_PROTOTYPE_NAMES, sandboxedMember } from './sandbox.js';

interface MacroCall {
  varargs: unknown[];
  kwargs: Dict;
}

interface NjContext {
  ctx?: object;
  env?: { globals?: object };
}
interface NjFrame {
  lookup(name: string): unknown;
}

/** An object without members, so the previous member lookup only records the name. */
const NOTHING = Object.freeze(Object.create(null)) as object;

/** A name that is also a member of Object.prototype: found only as a template variable or global. */
function ownName(context: NjContext, frame: NjFrame, name: string): unknown {
  const own = (o: unknown) => (o && Object.prototype.hasOwnProperty.call(o, name) ? (o as Record<string, unknown>)[name] : undefined);
  return frame.lookup(name) ?? own(context.ctx) ?? own(context.env?.globals);
}

/** Macro functions by name (set by the code compiled for `{% macro name %}`), for error messages. */
const MACRO_NAMES = new WeakMap<object, string>();

/** Records the name of a compiled macro (called by the generated code). */
export function nameMacro(fn: object, name: string): void {
  MACRO_NAMES.set(fn, name);
}

/** The surplus arguments of the macro calls in progress, innermost last. */
const macroStack: MacroCall[] = [];

/** Installs the replacements (once; each wraps the function it replaces). */
export function patchRuntime(): void {
  const prevMemberLookup = runtime.memberLookup;
  runtime.memberLookup = function memberLookup(this: unknown, obj: unknown, key: unknown, ...rest: unknown[]) {
    if (rest.length === 2) return pySlice(obj, key, rest[0], rest[1]);
    if (obj !== undefined && obj !== null) {
      // an object as a dict key (`d[relation]`) is its printed form, as dict literals store it
      if (typeof key === 'object' && key !== null && !(obj instanceof Map) && !Array.isArray(obj)) key = pyStr(key);
      if (typeof key === 'number' && Number.isInteger(key) && (Array.isArray(obj) || isStrLike(obj))) {
        if (key < 0 || !Array.isArray(obj)) return indexSeq(obj, key);
      }
      if (obj instanceof Map && obj.has(key)) return obj.get(key);
      const m = pythonMethod(obj, key, false);
      if (m) return m;
    }
    // Only what the sandbox allows; the previous lookup still records which name was undefined.
    const v = sandboxedMember(obj, key);
    return v === undefined ? prevMemberLookup.call(this, NOTHING, key) : v;
  };

  const prevCallWrap = runtime.callWrap;
  runtime.callWrap = function callWrap(this: unknown, fn: unknown, name: unknown, context: unknown, args: unknown[]) {
    assertCallable(fn, name);
    return prevCallWrap.call(this, fn, name, context, args);
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
      tick();
      const { positional, kwargs } = splitArgs(args);
      const extra: Dict = {};
      for (const k of Object.keys(kwargs)) if (!declared.has(k)) extra[k] = kwargs[k];
      macroStack.push({ varargs: makeTuple(positional.slice(argNames.length + kwargNames.length)), kwargs: extra });
      try {
        return macro.apply(this, args);
      } catch (e) {
        // The deepest call that can still build the error names the macro (the file and line are added by the caller).
        if (!(e instanceof UserError) && MACRO_NAMES.has(wrapped) && isStackOverflow(e)) throw new UserError(`macro '${MACRO_NAMES.get(wrapped)}' recursed too deeply`, {}, { hint: 'a macro that calls itself needs a case that stops' });
        throw e;
      } finally {
        macroStack.pop();
      }
    };
    return wrapped;
  };
  const prevLookup = runtime.contextOrFrameLookup;
  runtime.contextOrFrameLookup = function contextOrFrameLookup(this: unknown, context: unknown, frame: unknown, name: string) {
    // `toString`, `constructor`, `valueOf`…: only a variable of that name, never Object.prototype's.
    if (OBJECT_PROTOTYPE_NAMES.has(name)) return ownName(context as NjContext, frame as NjFrame, name);
    const v = prevLookup.call(this, context, frame, name);
    if (v === undefined && (name === 'varargs' || name === 'kwargs') && macroStack.length) {
      return macroStack[macroStack.length - 1][name];
    }
    return v;
  };
}
