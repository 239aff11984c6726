import type { Manifest } from '../compiler/compiler.js';
import type { ManifestNode } from '../compiler/nodes.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { selectNodes, type IndirectSelection, type ResourceType, type SelectableNode, type SelectionGraph, type SelectionState } from './selector.js';
import { readFreshness, type FreshnessResult, type StateArtifacts } from './state-load.js';
import { selectionState } from './state.js';

function selectable(n: ManifestNode): SelectableNode {
  return {
    uniqueId: n.uniqueId,
    name: n.name,
    resourceType: n.resourceType as ResourceType,
    packageName: n.packageName,
    fqn: n.fqn,
    originalFilePath: n.originalFilePath,
    tags: n.tags,
    config: n.config,
    sourceName: n.resourceType === 'source' ? n.sourceName : undefined,
    testType: n.resourceType === 'test' ? n.testType : n.resourceType === 'unit_test' ? 'unit' : undefined,
    testName: n.resourceType === 'test' ? (n.testMetadata?.name ?? n.name) : n.resourceType === 'unit_test' ? n.name : undefined,
  };
}

export function selectionGraph(manifest: Manifest, state?: SelectionState): SelectionGraph {
  const nodes = new Map<string, SelectableNode>();
  for (const n of manifest.nodes.values()) nodes.set(n.uniqueId, selectable(n));
  return { nodes, parents: manifest.parents, children: manifest.children, state };
}

export interface ManifestSelection {
  select: string[];
  exclude: string[];
  types: ResourceType[];
  /** --state: production's artifacts */
  state?: StateArtifacts;
  /** this project's target/ (its sources.json, for source_status:) */
  targetDir?: string;
  /** which tests attached to the selected nodes join them (default 'eager') */
  indirectSelection?: IndirectSelection;
}

/** Selected unique ids of the given resource types (after --select / --exclude). */
export function selectFromManifest(manifest: Manifest, opts: ManifestSelection): Set<string> {
  let freshness: Map<string, FreshnessResult> | undefined;
  if (opts.state && opts.targetDir && existsSync(join(opts.targetDir, 'sources.json'))) freshness = readFreshness(join(opts.targetDir, 'sources.json'), 'target');
  const graph = selectionGraph(manifest, opts.state ? selectionState(manifest, opts.state, freshness) : undefined);
  const picked = selectNodes(graph, { select: opts.select, exclude: opts.exclude, resourceTypes: opts.types, indirectSelection: opts.indirectSelection });
  const out = new Set<string>();
  for (const id of picked) {
    const n = manifest.nodes.get(id);
    if (n && opts.types.includes(n.resourceType as ResourceType)) out.add(id);
  }
  return out;
}
