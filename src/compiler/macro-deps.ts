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
import { macroParameters, type MacroPatch } from '../project/macros-yaml.js';

export interface ManifestMacro {
  name: string;
  file: string;
  builtin: boolean;
  /** the installed package that defines it (undefined: the project, or tsql for a builtin) */
  pkg?: string;
  /** sha256 of the macro's own `{% macro %} … {% endmacro %}` text */
  checksum: string;
  /** names of the macros it calls */
  calls: string[];
  /** its parameters, from `{% macro name(a, b=1) %}` */
  parameters?: string[];
  /** from a `macros:` entry of a properties file (see macro-properties.ts) */
  properties?: Omit<MacroPatch, 'name' | 'line'>;
}

/** The unique id of a macro in manifest.json. */
export function macroId(m: Pick<ManifestMacro, 'name' | 'builtin' | 'pkg'>, projectName: string): string {
  return `macro.${macroPackage(m, projectName)}.${m.name}`;
}

/** The package a macro belongs to in manifest.json: tsql for a builtin, its package, else the project. */
export function macroPackage(m: Pick<ManifestMacro, 'builtin' | 'pkg'>, projectName: string): string {
  return m.builtin ? 'tsql' : (m.pkg ?? projectName);
}

/**
 * The macros of a manifest by unique id, and which one a name means where it
 * is called: in a package's node or macro, the package's own first, then the
 * one the project sees unqualified (the project's, tsql's, or a package's).
 */
export class MacroIndex {
  readonly byId = new Map<string, ManifestMacro>();
  private readonly unqualified = new Map<string, ManifestMacro>();
  private readonly inPackage = new Map<string, ManifestMacro>();

  constructor(
    macros: ManifestMacro[],
    private readonly projectName: string,
  ) {
    for (const m of macros) {
      this.byId.set(macroId(m, projectName), m);
      if (m.pkg) this.inPackage.set(`${m.pkg}.${m.name}`, m);
      // the manifest lists the macros templates see unqualified first (see Compiler), then the packages' shadowed ones
      if (!this.unqualified.has(m.name)) this.unqualified.set(m.name, m);
    }
  }

  resolve(name: string, fromPackage: string | undefined): ManifestMacro | undefined {
    return (fromPackage ? this.inPackage.get(`${fromPackage}.${name}`) : undefined) ?? this.unqualified.get(name);
  }

  id(m: ManifestMacro): string {
    return macroId(m, this.projectName);
  }
}

/** Every registered macro with its checksum and calls; `files` are the macro files' texts. */
export function describeMacros(entries: Array<{ name: string; file: string; builtin: boolean; pkg?: string }>, files: Array<{ file: string; text: string }>): ManifestMacro[] {
  const byFile = new Map<string, Map<string, string>>();
  for (const f of files) byFile.set(f.file, macroSources(f.text));
  const known = new Set(entries.map((e) => e.name));
  return entries.map((e) => {
    const text = byFile.get(e.file)?.get(e.name) ?? '';
    const body = text.replace(/^\{%-?\s*(macro|test)\s+[A-Za-z_][A-Za-z0-9_]*/, '');
    return { ...e, checksum: checksumOf(text), calls: calledMacros(body, known).filter((n) => n !== e.name), parameters: macroParameters(text) };
  });
}

/** Sets `dependsOn.macros` of every node to the unique ids of the macros it calls directly. */
export function linkNodeMacros(nodes: Iterable<ManifestNode>, macros: ManifestMacro[], projectName: string, namingOverridden: boolean): void {
  const index = new MacroIndex(macros, projectName);
  const known = new Set(macros.map((m) => m.name));
  const naming = namingOverridden ? NAMING_MACROS.filter((n) => index.resolve(n, undefined) && !index.resolve(n, undefined)!.builtin) : [];
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
    const fromPackage = n.packageName === projectName ? undefined : n.packageName;
    n.dependsOn.macros = [...names].map((m) => index.id(index.resolve(m, NAMING_MACROS.includes(m) ? undefined : fromPackage)!)).sort();
  }
}
