import type { ProjectContent } from '../project/project-content.js';
import { didYouMean } from '../util/suggest.js';
import type { ManifestMacro } from './macro-deps.js';

/**
 * `macros:` entries of a project's (or package's) properties files, attached
 * to that project's macros of the same name (for the manifest and the docs
 * site). As dbt does, an entry naming no macro of the project, and an argument
 * the macro's signature does not have, are warnings with their line.
 */
export function applyMacroProperties(macros: ManifestMacro[], projects: ProjectContent[], rootName: string): string[] {
  const warnings: string[] = [];
  for (const p of projects) {
    const own = macros.filter((m) => !m.builtin && (p.name === rootName ? !m.pkg : m.pkg === p.name));
    for (const patch of p.macroPatches) {
      const macro = own.find((m) => m.name === patch.name);
      if (!macro) {
        const hint = didYouMean(patch.name, own.map((m) => m.name));
        warnings.push(`${patch.file}:${patch.line ?? '?'}: properties for macro '${patch.name}', but the ${p.name === rootName ? 'project' : `package '${p.name}'`} has no such macro${hint ? ` (${hint})` : ''}`);
        continue;
      }
      const { name: _name, line: _line, ...properties } = patch;
      macro.properties = properties;
      if (!macro.parameters) continue;
      for (const a of patch.arguments) {
        if (macro.parameters.includes(a.name)) continue;
        const hint = didYouMean(a.name, macro.parameters);
        warnings.push(`${patch.file}:${a.line ?? '?'}: macro '${patch.name}' has no argument '${a.name}' (${hint ?? (macro.parameters.length ? `its arguments: ${macro.parameters.join(', ')}` : 'it takes none')})`);
      }
    }
  }
  return warnings;
}
