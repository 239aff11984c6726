import type { ProjectGroup } from '../compiler/access.js';
import { pathInPackage, type ManifestNode } from '../compiler/nodes.js';

/** The unique id of a group, as dbt writes it: `group.<package>.<name>`. */
export function groupId(g: Pick<ProjectGroup, 'packageName' | 'name'>): string {
  return `group.${g.packageName}.${g.name}`;
}

/** manifest.json's `groups`, in dbt's shape (paths relative to the project or package that declares each). */
export function groupsJson(groups: ProjectGroup[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const g of groups) {
    const id = groupId(g);
    // a group defined twice is a compile error: the first is the one kept
    if (id in out) continue;
    const file = pathInPackage({ originalFilePath: g.file, packageDir: g.packageDir });
    out[id] = {
      name: g.name,
      resource_type: 'group',
      package_name: g.packageName,
      path: g.pathInRoot ?? file,
      original_file_path: file,
      unique_id: id,
      owner: g.owner,
      description: g.description ?? null,
      config: { meta: g.meta },
    };
  }
  return out;
}

/** manifest.json's `group_map`, as dbt builds it: each group's name → the nodes in it. */
export function groupMap(groups: ProjectGroup[], nodes: Iterable<ManifestNode>): Record<string, string[]> {
  const out: Record<string, string[]> = Object.fromEntries(groups.map((g) => [g.name, []]));
  for (const n of nodes) {
    const group = nodeGroup(n);
    if (typeof group === 'string') (out[group] ??= []).push(n.uniqueId);
  }
  for (const ids of Object.values(out)) ids.sort();
  return out;
}

/** A node's `group` (its config's), null when it has none; undefined for sources and exposures, which dbt puts in no group. */
export function nodeGroup(n: ManifestNode): string | null | undefined {
  if (n.resourceType === 'source' || n.resourceType === 'exposure') return undefined;
  const g = n.config.group;
  return g === undefined || g === null ? null : String(g);
}
