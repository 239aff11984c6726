import type { ManifestNode } from './nodes.js';
import type { LoadedProject } from '../project/load.js';
import { isPlainObject } from '../project/config-merge.js';
import type { YamlFile } from '../util/yaml-file.js';
import { inlineConfig } from './unrendered-config.js';

export interface ConfigPlace {
  file: string;
  line?: number;
}

/**
 * Where a model's, seed's or snapshot's config key is set, the place that wins first: for
 * a package's node the root project file's folder tree (it overrides the
 * package), then its `config()` call, its properties YAML, then its own
 * project file's folder tree (the deepest level that sets it). Undefined when
 * none sets it.
 */
export function configOrigin(node: ManifestNode, key: string, project: LoadedProject): ConfigPlace | undefined {
  if (node.resourceType !== 'model' && node.resourceType !== 'seed' && node.resourceType !== 'snapshot') return undefined;
  const tree = node.resourceType === 'model' ? 'models' : node.resourceType === 'snapshot' ? 'snapshots' : 'seeds';
  const own = project.packages.find((p) => p.name === node.packageName);
  if (own) {
    const fromRoot = inFolderTree(project.settings.yaml, tree, node.fqn, key);
    if (fromRoot) return fromRoot;
  }
  if ((node.resourceType === 'model' || node.resourceType === 'snapshot') && key in inlineConfig(node.rawCode)) {
    const i = node.rawCode.search(new RegExp(`\\b${key}\\s*=`));
    // a snapshot's raw code is its block, which starts on the block's line
    const offset = node.resourceType === 'snapshot' ? node.line - 1 : 0;
    return { file: node.originalFilePath, line: i < 0 ? undefined : offset + node.rawCode.slice(0, i).split('\n').length };
  }
  const home = own ?? project;
  const patch = (node.resourceType === 'model' ? home.modelPatches : node.resourceType === 'snapshot' ? project.snapshotPatches : home.seedPatches).get(node.name);
  if (patch && key in patch.config) return { file: patch.file, line: patch.line };
  return inFolderTree(home.settings.yaml, tree, node.fqn, key);
}

/** The deepest level of a project file's `models:` / `seeds:` / `snapshots:` tree along `fqn` that sets `key`. */
function inFolderTree(yaml: YamlFile, tree: string, fqn: string[], key: string): ConfigPlace | undefined {
  let level: unknown = (yaml.data as Record<string, unknown> | undefined)?.[tree];
  const path: (string | number)[] = [tree];
  let found: (string | number)[] | undefined;
  for (let i = 0; isPlainObject(level); i++) {
    const here = `+${key}` in level ? `+${key}` : key in level ? key : undefined;
    if (here) found = [...path, here];
    const part = fqn[i];
    if (part === undefined || !isPlainObject(level[part])) break;
    level = level[part];
    path.push(part);
  }
  return found ? { file: yaml.relPath, line: yaml.lineOf(found) } : undefined;
}
