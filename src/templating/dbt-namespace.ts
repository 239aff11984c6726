import { UserError } from '../errors.js';
import { didYouMean } from '../util/suggest.js';

/** Properties template machinery may probe on any object; never an error. */
const PROBES = new Set(['then', 'toString', 'valueOf', 'toJSON', 'constructor', 'length', '__keywords', 'inspect']);

/**
 * The `dbt` global: `dbt.dateadd(...)`, `dbt.type_string()`. Each attribute is the
 * macro `lookup(name)` finds (a root-project macro of that name before tsql's own);
 * `names()` are the macros the namespace offers. Any other attribute is an error
 * with the closest name.
 */
export function dbtNamespace(lookup: (name: string) => ((...args: unknown[]) => unknown) | undefined, names: () => Iterable<string>): object {
  return new Proxy(Object.create(null) as object, {
    get(_target, prop) {
      if (typeof prop !== 'string') return undefined;
      const known = new Set(names());
      const fn = known.has(prop) ? lookup(prop) : undefined;
      if (fn) return fn;
      if (PROBES.has(prop)) return undefined;
      throw new UserError(`'dbt.${prop}' is not a macro of the dbt namespace`, {}, { hint: didYouMean(prop, known) ?? 'README "Cross-database macros" lists them' });
    },
    // The template sandbox reads only own properties: every name is one, and `get` decides.
    getOwnPropertyDescriptor(_target, prop) {
      return typeof prop === 'string' ? { configurable: true, enumerable: false, writable: false, value: undefined } : undefined;
    },
    has(_target, prop) {
      return typeof prop === 'string' && new Set(names()).has(prop);
    },
  });
}
