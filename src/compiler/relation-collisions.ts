import type { Dialect } from '../adapters/types.js';
import { UserError } from '../errors.js';
import type { ManifestNode, ModelNode, SeedNode, SnapshotNode } from './nodes.js';

/**
 * Two nodes that would build the same relation (database, schema and alias on
 * one connection) would overwrite each other: dbt refuses this ("two
 * resources with the database representation …"), and so does tsql, naming
 * both files. Models and seeds of different packages may share a name; they
 * may not share a relation. Ephemeral and unload models build no relation.
 */
export function checkRelationCollisions(nodes: Map<string, ManifestNode>, dialectOf: (n: ManifestNode) => Dialect): UserError[] {
  const errors: UserError[] = [];
  const seen = new Map<string, ModelNode | SeedNode | SnapshotNode>();
  for (const n of nodes.values()) {
    if (n.resourceType !== 'model' && n.resourceType !== 'seed' && n.resourceType !== 'snapshot') continue;
    if (n.resourceType === 'model' && (n.materialized === 'ephemeral' || n.materialized === 'unload')) continue;
    const r = n.relation;
    const key = [n.connection ?? '', r.database ?? '', r.schema, r.identifier].join('|').toLowerCase();
    const prev = seen.get(key);
    if (!prev) {
      seen.set(key, n);
      continue;
    }
    // the message names the file the project can change: its own node's, when one of the two is the project's
    const [here, other] = prev.packageDir === undefined && n.packageDir !== undefined ? [prev, n] : [n, prev];
    const rel = dialectOf(here).renderRelation(here.relation);
    errors.push(
      new UserError(`${here.uniqueId} and ${other.uniqueId} (${other.originalFilePath}) would both build ${rel}`, { file: here.originalFilePath }, {
        hint: `give one another alias or schema${other.packageDir !== undefined ? `, or disable ${other.uniqueId} (${other.resourceType}s: ${other.fqn.join(': ')}: +enabled: false in the project file)` : ''}`,
      }),
    );
  }
  return errors;
}
