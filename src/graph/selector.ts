/**
 * dbt's node selection syntax, evaluated as a pure function over a graph.
 *
 * `selectNodes` parses every selector first (so syntax errors surface before any
 * work), evaluates `select` (or takes every eligible node when there is none),
 * adds tests by indirect selection, then removes what `exclude` selects.
 * Parsing lives in selector-parse.ts.
 */
import { UserError } from '../errors.js';
import { parseSelector, STATE_METHODS, TEST_TYPES } from './selector-parse.js';
import type { ResourceType, SelectorCriterion, SelectorIntersection } from './selector-parse.js';

export { parseSelector, RESOURCE_TYPES, STATE_METHODS } from './selector-parse.js';
export type {
  ResourceType,
  SelectorCriterion,
  SelectorExpression,
  SelectorIntersection,
  SelectorMethod,
} from './selector-parse.js';

export interface SelectableNode {
  /** e.g. 'model.shop.orders', 'source.shop.retail.user_purchase'. */
  uniqueId: string;
  /** 'orders'; for sources the table name. */
  name: string;
  resourceType: ResourceType;
  packageName: string;
  /** model: [package, ...folders, name]; source: [package, source_name, table_name]. */
  fqn: string[];
  /** Posix path relative to the project root (sources/tests: the yml file). */
  originalFilePath: string;
  tags: string[];
  /** Final config. */
  config: Record<string, unknown>;
  /** Sources only. */
  sourceName?: string;
  /** Tests only. */
  testType?: 'generic' | 'singular' | 'unit';
  /** Generic tests: 'not_null', 'unique', ...; singular: the file name. */
  testName?: string;
}

export interface SelectionGraph {
  nodes: Map<string, SelectableNode>;
  /** uniqueId -> direct upstream uniqueIds (may be missing for roots). */
  parents: Map<string, Set<string>>;
  /** uniqueId -> direct downstream uniqueIds. */
  children: Map<string, Set<string>>;
  /** production's artifacts (--state), for `state:`, `result:` and `source_status:` */
  state?: SelectionState;
}

/** Answers the methods that compare against production's artifacts (see state.ts). */
export interface SelectionState {
  matches(method: 'state' | 'result' | 'source_status', value: string, uniqueId: string): boolean;
}

export type IndirectSelection = 'eager' | 'cautious' | 'buildable' | 'empty';
export const INDIRECT_MODES: readonly IndirectSelection[] = ['eager', 'cautious', 'buildable', 'empty'];

/**
 * A selection as dbt composes it: criteria joined by union, intersection and difference
 * (`--select` / `--exclude`, or a YAML selector). `indirect`: how this part adds the tests
 * of what it selects (default: the command's mode).
 */
export type SelectionSpec =
  | { kind: 'criterion'; criterion: SelectorCriterion; indirect?: IndirectSelection }
  | { kind: 'union' | 'intersection' | 'difference'; parts: SelectionSpec[]; indirect?: IndirectSelection };

export interface SelectOptions {
  /** Each element is one CLI argument; an element may hold several space-separated terms (union). */
  select?: string[];
  /** Instead of `select`: a parsed YAML selector (selectors.yml). */
  spec?: SelectionSpec;
  exclude?: string[];
  /** Resource types eligible when `select` is empty (default: all). */
  resourceTypes?: ResourceType[];
  /** Which tests to add for the selected nodes (default 'eager'). */
  indirectSelection?: IndirectSelection;
}

/** The criteria of command-line selectors: a union of intersections. */
export function specOfArgs(args: string[]): SelectionSpec {
  const terms = args.flatMap((s) => parseSelector(s).terms);
  return { kind: 'union', parts: terms.map(specOfTerm) };
}

function specOfTerm(term: SelectorIntersection): SelectionSpec {
  const parts: SelectionSpec[] = term.criteria.map((criterion) => ({ kind: 'criterion', criterion }));
  return parts.length === 1 ? parts[0] : { kind: 'intersection', parts };
}

export function selectNodes(graph: SelectionGraph, opts: SelectOptions): Set<string> {
  const mode = opts.indirectSelection ?? 'eager';
  // every selector is parsed before anything is evaluated: a syntax error stops first
  const include = opts.spec ?? nonEmpty(specOfArgs(opts.select ?? []));
  const exclude = nonEmpty(specOfArgs(opts.exclude ?? []));

  let picked: Picked;
  if (include) picked = evaluateSpec(graph, include, mode);
  else {
    const types = opts.resourceTypes ? new Set<ResourceType>(opts.resourceTypes) : undefined;
    const all = new Set<string>();
    for (const [id, node] of graph.nodes) if (!types || types.has(node.resourceType)) all.add(id);
    picked = { direct: all, indirect: new Set() };
  }
  // Test exclusion is greedy, as in dbt: a test on any excluded node is excluded too.
  if (exclude) picked = combine(graph, 'difference', [picked, evaluateSpec(graph, exclude, 'eager')], mode);
  return picked.direct;
}

/** A union of no terms is no selector at all (`--select ''`). */
function nonEmpty(spec: SelectionSpec): SelectionSpec | undefined {
  return spec.kind === 'union' && spec.parts.length === 0 ? undefined : spec;
}

// ---------------------------------------------------------------------------
// Set evaluation, as dbt does it: each part yields the nodes it selects (direct) and the
// tests it would add under a stricter mode (indirect); every set operation combines both
// and then takes in the indirect tests its mode accepts.

interface Picked {
  direct: Set<string>;
  indirect: Set<string>;
}

function evaluateSpec(graph: SelectionGraph, spec: SelectionSpec, mode: IndirectSelection): Picked {
  const own = spec.indirect ?? mode;
  if (spec.kind === 'criterion') return expandTests(graph, evaluateCriterion(graph, spec.criterion), own);
  return combine(graph, spec.kind, spec.parts.map((p) => evaluateSpec(graph, p, mode)), own);
}

function combine(graph: SelectionGraph, kind: 'union' | 'intersection' | 'difference', parts: Picked[], mode: IndirectSelection): Picked {
  const direct = setOperation(kind, parts.map((p) => p.direct));
  const indirect = setOperation(kind, parts.map((p) => new Set([...p.direct, ...p.indirect])));
  return { direct: incorporateTests(graph, direct, indirect, mode), indirect };
}

function setOperation(kind: 'union' | 'intersection' | 'difference', sets: Set<string>[]): Set<string> {
  if (sets.length === 0) return new Set();
  const out = new Set(sets[0]);
  for (const s of sets.slice(1)) {
    if (kind === 'union') {
      for (const id of s) out.add(id);
    } else if (kind === 'intersection') {
      for (const id of out) if (!s.has(id)) out.delete(id);
    } else {
      for (const id of s) out.delete(id);
    }
  }
  return out;
}

/** The nodes a criterion matches, widened by its own graph operators. */
function evaluateCriterion(graph: SelectionGraph, c: SelectorCriterion): Set<string> {
  const matches = compileMatcher(c, graph.state);
  const base = new Set<string>();
  for (const [id, node] of graph.nodes) if (matches(node)) base.add(id);
  if (base.size === 0) return base;

  const out = new Set(base);
  const addAll = (ids: Set<string>): void => {
    for (const id of ids) out.add(id);
  };
  if (c.childrensParents) {
    // @m: m and all its descendants, plus every ancestor of those.
    const descendants = reach(graph, graph.children, base, Infinity);
    addAll(reach(graph, graph.parents, descendants, Infinity));
  }
  if (c.parentsDepth !== undefined) addAll(reach(graph, graph.parents, base, c.parentsDepth));
  if (c.childrenDepth !== undefined) addAll(reach(graph, graph.children, base, c.childrenDepth));
  return out;
}

/**
 * Breadth-first walk along `edges` from `start`, at most `maxDepth` steps.
 * Returns the start nodes plus everything reached; ids absent from the graph are skipped.
 */
function reach(
  graph: SelectionGraph,
  edges: Map<string, Set<string>>,
  start: Iterable<string>,
  maxDepth: number,
): Set<string> {
  const seen = new Set(start);
  let frontier = [...seen];
  for (let depth = 0; depth < maxDepth && frontier.length > 0; depth++) {
    const next: string[] = [];
    for (const id of frontier) {
      for (const n of edges.get(id) ?? []) {
        if (!seen.has(n) && graph.nodes.has(n)) {
          seen.add(n);
          next.push(n);
        }
      }
    }
    frontier = next;
  }
  return seen;
}

function isTest(node: SelectableNode | undefined): boolean {
  return node !== undefined && (node.resourceType === 'test' || node.resourceType === 'unit_test');
}

/**
 * The tests attached to `selected` (dbt's indirect selection): a test joins `direct` when
 *  - eager: any of its parents is selected;
 *  - cautious: every parent is selected;
 *  - buildable: every parent is selected, an ancestor of the selection, or a source;
 *  - empty: never.
 * A test left out except under eager is kept in `indirect`: a union or intersection with
 * other parts may select its other parents.
 */
function expandTests(graph: SelectionGraph, selected: Set<string>, mode: IndirectSelection): Picked {
  const direct = new Set(selected);
  const indirect = new Set<string>();
  if (mode === 'empty') return { direct, indirect };
  for (const id of selected) {
    for (const child of graph.children.get(id) ?? []) {
      if (!selected.has(child) && isTest(graph.nodes.get(child))) indirect.add(child);
    }
  }
  return { direct: incorporateTests(graph, direct, indirect, mode), indirect };
}

/** `direct` with the tests of `indirect` that `mode` accepts. */
function incorporateTests(graph: SelectionGraph, direct: Set<string>, indirect: Set<string>, mode: IndirectSelection): Set<string> {
  if (mode === 'empty') return direct;
  const out = new Set(direct);
  let buildable: Set<string> | undefined; // the selection plus its ancestors, computed on demand
  for (const test of indirect) {
    if (out.has(test) || !isTest(graph.nodes.get(test))) continue;
    const parents = [...(graph.parents.get(test) ?? [])];
    if (mode === 'eager' || parents.every((p) => direct.has(p))) out.add(test);
    else if (mode === 'buildable') {
      buildable ??= reach(graph, graph.parents, direct, Infinity);
      if (parents.every((p) => buildable!.has(p) || graph.nodes.get(p)?.resourceType === 'source')) out.add(test);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Matching one node against one criterion

type Matcher = (node: SelectableNode) => boolean;
type StringMatcher = (s: string) => boolean;

function compileMatcher(c: SelectorCriterion, state: SelectionState | undefined): Matcher {
  const value = c.value;
  switch (c.method) {
    case 'state':
    case 'result':
    case 'source_status': {
      if (!state) throw new UserError(`selector '${c.raw}' compares with production's artifacts: pass --state DIR`, {}, { hint: "DIR holds production's manifest.json, e.g. a copy of its target/" });
      const method = c.method;
      return (n) => state.matches(method, value, n.uniqueId);
    }
    case 'fqn':
      return fqnMatcher(value);
    case 'tag': {
      const m = glob(value);
      return (n) => n.tags.some(m);
    }
    case 'path':
      return pathMatcher(value);
    case 'file': {
      const m = glob(value);
      return (n) => {
        const base = n.originalFilePath.slice(n.originalFilePath.lastIndexOf('/') + 1);
        const dot = base.lastIndexOf('.');
        return m(base) || (dot > 0 && m(base.slice(0, dot)));
      };
    }
    case 'config':
      return configMatcher(c.args, value);
    case 'resource_type':
      return (n) => n.resourceType === value;
    case 'source':
      return sourceMatcher(value);
    case 'package': {
      const m = glob(value);
      return (n) => m(n.packageName);
    }
    case 'test_type': {
      const want = TEST_TYPES[value];
      return (n) => {
        const type = isTest(n) ? (n.testType ?? (n.resourceType === 'unit_test' ? 'unit' : undefined)) : undefined;
        return type !== undefined && want.includes(type);
      };
    }
    case 'test_name': {
      const m = glob(value);
      return (n) => isTest(n) && m(n.testName ?? n.name);
    }
    case 'unit_test': {
      // dbt's: unit tests by name or by fqn (`unit_test:orders_*`, `unit_test:shop.orders.*`)
      const byFqn = fqnMatcher(value);
      const m = glob(value);
      return (n) => n.resourceType === 'unit_test' && (m(n.name) || byFqn(n));
    }
    case 'group': {
      const m = glob(value);
      return (n) => typeof n.config.group === 'string' && m(n.config.group);
    }
    case 'access':
      return (n) => n.resourceType === 'model' && (n.config.access ?? 'protected') === value;
    case 'exposure': {
      const m = glob(value);
      return (n) => n.resourceType === 'exposure' && m(n.name);
    }
  }
}

/**
 * dbt's fqn matching: the value matches the node name, the package name, or a
 * prefix of the fqn (dot-separated parts, with or without the package). A part
 * that is exactly `*` matches everything below it.
 */
function fqnMatcher(value: string): Matcher {
  const whole = glob(value);
  const parts = value.split('.');
  const partMatchers = parts.map((p) => glob(p));
  const prefixMatches = (fqn: string[]): boolean => {
    // Dots inside fqn segments act as separators too.
    const flat = fqn.flatMap((seg) => seg.split('.'));
    if (parts.length > flat.length) return false;
    for (let i = 0; i < parts.length; i++) {
      if (parts[i] === '*') return true;
      if (!partMatchers[i](flat[i])) return false;
    }
    return true;
  };
  return (n) => whole(n.name) || whole(n.packageName) || prefixMatches(n.fqn) || prefixMatches(n.fqn.slice(1));
}

/** `path:` matches a file, or a folder and everything below it. `*` stays within one segment; `**` spans any. */
function pathMatcher(value: string): Matcher {
  const wanted = normalizePath(value);
  if (wanted === '' || wanted === '.') return () => true;
  const m = glob(wanted, true);
  return (n) => {
    const p = normalizePath(n.originalFilePath);
    if (m(p)) return true;
    for (let i = p.lastIndexOf('/'); i > 0; i = p.lastIndexOf('/', i - 1)) {
      if (m(p.slice(0, i))) return true;
    }
    return false;
  };
}

function normalizePath(p: string): string {
  return p
    .replace(/\\/g, '/')
    .replace(/\/{2,}/g, '/')
    .replace(/^(\.\/)+/, '')
    .replace(/\/+$/, '');
}

/** `source:name`, `source:name.table` or `source:package.name.table`. */
function sourceMatcher(value: string): Matcher {
  const parts = value.split('.');
  const [pkg, source, table] =
    parts.length === 1 ? ['*', parts[0], '*'] : parts.length === 2 ? ['*', parts[0], parts[1]] : parts;
  const mPkg = glob(pkg);
  const mSource = glob(source);
  const mTable = glob(table);
  return (n) =>
    n.resourceType === 'source' &&
    mPkg(n.packageName) &&
    mSource(n.sourceName ?? n.fqn[n.fqn.length - 2] ?? '') &&
    mTable(n.name);
}

/** `config.a.b:v`: the nested value equals v (as a string), or contains v when it is a list. */
function configMatcher(keys: string[], want: string): Matcher {
  return (n) => {
    let v: unknown = n.config;
    for (const k of keys) {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
      v = (v as Record<string, unknown>)[k];
    }
    return Array.isArray(v) ? v.some((x) => scalarEquals(x, want)) : scalarEquals(v, want);
  };
}

function scalarEquals(v: unknown, want: string): boolean {
  if (typeof v === 'string') return v === want;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v) === want;
  if (typeof v === 'boolean') return String(v) === want.toLowerCase();
  return false;
}

/**
 * Shell-style glob (`*`, `?`) as a string predicate; plain equality when the
 * pattern has no wildcard. In path mode `*`/`?` do not cross '/', `**` does.
 */
function glob(pattern: string, pathMode = false): StringMatcher {
  if (!/[*?]/.test(pattern)) return (s) => s === pattern;
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '*') {
      if (pathMode && pattern[i + 1] === '*') {
        i++;
        if (pattern[i + 1] === '/') {
          i++;
          re += '(?:.*/)?'; // `**/` also matches zero folders
        } else {
          re += '.*';
        }
      } else {
        re += pathMode ? '[^/]*' : '.*';
      }
    } else if (ch === '?') {
      re += pathMode ? '[^/]' : '.';
    } else {
      re += ch.replace(/[.+^${}()|[\]\\/-]/g, '\\$&');
    }
  }
  const rx = new RegExp(`^${re}$`, 's');
  return (s) => rx.test(s);
}
