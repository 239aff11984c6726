import type { Relation, TableOptions } from '../adapters/types.js';
import type { ModelNode, SnapshotNode } from '../compiler/nodes.js';
import { assertContract, contractColumns, contractConstraints, contractEnforced, probeColumns } from './contract.js';
import { applyAfterBuild } from './after-build.js';
import { buildAside, countRows, physicalOptions, sibling, swapIntoPlace, type MaterializeContext, type MaterializeResult } from './context.js';

/**
 * Builds the table under a temporary name, then swaps it in atomically. Where
 * CREATE OR REPLACE is itself atomic (`replaceInPlace`: Snowflake), the table
 * is replaced in place in one statement.
 */
export async function materializeTable(ctx: MaterializeContext, node: ModelNode): Promise<MaterializeResult> {
  const d = ctx.dialect;
  const physical = physicalOptions(node.config);
  const contracted = contractEnforced(node);
  // a contract is checked before anything is replaced; the table is then built with its declared types and constraints, aside
  if (contracted) assertContract(node, await probeColumns(ctx, node), d);
  if (d.capabilities.replaceInPlace && !contracted) {
    const existing = ctx.existing(node.relation);
    // a view of that name cannot be replaced by a table: it goes first
    if (existing && existing !== 'table') {
      await ctx.run(d.dropRelation(node.relation, existing));
      ctx.markExisting(node.relation, undefined);
    }
    await ctx.run(d.createTableAs(node.relation, node.compiledCode, { replace: true, physical }));
    ctx.markExisting(node.relation, 'table');
    // CREATE OR REPLACE … COPY GRANTS keeps the replaced table's grants: they are read and brought in line
    await applyAfterBuild(ctx, node, node.relation, 'table', { carriedOver: existing === 'table' && physical?.copyGrants === true });
    for (const sql of d.afterTableBuilt?.(node.relation, physical) ?? []) await ctx.run(sql);
    const rows = await countRows(ctx, node.relation);
    return { message: `CREATE TABLE (${rows ?? '?'} rows)`, rowsAffected: rows, kind: 'table' };
  }
  const staged = sibling(node.relation, '__tsql_tmp', d);
  const rows = await buildAside(ctx, staged, 'table', async () => {
    if (contracted) {
      const columns = contractColumns(node);
      await ctx.run(d.createContractedTable(staged, columns, contractConstraints(node), physical, node.relation));
      await ctx.run(d.insertSelect(staged, columns, node.compiledCode));
    } else await ctx.run(d.createTableAs(staged, node.compiledCode, { physical }));
    return swapInStagedTable(ctx, node, staged, physical);
  });
  return { message: `CREATE TABLE (${rows ?? '?'} rows)`, rowsAffected: rows, kind: 'table' };
}

/**
 * A table built aside (`staged`) takes the node's place: its rows counted, its
 * grants and comments applied, swapped in atomically, then finished (indexes,
 * clustering). Called inside buildAside, so on failure the staged table is
 * dropped and what was there stays.
 */
export async function swapInStagedTable(ctx: MaterializeContext, node: ModelNode | SnapshotNode, staged: Relation, physical: TableOptions | undefined): Promise<number | undefined> {
  const rows = await countRows(ctx, staged);
  await applyAfterBuild(ctx, node, staged, 'table', { carriedOver: false });
  for (const sql of ctx.dialect.beforeSwap?.(staged, node.relation, physical) ?? []) await ctx.run(sql);
  await swapIntoPlace(ctx, staged, 'table', node.relation);
  for (const sql of ctx.dialect.afterTableBuilt?.(node.relation, physical) ?? []) await ctx.run(sql);
  return rows;
}
