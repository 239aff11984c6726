import type { ManifestNode } from './nodes.js';
import type { LoadedProject } from '../project/load.js';
import { isPlainObject } from '../project/config-merge.js';
import { inlineConfig } from './unrendered-config.js';

export interface ConfigPlace {
  file: string;
  line?: number;
}

/**
 * Where a model's or seed's config key is set, the most specific place first:
 * its `config()` call, its properties YAML, then the project file's folder
 * tree (the deepest level that sets it). Undefined when none sets it.
 */
export function configOrigin(node: ManifestNode, key: string, project: LoadedProject): ConfigPlace | undefined {
  if (node.resourceType !== 'model' && node.resourceType !== 'seed' && node.resourceType !== 'snapshot') return undefined;
  if ((node.resourceType === 'model' || node.resourceType === 'snapshot') && key in inlineConfig(node.rawCode)) {
    const i = node.rawCode.search(new RegExp(`\\b${key}\\s*=`));
    // a snapshot's raw code is its block, which starts on the block's line
    const offset = node.resourceType === 'snapshot' ? node.line - 1 : 0;
    return { file: node.originalFilePath, line: i < 0 ? undefined : offset + node.rawCode.slice(0, i).split('\n').length };
  }
  const patch = (node.resourceType === 'model' ? project.modelPatches : node.resourceType === 'snapshot' ? project.snapshotPatches : project.seedPatches).get(node.name);
  if (patch && key in patch.config) return { file: patch.file, line: patch.line };
  const yaml = project.settings.yaml;
  const root = node.resourceType === 'model' ? 'models' : node.resourceType === 'snapshot' ? 'snapshots' : 'seeds';
  let level: unknown = (yaml.data as Record<string, unknown> | undefined)?.[root];
  const path: (string | number)[] = [root];
  let found: (string | number)[] | undefined;
  for (let i = 0; isPlainObject(level); i++) {
    const here = `+${key}` in level ? `+${key}` : key in level ? key : undefined;
    if (here) found = [...path, here];
    const part = node.fqn[i];
    if (part === undefined || !isPlainObject(level[part])) break;
    level = level[part];
    path.push(part);
  }
  return found ? { file: yaml.relPath, line: yaml.lineOf(found) } : undefined;
}
