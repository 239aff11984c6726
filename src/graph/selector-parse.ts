/**
 * Parsing of dbt's node selection syntax (`--select` / `--exclude` arguments).
 *
 *   expression   := term (whitespace term)*            union
 *   term         := criterion (',' criterion)*         intersection
 *   criterion    := ['@'] [[depth] '+'] [method ':'] value ['+' [depth]]
 *   method       := name | 'config.' key ('.' key)*
 *
 * Parsing is pure and throws UserError on bad syntax, so the command line can be
 * validated before anything runs. Evaluation lives in selector.ts.
 */
import { UserError } from '../errors.js';
import { didYouMean } from '../util/suggest.js';

export type ResourceType =
  | 'model'
  | 'seed'
  | 'source'
  | 'test'
  | 'unit_test'
  | 'snapshot'
  | 'analysis'
  | 'exposure'
  | 'operation';

export const RESOURCE_TYPES: readonly ResourceType[] = [
  'model',
  'seed',
  'source',
  'test',
  'unit_test',
  'snapshot',
  'analysis',
  'exposure',
  'operation',
];

export type SelectorMethod =
  | 'fqn'
  | 'tag'
  | 'path'
  | 'file'
  | 'config'
  | 'resource_type'
  | 'source'
  | 'package'
  | 'test_type'
  | 'test_name'
  | 'unit_test'
  | 'exposure'
  | 'group'
  | 'access'
  | 'state'
  | 'result'
  | 'source_status';

const METHODS: readonly SelectorMethod[] = [
  'fqn',
  'tag',
  'path',
  'file',
  'config',
  'resource_type',
  'source',
  'package',
  'test_type',
  'test_name',
  'unit_test',
  'exposure',
  'group',
  'access',
  'state',
  'result',
  'source_status',
];

/** Methods that read production's artifacts: they need --state. */
export const STATE_METHODS: ReadonlySet<SelectorMethod> = new Set(['state', 'result', 'source_status']);

/** Accepted values of the methods over --state. */
export const STATE_METHOD_VALUES: Readonly<Record<'state' | 'result' | 'source_status', readonly string[]>> = {
  state: ['modified', 'modified.body', 'modified.configs', 'modified.relation', 'modified.macros', 'modified.contract', 'new', 'old', 'unmodified'],
  result: ['error', 'fail', 'warn', 'pass', 'success', 'skipped'],
  source_status: ['fresher'],
};

/** dbt methods that exist but that tsql does not implement. */
const UNSUPPORTED_METHODS = new Set([
  'metric',
  'semantic_model',
  'saved_query',
  'version',
]);

/**
 * Accepted `test_type:` values and the kinds of test each selects: `data` is every data
 * test (generic and singular, as in dbt 1.8+); `schema` is dbt's legacy name of `generic`.
 */
export const TEST_TYPES: Readonly<Record<string, ReadonlyArray<'generic' | 'singular' | 'unit'>>> = {
  generic: ['generic'],
  schema: ['generic'],
  singular: ['singular'],
  data: ['generic', 'singular'],
  unit: ['unit'],
};

/** One selector criterion, e.g. `2+config.materialized:table+`. */
export interface SelectorCriterion {
  /** The criterion as written (used in messages). */
  raw: string;
  method: SelectorMethod;
  /** Key path for `config.<a>.<b>:`; empty for every other method. */
  args: string[];
  value: string;
  /** True when no method was written and `method` was inferred from the value. */
  implicit: boolean;
  /** `N+m` / `+m`: ancestor depth (Infinity when unbounded); undefined when absent. */
  parentsDepth?: number;
  /** `m+N` / `m+`: descendant depth (Infinity when unbounded); undefined when absent. */
  childrenDepth?: number;
  /** `@m`: m, its descendants, and all ancestors of those. */
  childrensParents: boolean;
}

/** Comma-joined criteria: a node must match all of them. */
export interface SelectorIntersection {
  raw: string;
  criteria: SelectorCriterion[];
}

/** Whitespace-separated terms: a node is selected when any term selects it. */
export interface SelectorExpression {
  raw: string;
  terms: SelectorIntersection[];
}

function bad(raw: string, why: string, hint?: string): UserError {
  return new UserError(`invalid selector '${raw}': ${why}`, {}, hint ? { hint } : {});
}

/** Parses one command-line selector argument (which may hold several space-separated terms). */
export function parseSelector(text: string): SelectorExpression {
  const terms = text
    .split(/\s+/)
    .filter((t) => t.length > 0)
    .map(parseTerm);
  return { raw: text.trim(), terms };
}

function parseTerm(raw: string): SelectorIntersection {
  const parts = raw.split(',');
  if (parts.some((p) => p.length === 0)) {
    throw bad(raw, 'empty criterion around a comma');
  }
  return { raw, criteria: parts.map((p) => parseCriterion(p, raw)) };
}

function parseDepth(digits: string): number {
  return digits === '' ? Infinity : Number.parseInt(digits, 10);
}

function parseCriterion(raw: string, term: string): SelectorCriterion {
  const quote = raw === term ? raw : term;
  let rest = raw;

  // Prefix operators: '@' or '[N]+', never both, never doubled.
  let childrensParents = false;
  let parentsDepth: number | undefined;
  if (rest.startsWith('@')) {
    childrensParents = true;
    rest = rest.slice(1);
    if (rest.startsWith('@')) throw bad(quote, "'@' may appear only once");
    if (/^\d*\+/.test(rest)) throw bad(quote, "'@' cannot be combined with the '+' parents operator");
  } else {
    const m = /^(\d*)\+/.exec(rest);
    if (m) {
      parentsDepth = parseDepth(m[1]);
      rest = rest.slice(m[0].length);
      if (rest.startsWith('+')) throw bad(quote, "'+' may appear only once before the name");
      if (rest.startsWith('@')) throw bad(quote, "'@' cannot be combined with the '+' parents operator");
    }
  }

  // Suffix operator: '+[N]'.
  let childrenDepth: number | undefined;
  const sm = /\+(\d*)$/.exec(rest);
  if (sm) {
    childrenDepth = parseDepth(sm[1]);
    rest = rest.slice(0, rest.length - sm[0].length);
    if (rest.endsWith('+')) throw bad(quote, "'+' may appear only once after the name");
  }

  // Method prefix: `name:` or `config.key.path:`.
  let methodText: string | undefined;
  const colon = rest.indexOf(':');
  if (colon >= 0 && /^[A-Za-z_][\w.]*$/.test(rest.slice(0, colon))) {
    methodText = rest.slice(0, colon);
    rest = rest.slice(colon + 1);
  }
  const value = rest;

  if (value.includes('+')) {
    // e.g. 'x+orders' or 'orders+x': a depth that is not a number, or a stray '+'.
    throw bad(quote, "graph operator depth must be a number (use e.g. '2+name' or 'name+3')");
  }
  if (value === '') {
    throw bad(quote, methodText !== undefined ? `missing value after '${methodText}:'` : 'missing node name');
  }

  let method: SelectorMethod;
  let args: string[] = [];
  let implicit = false;
  if (methodText === undefined) {
    implicit = true;
    method = defaultMethod(value);
  } else {
    const [name, ...keys] = methodText.split('.');
    if (UNSUPPORTED_METHODS.has(name)) {
      throw new UserError(`selector method '${name}' is not supported`);
    }
    if (!(METHODS as readonly string[]).includes(name)) {
      const hint = didYouMean(name, METHODS);
      throw new UserError(`unknown selector method '${name}' in '${quote}'`, {}, hint ? { hint } : {});
    }
    method = name as SelectorMethod;
    if (method === 'config') {
      if (keys.length === 0) throw bad(quote, "the config method needs a key, e.g. 'config.materialized:table'");
      if (keys.some((k) => k === '')) throw bad(quote, 'empty key in config key path');
      args = keys;
    } else if (keys.length > 0) {
      throw bad(quote, `selector method '${method}' takes no key ('${methodText}')`);
    }
  }

  validateValue(method, value, quote);
  return { raw, method, args, value, implicit, parentsDepth, childrenDepth, childrensParents };
}

/**
 * The method for a bare value, as dbt infers it: something with a slash is a
 * path, a file name with a known extension is a file, anything else is an fqn.
 */
function defaultMethod(value: string): SelectorMethod {
  if (value.includes('/') || value.includes('\\')) return 'path';
  if (/\.(sql|py|csv|yml|yaml)$/i.test(value)) return 'file';
  return 'fqn';
}

/** Values from a closed set are checked now, so a typo fails before anything runs. */
function validateValue(method: SelectorMethod, value: string, quote: string): void {
  if (method === 'resource_type' && !(RESOURCE_TYPES as readonly string[]).includes(value)) {
    const hint = didYouMean(value, RESOURCE_TYPES);
    throw bad(quote, `unknown resource type '${value}' (expected one of ${RESOURCE_TYPES.join(', ')})`, hint);
  }
  if (method === 'test_type' && !Object.hasOwn(TEST_TYPES, value)) {
    const names = Object.keys(TEST_TYPES);
    throw bad(quote, `unknown test type '${value}' (expected data, generic, singular or unit)`, didYouMean(value, names));
  }
  if (method === 'state' || method === 'result' || method === 'source_status') {
    const allowed = STATE_METHOD_VALUES[method];
    if (!allowed.includes(value)) throw bad(quote, `unknown ${method} '${value}' (expected one of ${allowed.join(', ')})`, didYouMean(value, allowed));
  }
  if (method === 'access' && !['private', 'protected', 'public'].includes(value)) {
    throw bad(quote, `unknown access '${value}' (expected private, protected or public)`, didYouMean(value, ['private', 'protected', 'public']));
  }
  if (method === 'source' && value.split('.').length > 3) {
    throw bad(quote, "a source selector is 'source_name', 'source_name.table_name' or 'package.source_name.table_name'");
  }
}
