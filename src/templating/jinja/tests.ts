/**
 * Jinja's built-in tests (`x is none`, `x is mapping`, `x is in y`...) where nunjucks'
 * differ or are missing, judged on Python types: `None` is not undefined, `true` is a
 * number, SafeStrings are strings, Maps and plain objects are mappings.
 */
import { lookupTest, type Any, type FilterContext } from './nunjucks-internals.js';
import { pyEq, pyIn } from './python-operators.js';
import { pyStr } from './python-repr.js';
import { pyIsLower, pyIsUpper } from './python-strings.js';
import { isMapping, isMappingLike, isSafe, isStrLike } from './python-values.js';

type Test = (this: FilterContext, ...args: Any[]) => boolean;

/** true if `lookup` finds something (it throws when it does not). */
function exists(lookup: () => unknown): boolean {
  try {
    lookup();
    return true;
  } catch {
    return false;
  }
}

export function buildTests(): Record<string, Test> {
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
    mapping: (v: unknown) => isMapping(v) || isMappingLike(v),
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
    lower: (v: unknown) => pyIsLower(pyStr(v)),
    upper: (v: unknown) => pyIsUpper(pyStr(v)),
    filter(this: FilterContext, v: unknown) {
      return exists(() => this.env.getFilter(String(v)));
    },
    test(this: FilterContext, v: unknown) {
      return exists(() => lookupTest(this, v));
    },
  };
}
