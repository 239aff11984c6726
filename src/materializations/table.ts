import type { ModelNode } from '../compiler/nodes.js';
import { countRows, physicalOptions, sibling, swapIntoPlace, type MaterializeContext, type MaterializeResult } from './context.js';

/** Builds the table under a temporary name, then swaps it in atomically. */
export async function materializeTable(ctx: MaterializeContext, node: ModelNode): Promise<MaterializeResult> {
  const d = ctx.dialect;
  const staged = sibling(node.relation, '__tsql_tmp', d);
  await ctx.run(d.dropRelation(staged, 'table'));
  await ctx.run(d.createTableAs(staged, node.compiledCode, { physical: physicalOptions(node.config) }));
  let rows: number | undefined;
  try {
    rows = await countRows(ctx, staged);
    await swapIntoPlace(ctx, staged, 'table', node.relation);
  } catch (e) {
    await ctx.conn.execute(d.dropRelation(staged, 'table')).catch(() => undefined);
    throw e;
  }
  return { message: `CREATE TABLE (${rows ?? '?'} rows)`, rowsAffected: rows, kind: 'table' };
}
