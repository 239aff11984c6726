/**
 * Which macros each node calls, and each macro's checksum: the state
 * comparison's `modified.macros`. Found statically (see macro-source.ts), so a
 * macro called only in one environment is still a dependency in every one.
 */
import { NAMING_MACROS } from '../templating/builtin-macros.js';
import { calledMacros, macroSources } from '../templating/macro-source.js';
import { asHookList } from '../project/config-merge.js';
import { checksumOf } from './definition.js';
import type { ManifestNode } from './nodes.js';

export interface ManifestMacro {
  name: string;
  file: string;
  builtin: boolean;
  /** sha256 of the macro's own `{% macro %} … {% endmacro %}` text */
  checksum: string;
  /** names of the macros it calls */
  calls: string[];
}

/** The unique id of a macro in manifest.json. */
export function macroId(m: Pick<ManifestMacro, 'name' | 'builtin'>, projectName: string): string {
  return `macro.${m.builtin ? 'tsql' : projectName}.${m.name}`;
}

/** Every registered macro with its checksum and calls; `files` are the macro files' texts. */
export function describeMacros(entries: Array<{ name: string; file: string; builtin: boolean }>, files: Array<{ file: string; text: string }>): ManifestMacro[] {
  const byFile = new Map<string, Map<string, string>>();
  for (const f of files) byFile.set(f.file, macroSources(f.text));
  const known = new Set(entries.map((e) => e.name));
  return entries.map((e) => {
    const text = byFile.get(e.file)?.get(e.name) ?? '';
    const body = text.replace(/^\{%-?\s*(macro|test)\s+[A-Za-z_][A-Za-z0-9_]*/, '');
    return { ...e, checksum: checksumOf(text), calls: calledMacros(body, known).filter((n) => n !== e.name) };
  });
}

/** Sets `dependsOn.macros` of every node to the unique ids of the macros it calls directly. */
export function linkNodeMacros(nodes: Iterable<ManifestNode>, macros: ManifestMacro[], projectName: string, namingOverridden: boolean): void {
  const byName = new Map(macros.map((m) => [m.name, m]));
  const known = new Set(byName.keys());
  const naming = namingOverridden ? NAMING_MACROS.filter((n) => byName.get(n) && !byName.get(n)!.builtin) : [];
  for (const n of nodes) {
    let text = '';
    const names = new Set<string>();
    if (n.resourceType === 'model' || n.resourceType === 'seed' || n.resourceType === 'snapshot') {
      if (n.resourceType !== 'seed') text = n.rawCode;
      text += [...asHookList(n.unrenderedConfig.pre_hook), ...asHookList(n.unrenderedConfig.post_hook)].join('\n');
      naming.forEach((m) => names.add(m));
    } else if (n.resourceType === 'test') {
      if (n.testType === 'singular') text = n.rawCode ?? '';
      else text = `{{ test_${n.testMetadata!.name}() }}{{ adapter.dispatch('test_${n.testMetadata!.name}') }}`;
    }
    for (const m of calledMacros(text, known)) names.add(m);
    n.dependsOn.macros = [...names].map((m) => macroId(byName.get(m)!, projectName)).sort();
  }
}
