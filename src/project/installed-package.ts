import { join } from 'node:path';
import { UserError, type ErrorCollector } from '../errors.js';
import { loadProjectFile } from './project-file.js';
import { readProjectContent, type ProjectContent } from './project-content.js';

/**
 * A package installed by `tsql deps`, as the project loads it: everything a
 * project holds (models, seeds, macros, tests, analyses, properties files),
 * with paths relative to the root project (dbt_packages/<name>/models/…).
 */
export type InstalledPackage = ProjectContent;

/**
 * Reads an installed package's project file and files. Its problems (and
 * the keys and folders tsql does not act on) name the files below its folder.
 */
export function readInstalledPackage(projectDir: string, installPath: string, name: string, errors: ErrorCollector, warnings: string[]): InstalledPackage {
  const relDir = `${installPath.replace(/\/+$/, '')}/${name}`;
  const settings = loadProjectFile(join(projectDir, relDir), { relDir });
  if (settings.name !== name) throw new UserError(`the package installed as '${name}' is named '${settings.name}'`, { file: settings.file }, { hint: 'run tsql deps' });
  warnings.push(...settings.warnings);
  return readProjectContent(projectDir, relDir, settings, errors, warnings);
}
