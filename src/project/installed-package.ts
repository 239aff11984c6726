import { join } from 'node:path';
import { ErrorCollector, UserError } from '../errors.js';
import { findFiles } from './files.js';
import { readSqlFiles, type SqlFile } from './load.js';
import { loadProjectFile } from './project-file.js';

/** A package installed by `tsql deps`, as the project loads it. */
export interface InstalledPackage {
  name: string;
  /** posix path relative to the project, e.g. dbt_packages/pkg_helpers */
  relDir: string;
  /** its macros and generic tests (relPath relative to the root project) */
  macroFiles: SqlFile[];
}

/**
 * Reads an installed package's project file and macros (macro-paths, and the
 * generic tests under test-paths/generic). Its models, seeds and singular
 * tests are not built: each folder holding some is a warning naming it.
 */
export function readInstalledPackage(projectDir: string, installPath: string, name: string, warnings: string[]): InstalledPackage {
  const relDir = `${installPath.replace(/\/+$/, '')}/${name}`;
  const dir = join(projectDir, relDir);
  const settings = (() => {
    try {
      return loadProjectFile(dir);
    } catch (e) {
      if (e instanceof UserError) throw new UserError(e.message, { ...e.place, file: e.place.file ? `${relDir}/${e.place.file}` : relDir }, { hint: e.hint });
      throw e;
    }
  })();
  if (settings.name !== name) throw new UserError(`the package installed as '${name}' is named '${settings.name}'`, { file: `${relDir}/${settings.file}` }, { hint: 'run tsql deps' });
  warnings.push(...settings.warnings.map((w) => `${relDir}/${w}`));
  const errors = new ErrorCollector();
  const rebase = (f: SqlFile): SqlFile => ({ ...f, relPath: `${relDir}/${f.relPath}` });
  const macroFiles = readSqlFiles(dir, settings.macroPaths, '.sql', name, errors).map(rebase);
  const genericDirs = settings.testPaths.map((p) => `${p.replace(/\/+$/, '')}/generic`);
  const testFiles = findFiles(dir, settings.testPaths, ['.sql']);
  macroFiles.push(...readSqlFiles(dir, genericDirs, '.sql', name, errors).map(rebase));
  errors.throwIfAny();
  const unbuilt: Array<[string, number]> = [
    ['models', findFiles(dir, settings.modelPaths, ['.sql']).length],
    ['seeds', findFiles(dir, settings.seedPaths, ['.csv']).length],
    ['singular tests', testFiles.filter((f) => !genericDirs.some((g) => f.relPath.startsWith(g + '/'))).length],
  ];
  for (const [what, n] of unbuilt) {
    if (n) warnings.push(`${relDir}: package '${name}' has ${n} ${what}; tsql loads a package's macros and generic tests only, so they are not built`);
  }
  return { name, relDir, macroFiles };
}
