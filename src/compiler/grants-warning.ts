import type { Dialect } from '../adapters/types.js';
import type { LoadedProject } from '../project/load.js';
import { configuredGrants } from '../materializations/grants.js';
import { configOrigin } from './config-origin.js';
import type { ManifestNode } from './nodes.js';

/**
 * Grants configured for nodes on an engine without privileges (DuckDB): one
 * warning per place that configures them, naming the file and line and the
 * nodes it covers. Never silence: the relations are built, the grants are not.
 */
export function grantsWithoutPrivileges(nodes: Iterable<ManifestNode>, dialectOf: (n: ManifestNode) => Dialect, project: LoadedProject): string[] {
  const byPlace = new Map<string, { engine: string; names: string[] }>();
  for (const n of nodes) {
    if ((n.resourceType !== 'model' && n.resourceType !== 'seed' && n.resourceType !== 'snapshot') || !configuredGrants(n.config)) continue;
    if (n.resourceType === 'model' && (n.materialized === 'ephemeral' || n.materialized === 'unload')) continue;
    const d = dialectOf(n);
    if (d.grant) continue;
    const o = configOrigin(n, 'grants', project);
    const place = o ? `${o.file}:${o.line ?? '?'}` : n.originalFilePath;
    const entry = byPlace.get(place) ?? { engine: d.type, names: [] };
    entry.names.push(n.name);
    byPlace.set(place, entry);
  }
  return [...byPlace].map(([place, { engine, names }]) => {
    const list = names.length > 5 ? `${names.slice(0, 5).join(', ')} and ${names.length - 5} more` : names.join(', ');
    return `${place}: grants are configured for ${names.length} ${names.length === 1 ? 'node' : 'nodes'} (${list}), but ${engine} has no privileges: they are not applied`;
  });
}
