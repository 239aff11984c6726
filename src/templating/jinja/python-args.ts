/**
 * Python-style argument binding for filters, methods and globals.
 *
 * nunjucks passes keyword arguments as one trailing object marked `__keywords`; Jinja
 * callables take Python parameter lists (positional or by name, with defaults and
 * TypeErrors for unknown names). These helpers convert between the two.
 */
import { runtime, type Dict } from './nunjucks-internals.js';
import { dictKeys, hasOwn, pyError } from './python-values.js';

function isKwargs(v: unknown): boolean {
  return typeof v === 'object' && v !== null && hasOwn(v, '__keywords');
}

export function splitArgs(args: unknown[]): { positional: unknown[]; kwargs: Dict } {
  const last = args[args.length - 1];
  if (args.length && isKwargs(last)) {
    const kwargs: Dict = {};
    for (const k of dictKeys(last as Dict)) kwargs[k] = (last as Dict)[k];
    return { positional: args.slice(0, -1), kwargs };
  }
  return { positional: args, kwargs: {} };
}

/** Binds positional + keyword arguments to a Python-style parameter list. */
export function bindArgs(fname: string, raw: unknown[], params: string[], defaults: Dict = {}): Dict {
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

/** Keyword arguments to pass on to another nunjucks callable: `[]` or `[keywordArgs]`. */
export function forwardKwargs(kwargs: Dict): unknown[] {
  return Object.keys(kwargs).length ? [runtime.makeKeywordArgs({ ...kwargs })] : [];
}
