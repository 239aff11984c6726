import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { readYamlFile } from '../util/yaml-file.js';
import { LOCK_FILE } from './deps-install.js';
import { readPackagesFile } from './packages-file.js';

/**
 * The packages packages.yml needs must be installed before the project loads:
 * `tsql deps` writes package-lock.yml naming each, and installs it under
 * packages-install-path. A missing lock file, one written for another
 * packages.yml, or a missing package folder is an error saying to run it.
 * Returns the installed packages' names.
 */
export function checkDepsInstalled(projectDir: string, installPath: string): string[] {
  const file = readPackagesFile(projectDir);
  if (!file || file.specs.length === 0) return [];
  const hint = 'run tsql deps';
  const lockPath = join(projectDir, LOCK_FILE);
  if (!existsSync(lockPath)) throw new UserError(`${file.specs.length} package(s) listed here are not installed`, { file: file.file, line: file.specs[0].line }, { hint });
  const lock = readYamlFile(lockPath, LOCK_FILE);
  const data = (lock.data ?? {}) as { packages?: Array<{ name?: string }>; sha1_hash?: string };
  if (data.sha1_hash !== file.sha1) throw new UserError(`${file.file} changed since the packages were installed`, { file: file.file }, { hint });
  const names = (data.packages ?? []).map((p) => String(p?.name ?? ''));
  names.forEach((name, i) => {
    if (!existsSync(join(projectDir, installPath, name))) throw new UserError(`package '${name}' is not installed in ${installPath}/`, { file: LOCK_FILE, line: lock.lineOf(['packages', i]) }, { hint });
  });
  return names;
}
