import { UserError } from '../errors.js';
import { findFiles } from './files.js';
import type { ProjectSettings } from './project-file.js';

/**
 * Files and folders dbt would read that tsql does not act on, so none is
 * skipped in silence: a Python model is an error (the project would build
 * without it).
 */
export function unreadFiles(projectDir: string, settings: ProjectSettings): { errors: UserError[]; warnings: string[] } {
  const errors = findFiles(projectDir, settings.modelPaths, ['.py']).map(
    (f) => new UserError('Python models are not supported: tsql runs SQL models only', { file: f.relPath }, { hint: 'rewrite it as a .sql model, or move it out of the model folders' }),
  );
  return { errors, warnings: [] };
}
