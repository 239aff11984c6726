import { UserError } from '../errors.js';
import type { CommonOptions } from './options.js';

/**
 * The options dbt users set in the environment (`DBT_TARGET=ci`), read as if
 * typed on the command line. Precedence: the CLI flag, then `TSQL_<NAME>`,
 * then `DBT_ENGINE_<NAME>` (dbt 1.11's prefix), then `DBT_<NAME>`; the
 * project and profile come last. A value of the wrong kind is a user error
 * naming the variable.
 */
type Kind = 'string' | 'boolean' | 'threads' | 'log-format';

export interface EnvOption {
  /** the name after the prefix */
  name: string;
  option: keyof CommonOptions;
  kind: Kind;
  description: string;
}

export const ENV_OPTIONS: EnvOption[] = [
  { name: 'PROFILES_DIR', option: 'profilesDir', kind: 'string', description: '--profiles-dir' },
  { name: 'PROJECT_DIR', option: 'projectDir', kind: 'string', description: '--project-dir' },
  { name: 'TARGET', option: 'target', kind: 'string', description: '--target' },
  { name: 'PROFILE', option: 'profile', kind: 'string', description: '--profile (instead of the project file\'s profile:)' },
  { name: 'TARGET_PATH', option: 'targetPath', kind: 'string', description: "--target-path (instead of the project file's target-path:)" },
  { name: 'LOG_FORMAT', option: 'logFormat', kind: 'log-format', description: '--log-format text|json' },
  { name: 'THREADS', option: 'threads', kind: 'threads', description: '--threads' },
  { name: 'FULL_REFRESH', option: 'fullRefresh', kind: 'boolean', description: '--full-refresh' },
  { name: 'FAIL_FAST', option: 'failFast', kind: 'boolean', description: '--fail-fast' },
  { name: 'WARN_ERROR', option: 'warnError', kind: 'boolean', description: '--warn-error' },
  { name: 'STATE', option: 'state', kind: 'string', description: '--state' },
  { name: 'DEFER_STATE', option: 'state', kind: 'string', description: "--state (dbt's --defer-state: tsql reads one state folder for both)" },
  { name: 'DEFER', option: 'defer', kind: 'boolean', description: '--defer' },
  { name: 'FAVOR_STATE', option: 'favorState', kind: 'boolean', description: '--favor-state' },
  { name: 'EMPTY', option: 'empty', kind: 'boolean', description: '--empty' },
  { name: 'INDIRECT_SELECTION', option: 'indirectSelection', kind: 'string', description: '--indirect-selection' },
  { name: 'QUIET', option: 'quiet', kind: 'boolean', description: '--quiet: only errors are printed' },
  { name: 'USE_COLORS', option: 'useColors', kind: 'boolean', description: 'colour on (true) or off (false), whatever the terminal' },
  { name: 'PARTIAL_PARSE', option: 'partialParse', kind: 'boolean', description: '--no-partial-parse when false: compile from scratch' },
];

/** Options every command takes, whatever it is (the environment and the project file's flags set them for all). */
export const EVERY_COMMAND: ReadonlySet<string> = new Set(['useColors', 'quiet', 'partialParse']);

const PREFIXES = ['TSQL_', 'DBT_ENGINE_', 'DBT_'];

/**
 * dbt's variables that would change what a user sees and that tsql does not act
 * on: a warning each, so a CI setting is never dropped in silence. (Variables
 * such as DBT_SEND_ANONYMOUS_USAGE_STATS have nothing to act on in tsql and are
 * left alone.) `when`: only these values.
 */
export const IGNORED_ENV: Array<{ name: string; reason: string; when?: (v: string) => boolean }> = [
  { name: 'LOG_PATH', reason: 'tsql writes no log files (its console output is --log-format json for machines)' },
  { name: 'LOG_LEVEL', reason: 'tsql has one console level; --quiet prints errors only' },
];

/** One line per variable of IGNORED_ENV that is set. */
export function ignoredEnvWarnings(env: NodeJS.ProcessEnv = process.env): string[] {
  const out: string[] = [];
  for (const i of IGNORED_ENV) {
    for (const variable of ['DBT_' + i.name, 'DBT_ENGINE_' + i.name]) {
      const v = env[variable];
      if (v !== undefined && (!i.when || i.when(v))) out.push(`environment variable ${variable} is ignored: ${i.reason}`);
    }
  }
  return out;
}
const TRUE = ['1', 'true', 'yes', 'y', 'on'];
const FALSE = ['0', 'false', 'no', 'n', 'off', ''];

/** Where each option set from the environment came from, for messages ("DBT_DEFER needs DBT_STATE"). */
export type EnvSources = Partial<Record<keyof CommonOptions, string>>;

/**
 * `cli` with each option it does not set taken from the environment. Options
 * set on the command line (not undefined) win.
 */
export function withEnvOptions(cli: CommonOptions, env: NodeJS.ProcessEnv = process.env, accepted?: Set<string>): { options: CommonOptions; sources: EnvSources } {
  const options: Record<string, unknown> = { ...cli };
  const sources: EnvSources = {};
  for (const o of ENV_OPTIONS) {
    if (options[o.option] !== undefined) continue;
    // an option the command does not take (DBT_EMPTY for `tsql test`) does not apply to it; colours and quiet apply everywhere
    if (accepted && !accepted.has(o.option) && !EVERY_COMMAND.has(o.option)) continue;
    const variable = PREFIXES.map((p) => p + o.name).find((v) => env[v] !== undefined);
    if (!variable) continue;
    options[o.option] = envValue(variable, env[variable]!, o.kind);
    sources[o.option] = variable;
  }
  return { options: options as CommonOptions, sources };
}

function envValue(variable: string, raw: string, kind: Kind): unknown {
  const v = raw.trim();
  switch (kind) {
    case 'string':
      if (!v) throw new UserError(`environment variable ${variable} is empty`, {}, { hint: `unset it, or give it a value` });
      return v;
    case 'boolean':
      if (TRUE.includes(v.toLowerCase())) return true;
      if (FALSE.includes(v.toLowerCase())) return false;
      throw new UserError(`environment variable ${variable} must be true or false (1 or 0), got '${raw}'`);
    case 'threads':
      if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 256) throw new UserError(`environment variable ${variable} must be a whole number from 1 to 256, got '${raw}'`);
      return v;
    case 'log-format':
      if (v !== 'text' && v !== 'json') throw new UserError(`environment variable ${variable} must be 'text' or 'json', got '${raw}'`);
      return v;
  }
}
