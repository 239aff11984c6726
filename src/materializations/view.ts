import type { ModelNode } from '../compiler/nodes.js';
import { assertContract, contractEnforced, probeColumns } from './contract.js';
import { applyAfterBuild } from './after-build.js';
import { buildAside, sibling, swapIntoPlace, type MaterializeContext, type MaterializeResult } from './context.js';

/**
 * Creates the view under a temporary name (so a broken query changes nothing),
 * then swaps it in. Where CREATE OR REPLACE is itself atomic (`replaceInPlace`:
 * Snowflake), the view is replaced in place in one statement.
 */
export async function materializeView(ctx: MaterializeContext, node: ModelNode): Promise<MaterializeResult> {
  const d = ctx.dialect;
  // Late binding (Redshift `with no schema binding`): `bind: false`, and by default for views over external tables.
  const lateBinding = node.config.bind === false || (node.config.bind === undefined && node.readsExternal === true);
  // a view's contract checks its columns and types (a view holds no constraints)
  if (contractEnforced(node)) assertContract(node, await probeColumns(ctx, node), d);
  if (d.capabilities.replaceInPlace) {
    const existing = ctx.existing(node.relation);
    if (existing && existing !== 'view') {
      await ctx.run(d.dropRelation(node.relation, existing));
      ctx.markExisting(node.relation, undefined);
    }
    await ctx.run(d.createView(node.relation, node.compiledCode, { replace: true, secure: node.config.secure === true, copyGrants: node.config.copy_grants === true }));
    ctx.markExisting(node.relation, 'view');
    await applyAfterBuild(ctx, node, node.relation, 'view', { carriedOver: existing === 'view' && node.config.copy_grants === true });
    return { message: 'CREATE VIEW', kind: 'view' };
  }
  const staged = sibling(node.relation, '__tsql_tmp', d);
  await buildAside(ctx, staged, 'view', async () => {
    await ctx.run(d.createView(staged, node.compiledCode, { lateBinding }));
    await applyAfterBuild(ctx, node, staged, 'view', { carriedOver: false });
    await swapIntoPlace(ctx, staged, 'view', node.relation);
  });
  return { message: 'CREATE VIEW', kind: 'view' };
}
