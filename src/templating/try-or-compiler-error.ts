/**
 * dbt's `try_or_compiler_error(message_if_exception, func, *args, **kwargs)`: calls `func`
 * with the arguments and returns what it returns; if it raises, the render stops with
 * `message_if_exception` as a compilation error (at the template's file and line).
 *
 * What is not the function's failure passes through unchanged: a question the template
 * asks the warehouse while it runs (NeedQuery), a macro's `return()`, the render running
 * out of time, and a recursion too deep.
 */
import { UserError } from '../errors.js';
import { MacroReturn } from './environment.js';
import { findNeedQuery } from './introspection/replay.js';
import { forwardKwargs, splitArgs } from './jinja/python-args.js';
import { budgetSpent, isStackOverflow } from './jinja/render-budget.js';
import { pyStr } from './jinja/python-repr.js';
import { pyTypeName } from './jinja/python-values.js';

export function tryOrCompilerError(...raw: unknown[]): unknown {
  const { positional, kwargs } = splitArgs(raw);
  const { message_if_exception: namedMessage, func: namedFunc, ...rest } = kwargs;
  const args = [...positional];
  const message = namedMessage !== undefined ? namedMessage : args.shift();
  const func = namedFunc !== undefined ? namedFunc : args.shift();
  if (typeof func !== 'function') {
    throw new UserError(`try_or_compiler_error() calls a function or macro, got ${pyTypeName(func)}`, {}, { hint: 'try_or_compiler_error(message, func, *args, **kwargs)' });
  }
  try {
    return (func as (...a: unknown[]) => unknown)(...args, ...forwardKwargs(rest));
  } catch (e) {
    if (e instanceof MacroReturn || findNeedQuery(e) || budgetSpent() || isStackOverflow(e)) throw e;
    throw new UserError(pyStr(message));
  }
}
