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
    if (selected.has(n.uniqueId) || n.connection) continue;
    if (n.resourceType !== 'model' && n.resourceType !== 'seed') continue;
    if (n.resourceType === 'model' && (n.materialized === 'ephemeral' || n.materialized === 'unload')) continue;
    const prod = opts.state.nodes.get(n.uniqueId);
    if (!prod || prod.resource_type !== n.resourceType || !prod.schema || !prod.alias) continue;
    if (prod.materialized === 'ephemeral' || prod.materialized === 'unload') continue;
    if (!opts.favorState && opts.catalog.has(relationKey(n.relation))) continue;
    const rel: Relation = { database: prod.database ?? undefined, schema: prod.schema, identifier: prod.alias };
    if (n.relation.quoting) rel.quoting = n.relation.quoting;
    out.set(n.uniqueId, rel);
  }
  return out;
}
