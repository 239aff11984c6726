import { installDeps, describe, LOCK_FILE } from '../../project/deps-install.js';
import { loadProjectFile } from '../../project/project-file.js';
import type { ParsedOptions } from '../options.js';

/** `tsql deps [--upgrade]`: installs packages.yml's packages into packages-install-path (see deps-install.ts). */
export async function depsCommand(options: ParsedOptions, opts: { upgrade?: boolean }): Promise<number> {
  const settings = loadProjectFile(options.projectDir, { targetPath: options.targetPath });
  const result = await installDeps(options.projectDir, settings.packagesInstallPath, { upgrade: opts.upgrade });
  if (!result.installed.length) {
    process.stdout.write('No packages to install (no packages.yml or dependencies.yml, or it lists none).\n');
    return 0;
  }
  for (const p of result.installed) process.stdout.write(`Installed ${p.name} (${describe(p.spec)}${p.resolved && p.spec.kind !== 'hub' ? `, commit ${p.resolved.slice(0, 12)}` : p.resolved ? `, version ${p.resolved}` : ''})\n`);
  process.stdout.write(result.fromLock ? `Installed the versions pinned in ${LOCK_FILE}.\n` : `Wrote ${LOCK_FILE}.\n`);
  return 0;
}
