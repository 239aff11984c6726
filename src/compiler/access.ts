import { UserError } from '../errors.js';
import type { GroupDef } from '../project/groups-yaml.js';
import { addOnce } from '../project/yaml-entries.js';
import { didYouMean } from '../util/suggest.js';
import type { ManifestNode } from './nodes.js';

export const ACCESS_LEVELS = ['private', 'protected', 'public'];

/** A group with the project (or package) that declares it: manifest.json's `group.<package>.<name>`. */
export type ProjectGroup = GroupDef & { packageName: string; packageDir?: string };

/**
 * dbt's model access rules, checked once the graph is known: a model's
 * `group` must be declared under `groups:`, `access` is private, protected or
 * public, and a private model may only be ref'd from its own group (an error
 * naming the ref's file and line). Protected is public within one project.
 * Tests of a private model are not refs from another group.
 */
export function checkAccess(nodes: Map<string, ManifestNode>, groups: ProjectGroup[]): UserError[] {
  const errors: UserError[] = [];
  const seen = new Map<string, GroupDef>();
  for (const g of groups) addOnce(seen, `${g.packageName}.${g.name}`, g, `group '${g.name}'`, 'defined', (e) => errors.push(e));
  for (const n of nodes.values()) {
    if (n.resourceType !== 'model') continue;
    // a model's group is one its own project (or package) declares
    const names = groups.filter((g) => g.packageName === n.packageName).map((g) => g.name);
    const place = { file: n.patchPath ?? n.originalFilePath };
    const group = n.config.group;
    if (group !== undefined && group !== null && !names.includes(String(group))) errors.push(new UserError(`model '${n.name}' is in group '${String(group)}', which no groups: entry declares`, place, { hint: didYouMean(String(group), names) ?? 'declare it: groups: [{name: …, owner: {name: …}}]' }));
    const access = n.config.access;
    if (access !== undefined && access !== null && !ACCESS_LEVELS.includes(String(access))) errors.push(new UserError(`model '${n.name}': access must be private, protected or public, got '${String(access)}'`, place));
    if (access === 'private' && (group === undefined || group === null)) errors.push(new UserError(`model '${n.name}' is private but in no group`, place, { hint: 'add group: <name>, or make it protected' }));
  }
  for (const n of nodes.values()) {
    if (n.resourceType === 'test' || n.resourceType === 'unit_test') continue;
    for (const parent of n.dependsOn.nodes) {
      const m = nodes.get(parent);
      if (m?.resourceType !== 'model' || m.config.access !== 'private') continue;
      const group = String(m.config.group);
      if (n.config.group !== undefined && String(n.config.group) === group && n.packageName === m.packageName) continue;
      const line = n.resourceType === 'exposure' ? n.line : refLine('rawCode' in n ? n.rawCode : undefined, m.name);
      errors.push(new UserError(`${n.resourceType} '${n.name}' refs '${m.name}', which is private to group '${group}'`, { file: n.originalFilePath, line }, { hint: `put '${n.name}' in group '${group}', or make '${m.name}' protected or public` }));
    }
  }
  return errors;
}

/** The line of the first `ref(…'name'…)` in a file's text. */
export function refLine(text: string | undefined, name: string): number | undefined {
  if (!text) return undefined;
  const re = new RegExp(`ref\\s*\\([^)]*['"]${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}['"]`);
  const i = text.split('\n').findIndex((l) => re.test(l));
  return i < 0 ? undefined : i + 1;
}
