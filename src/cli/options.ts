import { existsSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { parse as parseYamlText } from 'yaml';
import { UserError } from '../errors.js';
import { didYouMean } from '../util/suggest.js';
import { isPlainObject } from '../project/config-merge.js';
import { loadState, type StateArtifacts } from '../graph/state-load.js';
import { parseDs, todayUtc, type RunDate } from '../run-date/run-date.js';
import { parseEventTimeFlags, type BatchWindow } from '../run-date/batches.js';
import { EVERY_COMMAND, ignoredEnvWarnings, withEnvOptions } from './env-options.js';
import { readProjectFlags } from '../project/project-flags.js';
import { notice, setConsolePreferences } from './console-output.js';
import { INDIRECT_MODES, type IndirectSelection } from '../graph/selector.js';
import { chooseSelector, readSelectors, type ChosenSelector } from '../graph/yaml-selectors.js';


/** Options every command accepts (before or after the command name), as dbt users type them. */
export interface CommonOptions {
  projectDir?: string;
  profilesDir?: string;
  target?: string;
  vars?: string;
  select?: string[];
  models?: string[];
  exclude?: string[];
  /** --selector NAME: a selector of selectors.yml */
  selector?: string;
  /** --indirect-selection eager|cautious|buildable|empty */
  indirectSelection?: string;
  threads?: string;
  fullRefresh?: boolean;
  failFast?: boolean;
  logFormat?: string;
  resourceType?: string[];
  output?: string;
  ds?: string;
  start?: string;
  end?: string;
  foldTests?: boolean;
  junitXml?: string;
  summaryMd?: string;
  warnError?: boolean;
  allowEmptySelection?: boolean;
  state?: string;
  defer?: boolean;
  favorState?: boolean;
  empty?: boolean;
  diff?: boolean;
  failOnDiff?: boolean;
  /** --wait [SECONDS]: true without a value */
  wait?: string | boolean;
  /** --profile: instead of the project file's profile: */
  profile?: string;
  /** --target-path: instead of the project file's target-path: */
  targetPath?: string;
  /** --quiet: print errors only */
  quiet?: boolean;
  /** --no-progress: false (commander's negated flag) */
  progress?: boolean;
  /** --use-colors / --no-use-colors, DBT_USE_COLORS / TSQL_USE_COLORS */
  useColors?: boolean;
  /** --no-partial-parse: false; DBT_PARTIAL_PARSE, the project file's flags: partial_parse */
  partialParse?: boolean;
  /** --event-time-start / --event-time-end: the batches microbatch models build (run, build) */
  eventTimeStart?: string;
  eventTimeEnd?: string;
}

export interface ParsedOptions {
  projectDir: string;
  profilesDir?: string;
  target?: string;
  vars: Record<string, unknown>;
  select: string[];
  exclude: string[];
  /** --selector NAME, or selectors.yml's default: true selector when no --select/--exclude is given */
  selector?: ChosenSelector;
  /** which tests the selection adds for the nodes it selects (default eager) */
  indirectSelection: IndirectSelection;
  threads?: number;
  fullRefresh: boolean;
  failFast: boolean;
  logFormat: 'text' | 'json';
  /** The run date: --ds, else today (UTC). */
  runDate: RunDate;
  /** --ds was given (microbatch models then build that day's batches) */
  runDateGiven: boolean;
  /** --event-time-start/--event-time-end: exactly the batches microbatch models build */
  eventTime?: BatchWindow;
  /** where microbatch models count their batches from when neither is given: the run's start, or (tsql retry) the retried run's */
  batchNow?: Date;
  /** --start/--end: run once per day, in order. */
  backfill?: { start: string; end: string };
  /** fold tests of one relation into one query: --fold-tests / --no-fold-tests, default: the engine's */
  foldTests?: boolean;
  /** --warn-error: test warnings fail the run, compile warnings stop it (as errors) */
  warnError: boolean;
  /** --allow-empty-selection: a --select/--exclude/--selector leaving nothing is a no-op, not an error */
  allowEmptySelection: boolean;
  /** --junit-xml / --summary-md: absolute paths of the CI reports */
  junitXml?: string;
  summaryMd?: string;
  /** --state DIR: production's artifacts, read before anything runs */
  state?: StateArtifacts;
  /** --defer: refs to unselected nodes missing here resolve to production's relations */
  defer: boolean;
  /** --favor-state: with --defer, also when the relation exists here */
  favorState: boolean;
  /** --empty: build every selected model with zero rows */
  empty: boolean;
  /** build --diff: compare the built models with production's afterwards */
  diff: boolean;
  /** --fail-on-diff: any data difference exits 1 */
  failOnDiff: boolean;
  /** --wait [SECONDS]: queue behind another run on the same target schema (Infinity: no limit); undefined: fail at once */
  waitSeconds?: number;
  /** --profile / DBT_PROFILE: the profile to read instead of the project's */
  profile?: string;
  /** --target-path / DBT_TARGET_PATH: instead of the project file's target-path */
  targetPath?: string;
  /** --quiet / DBT_QUIET: errors only */
  quiet: boolean;
  /** false with --no-partial-parse: the kept compile is not reused (a new one is kept) */
  partialParse: boolean;
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

/** A report's path, relative to the current directory (as CI tools give it); it must not be a folder. */
function reportPath(value: string | undefined, flag: string, example: string): string | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === '' || /[\\/]$/.test(value)) throw new UserError(`${flag} takes a file path, got '${value}'`, {}, { hint: `e.g. ${flag} ${example}` });
  const abs = resolve(value);
  if (existsSync(abs) && statSync(abs).isDirectory()) throw new UserError(`${flag} '${value}' is a folder`, {}, { hint: `e.g. ${flag} ${example}` });
  return abs;
}

/**
 * The command line's options, completed from the environment (DBT_* / TSQL_*,
 * see env-options.ts) for the options the command takes (`accepted`: their
 * attribute names; all when not given).
 */
export function parseCommon(cli: CommonOptions, accepted?: Set<string>): ParsedOptions {
  const fromEnv = withEnvOptions(cli, process.env, accepted);
  const sources = fromEnv.sources;
  // the project file's flags: come last (the flag, then the environment, win)
  const o: CommonOptions = { ...fromEnv.options };
  const flags = readProjectFlags(resolve(o.projectDir ?? process.cwd()));
  for (const [k, v] of Object.entries(flags) as Array<[keyof typeof flags, boolean | string]>) {
    if (o[k] === undefined && (!accepted || accepted.has(k) || EVERY_COMMAND.has(k))) Object.assign(o, { [k]: v });
  }
  const named = (key: keyof CommonOptions, flag: string) => sources[key] ?? flag;
  const logFormat = o.logFormat ?? 'text';
  if (logFormat !== 'text' && logFormat !== 'json') throw new UserError(`--log-format must be 'text' or 'json', got '${logFormat}'`);
  setConsolePreferences({ quiet: !!o.quiet, color: o.useColors, format: logFormat, progress: o.progress !== false });
  if (!o.quiet) for (const w of ignoredEnvWarnings()) notice(`warning: ${w}`, 'warn', w);
  let threads: number | undefined;
  if (o.threads !== undefined) {
    threads = Number(o.threads);
    if (!Number.isInteger(threads) || threads < 1 || threads > 256) throw new UserError(`${named('threads', '--threads')} must be a whole number from 1 to 256, got '${o.threads}'`);
  }
  const dir = o.projectDir ?? process.env.TSQL_PROJECT_DIR ?? process.cwd();
  const projectDir = isAbsolute(dir) ? dir : resolve(dir);
  const select = [...(o.select ?? []), ...(o.models ?? [])];
  const exclude = o.exclude ?? [];
  const indirectSelection = (o.indirectSelection ?? 'eager').trim().toLowerCase();
  if (!(INDIRECT_MODES as readonly string[]).includes(indirectSelection)) throw new UserError(`${named('indirectSelection', '--indirect-selection')} must be one of ${INDIRECT_MODES.join(', ')}, got '${indirectSelection}'`, {}, { hint: didYouMean(indirectSelection, INDIRECT_MODES) });
  if (o.selector !== undefined && (select.length || exclude.length)) {
    throw new UserError(`--selector cannot be combined with ${select.length ? '--select' : '--exclude'}`, {}, { hint: 'put the whole selection in the selector (union:, intersection:, exclude:), or use --select/--exclude alone' });
  }
  // selectors.yml is read by the commands that select (its default selector applies to them)
  const chosen = !accepted || accepted.has('selector') ? chooseSelector(readSelectors(projectDir), { name: o.selector, cliSelection: select.length > 0 || exclude.length > 0 }) : undefined;
  let backfill: ParsedOptions['backfill'];
  if (o.start !== undefined || o.end !== undefined) {
    if (o.start === undefined || o.end === undefined) throw new UserError('--start and --end go together', {}, { hint: 'e.g. --start 2024-01-01 --end 2024-01-07' });
    if (o.ds !== undefined) throw new UserError('--ds and --start/--end cannot be combined', {}, { hint: 'use --ds for one day, --start/--end for a range' });
    const start = parseDs(o.start, '--start').ds;
    const end = parseDs(o.end, '--end').ds;
    if (start > end) throw new UserError(`--start ${start} is after --end ${end}`);
    backfill = { start, end };
  }
  const eventTime = parseEventTimeFlags(o.eventTimeStart, o.eventTimeEnd);
  if (eventTime && backfill) throw new UserError('--event-time-start/--event-time-end and --start/--end cannot be combined', {}, { hint: 'a backfill builds each day\'s batches of microbatch models; --event-time-* builds exactly the batches they cover' });
  if (o.favorState && !o.defer) throw new UserError(`${named('favorState', '--favor-state')} goes with ${named('defer', '--defer')}`, {}, { hint: 'e.g. --defer --favor-state --state prod-artifacts' });
  if (o.defer && o.state === undefined) throw new UserError(`${named('defer', '--defer')} needs --state DIR (or DBT_STATE): the folder holding production's manifest.json`, {}, { hint: 'e.g. --defer --state prod-artifacts' });
  if (o.diff && o.state === undefined) throw new UserError("--diff compares with production: pass --state DIR, the folder holding production's manifest.json", {}, { hint: 'e.g. tsql build --select state:modified+ --defer --state prod-artifacts --diff' });
  let waitSeconds: number | undefined;
  if (o.wait === true) waitSeconds = Infinity;
  else if (o.wait !== undefined && o.wait !== false) {
    waitSeconds = Number(o.wait);
    if (!/^\d+$/.test(o.wait) || waitSeconds < 1) throw new UserError(`--wait takes a number of seconds (a whole number from 1), got '${o.wait}'`, {}, { hint: 'e.g. --wait 600, or --wait alone to wait as long as it takes' });
  }
  return {
    profile: o.profile,
    targetPath: o.targetPath,
    quiet: !!o.quiet,
    partialParse: o.partialParse !== false,
    waitSeconds,
    diff: !!o.diff,
    failOnDiff: !!o.failOnDiff,
    state: o.state !== undefined ? loadState(o.state) : undefined,
    defer: !!o.defer,
    favorState: !!o.favorState,
    empty: !!o.empty,
    projectDir,
    profilesDir: o.profilesDir ?? process.env.TSQL_PROFILES_DIR,
    target: o.target ?? process.env.TSQL_TARGET,
    vars: parseVars(o.vars),
    select,
    exclude,
    selector: chosen ? { name: chosen.name, spec: chosen.spec, isDefault: o.selector === undefined, line: chosen.line } : undefined,
    indirectSelection: indirectSelection as IndirectSelection,
    threads,
    fullRefresh: !!o.fullRefresh,
    failFast: !!o.failFast,
    logFormat,
    foldTests: o.foldTests,
    warnError: !!o.warnError,
    allowEmptySelection: !!o.allowEmptySelection,
    junitXml: reportPath(o.junitXml, '--junit-xml', 'reports/junit.xml'),
    summaryMd: reportPath(o.summaryMd, '--summary-md', 'reports/summary.md'),
    runDate: backfill ? { ds: backfill.start } : o.ds !== undefined ? parseDs(o.ds) : todayUtc(),
    runDateGiven: o.ds !== undefined,
    eventTime,
    backfill,
  };
}
