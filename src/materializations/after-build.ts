import type { Relation, RelationKind } from '../adapters/types.js';
import type { ModelNode, SeedNode, SnapshotNode } from '../compiler/nodes.js';
import type { MaterializeContext } from './context.js';
import { docStatements } from './persist-docs.js';
import { grantStatements, type GrantOptions } from './grants.js';

/**
 * What a built relation still needs from its config: comments (persist_docs),
 * then grants. Table, view and seed builds run these on the staged relation
 * before it is swapped in, so the relation appears with its grants and
 * comments at once; an incremental run applies them with its batch.
 */
export async function afterBuildStatements(ctx: MaterializeContext, node: ModelNode | SeedNode | SnapshotNode, rel: Relation, kind: RelationKind, opts: GrantOptions): Promise<string[]> {
  return [...(await docStatements(ctx, node, rel, kind)), ...(await grantStatements(ctx, rel, kind, node.config, opts))];
}

export async function applyAfterBuild(ctx: MaterializeContext, node: ModelNode | SeedNode | SnapshotNode, rel: Relation, kind: RelationKind, opts: GrantOptions): Promise<void> {
  for (const sql of await afterBuildStatements(ctx, node, rel, kind, opts)) await ctx.run(sql);
}
