import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { UserError } from '../errors.js';
import { entryPath, findFiles } from './files.js';
import { resourcePaths, type ProjectSettings } from './project-file.js';

/**
 * Files and folders dbt would read that tsql does not act on, so none is
 * skipped in silence: a Python model is an error (the project would build
 * without it). Also a linked folder below a resource folder: neither dbt nor
 * tsql reads below it, which dbt does not say.
 */
export function unreadFiles(projectDir: string, settings: ProjectSettings): { errors: UserError[]; warnings: string[] } {
  const errors = findFiles(projectDir, settings.modelPaths, ['.py']).map(
    (f) => new UserError('Python models are not supported: tsql runs SQL models only', { file: f.relPath }, { hint: 'rewrite it as a .sql model, or move it out of the model folders' }),
  );
  const warnings = resourcePaths(settings).flatMap((root) =>
    linkedFolders(join(projectDir, root)).map((abs) => {
      const rel = relative(projectDir, abs).split(sep).join('/');
      return `${rel}: a link to a folder: no file below it is read (as in dbt); link the files themselves, or add the folder to the project file's paths`;
    }),
  );
  return { errors, warnings };
}

/** Symbolic links to folders below `absRoot` (the root itself may be one: it is followed). */
function linkedFolders(absRoot: string): string[] {
  let entries;
  try {
    entries = readdirSync(absRoot, { recursive: true, withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries) {
    if (!e.isSymbolicLink()) continue;
    const abs = entryPath(e);
    if (statSync(abs, { throwIfNoEntry: false })?.isDirectory()) out.push(abs);
  }
  return out.sort();
}
