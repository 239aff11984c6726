import type { Column, Relation } from '../adapters/types.js';
import type { ModelNode } from '../compiler/nodes.js';
import { asStringList } from '../project/config-merge.js';
import { runAtomically, sibling, withScratch, type MaterializeContext, type MaterializeResult } from './context.js';
import { assertContract, contractEnforced } from './contract.js';
import { partitionColumns } from './partitions.js';
import { materializeTable } from './table.js';
import { afterBuildStatements } from './after-build.js';

export function uniqueKeyOf(node: ModelNode): string[] {
  return asStringList(node.config.unique_key).flatMap((k) => k.split(',')).map((k) => k.trim()).filter(Boolean);
}

/** `incremental_predicates`: SQL conditions on the target's rows (DBT_INTERNAL_DEST) that a merge or delete considers. */
export function predicatesOf(node: ModelNode): string[] {
  return asStringList(node.config.incremental_predicates).map((p) => p.trim()).filter(Boolean);
}

export function strategyOf(node: ModelNode): string {
  const s = node.config.incremental_strategy;
  if (typeof s === 'string') return s;
  return uniqueKeyOf(node).length ? 'delete+insert' : 'append';
}

/**
 * First run, --full-refresh, or a view in the way: built like a table (atomic swap).
 * Otherwise the new rows are staged, then applied to the target in one
 * transaction, so re-running the same batch never duplicates rows.
 */
export async function materializeIncremental(ctx: MaterializeContext, node: ModelNode): Promise<MaterializeResult> {
  const existing = ctx.existing(node.relation);
  if (!node.isIncremental || existing !== 'table') {
    const r = await materializeTable(ctx, node);
    return { ...r, message: r.message };
  }
  const d = ctx.dialect;
  const staged = sibling(node.relation, '__tsql_incr', d);
  return withScratch(ctx, staged, 'table', async () => {
    await ctx.run(d.createTableAs(staged, node.compiledCode));
    const src = await ctx.columns(staged);
    if (contractEnforced(node)) assertContract(node, src, d);
    const dest = await ctx.columns(node.relation);
    const strategy = strategyOf(node);
    const predicates = strategy === 'append' ? [] : predicatesOf(node);
    if (predicates.length) await assertWithinPredicates(ctx, node, staged, predicates);
    const columns = await reconcileSchemas(ctx, node, node.relation, src, dest);
    // insert_overwrite: the partitions the new rows touch are deleted, then the new rows go in (one transaction)
    const key = strategy === 'insert_overwrite' ? (partitionColumns(node.config.partition_by) ?? []) : uniqueKeyOf(node);
    const sqls =
      strategy === 'append'
        ? [d.insertInto(node.relation, columns, staged)]
        : strategy === 'merge' && d.capabilities.merge
          ? [d.merge(node.relation, staged, key, columns, mergeUpdateColumns(node, columns, key), predicates)]
          : [d.deleteMatching(node.relation, staged, key, predicates), d.insertInto(node.relation, columns, staged)];
    const rowsAt = sqls.length - 1;
    // the table kept its grants: they are read and brought in line, with the batch where DDL is transactional
    const after = await afterBuildStatements(ctx, node, node.relation, 'table', { carriedOver: true });
    const together = d.capabilities.transactionalDdl && after.length > 0;
    const results = await runAtomically(ctx, together ? [...sqls, ...after] : sqls, { ddl: together });
    if (!together) for (const sql of after) await ctx.run(sql);
    const rows = results[rowsAt]?.rowsAffected;
    return { message: `${strategy.toUpperCase()} (${rows ?? '?'} rows)`, rowsAffected: rows, kind: 'table' as const };
  });
}

/**
 * Every new row must satisfy the incremental_predicates (as the target row it
 * becomes): a row outside them is not matched by a rerun of the same rows, so
 * the rerun would add it again. Such a run fails before the target is touched.
 */
async function assertWithinPredicates(ctx: MaterializeContext, node: ModelNode, staged: Relation, predicates: string[]): Promise<void> {
  const sql = ctx.dialect.countOutsidePredicates(staged, predicates);
  ctx.record(sql);
  const n = Number((await ctx.query(sql))[0]?.n ?? 0);
  if (n === 0) return;
  throw new Error(
    `${n} new row${n === 1 ? '' : 's'} of ${node.name} ${n === 1 ? 'does' : 'do'} not satisfy its incremental_predicates: a rerun would not replace ${n === 1 ? 'it' : 'them'} but add ${n === 1 ? 'it' : 'them'} again, so nothing was changed. Widen the predicates, or filter the model's rows to the range they cover`,
  );
}

function mergeUpdateColumns(node: ModelNode, columns: string[], key: string[]): string[] {
  const include = asStringList(node.config.merge_update_columns);
  const exclude = new Set(asStringList(node.config.merge_exclude_columns).map((c) => c.toLowerCase()));
  const keys = new Set(key.map((k) => k.toLowerCase()));
  const base = include.length ? include : columns;
  return base.filter((c) => !keys.has(c.toLowerCase()) && !exclude.has(c.toLowerCase()));
}

/** Applies on_schema_change to `target` (the model's table, or a microbatch full refresh built aside); returns the columns to insert (source ∩ target, target order). */
export async function reconcileSchemas(ctx: MaterializeContext, node: ModelNode, target: Relation, src: Column[], dest: Column[]): Promise<string[]> {
  const mode = String(node.config.on_schema_change ?? 'ignore');
  const lower = (cols: Column[]) => new Map(cols.map((c) => [c.name.toLowerCase(), c]));
  const srcMap = lower(src);
  const destMap = lower(dest);
  const added = src.filter((c) => !destMap.has(c.name.toLowerCase()));
  const removed = dest.filter((c) => !srcMap.has(c.name.toLowerCase()));
  if ((added.length || removed.length) && mode === 'fail') {
    const parts = [added.length ? `new columns ${added.map((c) => c.name).join(', ')}` : '', removed.length ? `missing columns ${removed.map((c) => c.name).join(', ')}` : ''].filter(Boolean);
    throw new Error(`the columns of ${node.name} changed (${parts.join('; ')}) and on_schema_change is 'fail'; run with --full-refresh or set on_schema_change`);
  }
  if (mode === 'append_new_columns' || mode === 'sync_all_columns') {
    for (const c of added) await ctx.run(ctx.dialect.addColumn(target, c));
    if (mode === 'sync_all_columns') for (const c of removed) await ctx.run(ctx.dialect.dropColumn(target, c.name));
    const kept = mode === 'sync_all_columns' ? dest.filter((c) => srcMap.has(c.name.toLowerCase())) : dest;
    return [...kept, ...added].filter((c) => srcMap.has(c.name.toLowerCase())).map((c) => srcMap.get(c.name.toLowerCase())!.name);
  }
  return dest.filter((c) => srcMap.has(c.name.toLowerCase())).map((c) => c.name);
}
