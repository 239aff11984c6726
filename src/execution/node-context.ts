import type { Adapter, Connection, Dialect, Relation, RelationKind } from '../adapters/types.js';
import { firstLines, placedFailure, sendNoted, type MappedCode } from './failure-place.js';
import { relationKey } from '../compiler/compiler.js';
import type { ManifestNode } from '../compiler/nodes.js';
import type { RenderTarget } from '../compiler/run-time-render.js';
import type { MaterializeContext } from '../materializations/context.js';
import { ContractError } from '../materializations/contract.js';
import { UserError } from '../errors.js';
import { warehouseAnswerer } from './introspection-answers.js';
import type { RunOptions, RunWarehouse } from './run-plan.js';

/** What running one node needs around its materialization: its context, session, hooks and run-time renders. */

/** What a materialization sees of a node's connection and warehouse; statements it runs are recorded in `statements`. */
export function materializeContext(conn: Connection, w: RunWarehouse, opts: RunOptions, statements: string[], nodeId?: string): MaterializeContext {
  const adapter = w.adapter;
  return {
    adapter,
    dialect: adapter.dialect,
    conn,
    fullRefresh: opts.fullRefresh,
    lakeRoot: w.lakeRoot,
    runDate: opts.runDate,
    existing: (rel: Relation) => w.catalog.get(relationKey(rel)),
    markExisting: (rel: Relation, kind: RelationKind | undefined) => {
      if (kind) w.catalog.set(relationKey(rel), kind);
      else w.catalog.delete(relationKey(rel));
    },
    run: (sql: string) => {
      statements.push(sql);
      return sendNoted(sql, (s) => conn.execute(s));
    },
    query: (sql: string) => sendNoted(sql, (s) => conn.query(s)),
    record: (sql: string) => {
      statements.push(sql);
    },
    columns: (rel: Relation) => adapter.getColumns(conn, rel),
    warn: (message: string) => opts.emit({ type: 'log', level: 'warn', message }),
    progress: nodeId && opts.progress ? (rows: number) => opts.progress!.rows(nodeId, rows) : undefined,
    empty: opts.empty,
  };
}

/**
 * Runs `fn` with the node's session settings (Snowflake query_tag,
 * snowflake_warehouse: restored afterwards) and its sql_header (statements the
 * build needs on its connection first) in place.
 */
export async function inNodeSession<T>(ctx: MaterializeContext, node: ManifestNode, fn: () => Promise<T>): Promise<T> {
  const session = ctx.dialect.nodeSession?.(node.config);
  for (const sql of session?.before ?? []) await ctx.run(sql);
  try {
    const header = node.resourceType === 'model' || node.resourceType === 'snapshot' ? node.config.sql_header : undefined;
    if (typeof header === 'string' && header.trim()) await ctx.run(header);
    return await fn();
  } finally {
    for (const sql of session?.after ?? []) await ctx.run(sql);
  }
}

/** A model's, snapshot's or seed's pre- or post-hooks; those that ask the warehouse are rendered now. */
export async function runNodeHooks(ctx: MaterializeContext, node: ManifestNode, which: 'pre_hook' | 'post_hook', render: (target: RenderTarget) => Promise<{ hooks?: string[] }>): Promise<void> {
  const atRunTime = (node.resourceType === 'model' || node.resourceType === 'snapshot') && (node.renderAtRunTime ?? []).includes(which);
  const compiled = node.resourceType === 'model' || node.resourceType === 'seed' || node.resourceType === 'snapshot' ? (which === 'pre_hook' ? node.preHooks : node.postHooks) : [];
  const hooks = atRunTime ? ((await render({ kind: 'model-hooks', id: node.uniqueId, which })).hooks ?? []) : compiled;
  for (const h of hooks) await ctx.run(h);
}

/** Renders a model part or hook now, on `conn`, printing its log() output. */
export async function renderNow(opts: RunOptions, target: RenderTarget, adapter: Adapter, conn: Connection, record: (sql: string) => void) {
  const out = await opts.runTime!.render(target, warehouseAnswerer(adapter, conn, record));
  for (const w of out.warnings) opts.emit({ type: 'log', level: 'warn', message: w });
  for (const l of out.logs) opts.emit({ type: 'log', level: 'info', message: l });
  return out;
}

/**
 * What a failed node (or batch) reports: a broken contract's whole table, a user error's
 * line, a warehouse error at the line of the node's file that it points into (`code`: the
 * node's compiled select and its source map), else the error's first lines.
 */
export function failureMessage(e: unknown, code?: MappedCode, dialect?: Dialect): string {
  if (e instanceof ContractError) return e.message;
  const placed = code && dialect ? placedFailure(e, code, dialect) : undefined;
  if (placed) return placed;
  return firstLines(e instanceof UserError ? e.format() : String((e as Error)?.message ?? e));
}

