import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isPlainObject } from './config-merge.js';
import { readYamlFile } from '../util/yaml-file.js';

/**
 * The project file's `flags:` that tsql acts on, as the command-line options
 * they default (the flag and the environment win). Any other flag is warned
 * about where the project file is read (project-file.ts).
 */
export const PROJECT_FLAGS: Record<string, 'failFast' | 'warnError' | 'useColors' | 'quiet'> = {
  fail_fast: 'failFast',
  warn_error: 'warnError',
  use_colors: 'useColors',
  quiet: 'quiet',
};

/** The `flags:` of the project in `projectDir` that tsql acts on (booleans only; none when there is no project file). */
export function readProjectFlags(projectDir: string): Partial<Record<'failFast' | 'warnError' | 'useColors' | 'quiet', boolean>> {
  // both files at once is reported when the command loads the project
  const present = ['tsql_project.yml', 'dbt_project.yml'].filter((f) => existsSync(join(projectDir, f)));
  if (present.length !== 1) return {};
  const file = present[0];
  let data: unknown;
  try {
    data = readYamlFile(join(projectDir, file), file).data;
  } catch {
    return {}; // the command reports a broken project file when it loads it
  }
  const flags = isPlainObject(data) ? data.flags : undefined;
  if (!isPlainObject(flags)) return {};
  const out: Partial<Record<'failFast' | 'warnError' | 'useColors' | 'quiet', boolean>> = {};
  for (const [k, option] of Object.entries(PROJECT_FLAGS)) if (typeof flags[k] === 'boolean') out[option] = flags[k];
  return out;
}
