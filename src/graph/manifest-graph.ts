import type { Manifest } from '../compiler/compiler.js';
import type { ManifestNode } from '../compiler/nodes.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { selectNodes, type IndirectSelection, type ResourceType, type SelectableNode, type SelectionGraph, type SelectionSpec, type SelectionState } from './selector.js';
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
  /** a YAML selector (--selector, or selectors.yml's default), instead of `select` */
  selector?: { spec: SelectionSpec };
  /** which tests attached to the selected nodes join them: --indirect-selection (default eager) */
  indirectSelection?: IndirectSelection;
  types: ResourceType[];
  /** --state: production's artifacts */
  state?: StateArtifacts;
  /** this project's target/ (its sources.json, for source_status:) */
  targetDir?: string;
}

/** Selected unique ids of the given resource types (after --select / --exclude). */
export function selectFromManifest(manifest: Manifest, opts: ManifestSelection): Set<string> {
  let freshness: Map<string, FreshnessResult> | undefined;
  if (opts.state && opts.targetDir && existsSync(join(opts.targetDir, 'sources.json'))) freshness = readFreshness(join(opts.targetDir, 'sources.json'), 'target');
  const graph = selectionGraph(manifest, opts.state ? selectionState(manifest, opts.state, freshness) : undefined);
  const picked = selectNodes(graph, { select: opts.select, spec: opts.selector?.spec, exclude: opts.exclude, resourceTypes: opts.types, indirectSelection: opts.indirectSelection });
  const out = new Set<string>();
  for (const id of picked) {
    const n = manifest.nodes.get(id);
    if (n && opts.types.includes(n.resourceType as ResourceType)) out.add(id);
  }
  return out;
}

/** The selection a command line asks for: --select, --exclude, --selector, --indirect-selection and --state. */
export function commandSelection(o: Pick<ManifestSelection, 'select' | 'exclude' | 'selector' | 'indirectSelection' | 'state'>): Omit<ManifestSelection, 'types' | 'targetDir'> {
  return { select: o.select, exclude: o.exclude, selector: o.selector, indirectSelection: o.indirectSelection, state: o.state };
}
