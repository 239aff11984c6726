import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isPlainObject } from './config-merge.js';
import { readYamlFile } from '../util/yaml-file.js';
import { INDIRECT_MODES } from '../graph/selector.js';
import { didYouMean } from '../util/suggest.js';

/** The command-line options the project file's `flags:` can default. */
export type FlagOption = 'failFast' | 'warnError' | 'useColors' | 'quiet' | 'indirectSelection' | 'partialParse';

/**
 * The project file's `flags:` that tsql acts on, as the command-line options
 * they default (the flag and the environment win): booleans, or one of
 * `values`. Any other flag is warned about where the project file is read
 * (project-file.ts), and a value of the wrong kind is an error there.
 */
export const PROJECT_FLAGS: Record<string, { option: FlagOption; values?: readonly string[] }> = {
  fail_fast: { option: 'failFast' },
  warn_error: { option: 'warnError' },
  use_colors: { option: 'useColors' },
  quiet: { option: 'quiet' },
  partial_parse: { option: 'partialParse' },
  indirect_selection: { option: 'indirectSelection', values: INDIRECT_MODES },
};

/** What a flag's value must be, for its error; undefined when `v` is right. */
export function flagValueProblem(name: string, v: unknown): { message: string; hint?: string } | undefined {
  const values = PROJECT_FLAGS[name]?.values;
  if (!values) return typeof v === 'boolean' ? undefined : { message: `flag '${name}' must be true or false, not ${JSON.stringify(v)}` };
  if (typeof v === 'string' && values.includes(v)) return undefined;
  return { message: `flag '${name}' must be one of ${values.join(', ')}, not ${JSON.stringify(v)}`, hint: typeof v === 'string' ? didYouMean(v, values) : undefined };
}

/** The `flags:` of the project in `projectDir` that tsql acts on, with right values (none when there is no project file). */
export function readProjectFlags(projectDir: string): Partial<Record<FlagOption, boolean | string>> {
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
  const out: Partial<Record<FlagOption, boolean | string>> = {};
  for (const [k, { option }] of Object.entries(PROJECT_FLAGS)) if (flags[k] !== undefined && !flagValueProblem(k, flags[k])) out[option] = flags[k] as boolean | string;
  return out;
}
