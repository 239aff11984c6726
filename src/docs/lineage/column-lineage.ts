import type { AstNode } from './parse-sql.js';

/** A column of a node of the project (model, seed, source): what lineage points at. */
export interface ColumnRef {
  node: string;
  column: string;
}

/**
 * How a column's value comes from its upstream columns: `direct` (the same
 * value, renamed or cast), `transformed` (an expression over them), `aggregated`
 * (an aggregate or window over rows).
 */
export type Via = 'direct' | 'transformed' | 'aggregated';

const VIA_RANK: Record<Via, number> = { direct: 0, transformed: 1, aggregated: 2 };

export function strongerVia(a: Via, b: Via): Via {
  return VIA_RANK[a] >= VIA_RANK[b] ? a : b;
}

/** One output column of a query, with the project columns it is computed from. */
export interface DerivedColumn {
  name: string;
  refs: ColumnRef[];
  via: Via;
  /**
   * The name is the analysis's stand-in for one the engine chooses (an
   * expression without an alias, a VALUES column): each engine names those
   * its own way. Otherwise it is the alias or the column's own name.
   */
  guessedName?: boolean;
}

/** What the analysis needs to know about the project: relations, their nodes and columns. */
export interface LineageContext {
  /** the node a table reference (catalog, schema, table as written) reads, if it is one of the project's */
  nodeOfTable(parts: { catalog?: string; schema?: string; table: string }): string | undefined;
  /** a node's columns, in order, when known */
  columnsOf(node: string): string[] | undefined;
  /** the node of an ephemeral model inlined as this CTE name, if it is one */
  ephemeralOfCte(cte: string): string | undefined;
}

/** Noted when `columns('re')` picked columns: with JavaScript's regular expressions, which may differ from the engine's in places. */
export const PATTERN_NOTE = "columns('…') is matched with JavaScript's regular expressions, which may pick other columns than the engine's";

/** The statement holds something the analysis cannot follow: the model falls back to table-level lineage. */
export class LineageUnsupported extends Error {}

interface Col {
  name: string;
  refs: Map<string, ColumnRef>;
  via: Via;
  guessedName?: boolean;
}

/** A relation in a FROM clause: its names, and its columns (undefined: not known). */
interface Source {
  /** lower-case names it may be qualified by: alias, or table, schema.table, catalog.schema.table */
  names: string[];
  columns: Col[] | undefined;
  /** the project node read, when the columns are not known: a column `x` is that node's `x` */
  node?: string;
  /** what it is, for messages */
  label: string;
  /** columns a `select *` leaves out (the right side's JOIN … USING columns) */
  hidden?: Set<string>;
}

interface Scope {
  sources: Source[];
  parent?: Scope;
}

interface CteScope {
  ctes: Map<string, () => Col[]>;
  parent?: CteScope;
}

const AGGREGATES = new Set([
  'sum', 'count', 'count_star', 'avg', 'mean', 'min', 'max', 'any_value', 'arbitrary', 'first', 'last', 'string_agg', 'listagg', 'group_concat',
  'array_agg', 'list', 'median', 'mode', 'stddev', 'stddev_pop', 'stddev_samp', 'variance', 'var_pop', 'var_samp', 'bool_and', 'bool_or',
  'bit_and', 'bit_or', 'bit_xor', 'approx_count_distinct', 'approx_quantile', 'quantile', 'quantile_cont', 'quantile_disc', 'percentile_cont',
  'percentile_disc', 'arg_max', 'arg_min', 'max_by', 'min_by', 'product', 'corr', 'covar_pop', 'covar_samp', 'histogram', 'every', 'fsum',
  'sumkahan', 'kahan_sum', 'favg', 'entropy', 'kurtosis', 'skewness', 'regr_slope', 'regr_intercept', 'count_if', 'countif', 'hll_count',
  'json_group_array', 'json_group_object', 'object_agg', 'array_union_agg', 'booland_agg', 'boolor_agg',
]);

const refKey = (r: ColumnRef) => `${r.node}\u0000${r.column.toLowerCase()}`;
const lower = (s: string) => s.toLowerCase();

function refsOf(...cols: Col[]): Map<string, ColumnRef> {
  const out = new Map<string, ColumnRef>();
  for (const c of cols) for (const [k, v] of c.refs) out.set(k, v);
  return out;
}

/**
 * The output columns of a parsed select and, for each, the project columns its
 * value is computed from: through CTEs, subqueries, joins, aliases, `select *`,
 * expressions, aggregates and set operations. Throws LineageUnsupported for a
 * construct it cannot follow, and collects notes (a column it could not place).
 */
export function analyzeSelect(tree: AstNode, ctx: LineageContext, notes: string[]): DerivedColumn[] {
  const a = new Analyzer(ctx, notes);
  return a.query(tree, undefined, undefined).map((c) => ({ name: c.name, refs: [...c.refs.values()], via: c.via, ...(c.guessedName ? { guessedName: true } : {}) }));
}

class Analyzer {
  constructor(
    private readonly ctx: LineageContext,
    private readonly notes: string[],
  ) {}

  private note(text: string): void {
    if (!this.notes.includes(text)) this.notes.push(text);
  }

  /** A query node: select, set operation, with its CTEs. */
  query(node: AstNode, outer: Scope | undefined, ctes: CteScope | undefined, columnAliases?: unknown): Col[] {
    const own = this.ctes(node, ctes, outer);
    switch (node.type) {
      case 'SELECT_NODE':
        return this.select(node, outer, own);
      case 'SET_OPERATION_NODE': {
        const parts = Array.isArray(node.children) && node.children.length ? (node.children as AstNode[]) : [node.left as AstNode, node.right as AstNode];
        const results = parts.map((p) => this.query(p, outer, own));
        return this.setOperation(results, String(node.setop_type ?? 'UNION'));
      }
      case 'RECURSIVE_CTE_NODE': {
        // the recursive part reads the CTE itself: as its first part, named by the CTE's column aliases
        const left = renamed(this.query(node.left as AstNode, outer, own), columnAliases);
        const name = String(node.cte_name ?? node.ctename ?? '');
        const withSelf: CteScope = { ctes: new Map([[lower(name), () => left]]), parent: own };
        const right = this.query(node.right as AstNode, outer, withSelf);
        return this.setOperation([left, right], 'UNION');
      }
      case 'CTE_NODE':
        return this.query(node.child as AstNode, outer, own);
      default:
        throw new LineageUnsupported(`a ${String(node.type).toLowerCase().replace(/_/g, ' ')} is not analysed`);
    }
  }

  private ctes(node: AstNode, parent: CteScope | undefined, outer: Scope | undefined): CteScope | undefined {
    const map = (node.cte_map as { map?: Array<{ key: string; value: { aliases?: string[]; query: { node: AstNode } } }> } | undefined)?.map ?? [];
    if (!map.length) return parent;
    const scope: CteScope = { ctes: new Map(), parent };
    for (const entry of map) {
      let cached: Col[] | undefined;
      let busy = false;
      scope.ctes.set(lower(entry.key), () => {
        if (cached) return cached;
        if (busy) throw new LineageUnsupported(`the CTE '${entry.key}' refers to itself`);
        busy = true;
        // `name(a, b) as (…)`: the CTE's columns renamed by position
        cached = renamed(this.query(entry.value.query.node, outer, scope, entry.value.aliases), entry.value.aliases);
        busy = false;
        return cached;
      });
    }
    return scope;
  }

  private setOperation(results: Col[][], kind: string): Col[] {
    const [first, ...rest] = results;
    for (const r of rest) {
      if (r.length !== first.length) throw new LineageUnsupported(`the sides of a ${kind.toLowerCase()} have ${first.length} and ${r.length} columns`);
    }
    return first.map((c, i) => {
      let via = c.via;
      const refs = new Map(c.refs);
      for (const r of rest) {
        via = strongerVia(via, r[i].via);
        for (const [k, v] of r[i].refs) refs.set(k, v);
      }
      return { name: c.name, refs, via, guessedName: c.guessedName };
    });
  }

  private select(node: AstNode, outer: Scope | undefined, ctes: CteScope | undefined): Col[] {
    const scope: Scope = { sources: [], parent: outer };
    if (node.from_table) this.from(node.from_table as AstNode, scope, ctes);
    const out: Col[] = [];
    const lateral = new Map<string, Col>();
    for (const item of (node.select_list as AstNode[]) ?? []) {
      if (item.class === 'STAR') {
        for (const c of this.star(item, scope, ctes)) {
          out.push(c);
          lateral.set(lower(c.name), c);
        }
        continue;
      }
      const col = this.expression(item, scope, ctes, lateral);
      const name = outputName(item, out.length);
      const c: Col = { name, refs: col.refs, via: col.via, guessedName: !item.alias && item.class !== 'COLUMN_REF' };
      out.push(c);
      lateral.set(lower(name), c);
    }
    return out;
  }

  /** Adds the relations of a FROM clause to `scope`. */
  private from(ref: AstNode, scope: Scope, ctes: CteScope | undefined): void {
    switch (ref.type) {
      case 'EMPTY':
        return;
      case 'JOIN': {
        this.from(ref.left as AstNode, scope, ctes);
        const before = scope.sources.length;
        this.from(ref.right as AstNode, scope, ctes);
        const using = ((ref.using_columns as string[]) ?? []).map(lower);
        if (using.length) for (const s of scope.sources.slice(before)) s.hidden = new Set(using);
        return;
      }
      case 'BASE_TABLE': {
        scope.sources.push(this.baseTable(ref, ctes));
        return;
      }
      case 'SUBQUERY': {
        const sub = (ref.subquery as { node: AstNode }).node;
        // a lateral subquery sees the relations before it in the same FROM
        const cols = this.query(sub, { sources: [...scope.sources], parent: scope.parent }, ctes);
        const alias = String(ref.alias ?? '');
        scope.sources.push({ names: alias ? [lower(alias)] : [], columns: renamed(cols, ref.column_name_alias), label: alias || 'a subquery' });
        return;
      }
      case 'EXPRESSION_LIST': {
        const values = (ref.values as AstNode[][]) ?? [];
        const width = values[0]?.length ?? 0;
        const cols: Col[] = Array.from({ length: width }, (_, i) => ({ name: `col${i}`, refs: new Map(), via: 'transformed' as Via, guessedName: true }));
        const alias = String(ref.alias ?? '');
        scope.sources.push({ names: alias ? [lower(alias)] : [], columns: renamed(cols, ref.column_name_alias), label: 'a values list' });
        return;
      }
      case 'TABLE_FUNCTION': {
        const fn = String((ref.function as AstNode)?.function_name ?? 'a table function');
        const alias = String(ref.alias ?? '');
        // unnest(list) and friends: the values come from the function's arguments
        const args = this.expression(ref.function as AstNode, scope, ctes, new Map());
        const names = ((ref.column_name_alias as string[]) ?? []).filter(Boolean);
        const columns = names.length ? names.map((n) => ({ name: n, refs: args.refs, via: 'transformed' as Via })) : undefined;
        if (!columns) this.note(`the columns of ${fn}(…) are not known`);
        scope.sources.push({ names: alias ? [lower(alias), lower(fn)] : [lower(fn)], columns, label: `${fn}(…)` });
        return;
      }
      default:
        throw new LineageUnsupported(`a ${String(ref.type).toLowerCase().replace(/_/g, ' ')} in FROM is not analysed`);
    }
  }

  private baseTable(ref: AstNode, ctes: CteScope | undefined): Source {
    const table = String(ref.table_name);
    const schema = String(ref.schema_name ?? '');
    const catalog = String(ref.catalog_name ?? '');
    const alias = String(ref.alias ?? '');
    const names = alias ? [lower(alias)] : [lower(table), ...(schema ? [lower(`${schema}.${table}`)] : []), ...(schema && catalog ? [lower(`${catalog}.${schema}.${table}`)] : [])];
    if (!schema && !catalog) {
      const ephemeral = this.ctx.ephemeralOfCte(table);
      if (ephemeral) return this.nodeSource(ephemeral, names, ref, table);
      const cte = findCte(ctes, lower(table));
      if (cte) return { names, columns: renamed(cte(), ref.column_name_alias), label: table };
    }
    const node = this.ctx.nodeOfTable({ catalog: catalog || undefined, schema: schema || undefined, table });
    const written = [catalog, schema, table].filter(Boolean).join('.');
    if (!node) {
      this.note(`${written} is not a node of the project: its columns are not followed`);
      return { names, columns: undefined, label: written };
    }
    return this.nodeSource(node, names, ref, written);
  }

  private nodeSource(node: string, names: string[], ref: AstNode, label: string): Source {
    const columns = this.ctx.columnsOf(node);
    if (!columns) return { names, columns: undefined, node, label };
    const cols: Col[] = columns.map((c) => ({ name: c, refs: new Map([[refKey({ node, column: c }), { node, column: c }]]), via: 'direct' as Via }));
    return { names, columns: renamed(cols, ref.column_name_alias), node, label };
  }

  /** `*`, `t.*`, `* exclude (…)`, `* replace (…)`, `columns('re')`. */
  private star(item: AstNode, scope: Scope, ctes: CteScope | undefined): Col[] {
    const relation = item.relation_name ? lower(String(item.relation_name)) : undefined;
    const sources = relation ? scope.sources.filter((s) => s.names.includes(relation)) : scope.sources;
    if (relation && !sources.length) throw new LineageUnsupported(`${String(item.relation_name)}.* names no relation of its FROM`);
    const exclude = new Set(((item.exclude_list as unknown[]) ?? []).map((e) => lower(typeof e === 'string' ? e : String((e as { column_names?: string[] }).column_names?.at(-1) ?? e))));
    // `* exclude (t.a)`: a column of one relation
    const qualifiedExclude = ((item.qualified_exclude_list as Array<{ table?: string; column: string }>) ?? []).map((q) => ({ table: lower(q.table ?? ''), column: lower(q.column) }));
    // `* rename (a as b)`
    const rename = new Map<string, string>();
    for (const r of (item.rename_list as Array<{ key: { column: string }; value: string }>) ?? []) rename.set(lower(r.key.column), r.value);
    const replace = new Map<string, AstNode>();
    for (const r of (item.replace_list as Array<{ key: string; value: AstNode }>) ?? []) replace.set(lower(r.key), r.value);
    let pattern: RegExp | undefined;
    if (item.columns) {
      const e = item.expr as AstNode | undefined;
      const value = (e?.value as { value?: unknown } | undefined)?.value;
      if (e?.class === 'CONSTANT' && typeof value === 'string') {
        pattern = new RegExp(value);
        this.note(PATTERN_NOTE);
      }
      else if (e) throw new LineageUnsupported('columns(…) with an expression is not analysed');
    }
    const out: Col[] = [];
    const seen = new Set<string>();
    for (const s of sources) {
      if (!s.columns) throw new LineageUnsupported(`select * over ${s.label}, whose columns are not known`);
      for (const c of s.columns) {
        const k = lower(c.name);
        if (exclude.has(k) || (!relation && s.hidden?.has(k) && seen.has(k))) continue;
        if (qualifiedExclude.some((q) => q.column === k && (!q.table || s.names.includes(q.table)))) continue;
        if (pattern && !pattern.test(c.name)) continue;
        seen.add(k);
        const rep = replace.get(k);
        if (rep) {
          const e = this.expression(rep, scope, ctes, new Map());
          out.push({ name: c.name, refs: e.refs, via: e.via, guessedName: c.guessedName });
        } else out.push({ name: rename.get(k) ?? c.name, refs: new Map(c.refs), via: c.via, guessedName: rename.has(k) ? false : c.guessedName });
      }
    }
    return out;
  }

  /** The columns an expression reads, and how. */
  private expression(e: AstNode, scope: Scope, ctes: CteScope | undefined, lateral: Map<string, Col>, lambda: Set<string> = new Set()): { refs: Map<string, ColumnRef>; via: Via } {
    if (e.class === 'COLUMN_REF') {
      const c = this.column(e.column_names as string[], scope, lateral, lambda);
      return c ? { refs: new Map(c.refs), via: c.via } : { refs: new Map(), via: 'transformed' };
    }
    if (e.class === 'CAST') {
      const inner = this.expression(e.child as AstNode, scope, ctes, lateral, lambda);
      return (e.child as AstNode).class === 'COLUMN_REF' ? inner : { refs: inner.refs, via: strongerVia(inner.via, 'transformed') };
    }
    const refs = new Map<string, ColumnRef>();
    let via: Via = 'transformed';
    const add = (x: { refs: Map<string, ColumnRef>; via: Via }) => {
      for (const [k, v] of x.refs) refs.set(k, v);
      via = strongerVia(via, x.via);
    };
    if ((e.class === 'FUNCTION' && AGGREGATES.has(lower(String(e.function_name)))) || e.class === 'WINDOW') via = 'aggregated';
    if (e.class === 'SUBQUERY') {
      const cols = this.query((e.subquery as { node: AstNode }).node, scope, ctes);
      const used = e.subquery_type === 'SCALAR' || e.subquery_type === 'ANY' ? cols.slice(0, 1) : cols;
      for (const c of used) add({ refs: c.refs, via: c.via });
      if (e.child) add(this.expression(e.child as AstNode, scope, ctes, lateral, lambda));
      return { refs, via };
    }
    if (e.class === 'STAR') {
      for (const c of this.star(e, scope, ctes)) add({ refs: c.refs, via: 'transformed' });
      return { refs, via };
    }
    if (e.class === 'LAMBDA') {
      const params = new Set(lambda);
      for (const p of lambdaParams(e.lhs as AstNode)) params.add(lower(p));
      add(this.expression(e.expr as AstNode, scope, ctes, lateral, params));
      return { refs, via };
    }
    for (const [k, v] of Object.entries(e)) {
      if (k === 'class' || k === 'type' || k === 'alias') continue;
      for (const child of childExpressions(v)) add(this.expression(child, scope, ctes, lateral, lambda));
    }
    return { refs, via };
  }

  /** A column reference: in this scope's relations, then the outer scopes (correlation), then an earlier alias of the select list. */
  private column(parts: string[], scope: Scope, lateral: Map<string, Col>, lambda: Set<string>): Col | undefined {
    const written = parts.join('.');
    if (parts.length === 1 && lambda.has(lower(parts[0]))) return undefined;
    for (let s: Scope | undefined = scope; s; s = s.parent) {
      const found = this.inScope(parts, s);
      if (found) return found;
    }
    const alias = lateral.get(lower(parts[0]));
    if (alias) return alias;
    if (lambda.has(lower(parts[0]))) return undefined;
    this.note(`column ${written} was not found in the relations it reads`);
    return undefined;
  }

  private inScope(parts: string[], scope: Scope): Col | undefined {
    // qualified: alias.column, schema.table.column, catalog.schema.table.column (then struct fields)
    for (let q = Math.min(3, parts.length - 1); q >= 1; q--) {
      const qualifier = lower(parts.slice(0, q).join('.'));
      const source = scope.sources.find((s) => s.names.includes(qualifier));
      if (source) return this.columnOf(source, parts[q]);
    }
    // unqualified (or a struct field of an unqualified column)
    const name = lower(parts[0]);
    const known = scope.sources.filter((s) => s.columns?.some((c) => lower(c.name) === name));
    if (known.length) return this.columnOf(known[0], parts[0]);
    const open = scope.sources.filter((s) => !s.columns);
    if (open.length === 1) return this.columnOf(open[0], parts[0]);
    if (open.length > 1) this.note(`column ${parts.join('.')} may come from ${open.map((s) => s.label).join(' or ')}`);
    return undefined;
  }

  private columnOf(source: Source, name: string): Col | undefined {
    if (source.columns) {
      const c = source.columns.find((x) => lower(x.name) === lower(name));
      if (!c) this.note(`${source.label} has no column ${name}`);
      return c;
    }
    if (source.node) return { name, refs: new Map([[refKey({ node: source.node, column: name }), { node: source.node, column: name }]]), via: 'direct' };
    return { name, refs: new Map(), via: 'direct' };
  }
}

function findCte(scope: CteScope | undefined, name: string): (() => Col[]) | undefined {
  for (let s = scope; s; s = s.parent) {
    const c = s.ctes.get(name);
    if (c) return c;
  }
  return undefined;
}

/** `v(x, y)`: the relation's columns renamed by position. */
function renamed(cols: Col[], aliases: unknown): Col[] {
  const names = Array.isArray(aliases) ? (aliases as string[]) : [];
  if (!names.length) return cols;
  return cols.map((c, i) => (i < names.length && names[i] ? { ...c, name: names[i], guessedName: false } : c));
}

/** The name a select-list item gets: its alias, a column's own name, else the engine's default. */
function outputName(item: AstNode, index: number): string {
  if (item.alias) return String(item.alias);
  if (item.class === 'COLUMN_REF') return String((item.column_names as string[]).at(-1));
  if (item.class === 'CAST' && (item.child as AstNode)?.class === 'COLUMN_REF') return String(((item.child as AstNode).column_names as string[]).at(-1));
  if (item.class === 'FUNCTION' && typeof item.function_name === 'string' && /^[a-z_]+$/i.test(item.function_name)) return item.function_name === 'count_star' ? 'count_star()' : `${item.function_name}(…)`;
  return `column_${index + 1}`;
}

function lambdaParams(lhs: AstNode | undefined): string[] {
  if (!lhs) return [];
  if (lhs.class === 'COLUMN_REF') return [String((lhs.column_names as string[]).at(-1))];
  return childExpressions(Object.values(lhs)).flatMap(lambdaParams);
}

/** The expression nodes held by a value of an expression node (children, arguments, CASE arms …). */
function childExpressions(v: unknown): AstNode[] {
  if (!v || typeof v !== 'object') return [];
  if (Array.isArray(v)) return v.flatMap(childExpressions);
  const o = v as AstNode;
  if (typeof o.class === 'string') return [o];
  // wrappers without a class: CASE checks ({when_expr, then_expr}), ORDER BY items ({expression}) …
  return Object.values(o).flatMap(childExpressions);
}
