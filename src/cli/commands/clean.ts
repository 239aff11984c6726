import { existsSync, lstatSync, rmSync, unlinkSync } from 'node:fs';
import { basename, dirname, relative, resolve } from 'node:path';
import { ErrorCollector, UserError } from '../../errors.js';
import { isInside, realPath } from '../../project/paths.js';
import { loadProjectFile } from '../../project/project-file.js';
import type { ParsedOptions } from '../options.js';

/**
 * Deletes the project's clean-targets (target/ by default); never anything
 * outside the project. Each entry is resolved with the symlinks of its folders
 * followed and must lie strictly inside the project directory; an entry that
 * is itself a symlink is removed as a link, its target left alone.
 */
export async function cleanCommand(options: ParsedOptions): Promise<number> {
  const settings = loadProjectFile(options.projectDir, { targetPath: options.targetPath });
  const project = realPath(options.projectDir);
  const doomed: Array<{ abs: string; rel: string; link: boolean }> = [];
  const errors = new ErrorCollector();
  const listed = Array.isArray((settings.yaml.data as Record<string, unknown>)['clean-targets']);
  settings.cleanTargets.forEach((t, i) => {
    const abs = resolve(options.projectDir, t);
    // the entry's folder, symlinks followed; the entry itself is not followed
    const real = resolve(realPath(dirname(abs)), basename(abs));
    if (!isInside(project, real, { strictly: true })) {
      const where = real === abs ? '' : ` (it points to ${real})`;
      errors.add(new UserError(`clean-targets entry '${t}' is outside the project directory${where}; refusing to delete it`, { file: settings.file, line: settings.yaml.lineOf(listed ? ['clean-targets', i] : ['clean-targets']) }));
      return;
    }
    let link = false;
    try {
      link = lstatSync(real).isSymbolicLink();
    } catch {
      return; // nothing there
    }
    doomed.push({ abs: real, rel: relative(project, real), link });
  });
  errors.throwIfAny(); // nothing is deleted when one entry is refused
  for (const d of doomed) {
    if (d.link) unlinkSync(d.abs);
    else if (existsSync(d.abs)) rmSync(d.abs, { recursive: true, force: true });
    process.stdout.write(`Cleaned ${d.rel}${d.link ? '' : '/'}\n`);
  }
  process.stdout.write('Finished cleaning.\n');
  return 0;
}
