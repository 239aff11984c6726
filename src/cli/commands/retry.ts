import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { writeCiReports } from '../../artifacts/ci-reports.js';
import { newReport } from '../../artifacts/run-report.js';
import { UserError } from '../../errors.js';
import { isPlainObject } from '../../project/config-merge.js';
import { loadState } from '../../graph/state-load.js';
import { loadProject } from '../../project/load.js';
import { daysBetween, parseDs } from '../../run-date/run-date.js';
import { parseEventTime, type BatchWindow } from '../../run-date/batches.js';
import type { BatchResults } from '../../execution/run-microbatch.js';
import type { ParsedOptions } from '../options.js';
import { Reporter } from '../reporter.js';
import { COMMAND_TYPES, executeCommand, type ExecuteCommand } from './execute.js';

/** The statuses a retry runs again: errors, failed tests, what they skipped, microbatch models with failed batches. */
const RETRIED = new Set(['error', 'fail', 'skipped', 'partial success']);

/** The last invocation, as run_results.json recorded it. */
interface LastRun {
  command: ExecuteCommand;
  args: Record<string, unknown>;
  retry: string[];
  /** microbatch models some of whose batches are in their table: the others are what runs again */
  batches: Map<string, BatchResults>;
}

/**
 * `tsql retry`: runs again the nodes that errored, failed or were skipped in the
 * last target/run_results.json, with the command, run date, vars, target and
 * flags that run had, and nothing else. Its own run_results.json then describes
 * the retry (so a second retry picks up what still fails).
 * Overrides taken from its own command line: --profiles-dir, --threads,
 * --log-format and the CI reports.
 */
export async function retryCommand(options: ParsedOptions): Promise<number> {
  const project = loadProject(options.projectDir, { targetPath: options.targetPath });
  const file = join(options.projectDir, project.settings.targetPath, 'run_results.json');
  const last = readLastRun(file, options.projectDir);
  if (!last.retry.length) {
    const reporter = new Reporter(options.logFormat);
    const note = `nothing to retry: no node failed or was skipped in the last tsql ${String(last.args.invoked_as ?? last.command)}`;
    reporter.info(note);
    const report = newReport(`retry (${last.command})`);
    report.notes.push(note);
    writeCiReports(options, report);
    return 0;
  }
  const args = last.args;
  const vars = isPlainObject(args.vars) ? args.vars : {};
  const ds = typeof args.ds === 'string' ? parseDs(args.ds, 'run_results.json args.ds').ds : options.runDate.ds;
  const retryOptions: ParsedOptions = {
    ...options,
    profilesDir: options.profilesDir ?? stringOr(args.profiles_dir),
    target: stringOr(args.target) ?? options.target,
    vars,
    select: stringList(args.select),
    exclude: stringList(args.exclude),
    threads: options.threads ?? (typeof args.threads === 'number' ? args.threads : undefined),
    fullRefresh: args.full_refresh === true,
    failFast: args.fail_fast === true,
    warnError: options.warnError || args.warn_error === true,
    foldTests: typeof args.fold_tests === 'boolean' ? args.fold_tests : undefined,
    // a deferred or --empty build is retried as one: the same production state
    state: typeof args.state === 'string' ? loadState(args.state) : options.state,
    defer: args.defer === true,
    favorState: args.favor_state === true,
    empty: args.empty === true,
    runDate: { ds },
    runDateGiven: args.ds_given === true,
    eventTime: eventTimeArgs(args),
    batchNow: typeof args.run_started_at === 'string' ? parseEventTime(args.run_started_at) : undefined,
    backfill: undefined,
  };
  const reporter = new Reporter(options.logFormat);
  reporter.info(`Retrying ${last.retry.length} node${last.retry.length === 1 ? '' : 's'} of the last tsql ${last.command}, run date ${ds}`);
  const code = await executeCommand(last.command, retryOptions, { nodes: new Set(last.retry), batches: last.batches, invokedAs: 'retry' });
  const backfill = args.backfill;
  if (isPlainObject(backfill) && typeof backfill.end === 'string' && backfill.end > ds) {
    const rest = daysBetween(ds, backfill.end).slice(1);
    reporter.info(`the backfill's later run dates were not run: tsql ${last.command} --start ${rest[0]} --end ${backfill.end}`);
  }
  return code;
}

function readLastRun(file: string, projectDir: string): LastRun {
  const rel = relative(projectDir, file) || file;
  if (!existsSync(file)) throw new UserError(`no ${rel} to retry from`, {}, { hint: 'tsql retry reruns what failed in the last run, build, test or seed' });
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UserError(`${rel} is not valid JSON: ${(e as Error).message}`);
  }
  if (!isPlainObject(json) || !Array.isArray(json.results)) throw new UserError(`${rel} has no results list`, {}, { hint: 'is it a run_results.json from tsql?' });
  const args = isPlainObject(json.args) ? json.args : {};
  const which = args.which;
  if (typeof which !== 'string' || !(which in COMMAND_TYPES)) {
    throw new UserError(`${rel} is from ${typeof which === 'string' ? `'tsql ${which}'` : 'an unknown command'}, which tsql retry cannot rerun`, {}, { hint: `it reruns ${Object.keys(COMMAND_TYPES).join(', ')}` });
  }
  const retry: string[] = [];
  const batches = new Map<string, BatchResults>();
  for (const r of json.results) {
    if (!isPlainObject(r) || typeof r.unique_id !== 'string' || typeof r.status !== 'string' || !RETRIED.has(r.status)) continue;
    retry.push(r.unique_id);
    const b = isPlainObject(r.batch_results) ? { successful: windows(r.batch_results.successful), failed: windows(r.batch_results.failed) } : undefined;
    // batches that landed: only the failed ones run again (else the model runs as the first time)
    if (b?.successful.length && b.failed.length) batches.set(r.unique_id, b);
  }
  return { command: which as ExecuteCommand, args, retry, batches };
}

/** `[[start, end], …]` as run_results.json holds batches; what does not read as such is left out. */
function windows(v: unknown): BatchWindow[] {
  if (!Array.isArray(v)) return [];
  const out: BatchWindow[] = [];
  for (const w of v) {
    const start = Array.isArray(w) && typeof w[0] === 'string' ? parseEventTime(w[0]) : undefined;
    const end = Array.isArray(w) && typeof w[1] === 'string' ? parseEventTime(w[1]) : undefined;
    if (start && end) out.push({ start, end });
  }
  return out;
}

function eventTimeArgs(args: Record<string, unknown>): BatchWindow | undefined {
  const start = typeof args.event_time_start === 'string' ? parseEventTime(args.event_time_start) : undefined;
  const end = typeof args.event_time_end === 'string' ? parseEventTime(args.event_time_end) : undefined;
  return start && end ? { start, end } : undefined;
}

function stringOr(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}
