import type { Relation, RelationKind } from '../adapters/types.js';
import type { ModelNode, SeedNode, SnapshotNode } from '../compiler/nodes.js';
import { isPlainObject } from '../project/config-merge.js';
import type { MaterializeContext } from './context.js';

/**
 * COMMENT statements for `persist_docs`: the node's description on the
 * relation (`relation: true`), each documented column's on its column
 * (`columns: true`). A documented column the built relation does not have is
 * a warning naming the schema file and line.
 */
export async function docStatements(ctx: MaterializeContext, node: ModelNode | SeedNode | SnapshotNode, rel: Relation, kind: RelationKind): Promise<string[]> {
  const docs = node.config.persist_docs;
  if (!isPlainObject(docs)) return [];
  const d = ctx.dialect;
  const out: string[] = [];
  if (docs.relation === true && node.description) out.push(d.commentOnRelation(rel, kind, node.description));
  const documented = Object.values(node.columns).filter((c) => c.description);
  if (docs.columns === true && documented.length) {
    const built = new Map((await ctx.columns(rel)).map((c) => [c.name.toLowerCase(), c.name]));
    for (const c of documented) {
      const name = built.get(c.name.toLowerCase());
      if (name) out.push(d.commentOnColumn(rel, kind, { name, dataType: '', quoted: c.quote === true }, c.description));
      else ctx.warn?.(`${node.patchPath ?? node.originalFilePath}:${c.line ?? '?'}: column '${c.name}' of ${node.resourceType} '${node.name}' is documented but not in the built relation; its description is not persisted`);
    }
  }
  return out;
}
