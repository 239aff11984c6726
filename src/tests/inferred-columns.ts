import type { Column } from '../adapters/types.js';
import { relationKey, type Manifest } from '../compiler/compiler.js';
import type { ManifestNode, ModelNode } from '../compiler/nodes.js';
import { analyzeSelect, LineageUnsupported, PATTERN_NOTE, type LineageContext } from '../docs/lineage/column-lineage.js';
import type { ParseOutcome, SqlParser } from '../docs/lineage/parse-sql.js';
import { csvHeader } from '../docs/lineage/project-lineage.js';
import { contractEnforced } from '../materializations/contract.js';
import type { Plan } from '../plan/plan.js';
import { PLAIN_COLUMN } from './preflight.js';

/**
 * The columns the models and seeds a build rebuilds will have, found before
 * anything runs, so that a test on a column that will not be there, or
 * unit-test rows with a column an input will not have, is an error (exit 2)
 * before the first statement and not after the model was built.
 *
 * Only what is certain counts: a seed's CSV header; a table or view model's
 * compiled select, parsed (DuckDB's parser, as for column lineage) and traced
 * through CTEs, subqueries, joins and `select *` down to relations whose
 * columns are known (the catalog's, for relations this run does not rebuild;
 * the inferred ones, for those it does). A model whose SQL does not parse,
 * reads a relation whose columns are not known with `*`, names a column in a
 * way each engine names differently (an expression without an alias), is
 * rendered again at run time, or has hooks (which may alter the table) gives
 * no answer, and its tests keep the check right after it is built. An
 * incremental model that already exists may keep columns its SQL no longer
 * selects, and an enforced contract names the table's: the answer is the
 * union of them all.
 *
 * Fast: a model is parsed only when a column its tests or unit tests need
 * does not appear in its compiled SQL at all (the usual case, a column that is
 * there, costs a text search), and then only it and what its `*` reads, many
 * statements to one call of the parser (bench/inferred-columns.mjs).
 */
export async function inferColumnsOfRebuilt(plan: Plan, manifest: Manifest, catalog: Map<string, Column[]>): Promise<Map<string, string[]>> {
  let parser: Promise<SqlParser> | undefined;
  try {
    // DuckDB's parser loads only when a model has to be parsed
    return await inferWith(plan, manifest, catalog, () => (parser ??= import('../docs/lineage/parse-sql.js').then((m) => new m.SqlParser())));
  } finally {
    (await parser)?.close();
  }
}

async function inferWith(plan: Plan, manifest: Manifest, catalog: Map<string, Column[]>, parser: () => Promise<SqlParser>): Promise<Map<string, string[]>> {
  const rebuilt = new Map<string, ManifestNode>();
  for (const s of plan.steps) if (s.node.resourceType === 'model' || s.node.resourceType === 'seed') rebuilt.set(s.id, s.node);
  // what the run's tests need of each rebuilt node
  const wanted = new Map<string, Set<string>>();
  const want = (id: string | undefined, column: string) => {
    if (!id || !rebuilt.has(id)) return;
    let set = wanted.get(id);
    if (!set) wanted.set(id, (set = new Set()));
    set.add(column);
  };
  for (const s of plan.steps) {
    const n = s.node;
    if (n.resourceType === 'test' && typeof n.columnName === 'string') {
      const m = PLAIN_COLUMN.exec(n.columnName);
      if (m) want(n.attachedNode, m[1]);
    }
    if (n.resourceType === 'unit_test') for (const g of n.given) for (const c of g.columns) want(g.nodeId, c);
  }
  const inference = new Inference(manifest, rebuilt, catalog);
  // a model whose SQL names every wanted column somewhere is left alone: nothing to parse
  const ids = [...wanted]
    .filter(([id, columns]) => {
      const node = rebuilt.get(id)!;
      if (node.resourceType !== 'model') return true;
      const sql = node.compiledCode.toLowerCase();
      return ![...columns].every((c) => mentions(sql, c));
    })
    .map(([id]) => id);
  await inference.parse(ids, parser);
  const out = new Map<string, string[]>();
  for (const id of ids) {
    const cols = inference.columnsOf(id);
    if (cols) out.set(id, cols);
  }
  return out;
}

/** The word `name` (any case, not part of a longer name) somewhere in the text (given in lower case). */
function mentions(lowerSql: string, name: string): boolean {
  const word = name.toLowerCase();
  const wordChar = (c: string | undefined) => c !== undefined && /[a-z0-9_$]/.test(c);
  for (let i = lowerSql.indexOf(word); i >= 0; i = lowerSql.indexOf(word, i + 1)) {
    if (!wordChar(lowerSql[i - 1]) && !wordChar(lowerSql[i + word.length])) return true;
  }
  return false;
}

const INFERRED_MATERIALIZATIONS = new Set(['table', 'view', 'incremental']);

class Inference {
  private readonly trees = new Map<string, ParseOutcome>();
  private readonly done = new Map<string, string[] | undefined>();
  private readonly busy = new Set<string>();
  private readonly byRelation = new Map<string, string[]>();

  constructor(
    private readonly manifest: Manifest,
    private readonly rebuilt: Map<string, ManifestNode>,
    private readonly catalog: Map<string, Column[]>,
  ) {
    for (const n of manifest.nodes.values()) {
      if (!('relation' in n) || (n.resourceType === 'model' && (n.materialized === 'ephemeral' || n.materialized === 'unload'))) continue;
      const r = n.relation;
      for (const key of [[r.database, r.schema, r.identifier], [r.schema, r.identifier], [r.identifier]]) {
        const k = key.filter((p) => p !== undefined && p !== '').join('.').toLowerCase();
        const list = this.byRelation.get(k) ?? [];
        if (!list.includes(n.uniqueId)) list.push(n.uniqueId);
        this.byRelation.set(k, list);
      }
    }
  }

  /** A rebuilt model whose columns its SQL can tell (see modelColumns). */
  private inferable(id: string): ModelNode | undefined {
    const node = this.rebuilt.get(id);
    if (node?.resourceType !== 'model' || !INFERRED_MATERIALIZATIONS.has(node.materialized)) return undefined;
    if (node.preHooks.length || node.postHooks.length || node.renderAtRunTime?.includes('sql')) return undefined;
    return node;
  }

  /**
   * Parses these models, in one call to the parser per round: then, for those
   * with a `*`, the rebuilt models they read (whose columns the `*` brings).
   */
  async parse(ids: string[], parser: () => Promise<SqlParser>): Promise<void> {
    let round = [...new Set(ids)].filter((id) => this.inferable(id) && !this.trees.has(id));
    while (round.length) {
      const outcomes = await (await parser()).parseSelects(round.map((id) => this.inferable(id)!.compiledCode));
      const next = new Set<string>();
      round.forEach((id, i) => {
        const p = outcomes[i];
        this.trees.set(id, p);
        if (p.ok && hasStar(p.tree)) for (const dep of this.inferable(id)!.dependsOn.nodes) if (this.inferable(dep) && !this.trees.has(dep)) next.add(dep);
      });
      round = [...next];
    }
  }

  /** A node's columns once this run has built it, when they are certain; undefined otherwise. */
  columnsOf(id: string): string[] | undefined {
    if (this.done.has(id)) return this.done.get(id);
    if (this.busy.has(id)) return undefined;
    this.busy.add(id);
    let cols: string[] | undefined;
    try {
      cols = this.compute(id);
    } finally {
      this.busy.delete(id);
    }
    this.done.set(id, cols);
    return cols;
  }

  private existing(node: ManifestNode): string[] | undefined {
    if (!('relation' in node)) return undefined;
    const cols = this.catalog.get(relationKey(node.relation));
    return cols?.length ? cols.map((c) => c.name) : undefined;
  }

  private compute(id: string): string[] | undefined {
    const node = this.manifest.nodes.get(id);
    if (!node) return undefined;
    // an ephemeral model is a CTE of the SQL that reads it, not a relation
    if (node.resourceType === 'model' && node.materialized === 'ephemeral') return undefined;
    // an external source is (re)staged by the run: its files' columns may not be the catalog's yet
    if (node.resourceType === 'source' && node.external) return undefined;
    if (!this.rebuilt.has(id)) return this.existing(node);
    if (node.resourceType === 'seed') {
      const header = csvHeader(node.absPath, node.config.delimiter);
      return header.length ? header : undefined;
    }
    const model = this.inferable(id);
    return model && this.modelColumns(model);
  }

  private modelColumns(node: ModelNode): string[] | undefined {
    const parsed = this.trees.get(node.uniqueId);
    if (!parsed?.ok) return undefined;
    const notes: string[] = [];
    const ctx: LineageContext = {
      nodeOfTable: ({ catalog: db, schema, table }) => {
        for (const parts of [[db, schema, table], [schema, table], [table]]) {
          if (parts.some((p) => p === undefined)) continue;
          const ids = this.byRelation.get(parts.join('.').toLowerCase()) ?? [];
          const read = ids.filter((x) => node.dependsOn.nodes.includes(x));
          if (read.length === 1) return read[0];
          if (ids.length === 1) return ids[0];
          if (ids.length > 1) return undefined;
        }
        return undefined;
      },
      // only a `*` needs them (parse() parsed the rebuilt models a `*` reads)
      columnsOf: (dep) => (hasStar(parsed.tree) ? this.columnsOf(dep) : undefined),
      // ephemeral models are CTEs of the compiled SQL itself
      ephemeralOfCte: () => undefined,
    };
    let cols;
    try {
      cols = analyzeSelect(parsed.tree, ctx, notes);
    } catch (e) {
      if (e instanceof LineageUnsupported) return undefined;
      throw e;
    }
    if (!cols.length || cols.some((c) => c.guessedName) || notes.includes(PATTERN_NOTE)) return undefined;
    const names = cols.map((c) => c.name);
    // an incremental model keeps the columns of its table (on_schema_change decides which it adds or drops)
    const kept = node.materialized === 'incremental' ? (this.existing(node) ?? []) : [];
    // an enforced contract's columns are the table's (a mismatch fails the model with the contract's own error)
    const contract = contractEnforced(node) ? Object.values(node.columns).map((c) => c.name) : [];
    return [...new Set([...names, ...kept, ...contract])];
  }
}

/** A `*` anywhere in the parse tree (`select *`, `t.*`, `count(*)` is a function, not a star). */
function hasStar(tree: unknown): boolean {
  if (!tree || typeof tree !== 'object') return false;
  if (Array.isArray(tree)) return tree.some(hasStar);
  const o = tree as Record<string, unknown>;
  if (o.class === 'STAR') return true;
  return Object.values(o).some(hasStar);
}
