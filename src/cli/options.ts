import { isAbsolute, resolve } from 'node:path';
import { parse as parseYamlText } from 'yaml';
import { UserError } from '../errors.js';
import { isPlainObject } from '../project/config-merge.js';

/** Options every command accepts (before or after the command name), as dbt users type them. */
export interface CommonOptions {
  projectDir?: string;
  profilesDir?: string;
  target?: string;
  vars?: string;
  select?: string[];
  models?: string[];
  exclude?: string[];
  threads?: string;
  fullRefresh?: boolean;
  failFast?: boolean;
  logFormat?: string;
  resourceType?: string[];
  output?: string;
}

export interface ParsedOptions {
  projectDir: string;
  profilesDir?: string;
  target?: string;
  vars: Record<string, unknown>;
  select: string[];
  exclude: string[];
  threads?: number;
  fullRefresh: boolean;
  failFast: boolean;
  logFormat: 'text' | 'json';
}

export function parseVars(text: string | undefined): Record<string, unknown> {
  if (text === undefined || text.trim() === '') return {};
  let value: unknown;
  try {
    value = parseYamlText(text);
  } catch (e) {
    throw new UserError(`--vars is not valid YAML or JSON: ${String((e as Error).message).split('\n')[0]}`, {}, { hint: `e.g. --vars '{"start_date": "2024-01-01"}'` });
  }
  if (!isPlainObject(value)) throw new UserError('--vars must be a mapping', {}, { hint: `e.g. --vars '{start_date: 2024-01-01}'` });
  return value;
}

export function parseCommon(o: CommonOptions): ParsedOptions {
  let threads: number | undefined;
  if (o.threads !== undefined) {
    threads = Number(o.threads);
    if (!Number.isInteger(threads) || threads < 1 || threads > 256) throw new UserError(`--threads must be a whole number from 1 to 256, got '${o.threads}'`);
  }
  const logFormat = o.logFormat ?? 'text';
  if (logFormat !== 'text' && logFormat !== 'json') throw new UserError(`--log-format must be 'text' or 'json', got '${logFormat}'`);
  const dir = o.projectDir ?? process.env.TSQL_PROJECT_DIR ?? process.cwd();
  return {
    projectDir: isAbsolute(dir) ? dir : resolve(dir),
    profilesDir: o.profilesDir ?? process.env.TSQL_PROFILES_DIR,
    target: o.target ?? process.env.TSQL_TARGET,
    vars: parseVars(o.vars),
    select: [...(o.select ?? []), ...(o.models ?? [])],
    exclude: o.exclude ?? [],
    threads,
    fullRefresh: !!o.fullRefresh,
    failFast: !!o.failFast,
    logFormat,
  };
}
