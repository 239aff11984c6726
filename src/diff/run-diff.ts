/**
 * `tsql diff` over a selection: which models can be compared, with what, and
 * the comparisons themselves (a few at once, one connection each).
 */
import { productionRelation } from '../compiler/defer.js';
import type { Manifest } from '../compiler/compiler.js';
import type { ModelNode } from '../compiler/nodes.js';
import type { StateArtifacts } from '../graph/state-load.js';
import type { Warehouse } from '../cli/session.js';
import { mapBounded } from '../util/bounded.js';
import { diffModel, type ModelDiff } from './model-diff.js';

export interface DiffRun {
  manifest: Manifest;
  /** the selected node ids (models are compared, other nodes ignored) */
  selected: Iterable<string>;
  state: StateArtifacts;
  warehouse: Warehouse;
  threads: number;
}

/** One result per selected model, in name order. */
export async function runDiff(run: DiffRun): Promise<ModelDiff[]> {
  const models = [...run.selected]
    .map((id) => run.manifest.nodes.get(id))
    .filter((n): n is ModelNode => n?.resourceType === 'model')
    .sort((a, b) => a.name.localeCompare(b.name));
  return mapBounded(models, run.threads, (m) => diffOne(run, m));
}

async function diffOne(run: DiffRun, node: ModelNode): Promise<ModelDiff> {
  const skip = (note: string): ModelDiff => ({ uniqueId: node.uniqueId, name: node.name, status: 'skipped', note, columns: { added: [], removed: [], typeChanged: [] } });
  if (node.materialized === 'ephemeral') return skip('ephemeral: it has no relation');
  if (node.materialized === 'unload') return skip('an unload model writes files, not a relation');
  if (node.connection) return skip(`it runs on connection '${node.connection}', not on the target`);
  const inState = run.state.nodes.has(node.uniqueId);
  const prod = inState ? productionRelation(node, run.state) : undefined;
  if (inState && !prod) return skip("production's manifest has no relation for it (ephemeral or unload there)");
  return diffModel(run.warehouse.adapter, { node, prod });
}
