import { existsSync, rmSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { UserError } from '../../errors.js';
import { loadProjectFile } from '../../project/project-file.js';
import type { ParsedOptions } from '../options.js';

/** Deletes the project's clean-targets (target/ by default); never anything outside the project. */
export async function cleanCommand(options: ParsedOptions): Promise<number> {
  const settings = loadProjectFile(options.projectDir);
  for (const t of settings.cleanTargets) {
    const abs = resolve(options.projectDir, t);
    const rel = relative(options.projectDir, abs);
    if (!rel || rel.startsWith('..')) {
      throw new UserError(`clean-targets entry '${t}' is outside the project directory; refusing to delete it`, { file: settings.file, line: settings.yaml.lineOf(['clean-targets']) });
    }
    if (existsSync(abs)) {
      rmSync(abs, { recursive: true, force: true });
      process.stdout.write(`Cleaned ${rel}/\n`);
    }
  }
  process.stdout.write('Finished cleaning.\n');
  return 0;
}
