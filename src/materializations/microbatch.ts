import type { Relation } from '../adapters/types.js';
import type { ModelNode } from '../compiler/nodes.js';
import type { BatchContext } from '../run-date/batches.js';
import { afterBuildStatements, applyAfterBuild } from './after-build.js';
import { buildAside, physicalOptions, runAtomically, sibling, swapIntoPlace, withScratch, type MaterializeContext } from './context.js';
import { assertContract, contractColumns, contractConstraints, contractEnforced } from './contract.js';
import { reconcileSchemas } from './incremental.js';

/**
 * The microbatch strategy, written against dialect primitives only. Each batch
 * replaces exactly its window of the table: its rows are staged, then the
 * window's rows are deleted and the batch's inserted in one transaction, so a
 * batch can be rerun (retried, backfilled) without duplicating rows, and a
 * failed batch leaves the others as they are. execution/run-microbatch.ts
 * decides which batches run, renders each and reports them.
 */

/** Where a run's batches go. */
export interface BatchTarget {
  /** the relation the batches write: the model's table, or (`aside`) a full refresh being built next to it */
  rel: Relation;
  /** a full refresh of an existing relation, swapped in only when every batch succeeds (finishBatches) */
  aside: boolean;
  /** the table was built by this run (grants and comments are already on it) */
  built: boolean;
}

/** `full_refresh` config over --full-refresh, as for every incremental model. */
export function fullRefreshOf(ctx: MaterializeContext, node: ModelNode): boolean {
  const fr = node.config.full_refresh;
  return fr === true || (fr !== false && ctx.fullRefresh);
}

/**
 * Makes the table the batches write. An existing table is used as it is,
 * unless the run is `fresh` (a full refresh). Otherwise an empty table with the model's columns (its
 * contract's, or those of `firstSql`, the first batch's select, read without
 * scanning data) is built aside with its grants and comments; with nothing of
 * that name yet it takes its place at once, else it stays aside until every
 * batch has succeeded, so a failed full refresh leaves the old relation.
 */
export async function prepareBatchTarget(ctx: MaterializeContext, node: ModelNode, firstSql: string, fresh: boolean): Promise<BatchTarget> {
  const d = ctx.dialect;
  if (!fresh && ctx.existing(node.relation) === 'table') return { rel: node.relation, aside: false, built: false };
  const physical = physicalOptions(node.config);
  const staged = sibling(node.relation, '__tsql_tmp', d);
  const aside = await buildAside(ctx, staged, 'table', async () => {
    if (contractEnforced(node)) await ctx.run(d.createContractedTable(staged, contractColumns(node), contractConstraints(node), physical, node.relation));
    else await ctx.run(d.createTableAs(staged, `select * from (\n${firstSql}\n) as tsql_microbatch_shape limit 0`, { physical }));
    await applyAfterBuild(ctx, node, staged, 'table', { carriedOver: false });
    for (const sql of d.beforeSwap?.(staged, node.relation, physical) ?? []) await ctx.run(sql);
    // an old relation stays until every batch has succeeded (finishBatches)
    if (ctx.existing(node.relation)) return true;
    await swapIntoPlace(ctx, staged, 'table', node.relation);
    return false;
  });
  if (aside) return { rel: staged, aside: true, built: true };
  for (const sql of d.afterTableBuilt?.(node.relation, physical) ?? []) await ctx.run(sql);
  return { rel: node.relation, aside: false, built: true };
}

/**
 * One batch: its rows (the batch's select, `sql`) are staged and checked (the
 * contract, and that every row's event_time lies in the window: a row outside
 * it would not be replaced by a rerun, but added again), then the window's rows
 * of the target are deleted and the batch's inserted, in one transaction.
 * Returns the rows inserted.
 */
export async function applyBatch(ctx: MaterializeContext, node: ModelNode, target: BatchTarget, batch: BatchContext, eventTime: string, sql: string): Promise<number | undefined> {
  const d = ctx.dialect;
  const staged = sibling(node.relation, `__tsql_b${batch.id.toLowerCase()}`, d);
  return withScratch(ctx, staged, 'table', async () => {
    await ctx.run(d.createTableAs(staged, sql));
    const src = await ctx.columns(staged);
    if (contractEnforced(node)) assertContract(node, src, d);
    const outsideSql = d.countOutsideEventTimeWindow(staged, eventTime, batch.start, batch.end);
    ctx.record(outsideSql);
    const outside = Number((await ctx.query(outsideSql))[0]?.n ?? 0);
    if (outside > 0) {
      throw new Error(
        `${outside} row${outside === 1 ? '' : 's'} of the batch ${outside === 1 ? 'has' : 'have'} an event_time (${eventTime}) outside the batch's window or NULL: a rerun of the batch would add ${outside === 1 ? 'it' : 'them'} again. Set event_time on the model's inputs so they are read through the window, or filter the select by model.batch.event_time_start / event_time_end`,
      );
    }
    const columns = await reconcileSchemas(ctx, node, target.rel, src, await ctx.columns(target.rel));
    const results = await runAtomically(ctx, [d.deleteWhere(target.rel, d.eventTimeWindow(eventTime, batch.start, batch.end)), d.insertInto(target.rel, columns, staged)], { ddl: false });
    return results[1]?.rowsAffected;
  });
}

/**
 * After the batches: a full refresh built aside is swapped in when every batch
 * succeeded (else dropped: the old relation stays); a table kept in place has
 * its grants brought in line with the config.
 */
export async function finishBatches(ctx: MaterializeContext, node: ModelNode, target: BatchTarget, allSucceeded: boolean): Promise<void> {
  const d = ctx.dialect;
  if (target.aside) {
    if (!allSucceeded) {
      await ctx.run(d.dropRelation(target.rel, 'table'));
      return;
    }
    await swapIntoPlace(ctx, target.rel, 'table', node.relation);
    for (const sql of d.afterTableBuilt?.(node.relation, physicalOptions(node.config)) ?? []) await ctx.run(sql);
    return;
  }
  if (!target.built) for (const sql of await afterBuildStatements(ctx, node, node.relation, 'table', { carriedOver: true })) await ctx.run(sql);
}
