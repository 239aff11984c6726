import type { Dialect } from '../adapters/types.js';
import type { Manifest } from '../compiler/compiler.js';
import type { ModelNode, SeedNode } from '../compiler/nodes.js';
import { ErrorCollector, UserError } from '../errors.js';
import type { DagTask } from '../execution/dag-runner.js';
import { strategyOf, uniqueKeyOf } from '../materializations/incremental.js';
import { prepareSeed, type PreparedSeed } from '../materializations/seed.js';

export interface PlanStep extends DagTask {
  node: ModelNode | SeedNode;
  materialization: string;
  seed?: PreparedSeed;
}

export interface Plan {
  steps: PlanStep[];
  /** Every schema the steps write to, created before the first step runs. */
  schemas: Array<{ database?: string; schema: string }>;
}

export type ExecutableType = 'model' | 'seed';

/**
 * Turns the selected part of the manifest into steps that carry everything
 * they need to run. All validation that can fail on the user's input happens
 * here, so a bad project stops before anything touches the warehouse.
 */
export function buildPlan(manifest: Manifest, selected: Set<string>, opts: { types: ExecutableType[]; dialect: Dialect }): Plan {
  const errors = new ErrorCollector();
  const isExecutable = (id: string) => {
    const n = manifest.nodes.get(id);
    if (!n || !selected.has(id)) return false;
    if (n.resourceType === 'model') return opts.types.includes('model') && n.materialized !== 'ephemeral';
    if (n.resourceType === 'seed') return opts.types.includes('seed');
    return false;
  };
  const steps: PlanStep[] = [];
  const schemas = new Map<string, { database?: string; schema: string }>();
  for (const id of selected) {
    if (!isExecutable(id)) continue;
    const node = manifest.nodes.get(id) as ModelNode | SeedNode;
    const step: PlanStep = { id, deps: nearestExecutableAncestors(id, manifest, isExecutable), node, materialization: node.resourceType === 'seed' ? 'seed' : node.materialized };
    if (node.resourceType === 'seed') {
      const seed = errors.guard(() => prepareSeed(node, opts.dialect));
      if (seed) step.seed = seed;
    } else if (node.materialized === 'incremental') {
      const strategy = strategyOf(node);
      if ((strategy === 'delete+insert' || strategy === 'merge') && !uniqueKeyOf(node).length) {
        errors.add(new UserError(`incremental model '${node.name}' uses the '${strategy}' strategy but sets no unique_key`, { file: node.originalFilePath }, { hint: `add unique_key='…' to its config, or use incremental_strategy='append'` }));
      }
    }
    const rel = node.relation;
    schemas.set(`${rel.database ?? ''}.${rel.schema}`.toLowerCase(), { database: rel.database, schema: rel.schema });
    steps.push(step);
  }
  errors.throwIfAny();
  steps.sort((a, b) => (a.id < b.id ? -1 : 1));
  return { steps, schemas: [...schemas.values()] };
}

/** Dependencies among executable nodes, looking through ephemeral models, sources and unselected nodes. */
function nearestExecutableAncestors(id: string, manifest: Manifest, isExecutable: (id: string) => boolean): string[] {
  const out = new Set<string>();
  const seen = new Set<string>();
  const stack = [...(manifest.parents.get(id) ?? [])];
  while (stack.length) {
    const p = stack.pop()!;
    if (seen.has(p)) continue;
    seen.add(p);
    if (isExecutable(p)) out.add(p);
    else stack.push(...(manifest.parents.get(p) ?? []));
  }
  return [...out];
}
