/**
 * dbt's `graph` context variable: the project's nodes as `manifest.json` holds
 * them (`graph.nodes`, `graph.sources`, `graph.exposures`, each keyed by unique
 * id), for macros that look the project over (`graph.nodes.values() |
 * selectattr('resource_type', 'equalto', 'model')`). As in dbt, it is whole
 * only when `execute` is true: a template that reads it is rendered again when
 * it runs (see run-time-render.ts); while compiling it is empty.
 */
import type { Dialect } from '../adapters/types.js';
import { nodeJson } from '../artifacts/write.js';
import type { ManifestNode } from './nodes.js';

export type GraphContext = Record<'nodes' | 'sources' | 'exposures' | 'metrics' | 'groups' | 'semantic_models' | 'saved_queries', Record<string, unknown>>;

export function emptyGraph(): GraphContext {
  return { nodes: {}, sources: {}, exposures: {}, metrics: {}, groups: {}, semantic_models: {}, saved_queries: {} };
}

export function graphContext(nodes: Iterable<ManifestNode>, dialect: Dialect): GraphContext {
  const graph = emptyGraph();
  for (const n of nodes) {
    if (n.resourceType === 'unit_test') continue; // dbt's graph has no unit tests
    const key = n.resourceType === 'source' ? 'sources' : n.resourceType === 'exposure' ? 'exposures' : 'nodes';
    graph[key][n.uniqueId] = nodeJson(n, dialect);
  }
  return graph;
}
