/**
 * `--defer`: a ref() to a node that this invocation does not build and that
 * does not exist in this environment resolves to production's relation, from
 * the state manifest (`--favor-state`: even when it exists here). Ephemeral
 * models are never deferred (they are inlined), nor nodes on another
 * connection than the target, nor nodes production does not have.
 */
import type { Relation, RelationKind } from '../adapters/types.js';
import type { StateArtifacts } from '../graph/state-load.js';
import type { Manifest } from './compiler.js';
import { relationKey } from './compiler.js';
import type { ManifestNode } from './nodes.js';

export interface DeferOptions {
  state: StateArtifacts;
  /** --favor-state */
  favorState: boolean;
  /** the target's catalog: what exists in this environment */
  catalog: Map<string, RelationKind>;
}

/** unique id → production's relation, for every node the refs of this invocation should read from production. */
export function planDeferral(manifest: Manifest, selected: Set<string>, opts: DeferOptions): Map<string, Relation> {
  const out = new Map<string, Relation>();
  for (const n of manifest.nodes.values()) {
    if (selected.has(n.uniqueId)) continue;
    const rel = productionRelation(n, opts.state);
    if (!rel || !('relation' in n)) continue;
    if (!opts.favorState && opts.catalog.has(relationKey(n.relation))) continue;
    out.set(n.uniqueId, rel);
  }
  return out;
}

/**
 * Production's relation for a model or seed, as the state manifest names it,
 * with this node's quoting; undefined for what is never deferred (ephemeral and
 * unload models, nodes on another connection, nodes production does not have).
 * `tsql diff` compares with the same relation.
 */
export function productionRelation(n: ManifestNode, state: StateArtifacts): Relation | undefined {
  if (n.connection) return undefined;
  if (n.resourceType !== 'model' && n.resourceType !== 'seed' && n.resourceType !== 'snapshot') return undefined;
  if (n.resourceType === 'model' && (n.materialized === 'ephemeral' || n.materialized === 'unload')) return undefined;
  const prod = state.nodes.get(n.uniqueId);
  if (!prod || prod.resource_type !== n.resourceType || !prod.schema || !prod.alias) return undefined;
  if (prod.materialized === 'ephemeral' || prod.materialized === 'unload') return undefined;
  const rel: Relation = { database: prod.database ?? undefined, schema: prod.schema, identifier: prod.alias };
  if (n.relation.quoting) rel.quoting = n.relation.quoting;
  return rel;
}
