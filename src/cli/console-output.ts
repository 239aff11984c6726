/**
 * How the CLI talks to the console outside the run's own events: the user's
 * preferences (--quiet, colours, --log-format, --no-progress), notices (Ctrl-C,
 * environment warnings) and the errors that stop a command. Under
 * `--log-format json` every one of them is a JSON line on stdout with the same
 * shape as the run's events (`ts`, `type`, …; README: JSON log events).
 */
import { isUserError, UserError, UserErrors, WarehouseError } from '../errors.js';

export interface ConsolePreferences {
  quiet: boolean;
  /** DBT_USE_COLORS / TSQL_USE_COLORS; undefined: colour on a terminal unless NO_COLOR */
  color?: boolean;
  format: 'text' | 'json';
  /** the live status line (off with --no-progress) */
  progress: boolean;
}

/** Set once from the command line and environment (parseCommon; main for what comes before). */
export const preferences: ConsolePreferences = { quiet: false, format: 'text', progress: true };

export function setConsolePreferences(p: Partial<ConsolePreferences>): void {
  Object.assign(preferences, p);
}

/** One JSON log line (stdout unless `out` says otherwise): `ts` first, then the event's fields. */
export function writeJsonEvent(event: { type: string; [field: string]: unknown } | object, out: NodeJS.WritableStream = process.stdout): void {
  out.write(JSON.stringify({ ts: new Date().toISOString(), ...event }) + '\n');
}

/**
 * A message about the command itself (an environment warning, Ctrl-C): a `log`
 * event under json, else `text` on stderr.
 */
export function notice(text: string, level: 'info' | 'warn' | 'error' = 'warn', message = text): void {
  if (preferences.format === 'json') writeJsonEvent({ type: 'log', level, message });
  else process.stderr.write(text + '\n');
}

export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/**
 * Prints the error that stopped a command and returns its exit code: a mistake
 * in the project, profile or command line (2, one line each with its place), the
 * warehouse refusing (1), or a bug in tsql (1).
 */
export function printStopError(e: unknown): number {
  if (e instanceof UserErrors || e instanceof UserError) {
    const errors = e instanceof UserErrors ? e.errors : [e];
    for (const err of errors) printUserError(err);
    if (errors.length > 1 && preferences.format === 'text') process.stderr.write(`${errors.length} errors; nothing was run\n`);
    return EXIT_USAGE;
  }
  if (isUserError(e)) return EXIT_USAGE;
  if (e instanceof WarehouseError) {
    if (preferences.format === 'json') writeJsonEvent({ type: 'error', kind: 'warehouse', code: EXIT_FAILURE, message: e.message });
    else process.stderr.write(`error: ${e.message}\n`);
    return EXIT_FAILURE;
  }
  const err = e as Error;
  const message = err?.message ?? String(e);
  if (preferences.format === 'json') writeJsonEvent({ type: 'error', kind: 'internal', code: EXIT_FAILURE, message, ...(process.env.TSQL_DEBUG ? { stack: err?.stack ?? '' } : {}) });
  else {
    process.stderr.write(`internal error: ${message}\n`);
    if (process.env.TSQL_DEBUG) process.stderr.write(`${err?.stack ?? ''}\n`);
    else process.stderr.write('(set TSQL_DEBUG=1 for a stack trace, and please report it)\n');
  }
  return EXIT_FAILURE;
}

/** What commander writes to stderr besides its errors (help shown after a mistake): a `usage` error event under json. */
export function printUsageText(text: string): void {
  if (preferences.format === 'json') writeJsonEvent({ type: 'error', kind: 'usage', code: EXIT_USAGE, message: text.trim() });
  else process.stderr.write(text);
}

/**
 * A mistake on the command line that commander found (unknown option, missing
 * argument), one line: its suggestion, printed by commander on a line of its
 * own, goes at the end as every other error's (`(did you mean --select?)`).
 */
export function printUsageError(text: string): void {
  const { message, hint } = usageError(text);
  if (preferences.format === 'json') writeJsonEvent({ type: 'error', kind: 'usage', code: EXIT_USAGE, message, ...defined({ hint }) });
  else process.stderr.write(`error: ${message}${hint ? ` (${hint})` : ''}\n`);
}

/** dbt's options that tsql has no use for, and what to do instead: the hint of their error. */
const DBT_ONLY_OPTIONS: Record<string, string> = {
  '--log-level': 'a dbt option: tsql has one console level; --quiet prints errors only, --log-format json is for machines',
  '--log-level-file': 'a dbt option: tsql writes no log files; --log-format json is for machines',
  '--log-path': 'a dbt option: tsql writes no log files; --log-format json is for machines',
  '--debug': 'a dbt option: tsql prints the SQL it runs in target/run/ and the compiled SQL in target/compiled/',
  '--printer-width': 'a dbt option: tsql prints lines of a fixed width',
  '--version-check': 'a dbt option: tsql_project.yml has no version requirement to check',
  '--no-version-check': 'a dbt option: tsql_project.yml has no version requirement to check',
  '--send-anonymous-usage-stats': 'a dbt option: tsql sends nothing anywhere',
  '--no-send-anonymous-usage-stats': 'a dbt option: tsql sends nothing anywhere',
  '--write-json': 'a dbt option: tsql always writes its artifacts (manifest.json, run_results.json) to target/',
  '--no-write-json': 'a dbt option: tsql always writes its artifacts (manifest.json, run_results.json) to target/',
  '--static-parser': "a dbt option: tsql renders every model's template, once",
  '--no-static-parser': "a dbt option: tsql renders every model's template, once",
  '--cache-selected-only': 'a dbt option: tsql reads what exists in the target schemas once per run',
  '--no-cache-selected-only': 'a dbt option: tsql reads what exists in the target schemas once per run',
  '--populate-cache': 'a dbt option: tsql reads what exists in the target schemas once per run',
  '--no-populate-cache': 'a dbt option: tsql reads what exists in the target schemas once per run',
};

/** commander's `error: unknown option '--selec'\n(Did you mean --select?)\n` as its message and hint. */
export function usageError(text: string): { message: string; hint?: string } {
  const body = text.trim().replace(/^error: /, '');
  const m = /^([\s\S]*?)\s*\n\((Did you mean [^\n]*\?)\)$/.exec(body);
  const message = m ? m[1]! : body;
  const dbtOnly = /^unknown option '([^'=]+)/.exec(message)?.[1];
  if (dbtOnly && DBT_ONLY_OPTIONS[dbtOnly]) return { message, hint: DBT_ONLY_OPTIONS[dbtOnly] };
  return m ? { message, hint: m[2]!.replace(/^Did/, 'did') } : { message };
}

function printUserError(e: UserError): void {
  if (preferences.format === 'json') {
    const { file, line, column } = e.place;
    writeJsonEvent({ type: 'error', kind: 'project', code: EXIT_USAGE, message: e.message, ...defined({ file, line, column, hint: e.hint, excerpt: e.excerpt }) });
    return;
  }
  process.stderr.write(`error: ${e.format()}\n`);
  if (e.excerpt) process.stderr.write(`  | ${e.excerpt}\n`);
}

function defined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** `--log-format json` (or `=json`) on the command line, or json from the environment: known before the options are parsed. */
export function jsonRequested(argv: string[], env: NodeJS.ProcessEnv): boolean {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--log-format=json' || (argv[i] === '--log-format' && argv[i + 1] === 'json')) return true;
    if (argv[i] === '--log-format' || argv[i].startsWith('--log-format=')) return false;
  }
  return [env.TSQL_LOG_FORMAT, env.DBT_ENGINE_LOG_FORMAT, env.DBT_LOG_FORMAT].find((v) => v !== undefined) === 'json';
}
